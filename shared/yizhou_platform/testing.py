"""pytest fixtures for the whole repository: a real broker, real databases, apps and tokens.

Defaults are the embedded ones (Tansu, SQLite files in a temporary directory); with
KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL set (CI does) the same tests run on Apache Kafka and
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from yizhou.auth import mint_token
from yizhou.bus import KafkaAccess, kafka_options
from yizhou.settings import ServiceSettings
from yizhou_platform.embedded_broker import EmbeddedBroker
from yizhou_platform.kafka_principals import configured_principals
from yizhou_platform.launcher import SERVICES, Platform

# A fresh secret every run (service processes the suite starts get it through JWT_SECRET): no secret
# written in the repository signs tokens anywhere.
TEST_JWT_SECRET = os.environ.get("YIZHOU_TEST_JWT_SECRET") or secrets.token_urlsafe(48)
os.environ["YIZHOU_TEST_JWT_SECRET"] = TEST_JWT_SECRET  # the same in every process of one run
S = TypeVar("S", bound=ServiceSettings)


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory) -> str:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log_file=log) as broker:
        yield broker.bootstrap


async def _reset_postgres(server_url: str) -> None:
    for spec in SERVICES:
        url = make_url(server_url).set(database=spec.package)
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()


@pytest.fixture(scope="session")
def database_env(tmp_path_factory) -> dict[str, str]:
    """Environment that points services at the test databases (fresh at session start)."""
    server = os.environ.get("DATABASE_URL")
    if server:
        asyncio.run(_reset_postgres(server))
        return {"DATABASE_URL": server}
    return {"YIZHOU_DATA_DIR": str(tmp_path_factory.mktemp("data"))}


@pytest.fixture(scope="session")
def service_env(kafka_bootstrap, database_env, run_id) -> dict[str, str]:
    return {
        **database_env,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "JWT_SECRET": TEST_JWT_SECRET,
        "CONSUMER_GROUP_SUFFIX": f"-test-{run_id}",
        "LOG_JSON": "false",
        "OUTBOX_RELAY_IDLE_POLL_S": "0.2",
        "WEBHOOKS_ALLOW_HTTP_LOOPBACK": "true",
        "WEBHOOK_BACKOFF_S": "0.2",
    }


@pytest.fixture(scope="session")
def make_settings(service_env) -> Callable[..., Any]:
    def _make(settings_cls: type[S], **overrides: Any) -> S:
        saved = dict(os.environ)
        os.environ.update(service_env)
        # On a secured broker (CI) each service connects as its own principal, as in production.
        principals = configured_principals()
        if principals:
            os.environ.update(principals.env(settings_cls.service_name))
        try:
            return settings_cls(**overrides)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    return _make


def as_kafka_admin() -> dict[str, Any]:
    """Settings overrides that make a service under test connect as the cluster's admin, for a test
    that publishes what no one service may (on a secured broker; nothing on the embedded one)."""
    access = KafkaAccess.from_env()
    if not access.username:
        return {}
    return {"kafka_security_protocol": access.security_protocol, "kafka_sasl_mechanism": access.sasl_mechanism,
            "kafka_sasl_username": access.username, "kafka_sasl_password": access.password}


def partner_kafka_options(bootstrap: str) -> dict[str, Any]:
    """Client options of a partner: its own principal on a secured broker (reads yizhou.partner.* only)."""
    principals = configured_principals()
    if principals and "partner-demo" in principals.users:
        return principals.access(KafkaAccess.from_env(bootstrap), "partner-demo").client_options()
    return kafka_options(bootstrap)


def service_app(name: str) -> tuple[Callable[..., Any], type]:
    """A service's `create_app` and its `Settings` class, by the service's name (tests over all four)."""
    package = next(s.package for s in SERVICES if s.name == name)
    return (importlib.import_module(f"{package}.app").create_app,
            importlib.import_module(f"{package}.settings").Settings)


@asynccontextmanager
async def serve(app) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (migrations, relay, consumers) and an HTTP client on it."""
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            client.app_state = app.state  # tests reach the app's database through it
            yield client


@pytest.fixture(scope="session")
def token() -> Callable[..., str]:
    def _token(role: str, area: str, **kw: Any) -> str:
        return mint_token(TEST_JWT_SECRET, role=role, area=area, **kw)

    return _token


@pytest.fixture(scope="session")
def auth(token) -> Callable[..., dict[str, str]]:
    def _auth(role: str, area: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role, area)}"}

    return _auth


@pytest.fixture
def unique_code() -> Callable[[str], str]:
    """Codes no other test uses, so tests share databases without seeing each other."""

    def _code(prefix: str = "T") -> str:
        return f"{prefix}{uuid.uuid4().hex[:10].upper()}"

    return _code


async def eventually(check: Callable[[], Awaitable[Any]], timeout_s: float = 30, interval_s: float = 0.2) -> Any:
    """Polls an async check until it returns a truthy value; the last failure is raised. A check that
    does not return (a client call stuck on a broker) is cut off at the deadline too, so a test fails
    with a message instead of hanging the run."""
    deadline = time.monotonic() + timeout_s
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0.05)):
                result = await check()
            if result:
                return result
        except AssertionError as exc:
            last = exc
        except TimeoutError:
            raise AssertionError(f"the check was still running after {timeout_s}s (last failure: {last})") from None
        await asyncio.sleep(interval_s)
    if last:
        raise last
    raise AssertionError(f"condition not met within {timeout_s}s")


async def read_event(bootstrap: str, topic: str, key: str, event_type: str, timeout_s: float = 60) -> dict:
    """The data of the first record on `topic` with this key and CloudEvents type (from the start)."""
    import json

    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(topic, **kafka_options(bootstrap), auto_offset_reset="earliest", group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        async def found():
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    if record.key == key.encode() and dict(record.headers or ()).get("ce_type") == event_type.encode():
                        return json.loads(record.value)
            return None

        return await eventually(found, timeout_s=timeout_s, interval_s=0)
    finally:
        await consumer.stop()


@pytest.fixture
def platform_factory(service_env, tmp_path) -> Callable[..., Platform]:
    """Starts the four services as processes (as `make run` does); stopped after the test."""
    from yizhou_platform.embedded_broker import free_port

    started: list[Platform] = []

    def _start(extra_env: dict[str, str] | None = None) -> Platform:
        env = {**service_env, **(extra_env or {})}
        data_dir = Path(env.get("YIZHOU_DATA_DIR", tmp_path))
        platform = Platform(bootstrap=env["KAFKA_BOOTSTRAP_SERVERS"], data_dir=data_dir,
                            ports={s.name: free_port() for s in SERVICES}, extra_env=env)
        platform.start()
        started.append(platform)
        return platform

    yield _start
    for platform in started:
        platform.stop()


async def schema_drift(package, metadatas: list, tmp_path: Path) -> list:
    """What differs between the tables a service's migrations build (on a fresh SQLite file) and the
    tables its models describe: [] when they match. `package` is the service's package (its
    `migrations/` folder beside it), `metadatas` every MetaData its migrations/env.py names."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData

    from yizhou.migrations import upgrade_to_head

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}")
    await upgrade_to_head(engine, Path(package.__file__).parent / "migrations")
    target = MetaData()
    for metadata in metadatas:
        for table in metadata.sorted_tables:
            table.to_metadata(target)

    def diff(conn) -> list:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        return [d for d in compare_metadata(context, target)
                if not (isinstance(d, tuple) and d[0] == "remove_table" and d[1].name == "alembic_version")]

    try:
        async with engine.connect() as conn:
            return await conn.run_sync(diff)
    finally:
        await engine.dispose()
