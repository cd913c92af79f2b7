"""`yizhou org-registry ...`: the operator's bulk import and export of units, organizations and members.

The CLI works on the service's database directly (same settings as the service: DATABASE_URL /
ORG_REGISTRY_DATABASE_URL, YIZHOU_DATA_DIR), acting as a district admin of `--area`, and streams any
size of sheet with a progress bar; events go through the outbox as with the HTTP API, and the running
service's relay publishes them.
"""

from __future__ import annotations

import asyncio
import csv
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from org_registry.domain.sheet_rows import SheetKind, example_row, export_header, template_columns
from org_registry.settings import Settings
from org_registry.sheets import (SheetFormat, UnreadableSheet, XlsxWriter, count_rows, csv_header, csv_line, format_of,
                                 read_rows, write_template)
from org_registry.store.areas import AreaRepository
from org_registry.use_cases.exports import export_path, export_rows
from org_registry.use_cases.imports import ImportReport, import_sheet
from yizhou.auth import AreaScope, Caller, Role
from yizhou.database import Database
from yizhou.migrations import upgrade_to_head
from yizhou.errors import ApplicationError

app = typer.Typer(help="org-registry: bulk import and export of units, organizations and members.", no_args_is_help=True)
console = Console()
Area = Annotated[str, typer.Option(help="Act as a district admin of this area (its subtree)")]


async def _scope(db: Database, area: str) -> AreaScope:
    async with db.sessions() as session:
        path = await AreaRepository(session).path_of(area)
    if path is None:
        raise typer.BadParameter(f"no area '{area}' in the registry")
    return AreaScope(Caller(subject=f"operator@{area}", role=Role.DISTRICT_ADMIN, area=area), path)


def _format(file: Path, given: SheetFormat | None) -> SheetFormat:
    fmt = given or format_of(file.name)
    if fmt is None:
        raise typer.BadParameter("name the file .csv or .xlsx, or pass --format")
    return fmt


async def run_import(kind: SheetKind, file: Path, area: str, dry_run: bool, fmt: SheetFormat,
                     settings: Settings | None = None, progress=None) -> ImportReport:
    settings = settings or Settings()
    db = Database(settings.resolved_database_url)
    try:
        await upgrade_to_head(db.engine, Path(__file__).parent / "migrations")
        scope = await _scope(db, area)
        handles = []

        def open_rows():
            handle = file.open("rb")
            handles.append(handle)
            return read_rows(handle, fmt)

        try:
            return await import_sheet(db, scope, kind, open_rows, dry_run=dry_run, progress=progress)
        finally:
            for handle in handles:
                handle.close()
    finally:
        await db.dispose()


async def run_export(kind: SheetKind, file: Path, area: str, fmt: SheetFormat, settings: Settings | None = None,
                     progress=None, zh: bool = False) -> int:
    settings = settings or Settings()
    db = Database(settings.resolved_database_url)
    written = 0
    try:
        scope = await _scope(db, area)
        path = await export_path(db, scope)
        if fmt == SheetFormat.CSV:
            with file.open("wb") as out:
                out.write(csv_header(export_header(kind, zh)))
                async for row in export_rows(db, path, kind, zh):
                    out.write(csv_line(row))
                    written += 1
                    if progress and written % 1000 == 0:
                        progress(written)
        else:
            writer = XlsxWriter(export_header(kind, zh))
            async for row in export_rows(db, path, kind, zh):
                writer.append(row)
                written += 1
                if progress and written % 1000 == 0:
                    progress(written)
            with file.open("wb") as out:
                writer.save(out)
    finally:
        await db.dispose()
    return written


@app.command("import")
def import_command(kind: Annotated[SheetKind, typer.Argument(help="units, organizations or members")],
                   file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .xlsx")],
                   area: Area,
                   dry_run: Annotated[bool, typer.Option("--dry-run", help="Report bad rows, write nothing")] = False,
                   fmt: Annotated[SheetFormat | None, typer.Option("--format")] = None,
                   report: Annotated[Path | None, typer.Option(help="Write every bad row to this CSV")] = None) -> None:
    """Import a sheet: all rows or, if any is bad, none; every bad row is reported (row, column, reason)."""
    fmt = _format(file, fmt)
    with file.open("rb") as handle:
        total = count_rows(handle, fmt)
    passes = 1 if dry_run else 2
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        task = bar.add_task(f"{'checking' if dry_run else 'checking, then writing'} {kind.value}",
                            total=(total or 0) * passes or None)
        state = {"pass_offset": 0, "last": 0}

        def progress(done: int) -> None:
            if done < state["last"]:  # the second pass started
                state["pass_offset"] += state["last"]
            state["last"] = done
            bar.update(task, completed=state["pass_offset"] + done)

        try:
            result = asyncio.run(run_import(kind, file, area, dry_run, fmt, progress=progress))
        except (UnreadableSheet, ApplicationError) as exc:
            console.print(f"[red]{getattr(exc, 'detail', exc)}[/]")
            raise typer.Exit(2) from None
    elapsed = time.perf_counter() - started
    if report is not None:
        with report.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["row", "column", "reason"])
            writer.writerows([e.row, e.column or "", e.reason] for e in result.errors)
    if result.errors:
        table = Table(title=f"{result.bad_rows} bad row(s) of {result.rows}; nothing was written")
        for column in ("row", "column", "reason"):
            table.add_column(column)
        for e in result.errors[:50]:
            table.add_row(str(e.row), e.column or "-", e.reason)
        console.print(table)
        if len(result.errors) > 50:
            console.print(f"... and {len(result.errors) - 50} more" + (f" (all in {report})" if report else
                                                                       " (pass --report FILE for all)"))
        raise typer.Exit(1)
    verb = "would write" if dry_run else "wrote"
    console.print(f"[green]{result.rows} row(s) good; {verb} {result.rows if dry_run else result.written} "
                  f"{kind.value} in {elapsed:.1f} s[/]")


@app.command("export")
def export_command(kind: Annotated[SheetKind, typer.Argument(help="units, organizations or members")],
                   file: Annotated[Path, typer.Argument(dir_okay=False, help=".csv or .xlsx")],
                   area: Area,
                   fmt: Annotated[SheetFormat | None, typer.Option("--format")] = None,
                   headers: Annotated[str, typer.Option(help="en: column codes; zh: Chinese headers, names beside ids")]
                   = "en") -> None:
    """Export the records located in the area's subtree, in the import columns (re-importable)."""
    fmt = _format(file, fmt)
    if headers not in ("en", "zh"):
        raise typer.BadParameter("--headers is en or zh")
    with Progress(TextColumn("{task.description}"), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(f"exporting {kind.value}", total=None)
        written = asyncio.run(run_export(kind, file, area, fmt, progress=lambda n: bar.update(task, completed=n),
                                         zh=headers == "zh"))
    console.print(f"[green]{written} {kind.value} written to {file}[/]")


@app.command("template")
def template_command(kind: Annotated[SheetKind, typer.Argument(help="units, organizations or members")],
                     file: Annotated[Path, typer.Argument(dir_okay=False, help=".xlsx")],
                     area: Annotated[str, typer.Option(help="The area code the example row uses")]) -> None:
    """Write the XLSX import template (Chinese headers, drop-down lists, an example row), as the API serves it."""
    with file.open("wb") as out:
        write_template(out, template_columns(kind), example_row(kind, area))
    console.print(f"[green]{kind.value} template written to {file}[/]")
