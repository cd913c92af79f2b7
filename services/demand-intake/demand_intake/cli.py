"""`yizhou demand-intake ...`: operator commands of demand-intake (typer + rich)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="demand-intake: the rates read model.", no_args_is_help=True)
rates_app = typer.Typer(help="The three rates (response, resolution, satisfaction).", no_args_is_help=True)
app.add_typer(rates_app, name="rates")
console = Console()


@rates_app.command("rebuild")
def rebuild(workers: Annotated[int | None, typer.Option(min=1, help="Processes sharing the partitions "
                                                        "(default: one per core on PostgreSQL, one on SQLite)")] = None) -> None:
    """Clear the rates read model and replay yizhou.demands.v1 from the start (same settings as the service)."""
    from rich.progress import Progress

    from demand_intake.settings import Settings
    from demand_intake.use_cases.rates_rebuild import rebuild_rates

    with Progress(console=console) as progress:
        task = progress.add_task("replaying yizhou.demands.v1", total=None)
        report = asyncio.run(rebuild_rates(Settings(), lambda done, total: progress.update(task, completed=done, total=total),
                                           workers=workers))
    table = Table(title="demand-intake: rates read model rebuilt from yizhou.demands.v1")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("facts cleared", str(report.cleared))
    table.add_row("records read", str(report.records))
    table.add_row("worker processes", str(report.workers))
    for outcome, count in sorted(report.outcomes.items()):
        table.add_row(f"events {outcome}", str(count))
    console.print(table)


@rates_app.command("show")
def show(area: Annotated[str, typer.Option(help="Area code: the subtree counted")],
         period: Annotated[str, typer.Option(help="2026, 2026-Q3 or 2026-11")],
         as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """The three rates of an area subtree over a period, read from the read model."""
    from demand_intake.domain.errors import BadPeriod
    from demand_intake.domain.rates import parse_period, rates_of
    from demand_intake.settings import Settings
    from demand_intake.use_cases.rates import counts_of
    from yizhou.axis_copy import area_info
    from yizhou.database import Database

    settings = Settings()
    try:
        p = parse_period(period, settings.district_zone)
    except BadPeriod as exc:
        raise typer.BadParameter(str(exc)) from None

    async def read():
        db = Database(settings.resolved_database_url)
        try:
            async with db.sessions() as session:
                info = await area_info(session, area)
                if info is None:
                    raise typer.BadParameter(f"no area '{area}' in the read copy of the axis")
                return await counts_of(session, info.path, p)
        finally:
            await db.dispose()

    counts = asyncio.run(read())
    result = {"area_code": area, "period": p.label, **counts.__dict__, **rates_of(counts).__dict__}
    if as_json:
        print(json.dumps(result))
        return
    table = Table(title=f"{area} {p.label}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, "-" if value is None else str(value))
    console.print(table)
