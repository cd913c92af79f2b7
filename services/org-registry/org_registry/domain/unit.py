"""Units: the workplaces and bodies on the axis that party organizations are attached to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from org_registry.domain.errors import RegistryRuleViolation


class UnitKind(StrEnum):
    AGENCY = "agency"                                    # party or government agency
    PUBLIC_INSTITUTION = "public_institution"            # 事业单位
    STATE_OWNED_ENTERPRISE = "state_owned_enterprise"
    NON_PUBLIC_ENTERPRISE = "non_public_enterprise"      # 非公有制企业
    SOCIAL_ORGANIZATION = "social_organization"          # 社会组织
    COMMERCIAL_BUILDING = "commercial_building"          # 商务楼宇
    MARKET = "market"
    SCHOOL = "school"
    LAW_FIRM = "law_firm"
    ASSOCIATION = "association"                          # association or chamber of commerce


# The names offices write in their sheets (and the import templates offer in drop-downs).
UNIT_KIND_NAMES_ZH: dict[UnitKind, str] = {
    UnitKind.AGENCY: "机关", UnitKind.PUBLIC_INSTITUTION: "事业单位", UnitKind.STATE_OWNED_ENTERPRISE: "国有企业",
    UnitKind.NON_PUBLIC_ENTERPRISE: "非公有制企业", UnitKind.SOCIAL_ORGANIZATION: "社会组织",
    UnitKind.COMMERCIAL_BUILDING: "商务楼宇", UnitKind.MARKET: "市场", UnitKind.SCHOOL: "学校",
    UnitKind.LAW_FIRM: "律师事务所", UnitKind.ASSOCIATION: "协会商会",
}


class SizeClass(StrEnum):
    """Enterprise size classes (the seeds' coverage figure is for large non-public enterprises)."""

    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


SIZE_CLASS_NAMES_ZH: dict[SizeClass, str] = {SizeClass.LARGE: "大型", SizeClass.MEDIUM: "中型", SizeClass.SMALL: "小型",
                                             SizeClass.MICRO: "微型"}


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: UnitKind
    size_class: SizeClass | None
    area_code: str
    headcount: int
    members_among_staff: int
    credit_code: str | None = None  # unified social credit code (统一社会信用代码), when known


# GB 32100-2015: 18 characters of 0-9 and the capitals without I, O, S, V, Z; the last is a check
# character, mod 31 of the first 17 weighted by 3**i mod 31.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """An upper-case unified social credit code (统一社会信用代码) whose check character matches."""
    return (len(code) == 18 and all(c in CREDIT_CODE_CHARS for c in code)
            and code[17] == credit_code_check_character(code[:17]))


def check_unit(kind: UnitKind, size_class: SizeClass | None, headcount: int, members_among_staff: int) -> None:
    if size_class is not None and kind != UnitKind.NON_PUBLIC_ENTERPRISE:
        raise RegistryRuleViolation("A size class is kept for non-public enterprises only.")
    if kind == UnitKind.NON_PUBLIC_ENTERPRISE and size_class is None:
        raise RegistryRuleViolation("A non-public enterprise needs a size class (large, medium, small or micro).")
    if headcount < 0 or members_among_staff < 0:
        raise RegistryRuleViolation("Headcount and members among staff cannot be negative.")
    if members_among_staff > headcount:
        raise RegistryRuleViolation(f"Members among staff ({members_among_staff}) exceed the headcount ({headcount}).")
