"""`yizhou`: the operator CLI (typer + rich)."""

from __future__ import annotations

import asyncio
import importlib
import os
import secrets
import signal
import time
import uuid
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer
from aiokafka.errors import KafkaConnectionError
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from yizhou.auth import Role, UnsafeTokenSettings, check_signing_secret, mint_token
from yizhou.events import render_schema, schema_file, write_schemas
from yizhou.settings import ServiceSettings
from yizhou_platform.demo_district import DISTRICT, REAL, SMALL, load_demo
from yizhou_platform.embedded_broker import EmbeddedBroker
from yizhou_platform.launcher import (BOOTSTRAP_FILE, LOCAL_CORS_ORIGINS, SERVICES, Platform, running_bootstrap,
                                      write_bootstrap)


def use_running_broker() -> str:
    """Points this process at the broker of `yizhou run` unless KAFKA_BOOTSTRAP_SERVERS (or `.env`) names
    one: the embedded broker is on 19092, not on the settings' default 9092. Says where the address came from."""
    try:
        settings = ServiceSettings()
    except ValidationError:
        return "the settings (which are not valid)"   # the command itself reports what is wrong
    if "kafka_bootstrap_servers" in settings.model_fields_set:
        return "KAFKA_BOOTSTRAP_SERVERS"
    running = running_bootstrap(settings.data_dir)
    if running is None:
        return "the default (KAFKA_BOOTSTRAP_SERVERS is unset and no `yizhou run` is running on " \
               f"{settings.data_dir})"
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = running
    return f"{settings.data_dir / BOOTSTRAP_FILE}, written by `yizhou run`"


