"""Rows of import sheets (units, organizations, members): the columns of each kind and how one row's
text becomes a domain record or a list of (column, reason) errors. No file, database or web here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from org_registry.domain import member as member_rules
from org_registry.domain.errors import RegistryRuleViolation
from org_registry.domain.member import Member
from org_registry.domain.organization import Organization, OrganizationKind, SetupMode, check_covered_units, check_dates
from org_registry.domain.unit import SizeClass, Unit, UnitKind, check_unit

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
LIST_SEPARATOR = ";"
MAX_COVERED = 500  # as in the API
TRUE, FALSE = {"true", "yes", "y", "1", "是"}, {"false", "no", "n", "0", "否", ""}


class SheetKind(StrEnum):
    UNITS = "units"
    ORGANIZATIONS = "organizations"
    MEMBERS = "members"


COLUMNS: dict[SheetKind, list[str]] = {
    SheetKind.UNITS: ["id", "name", "kind", "size_class", "area_code", "headcount", "members_among_staff", "credit_code"],
    SheetKind.ORGANIZATIONS: ["id", "name", "kind", "setup_mode", "area_code", "parent_organization_id",
                              "covered_unit_ids", "founded_on", "dissolved_on"],
    SheetKind.MEMBERS: ["id", "name", "phone", "id_number", "organization_id", "work_unit_id", "residence_area_code",
                        "skills", "in_service", "joined_on", "left_on"],
}
REQUIRED: dict[SheetKind, set[str]] = {
    SheetKind.UNITS: {"id", "name", "kind", "area_code", "headcount", "members_among_staff"},
    SheetKind.ORGANIZATIONS: {"id", "name", "kind", "setup_mode", "area_code", "founded_on"},
    SheetKind.MEMBERS: {"id", "name", "id_number", "organization_id", "residence_area_code", "joined_on"},
}


@dataclass(frozen=True)
class CellError:
    column: str | None
    reason: str


def check_header(kind: SheetKind, header: list[str]) -> list[CellError]:
    errors = [CellError(c, "unknown column") for c in header if c not in COLUMNS[kind]]
    errors += [CellError(c, "required column missing") for c in COLUMNS[kind] if c in REQUIRED[kind] and c not in header]
    seen: set[str] = set()
    for c in header:
        if c in seen:
            errors.append(CellError(c, "column appears twice"))
        seen.add(c)
    return errors


class _Row:
    """Reads one row's cells, collecting every error instead of stopping at the first."""

    def __init__(self, kind: SheetKind, cells: dict[str, str]) -> None:
        self.cells = {k: (v or "").strip() for k, v in cells.items()}
        self.kind = kind
        self.errors: list[CellError] = []

    def text(self, column: str, max_length: int = 200) -> str | None:
        value = " ".join(self.cells.get(column, "").split())
        if not value:
            if column in REQUIRED[self.kind]:
                self.errors.append(CellError(column, "required"))
            return None
        if len(value) > max_length:
            self.errors.append(CellError(column, f"longer than {max_length} characters"))
            return None
        return value

    def pattern(self, column: str, regex: re.Pattern, what: str, upper: bool = False) -> str | None:
        value = self.text(column, 64)
        if value is not None and upper:
            value = value.upper()
        if value is not None and not regex.match(value):
            self.errors.append(CellError(column, f"not a valid {what}"))
            return None
        return value

    def enum(self, column: str, enum: type[StrEnum]) -> Any:
        value = self.text(column, 64)
        if value is None:
            return None
        try:
            return enum(value.lower())
        except ValueError:
            self.errors.append(CellError(column, f"'{value}' is not one of {', '.join(e.value for e in enum)}"))
            return None

    def integer(self, column: str, maximum: int = 10_000_000) -> int | None:
        value = self.text(column, 20)
        if value is None:
            return None
        if not re.fullmatch(r"\d+", value) or int(value) > maximum:
            self.errors.append(CellError(column, f"not a whole number from 0 to {maximum}"))
            return None
        return int(value)

    def day(self, column: str) -> date | None:
        value = self.text(column, 20)
        if value is None:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            self.errors.append(CellError(column, "not a date (YYYY-MM-DD)"))
            return None

    def flag(self, column: str) -> bool:
        value = self.cells.get(column, "").lower()
        if value not in TRUE | FALSE:
            self.errors.append(CellError(column, "not true or false"))
        return value in TRUE

    def listing(self, column: str) -> list[str]:
        return [p.strip() for p in self.cells.get(column, "").split(LIST_SEPARATOR) if p.strip()]

    def rule(self, check: Callable[[], Any], column: str | None) -> Any:
        try:
            return check()
        except RegistryRuleViolation as exc:
            self.errors.append(CellError(column, str(exc)))
            return None


