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


class SizeClass(StrEnum):
    """Enterprise size classes (the seeds' coverage figure is for large non-public enterprises)."""

    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


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


def check_unit(kind: UnitKind, size_class: SizeClass | None, headcount: int, members_among_staff: int) -> None:
    if size_class is not None and kind != UnitKind.NON_PUBLIC_ENTERPRISE:
        raise RegistryRuleViolation("A size class is kept for non-public enterprises only.")
    if kind == UnitKind.NON_PUBLIC_ENTERPRISE and size_class is None:
        raise RegistryRuleViolation("A non-public enterprise needs a size class (large, medium, small or micro).")
    if headcount < 0 or members_among_staff < 0:
        raise RegistryRuleViolation("Headcount and members among staff cannot be negative.")
    if members_among_staff > headcount:
        raise RegistryRuleViolation(f"Members among staff ({members_among_staff}) exceed the headcount ({headcount}).")
