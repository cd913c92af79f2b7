"""Bulk import of units, organizations and members from sheets.

A dry run reads every row and reports every bad one (row, column, reason) without writing. A real run
first does the same; if any row is bad it writes nothing; otherwise it reads the rows again and writes
them all in ONE unit of work (rows and their events, through the outbox) in chunked bulk inserts, so a
crash or a row that turned bad meanwhile leaves nothing half-imported. Rows stream through in chunks,
so a 100k-row sheet is never held in memory.

One check is not a dry run's: that a member's ID number is not already registered outside the
caller's area. A dry run costs nothing and leaves nothing, so answering it there would let anyone
with a sheet ask the registry whether a person is a party member anywhere in the district. A dry run
judges what the caller may see (the sheet itself, the records of their area, whose holders it names);
a real run then refuses a number held elsewhere only if the sheet is otherwise good, that is only
when the same sheet with a fresh number would have been written: each answer costs a real
registration or a refusal that is logged (`members.trace_held_elsewhere`). The reason says neither
where nor whose (`members.HELD_ELSEWHERE`). Uniqueness itself never bends: the write pass refuses
every such row, whatever the check pass said.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.member import Member
from org_registry.domain import organization as organization_rules
from org_registry.domain.errors import RegistryRuleViolation
from org_registry.domain.organization import BASIC_MODES, LEADING_MODES, Organization
from org_registry.domain.sheet_rows import (PARSERS, CellError, SheetKind, TemplateColumn, canonical_header,
                                            check_header, example_row, template_columns)
from org_registry.domain.unit import Unit
from org_registry.store.areas import AreaRepository
from org_registry.store.leading_core import leader_of
from org_registry.store.members import MemberRepository, MemberView
from org_registry.store.organizations import OrganizationRepository, OrganizationView
from org_registry.store.units import UnitRepository, UnitView
from org_registry.use_cases.access import require_editor, visible_or_above
from org_registry.use_cases.members import HELD_ELSEWHERE, trace_held_elsewhere
from org_registry.use_cases.publishing import member_event, organization_event, record, unit_event
from yizhou.auth import AreaScope
from yizhou.contracts.members import MemberCreated, MemberLeft
from yizhou.contracts.organizations import OrganizationCreated
from yizhou.contracts.units import UnitCreated, UnitUpdated
from yizhou.database import Database, UnitOfWork

CHUNK = 1000
Rows = tuple[list[str], Iterator[tuple[int, dict[str, str]]]]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    reason: str


@dataclass
class ImportReport:
    kind: SheetKind
    dry_run: bool
    rows: int = 0
    written: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


class Elsewhere(StrEnum):
    """What a pass does with a row whose ID number a member outside the caller's area holds."""

    IGNORE = "ignore"    # a dry run: not the dry run's to say (see the module's docstring)
    ASIDE = "aside"      # a real run's check pass: refused if nothing else in the sheet is
    REFUSE = "refuse"    # the write pass: refused, always


class _Sheet:
    """One pass over one kind of sheet: reference checks that need the database, and the writes."""

    def __init__(self, session: AsyncSession, scope: AreaScope, areas: dict[str, tuple[str, bool]],
                 elsewhere: Elsewhere = Elsewhere.REFUSE) -> None:
        self.session, self.scope, self.areas, self.elsewhere = session, scope, areas, elsewhere
        self.seen_ids: set[str] = set()
        self.held_elsewhere: list[int] = []  # rows set aside (Elsewhere.ASIDE)

    def area_in_scope(self, code: str, errors: list[CellError], column: str = "area_code") -> str | None:
        path, retired = self.areas.get(code, ("", False))
        if not path or not self.scope.covers(path):
            errors.append(CellError(column, f"no area '{code}' in your scope"))
        elif retired:
            errors.append(CellError(column, f"area '{code}' is retired"))
        return path or None

    def first_time(self, record_id: str, errors: list[CellError]) -> None:
        if record_id in self.seen_ids:
            errors.append(CellError("id", f"'{record_id}' appears twice in the sheet"))
        self.seen_ids.add(record_id)