def parse_unit(cells: dict[str, str]) -> tuple[Unit | None, list[CellError]]:
    row = _Row(SheetKind.UNITS, cells)
    uid, name = row.pattern("id", ID, "id"), row.text("name")
    kind, size = row.enum("kind", UnitKind), row.enum("size_class", SizeClass)
    area = row.pattern("area_code", CODE, "area code")
    headcount, members = row.integer("headcount"), row.integer("members_among_staff")
    credit = row.pattern("credit_code", CREDIT_CODE, "unified social credit code", upper=True)
    if kind is not None and headcount is not None and members is not None and not row.errors:
        row.rule(lambda: check_unit(kind, size, headcount, members), "size_class" if kind else None)
    if row.errors:
        return None, row.errors
    return Unit(id=uid, name=name, kind=kind, size_class=size, area_code=area, headcount=headcount,
                members_among_staff=members, credit_code=credit), []


def parse_organization(cells: dict[str, str]) -> tuple[Organization | None, list[CellError]]:
    """The tree path is left empty: it depends on the parent, which the importer resolves."""
    row = _Row(SheetKind.ORGANIZATIONS, cells)
    oid, name = row.pattern("id", ID, "id"), row.text("name")
    kind, mode = row.enum("kind", OrganizationKind), row.enum("setup_mode", SetupMode)
    area = row.pattern("area_code", CODE, "area code")
    parent = row.pattern("parent_organization_id", ID, "id")
    covered = row.listing("covered_unit_ids")
    bad_ids = [u for u in covered if not ID.match(u)]
    if len(covered) > MAX_COVERED:
        row.errors.append(CellError("covered_unit_ids", f"more than {MAX_COVERED} units"))
        bad_ids = covered
    elif bad_ids:
        row.errors.append(CellError("covered_unit_ids", f"not valid ids: {', '.join(bad_ids[:5])}"))
    founded, dissolved = row.day("founded_on"), row.day("dissolved_on")
    if mode is not None and not bad_ids:
        covered = row.rule(lambda: list(check_covered_units(mode, covered)), "covered_unit_ids") or []
    if founded is not None:
        row.rule(lambda: check_dates(founded, dissolved), "dissolved_on")
    if parent is not None and parent == oid:
        row.errors.append(CellError("parent_organization_id", "an organization cannot report to itself"))
    if row.errors:
        return None, row.errors
    return Organization(id=oid, name=name, kind=kind, setup_mode=mode, area_code=area, parent_id=parent, tree_path="",
                        founded_on=founded, dissolved_on=dissolved, covered_unit_ids=tuple(covered)), []


def parse_member(cells: dict[str, str]) -> tuple[Member | None, list[CellError]]:
    row = _Row(SheetKind.MEMBERS, cells)
    mid = row.pattern("id", ID, "id")
    name = row.text("name", 100)
    name = row.rule(lambda: member_rules.normalize_name(name), "name") if name else None
    phone = row.rule(lambda: member_rules.normalize_phone(row.cells.get("phone")), "phone")
    id_text = row.text("id_number", 18)
    id_number = row.rule(lambda: member_rules.normalize_id_number(id_text), "id_number") if id_text else None
    organization = row.pattern("organization_id", ID, "id")
    work_unit = row.pattern("work_unit_id", ID, "id")
    residence = row.pattern("residence_area_code", CODE, "area code")
    skills = row.rule(lambda: member_rules.normalize_skills(row.listing("skills")), "skills")
    in_service = row.flag("in_service")
    joined, left = row.day("joined_on"), row.day("left_on")
    if joined and left and left < joined:
        row.errors.append(CellError("left_on", "before joined_on"))
    if row.errors:
        return None, row.errors
    return Member(id=mid, name=name, phone=phone, id_number=id_number, organization_id=organization,
                  work_unit_id=work_unit, residence_area_code=residence, skills=skills, in_service=in_service,
                  joined_on=joined, left_on=left), []


PARSERS: dict[SheetKind, Callable[[dict[str, str]], tuple[Any, list[CellError]]]] = {
    SheetKind.UNITS: parse_unit, SheetKind.ORGANIZATIONS: parse_organization, SheetKind.MEMBERS: parse_member}


def cells_of_unit(u: Unit) -> list[Any]:
    return [u.id, u.name, u.kind.value, u.size_class.value if u.size_class else "", u.area_code, u.headcount,
            u.members_among_staff, u.credit_code or ""]


def cells_of_organization(o: Organization) -> list[Any]:
    return [o.id, o.name, o.kind.value, o.setup_mode.value, o.area_code, o.parent_id or "",
            LIST_SEPARATOR.join(o.covered_unit_ids), o.founded_on.isoformat(),
            o.dissolved_on.isoformat() if o.dissolved_on else ""]


def cells_of_member(m: Member) -> list[Any]:
    return [m.id, m.name, m.phone or "", m.id_number, m.organization_id, m.work_unit_id or "", m.residence_area_code,
            LIST_SEPARATOR.join(m.skills), "true" if m.in_service else "false", m.joined_on.isoformat(),
            m.left_on.isoformat() if m.left_on else ""]
