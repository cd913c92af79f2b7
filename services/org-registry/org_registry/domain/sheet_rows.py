"""Rows of import sheets (units, organizations, members): the columns of each kind, their Chinese
headers, and how one row's text becomes a domain record or a list of (column, reason) errors; and
the other way, a record's cells for an export (English codes, or Chinese with names beside ids).
No file, database or web here."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from org_registry.domain import member as member_rules
from org_registry.domain.errors import RegistryRuleViolation
from org_registry.domain.member import Member
from org_registry.domain.organization import (SETUP_MODES, Organization, OrganizationKind, SetupMode,
                                              check_covered_units, check_dates)
from org_registry.domain.unit import (SIZE_CLASS_NAMES_ZH, UNIT_KIND_NAMES_ZH, SizeClass, Unit, UnitKind, check_unit,
                                      credit_code_check_character, is_valid_credit_code)

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
LIST_SEPARATOR = ";"
MAX_COVERED = 500  # as in the API
TRUE, FALSE = {"true", "yes", "y", "1", "是"}, {"false", "no", "n", "0", "否", ""}
LOCAL_DATE = re.compile(r"(\d{4})\s*[/.年]\s*(\d{1,2})\s*[/.月]\s*(\d{1,2})\s*日?")


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


# Chinese headers, per column: the first is the one templates and exports write, the others are also
# read (the headers offices' sheets have). Matched after dropping spaces and brackets, so
# "所在区域（代码）", "所在区域代码" and "所在区域 代码" are one header.
HEADERS_ZH: dict[SheetKind, dict[str, tuple[str, ...]]] = {
    SheetKind.UNITS: {
        "id": ("单位编号", "编号", "单位ID"), "name": ("单位名称", "名称"), "kind": ("单位类型", "单位类别"),
        "size_class": ("企业规模", "规模"), "area_code": ("所在区域（代码）", "所在区域", "区域代码"),
        "headcount": ("职工人数", "从业人员数", "员工人数"), "members_among_staff": ("党员人数",),
        "credit_code": ("统一社会信用代码", "信用代码"),
    },
    SheetKind.ORGANIZATIONS: {
        "id": ("组织编号", "党组织编号", "编号"), "name": ("组织名称", "党组织名称", "名称"),
        "kind": ("组织类别", "党组织类别"), "setup_mode": ("组建方式",),
        "area_code": ("所在区域（代码）", "所在区域", "区域代码"),
        "parent_organization_id": ("上级党组织（编号）", "上级党组织"),
        "covered_unit_ids": ("覆盖单位（编号）", "覆盖单位"), "founded_on": ("成立日期",),
        "dissolved_on": ("撤销日期",),
    },
    SheetKind.MEMBERS: {
        "id": ("党员编号", "编号"), "name": ("姓名",), "phone": ("手机号", "手机号码", "联系电话"),
        "id_number": ("身份证号", "身份证号码", "公民身份号码"),
        "organization_id": ("所在党组织（编号）", "所在党组织", "党组织编号"),
        "work_unit_id": ("工作单位（编号）", "工作单位"),
        "residence_area_code": ("居住区域（代码）", "居住区域"), "skills": ("技能", "特长", "技能特长"),
        "in_service": ("是否在职",), "joined_on": ("入党日期", "入党时间"), "left_on": ("离开日期", "离开时间"),
    },
}


@dataclass(frozen=True)
class NameColumn:
    """A name written beside an id in a Chinese export; an import reads past it (the id is what counts)."""

    after: str       # the id column it follows
    label: str       # its Chinese header
    of: str          # what the id names: "area", "organization" or "unit"


NAME_COLUMNS: dict[SheetKind, dict[str, NameColumn]] = {
    SheetKind.UNITS: {"area_name": NameColumn("area_code", "所在区域名称", "area")},
    SheetKind.ORGANIZATIONS: {
        "area_name": NameColumn("area_code", "所在区域名称", "area"),
        "parent_organization_name": NameColumn("parent_organization_id", "上级党组织名称", "organization"),
        "covered_unit_names": NameColumn("covered_unit_ids", "覆盖单位名称", "unit")},
    SheetKind.MEMBERS: {
        "organization_name": NameColumn("organization_id", "所在党组织名称", "organization"),
        "work_unit_name": NameColumn("work_unit_id", "工作单位名称", "unit"),
        "residence_area_name": NameColumn("residence_area_code", "居住区域名称", "area")},
}

ORGANIZATION_KIND_NAMES_ZH: dict[OrganizationKind, str] = {
    OrganizationKind.COMMITTEE: "党委", OrganizationKind.GENERAL_BRANCH: "党总支", OrganizationKind.BRANCH: "党支部"}
CHINESE_NAMES: dict[type[StrEnum], Mapping[Any, str]] = {
    UnitKind: UNIT_KIND_NAMES_ZH, SizeClass: SIZE_CLASS_NAMES_ZH, OrganizationKind: ORGANIZATION_KIND_NAMES_ZH,
    SetupMode: {mode: info.chinese for mode, info in SETUP_MODES.items()}}
ENUM_COLUMNS: dict[SheetKind, dict[str, type[StrEnum]]] = {
    SheetKind.UNITS: {"kind": UnitKind, "size_class": SizeClass},
    SheetKind.ORGANIZATIONS: {"kind": OrganizationKind, "setup_mode": SetupMode},
    SheetKind.MEMBERS: {},
}
FLAG_COLUMNS: dict[SheetKind, set[str]] = {SheetKind.UNITS: set(), SheetKind.ORGANIZATIONS: set(),
                                          SheetKind.MEMBERS: {"in_service"}}
YES, NO = "是", "否"
_IGNORED_IN_LABELS = str.maketrans("", "", "()（）[]【】")


def label_key(text: str) -> str:
    """A header or a Chinese name as compared: no spaces (full-width ones too), no brackets, lower case."""
    return "".join(text.split()).translate(_IGNORED_IN_LABELS).lower()


_COLUMN_OF_LABEL: dict[SheetKind, dict[str, str]] = {
    kind: {label_key(label): column for column, labels in columns.items() for label in labels}
    | {label_key(n.label): name for name, n in NAME_COLUMNS[kind].items()}
    for kind, columns in HEADERS_ZH.items()}
_MEMBER_OF_NAME: dict[type[StrEnum], dict[str, Any]] = {
    enum: {label_key(name): member for member, name in names.items()} for enum, names in CHINESE_NAMES.items()}


def canonical_header(kind: SheetKind, header: list[str]) -> list[str]:
    """Each header as its column's code (English codes and Chinese headers alike); unknown ones as given."""
    out = []
    for h in header:
        key = label_key(h)
        known = key in COLUMNS[kind] or key in NAME_COLUMNS[kind]
        out.append(key if known else _COLUMN_OF_LABEL[kind].get(key, h))
    return out