class _Units(_Sheet):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.credit_codes: set[str] = set()

    async def check(self, chunk: list[tuple[int, Unit]]) -> list[tuple[int, Unit, list[CellError]]]:
        repo = UnitRepository(self.session)
        taken_ids = await repo.existing_ids([u.id for _, u in chunk])
        taken_codes = await repo.existing_credit_codes([u.credit_code for _, u in chunk if u.credit_code])
        out = []
        for row, unit in chunk:
            errors: list[CellError] = []
            self.first_time(unit.id, errors)
            if unit.id in taken_ids:
                errors.append(CellError("id", f"a unit '{unit.id}' already exists"))
            self.area_in_scope(unit.area_code, errors)
            if unit.credit_code:
                if unit.credit_code in taken_codes or unit.credit_code in self.credit_codes:
                    errors.append(CellError("credit_code", "another unit has this credit code"))
                self.credit_codes.add(unit.credit_code)
            out.append((row, unit, errors))
        return out

    async def write(self, uow: UnitOfWork, units: list[Unit], now: datetime) -> None:
        await UnitRepository(uow.session).add_many(units, now)
        for u in units:
            view = UnitView(unit=u, area_path=self.areas[u.area_code][0], organization_id=None,
                            has_own_organization=False, covering_organization_ids=())
            record(uow, unit_event(UnitCreated, view, now), u.id)


class _Organizations(_Sheet):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.in_sheet: dict[str, tuple[str, bool]] = {}  # id -> (tree path, dissolved), for later rows' parents
        self.claimed: set[str] = set()  # units given a basic organization by an earlier row
        self.led: dict[str, str] = {}  # area code -> its leading organization given by an earlier row

    async def check(self, chunk: list[tuple[int, Organization]]) -> list[tuple[int, Organization, list[CellError]]]:
        orgs, units = OrganizationRepository(self.session), UnitRepository(self.session)
        existing = await orgs.states([o.id for _, o in chunk])
        parents = await orgs.states(list({o.parent_id for _, o in chunk if o.parent_id and o.parent_id not in self.in_sheet}))
        parent_paths = await orgs.tree_paths(list(parents))
        unit_ids = list({u for _, o in chunk for u in o.covered_unit_ids})
        unit_paths = await units.paths(unit_ids)
        basic_taken = await units.basic_cover(unit_ids)
        leading = {o.area_code for _, o in chunk if o.setup_mode in LEADING_MODES}
        led_areas = {a.code: a for a in await AreaRepository(self.session).by_codes(sorted(leading))}
        out = []
        for row, o in chunk:
            errors: list[CellError] = []
            self.first_time(o.id, errors)
            if o.area_code in led_areas and o.setup_mode in LEADING_MODES and not o.dissolved:
                await self._check_leads(led_areas[o.area_code], o, errors)
            if o.id in existing:
                errors.append(CellError("id", f"an organization '{o.id}' already exists"))
            self.area_in_scope(o.area_code, errors)
            tree_path = f"/{o.id}/"
            if o.parent_id in self.in_sheet:
                parent_tree, parent_dissolved = self.in_sheet[o.parent_id]
                tree_path = f"{parent_tree}{o.id}/"
            elif o.parent_id in parents and visible_or_above(self.scope, parents[o.parent_id][0]):
                parent_dissolved = parents[o.parent_id][1]
                tree_path = f"{parent_paths[o.parent_id]}{o.id}/"
            elif o.parent_id:
                parent_dissolved = False
                errors.append(CellError("parent_organization_id", f"no organization '{o.parent_id}' in or above your "
                                        "area (a parent in the sheet must come before its subordinates)"))
            if o.parent_id and parent_dissolved and not o.dissolved:
                errors.append(CellError("parent_organization_id", f"organization '{o.parent_id}' is dissolved"))
            for unit_id in o.covered_unit_ids:
                if unit_id not in unit_paths or not self.scope.covers(unit_paths[unit_id]):
                    errors.append(CellError("covered_unit_ids", f"no unit '{unit_id}' in your scope"))
                elif o.setup_mode in BASIC_MODES and not o.dissolved and (unit_id in basic_taken or unit_id in self.claimed):
                    errors.append(CellError("covered_unit_ids", f"unit '{unit_id}' already has a basic party organization"))
            if o.setup_mode in BASIC_MODES and not o.dissolved:
                self.claimed |= set(o.covered_unit_ids)
            self.in_sheet[o.id] = (tree_path, o.dissolved)
            out.append((row, replace(o, tree_path=tree_path), errors))
        return out

    async def _check_leads(self, area, o: Organization, errors: list[CellError]) -> None:
        current = self.led.get(area.code) or await leader_of(self.session, area.code)
        try:
            organization_rules.check_leads(area, o.setup_mode, current, o.id)
        except RegistryRuleViolation as exc:
            errors.append(CellError("setup_mode", str(exc)))
        else:
            self.led[area.code] = o.id

    async def write(self, uow: UnitOfWork, organizations: list[Organization], now: datetime) -> None:
        await OrganizationRepository(uow.session).add_many(organizations, now)
        for o in organizations:
            view = OrganizationView(organization=o, area_path=self.areas[o.area_code][0], member_count=0,
                                    secretary_name=None)
            record(uow, organization_event(OrganizationCreated, view, now), o.id)
        covered = sorted({u for o in organizations for u in o.covered_unit_ids})
        for view in await UnitRepository(uow.session).views_of(covered):
            record(uow, unit_event(UnitUpdated, view, now), view.unit.id)