class PlatformCommands(TyperGroup):
    """Every `yizhou` command (a service's too) runs against the broker `yizhou run` started, and a broker
    that does not answer is one clear line and exit code 1, not a traceback."""

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        if name != "run":   # `run` starts its own broker: a file left by a crashed run must not stop it
            ctx.meta["broker_source"] = use_running_broker()
        return name, command, rest

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KafkaConnectionError:   # aiokafka could not bootstrap (rebuilds, dead letters)
            source = ctx.meta.get("broker_source", "KAFKA_BOOTSTRAP_SERVERS")
            bootstrap = ServiceSettings.model_fields["kafka_bootstrap_servers"].default
            bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
            Console(stderr=True).print(
                f"[red]No Kafka broker answers at {bootstrap}[/] (from {source}). Start the platform "
                "(`make run`) or set KAFKA_BOOTSTRAP_SERVERS to a running broker.", soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(help="Operator CLI of the one-axis party-building platform.", no_args_is_help=True,
                  cls=PlatformCommands)
console = Console()


SECRET_FILE = "jwt-secret"  # in the data directory of `yizhou run`: one random secret per directory


def local_secret(data_dir: Path) -> str:
    """The signing secret of a laptop platform: JWT_SECRET if set, else the data directory's own,
    made (random, readable by this user only) the first time."""
    if os.environ.get("JWT_SECRET"):
        return os.environ["JWT_SECRET"]
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@app.command()
def token(role: Annotated[Role, typer.Option(help="Role claim")],
          area: Annotated[str, typer.Option(help="Area code claim: the caller sees this area's subtree")],
          subject: Annotated[str | None, typer.Option(help="Who the token is for (default: a new subject each time)")] = None,
          ttl: Annotated[int | None, typer.Option(help="Lifetime in seconds (default JWT_TTL_S, at most JWT_MAX_TTL_S)")] = None,
          data_dir: Annotated[Path, typer.Option(help="`yizhou run`'s data directory, whose secret signs when JWT_SECRET is unset")] = Path("var")) -> None:
    """Mint a local bearer token (signed with JWT_SECRET, or `make run`'s secret) for a role and an area.
    Each token is a new person unless --subject says who: two residents never share one identity."""
    settings = ServiceSettings()
    ttl = settings.jwt_ttl_s if ttl is None else ttl
    if not 0 < ttl <= settings.jwt_max_ttl_s:
        raise typer.BadParameter(f"between 1 and {settings.jwt_max_ttl_s} s (JWT_MAX_TTL_S)", param_hint="--ttl")
    secret = local_secret(data_dir.resolve())
    try:
        check_signing_secret(secret)
    except UnsafeTokenSettings as exc:
        raise typer.BadParameter(str(exc), param_hint="JWT_SECRET") from None
    subject = subject or f"{role.value}-{uuid.uuid4().hex[:12]}@{area}"
    print(mint_token(secret, role=role.value, area=area, subject=subject, ttl_s=ttl, issuer=settings.jwt_issuer))


@app.command()
def demo(url: Annotated[str, typer.Option(help="org-registry base URL")] = "http://127.0.0.1:8001",
         real_size: Annotated[bool, typer.Option("--real-size", help="43 subdistricts, 344 communities")] = False) -> None:
    """Load the deterministic demo district into a running org-registry."""
    settings = ServiceSettings()
    tok = mint_token(local_secret(Path("var").resolve()), role="district_admin", area=DISTRICT[0],
                     issuer=settings.jwt_issuer)
    created = asyncio.run(load_demo(url, tok, REAL if real_size else SMALL))
    console.print(f"demo district loaded: {created} areas created")


@app.command()
def run(data_dir: Annotated[Path, typer.Option(help="SQLite files and logs")] = Path("var"),
        real_size: Annotated[bool, typer.Option("--real-size", help="Demo at the real size: 43 subdistricts, 344 communities")] = False,
        no_demo: Annotated[bool, typer.Option("--no-demo", help="Start empty")] = False) -> None:
    """Start the broker (embedded Tansu unless KAFKA_BOOTSTRAP_SERVERS is set), the four services
    as separate processes, and load the demo district. Ctrl-C stops everything."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["JWT_SECRET"] = local_secret(data_dir)  # the services and the tokens printed below share it
    # A laptop's own webhook receiver (http://127.0.0.1:...) may be tried; never the default elsewhere.
    os.environ.setdefault("WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true")
    # Pages of a front-end dev server on this machine may call the services; never the default elsewhere.
    os.environ.setdefault("CORS_ALLOW_ORIGINS", LOCAL_CORS_ORIGINS)
    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        broker = EmbeddedBroker(port=int(os.environ.get("EMBEDDED_BROKER_PORT", "19092")),
                                log_file=data_dir / "broker.log").start()
        bootstrap = broker.bootstrap
        console.print(f"[green]embedded broker[/] (Tansu, memory only) on {bootstrap}")
    platform = Platform(bootstrap=bootstrap, data_dir=data_dir)
    broker_file = write_bootstrap(data_dir, bootstrap)   # for `yizhou rebuild` & co. in another shell
    stopping = False

    def _stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        with console.status("starting the four services (migrations apply on start)..."):
            platform.start()
        settings = ServiceSettings()
        admin = mint_token(settings.jwt_secret, role="district_admin", area=DISTRICT[0], issuer=settings.jwt_issuer,
                           subject=f"demo-admin@{DISTRICT[0]}")
        if not no_demo:
            with console.status("loading the demo district..."):
                created = asyncio.run(load_demo(platform["org-registry"].url, admin, REAL if real_size else SMALL))
            console.print(f"demo district {DISTRICT[0]} ({DISTRICT[1]}): {created} areas created")
            urls = {spec.name: platform[spec.name].url for spec in SERVICES}
            for spec, loader in service_demo_loaders():
                with console.status(f"loading {spec.name}'s demo data..."):
                    console.print(f"{spec.name}: {asyncio.run(loader(urls, admin, real_size))}")
        table = Table(title="services")
        table.add_column("service")
        table.add_column("docs")
        table.add_column("log")
        for spec in SERVICES:
            proc = platform[spec.name]
            table.add_row(spec.name, f"{proc.url}/docs", str(proc.log_path))
        console.print(table)
        console.print(f"demo token (district_admin of {DISTRICT[0]}, 8 h):")
        print(admin, flush=True)  # plain print: rich would wrap it
        where = "" if data_dir == Path("var").resolve() else f" --data-dir {data_dir}"
        console.print(f"more tokens: [bold].venv/bin/yizhou token --role community_worker --area CY01001{where}[/]")
        if os.environ["WEBHOOKS_ALLOW_HTTP_LOOPBACK"].lower() == "true":
            console.print("[bold yellow]webhooks: endpoints on this machine's loopback (http://127.0.0.1:...) are "
                          "allowed for trying them out (WEBHOOKS_ALLOW_HTTP_LOOPBACK=true): a laptop setting only[/]")
        console.print(f"browsers: pages on {os.environ['CORS_ALLOW_ORIGINS'] or 'no other origin'} may call the "
                      "services (CORS_ALLOW_ORIGINS)")
        console.print("Ctrl-C stops everything.")
        while not stopping:
            for spec in SERVICES:
                proc = platform[spec.name].process
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{spec.name} exited; see {platform[spec.name].log_path}")
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        console.print("stopping...")
        broker_file.unlink(missing_ok=True)
        platform.stop()
        if broker:
            broker.stop()


@app.command()
def rebuild(service: Annotated[str, typer.Argument(help="org-registry, demand-intake, project-matching or dual-registration")],
            workers: Annotated[int | None, typer.Option(min=1, help="Processes sharing the partitions "
                                                        "(default: one per core on PostgreSQL, one on SQLite)")] = None) -> None:
    """Rebuild a service's read models from its topics, from the start, and report counts.
    Uses the same settings as the service (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, ...)."""
    from rich.progress import Progress

    from yizhou.rebuild import rebuild as run_rebuild

    specs = {s.name: s for s in SERVICES}
    if service not in specs:
        raise typer.BadParameter(f"unknown service; one of {sorted(specs)}")
    package = specs[service].package
    settings = importlib.import_module(f"{package}.settings").Settings()
    with Progress(console=console) as progress:
        task = progress.add_task(f"replaying {service}'s topics", total=None)
        report = asyncio.run(run_rebuild(package, settings, lambda done, total: progress.update(task, completed=done, total=total),
                                         workers))
    table = Table(title=f"{service}: read models rebuilt from {', '.join(report.topics) or 'no topics'}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for name, count in report.cleared.items():
        table.add_row(f"rows cleared: {name}", str(count))
    table.add_row("records read", str(report.records))
    table.add_row("worker processes", str(report.workers))
    for outcome, count in sorted(report.outcomes.items()):
        table.add_row(f"events {outcome}", str(count))
    console.print(table)


dead_letters_app = typer.Typer(help="Inspect and re-drive dead-letter topics.", no_args_is_help=True)
app.add_typer(dead_letters_app, name="dead-letters")


@dead_letters_app.command("list")
def dead_letters_list(topic: Annotated[str, typer.Argument(help="The original topic, e.g. yizhou.areas.v1")]) -> None:
    """What is in `<topic>.dlq`, and why."""
    from yizhou_platform.dead_letters import list_dead_letters

    letters = asyncio.run(list_dead_letters(ServiceSettings().kafka_access, topic))
    table = Table(title=f"{topic}.dlq: {len(letters)} record(s)")
    for column in ("partition@offset", "consumer", "event type", "original", "reason"):
        table.add_column(column)
    for letter in letters:
        table.add_row(f"{letter.partition}@{letter.offset}", letter.consumer, letter.event_type or "-", letter.original,
                      letter.reason[:120])
    console.print(table)


@dead_letters_app.command("redrive")
def dead_letters_redrive(topic: Annotated[str, typer.Argument(help="The original topic, e.g. yizhou.areas.v1")],
                         consumer: Annotated[str | None, typer.Option(help="Only records one consumer group refused")] = None) -> None:
    """Re-publish dead letters to their original topic (once the cause is fixed)."""
    from yizhou_platform.dead_letters import redrive

    report = asyncio.run(redrive(ServiceSettings().kafka_access, topic, consumer))
    console.print(f"re-driven to {topic}: {report.redriven} (skipped {report.skipped}); by consumer: {dict(report.by_consumer)}")


bus_app = typer.Typer(help="The event bus: topics, principals and ACLs.", no_args_is_help=True)
app.add_typer(bus_app, name="bus")


@bus_app.command("init")
def bus_init(principals_file: Annotated[Path | None, typer.Option(
                 help="JSON of each principal's username and password (KAFKA_PRINCIPALS_FILE); made if missing")] = None,
             partner: Annotated[list[str] | None, typer.Option(
                 help="A partner principal to create (reads yizhou.partner.* only); repeatable")] = None,
             partitions: Annotated[int, typer.Option(min=1, help="Partitions of each topic")] = 3,
             replication_factor: Annotated[int, typer.Option(
                 min=1, envvar="KAFKA_TOPIC_REPLICATION_FACTOR", help="Replicas of each topic (3 in production)")] = 1,
             min_insync_replicas: Annotated[int, typer.Option(
                 min=1, envvar="KAFKA_MIN_INSYNC_REPLICAS",
                 help="Replicas that must have a write before it is acknowledged (2 in production)")] = 1,
             show: Annotated[bool, typer.Option("--show", help="Print the ACLs and topics, change nothing")] = False) -> None:
    """Create every topic (partitions, retention) and, on a SASL cluster, one SCRAM principal per service
    and partner with its ACLs. Run as the cluster's admin (KAFKA_SASL_USERNAME/PASSWORD); idempotent."""
    from yizhou.bus import KafkaAccess
    from yizhou_platform import kafka_security as ks
    from yizhou_platform.kafka_principals import PRINCIPALS_FILE_ENV, Principals

    path = principals_file or (Path(os.environ[PRINCIPALS_FILE_ENV]) if os.environ.get(PRINCIPALS_FILE_ENV) else None)
    names = [s.name for s in SERVICES] + list(partner or ())
    principals = Principals.load(path) if path and path.exists() else Principals.generate(names)
    for name, user in Principals.generate(names).users.items():
        principals.users.setdefault(name, user)
    principals.users.update(Principals.from_env(names).users)  # an operator's passwords win
    topics = ks.service_topics()
    grants = ks.plan(principals, topics)
    if min_insync_replicas > replication_factor:
        raise typer.BadParameter("min.insync.replicas cannot exceed the replication factor")
    settings = ks.topic_settings((t for service in topics.values() for t in service.all), min_insync_replicas)
    if show:
        table = Table("principal", "operation", "resource", "name")
        for g in grants:
            table.add_row(g.principal, g.operation, g.resource, g.name + ("*" if g.prefixed else ""))
        console.print(table)
        console.print(f"{len(settings)} topics: " + ", ".join(settings))
        return
    if path:
        principals.save(path)
    report = ks.apply(KafkaAccess.from_env(), principals, grants, settings,
                      partitions=partitions, replication_factor=replication_factor)
    console.print(f"[green]bus ready[/]: {report['topics']} topics ({report['topics_created']} created), "
                  f"{report['users']} principals, {report['acls']} ACLs" + (f"; credentials in {path}" if path else ""))


@app.command()
def status(urls: Annotated[list[str] | None, typer.Option("--url", help="Service base URLs (default: the local run)")] = None) -> None:
    """Outbox backlog, consumer lag, dead letters and events applied, read from each service's /metrics."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    table = Table(title="platform status")
    for column in ("service", "ready", "outbox backlog", "consumer lag", "dead letters", "events applied"):
        table.add_column(column, justify="right")
    targets = urls or [f"http://127.0.0.1:{s.default_port}" for s in SERVICES]
    for url in targets:
        try:
            ready = httpx.get(f"{url}/readyz", timeout=5).status_code == 200
            text = httpx.get(f"{url}/metrics", timeout=5).text
        except httpx.HTTPError as exc:
            table.add_row(url, f"[red]down ({type(exc).__name__})[/]", "-", "-", "-", "-")
            continue
        sums: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name in ("outbox_backlog", "consumer_lag", "dead_letters_total", "events_applied_total"):
                    sums[sample.name] = sums.get(sample.name, 0) + sample.value
        table.add_row(url, "[green]yes[/]" if ready else "[red]no[/]", *(f"{sums.get(n, 0):.0f}" for n in (
            "outbox_backlog", "consumer_lag", "dead_letters_total", "events_applied_total")))
    console.print(table)


def service_demo_loaders():
    """Each service may ship `<package>/demo.py` with `async def load_demo(urls, token, real_size) -> str`
    (a one-line summary); they run in SERVICES order after the demo axis is loaded."""
    for spec in SERVICES:
        try:
            module = importlib.import_module(f"{spec.package}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{spec.package}.demo":
                raise
            continue
        yield spec, module.load_demo


@app.command()
def schemas(check: Annotated[bool, typer.Option("--check", help="Fail if a checked-in schema differs")] = False,
            release: Annotated[bool, typer.Option("--release", help="Freeze the current schemas as released "
                                                  "(refused if that would break consumers of a topic version)")] = False) -> None:
    """Write (or check, or release) the checked-in JSON Schemas of every published event."""
    import json

    from yizhou_platform.event_catalogue import event_sets, released_schema_file
    from yizhou_platform.schema_compat import breaking_changes

    stale, broken = [], []
    for event_set in event_sets():
        for event in event_set.events:
            path = schema_file(event_set.schema_dir, event)
            if check:
                if not path.exists() or path.read_text(encoding="utf-8") != render_schema(event):
                    stale.append(str(path))
            elif release:
                released = released_schema_file(event_set.schema_dir, event)
                if released.exists():
                    problems = breaking_changes(json.loads(released.read_text(encoding="utf-8")), event.json_schema())
                    if problems:
                        broken.append(f"{event.event_type} on {event.topic}: {'; '.join(problems)}")
                        continue
                released.parent.mkdir(parents=True, exist_ok=True)
                released.write_text(render_schema(event), encoding="utf-8")
                console.print(f"released {released}")
        if not check and not release:
            for path in write_schemas(event_set.schema_dir, event_set.events):
                console.print(f"wrote {path}")
    if stale or broken:
        console.print("[red]stale schemas:[/] " + ", ".join(stale) if stale else "")
        console.print("[red]breaking changes (publish on a new topic version instead):[/]\n" + "\n".join(broken) if broken else "")
        raise typer.Exit(1)


@app.command()
def asyncapi(out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout")] = None) -> None:
    """Print the AsyncAPI 3.0 document of the partner topics."""
    import json

    from yizhou.asyncapi import build_document

    text = json.dumps(build_document(), indent=2, ensure_ascii=False)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


# A service's operator commands (`yizhou org-registry import|export`, `yizhou demand-intake rates
# rebuild`) join through the `yizhou.commands` entry points its package declares, so this library
# names no service.
for _commands in entry_points(group="yizhou.commands"):
    app.add_typer(_commands.load(), name=_commands.name)


def main() -> None:
    app()