def column_label(kind: SheetKind, column: str | None) -> str | None:
    """The Chinese header of a column (for reports read by people who wrote a Chinese sheet)."""
    if column in HEADERS_ZH[kind]:
        return HEADERS_ZH[kind][column][0]
    return NAME_COLUMNS[kind][column].label if column in NAME_COLUMNS[kind] else None


@dataclass(frozen=True)
class CellError:
    column: str | None
    reason: str


def check_header(kind: SheetKind, header: list[str]) -> list[CellError]:
    """`header` as `canonical_header` gives it; the name columns of Chinese exports are known and ignored."""
    errors = [CellError(c, "unknown column") for c in header if c not in COLUMNS[kind] and c not in NAME_COLUMNS[kind]]
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
            pass
        member = _MEMBER_OF_NAME.get(enum, {}).get(label_key(value))
        if member is None:
            self.errors.append(CellError(column, f"'{value}' is not one of {', '.join(e.value for e in enum)} "
                                                 "(or their Chinese names)"))
        return member

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
        written = LOCAL_DATE.fullmatch(value)  # 2008/7/1, 2008.07.01, 2008年7月1日: as offices write them
        try:
            if written:
                return date(*(int(part) for part in written.groups()))
            return date.fromisoformat(value[:10])
        except ValueError:
            self.errors.append(CellError(column, "not a date (YYYY-MM-DD)"))
            return None

    def flag(self, column: str) -> bool:
        value = self.cells.get(column, "").lower()
        if value not in TRUE | FALSE:
            self.errors.append(CellError(column, "not 是/否 (yes/no, true/false, 1/0)"))
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
    if credit is not None and not is_valid_credit_code(credit):
        row.errors.append(CellError("credit_code", "the check character of the unified social credit code does not "
                                                   "match (GB 32100)"))
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