class _Members(_Sheet):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.id_numbers: set[str] = set()
        self.organizations: dict[str, tuple[str, bool]] = {}
        self.record_paths: dict[str, str] = {}

    async def check(self, chunk: list[tuple[int, Member]]) -> list[tuple[int, Member, list[CellError]]]:
        members, units = MemberRepository(self.session), UnitRepository(self.session)
        taken_ids = await members.existing(ids=[m.id for _, m in chunk])
        holders = await members.id_number_holders([m.id_number for _, m in chunk])
        wanted = list({m.organization_id for _, m in chunk} - set(self.organizations))
        self.organizations.update(await OrganizationRepository(self.session).states(wanted))
        work_paths = await units.paths(list({m.work_unit_id for _, m in chunk if m.work_unit_id}))
        district = "/" + self.scope.path.strip("/").split("/")[0] + "/"
        out = []
        for row, m in chunk:
            errors: list[CellError] = []
            self.first_time(m.id, errors)
            if m.id in taken_ids:
                errors.append(CellError("id", f"a member '{m.id}' already exists"))
            holder, record_path = holders.get(m.id_number, (None, ""))
            if holder is not None and self.scope.covers(record_path):  # a record the caller sees anyway
                errors.append(CellError("id_number", f"member '{holder}' of your area already has this ID number"))
            elif m.id_number in self.id_numbers:
                errors.append(CellError("id_number", "this ID number is on an earlier row of the sheet"))
            elif holder is not None and self.elsewhere == Elsewhere.REFUSE:
                errors.append(CellError("id_number", HELD_ELSEWHERE))
            elif holder is not None and self.elsewhere == Elsewhere.ASIDE:
                self.held_elsewhere.append(row)
            self.id_numbers.add(m.id_number)
            org_path, dissolved = self.organizations.get(m.organization_id, ("", False))
            if not org_path or not self.scope.covers(org_path):
                errors.append(CellError("organization_id", f"no organization '{m.organization_id}' in your scope"))
            elif dissolved and not m.left:
                errors.append(CellError("organization_id", f"organization '{m.organization_id}' is dissolved and "
                                        "takes no new members"))
            self.record_paths[m.id] = org_path
            if m.work_unit_id and not work_paths.get(m.work_unit_id, "").startswith(district):
                errors.append(CellError("work_unit_id", f"no unit '{m.work_unit_id}' in your district"))
            residence, retired = self.areas.get(m.residence_area_code, ("", False))
            if not residence or retired:
                errors.append(CellError("residence_area_code", f"no active area '{m.residence_area_code}' in your district"))
            out.append((row, m, errors))
        return out

    async def write(self, uow: UnitOfWork, rows: list[Member], now: datetime) -> None:
        await MemberRepository(uow.session).add_many(rows, now)
        for m in rows:
            view = MemberView(member=m, record_path=self.record_paths[m.id],
                              residence_path=self.areas[m.residence_area_code][0])
            record(uow, member_event(MemberCreated, view, now), m.id)
            if m.left:  # a historical record: consumers learn that the member is gone
                record(uow, member_event(MemberLeft, view, now), m.id)