def export_header(kind: SheetKind, zh: bool = False) -> list[str]:
    """The import columns' codes, or their Chinese headers with a name column beside each id column."""
    if not zh:
        return list(COLUMNS[kind])
    header = []
    for column in COLUMNS[kind]:
        header.append(HEADERS_ZH[kind][column][0])
        header += [n.label for n in NAME_COLUMNS[kind].values() if n.after == column]
    return header


def references(kind: SheetKind, cells: list[Any]) -> set[tuple[str, str]]:
    """The (area|organization|unit, id) pairs a Chinese export of these cells names."""
    by_column = dict(zip(COLUMNS[kind], cells, strict=True))
    return {(n.of, ref) for n in NAME_COLUMNS[kind].values()
            for ref in str(by_column[n.after]).split(LIST_SEPARATOR) if ref}


def localized_cells(kind: SheetKind, cells: list[Any], names: Mapping[tuple[str, str], str]) -> list[Any]:
    """Cells of `export_header(kind, zh=True)`: Chinese names for codes, 是/否, and names beside ids (empty
    where the id names nothing the export may see). It reads back as an import like the English one."""
    out: list[Any] = []
    for column, value in zip(COLUMNS[kind], cells, strict=True):
        if column in ENUM_COLUMNS[kind] and value:
            enum = ENUM_COLUMNS[kind][column]
            value = CHINESE_NAMES[enum].get(enum(value), value)
        elif column in FLAG_COLUMNS[kind]:
            value = YES if str(value).lower() in TRUE - {""} else NO
        out.append(value)
        for n in NAME_COLUMNS[kind].values():
            if n.after == column:
                ids = [ref for ref in str(cells[COLUMNS[kind].index(column)]).split(LIST_SEPARATOR) if ref]
                out.append(LIST_SEPARATOR.join(names.get((n.of, ref), "") for ref in ids))
    return out


@dataclass(frozen=True)
class TemplateColumn:
    column: str
    label: str
    required: bool
    choices: tuple[str, ...]  # a drop-down's values (Chinese names), or none


def template_columns(kind: SheetKind) -> list[TemplateColumn]:
    out = []
    for column in COLUMNS[kind]:
        if column in ENUM_COLUMNS[kind]:
            enum = ENUM_COLUMNS[kind][column]
            choices = tuple(CHINESE_NAMES[enum].get(member, member.value) for member in enum)
        else:
            choices = (YES, NO) if column in FLAG_COLUMNS[kind] else ()
        out.append(TemplateColumn(column, HEADERS_ZH[kind][column][0], column in REQUIRED[kind], choices))
    return out


# A template's example row: valid in the caller's own area where the sheet needs no other record
# (units, organizations); a member's needs an organization, which the example can only name.
EXAMPLE_CREDIT_CODE = "91110105MA01EXAMP"


def example_row(kind: SheetKind, area_code: str) -> list[str]:
    if kind == SheetKind.UNITS:
        credit = EXAMPLE_CREDIT_CODE + credit_code_check_character(EXAMPLE_CREDIT_CODE)
        return ["example-u1", "示例科技有限公司", UNIT_KIND_NAMES_ZH[UnitKind.NON_PUBLIC_ENTERPRISE],
                SIZE_CLASS_NAMES_ZH[SizeClass.LARGE], area_code, "120", "8", credit]
    if kind == SheetKind.ORGANIZATIONS:
        return ["example-o1", "示例项目党支部", ORGANIZATION_KIND_NAMES_ZH[OrganizationKind.BRANCH],
                SETUP_MODES[SetupMode.PROJECT].chinese, area_code, "", "", "2008-07-01", ""]
    return ["example-m1", "张三", "13800000000", member_rules.with_check_digit("11010519000101001"), "example-o1", "",
            area_code, "急救;法律咨询", YES, "2005-07-01", ""]