SHEETS: dict[SheetKind, type[_Sheet]] = {SheetKind.UNITS: _Units, SheetKind.ORGANIZATIONS: _Organizations,
                                         SheetKind.MEMBERS: _Members}


async def _pass(session: AsyncSession, uow: UnitOfWork | None, scope: AreaScope, kind: SheetKind,
                rows: Iterator[tuple[int, dict[str, str]]], report: ImportReport, progress: Progress | None,
                elsewhere: Elsewhere = Elsewhere.REFUSE) -> None:
    district = "/" + scope.path.strip("/").split("/")[0] + "/"
    sheet = SHEETS[kind](session, scope, await AreaRepository(session).subtree(district), elsewhere)
    parse = PARSERS[kind]
    now = datetime.now(UTC)

    async def flush(chunk: list[tuple[int, Any]]) -> None:
        good = []
        for row, parsed, errors in await sheet.check(chunk):
            report.errors += [RowError(row, e.column, e.reason) for e in errors]
            good.append(parsed)
        if uow is not None and not report.errors:  # after the first bad row nothing more is written
            await sheet.write(uow, good, now)
            report.written += len(good)

    chunk: list[tuple[int, Any]] = []
    for row, cells in rows:
        report.rows += 1
        parsed, errors = parse(cells)
        if "__extra__" in cells:
            errors = [*errors, CellError(None, "more cells than columns in the header")]
        if errors:
            report.errors += [RowError(row, e.column, e.reason) for e in errors]
        else:
            chunk.append((row, parsed))
        if len(chunk) >= CHUNK:
            await flush(chunk)
            chunk = []
        if progress and report.rows % 500 == 0:
            progress(report.rows)
    if chunk:
        await flush(chunk)
    if sheet.held_elsewhere and not report.errors:  # the sheet would be written but for these rows
        report.errors += [RowError(row, "id_number", HELD_ELSEWHERE) for row in sheet.held_elsewhere]
    refused = [e.row for e in report.errors if e.reason == HELD_ELSEWHERE]
    if refused:
        trace_held_elsewhere(scope, f"{kind.value} import", len(refused), refused[:20])
    if progress:
        progress(report.rows)


def _in_columns(kind: SheetKind, opened: Rows) -> Rows:
    """The sheet with its headers (Chinese or English) as column codes, and its rows keyed by them."""
    given, rows = opened
    header = canonical_header(kind, given)
    if header == given:
        return header, rows
    renamed = dict(zip(given, header, strict=True))
    return header, ((row, {renamed.get(k, k): v for k, v in cells.items()}) for row, cells in rows)


def import_template(scope: AreaScope, kind: SheetKind) -> tuple[list[TemplateColumn], list[str]]:
    """A sheet's columns for a template, and an example row in the caller's own area."""
    require_editor(scope)
    return template_columns(kind), example_row(kind, scope.caller.area)


async def import_sheet(db: Database, scope: AreaScope, kind: SheetKind, open_rows: Callable[[], Rows], *,
                       dry_run: bool, progress: Progress | None = None) -> ImportReport:
    """`open_rows` opens the sheet afresh (a real run reads it twice: check everything, then write)."""
    require_editor(scope)
    header, rows = _in_columns(kind, open_rows())
    report = ImportReport(kind, dry_run)
    report.errors = [RowError(1, e.column, e.reason) for e in check_header(kind, header)]
    if report.errors:
        return report
    async with db.sessions() as session:
        await _pass(session, None, scope, kind, rows, report, progress,
                    Elsewhere.IGNORE if dry_run else Elsewhere.ASIDE)
    if dry_run or report.errors:
        return report
    _, rows = _in_columns(kind, open_rows())
    final = ImportReport(kind, dry_run=False)
    async with db.unit_of_work() as uow:
        await _pass(uow.session, uow, scope, kind, rows, final, progress)
        if final.errors:  # changed since the check: leaving the unit of work rolls everything back
            final.written = 0
            return final
        await uow.commit()
    return final
