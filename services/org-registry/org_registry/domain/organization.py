"""Party organizations: three kinds, the twelve setup modes of seed 000, the tree of who reports to
whom (kept apart from where an organization sits), and the rules on covered units and members."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from org_registry.domain.errors import (
    HasActiveChildOrganizations,
    JointNeedsTwoUnits,
    OrganizationCycle,
    OrganizationDissolved,
    RegistryRuleViolation,
)


class OrganizationKind(StrEnum):
    COMMITTEE = "committee"            # 党委
    GENERAL_BRANCH = "general_branch"  # 党总支
    BRANCH = "branch"                  # 党支部


class SetupMode(StrEnum):
    SINGLE_UNIT = "single_unit"
    JOINT = "joint"
    FUNCTIONAL_ZONE_COMMITTEE = "functional_zone_committee"
    NON_PUBLIC_ECONOMY_COMMITTEE = "non_public_economy_committee"
    COMMERCIAL_BUILDING = "commercial_building"
    PROJECT = "project"
    STREET_MARKET = "street_market"
    TALENT_CENTRE = "talent_centre"
    SOCIAL_WORK_COMMITTEE = "social_work_committee"
    PRIVATE_SCHOOL_GENERAL_BRANCH = "private_school_general_branch"
    LAWYERS_COMMITTEE = "lawyers_committee"
    ASSOCIATION_OR_CHAMBER = "association_or_chamber"


@dataclass(frozen=True)
class SetupModeInfo:
    mode: SetupMode
    english: str
    chinese: str
    seed_count: int  # organizations set up this way in the district at the end of 2008 (seed 000)


SETUP_MODES: dict[SetupMode, SetupModeInfo] = {info.mode: info for info in (
    SetupModeInfo(SetupMode.SINGLE_UNIT, "Party organization of a single unit", "单个组织成立党组织", 1225),
    SetupModeInfo(SetupMode.JOINT, "Joint party organization of two or more units", "两个以上组织成立联合党组织", 78),
    SetupModeInfo(SetupMode.FUNCTIONAL_ZONE_COMMITTEE, "Functional-zone working committee", "功能区党工委", 16),
    SetupModeInfo(SetupMode.NON_PUBLIC_ECONOMY_COMMITTEE, "Non-public economy working committee", "非公经济工委", 72),
    SetupModeInfo(SetupMode.COMMERCIAL_BUILDING, "Commercial building party organization", "商务楼宇党组织", 23),
    SetupModeInfo(SetupMode.PROJECT, "Project party organization", "项目党组织", 1),
    SetupModeInfo(SetupMode.STREET_MARKET, "Street market party organization", "摊群集贸市场党组织", 2),
    SetupModeInfo(SetupMode.TALENT_CENTRE, "Talent / job centre party organization", "人才/职介中心党组织", 16),
    SetupModeInfo(SetupMode.SOCIAL_WORK_COMMITTEE, "Subdistrict social-work committee", "街道社会工作党委", 9),
    SetupModeInfo(SetupMode.PRIVATE_SCHOOL_GENERAL_BRANCH, "Private school general branch", "社会力量办学所党总支", 26),
    SetupModeInfo(SetupMode.LAWYERS_COMMITTEE, "Lawyers' committee", "律师党委", 102),
    SetupModeInfo(SetupMode.ASSOCIATION_OR_CHAMBER, "Association or chamber of commerce party organization",
                  "协会/商会党组织", 5),
)}

# Modes that make an organization a unit's own (or shared) basic organization: a unit has at most
# one active organization of these modes. Umbrella modes (a building, a lawyers' committee) may overlap.
BASIC_MODES = frozenset({SetupMode.SINGLE_UNIT, SetupMode.JOINT})


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    kind: OrganizationKind
    setup_mode: SetupMode
    area_code: str
    parent_id: str | None
    tree_path: str  # ids from the top of the reporting tree down to this one: /o1/o7/o42/
    founded_on: date
    dissolved_on: date | None = None
    secretary_member_id: str | None = None
    covered_unit_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dissolved(self) -> bool:
        return self.dissolved_on is not None

    @property
    def ancestor_ids(self) -> list[str]:
        """From the top of the reporting tree down to the parent."""
        return self.tree_path.strip("/").split("/")[:-1]


def normalize_text(value: str, what: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise RegistryRuleViolation(f"{what} cannot be blank.")
    return cleaned


def tree_path_under(parent: Organization | None, organization_id: str) -> str:
    return f"{parent.tree_path if parent else '/'}{organization_id}/"


def check_covered_units(setup_mode: SetupMode, unit_ids: list[str]) -> tuple[str, ...]:
    """Distinct units, in the order given; a joint organization covers at least two, a single-unit one exactly one."""
    distinct = tuple(dict.fromkeys(unit_ids))
    if setup_mode == SetupMode.JOINT and len(distinct) < 2:
        raise JointNeedsTwoUnits(f"A joint organization covers at least two units; {len(distinct)} given.")
    if setup_mode == SetupMode.SINGLE_UNIT and len(distinct) != 1:
        raise RegistryRuleViolation(f"A single-unit organization covers exactly one unit; {len(distinct)} given.")
    return distinct


def check_dates(founded_on: date, dissolved_on: date | None = None) -> None:
    if dissolved_on is not None and dissolved_on < founded_on:
        raise RegistryRuleViolation(f"Dissolved on {dissolved_on} is before founded on {founded_on}.")


def check_parent(organization_id: str | None, parent: Organization | None, organization: Organization | None = None) -> None:
    """A parent must be active, and an organization cannot report to itself or to one of its own subtree."""
    if parent is None:
        return
    if parent.dissolved:
        raise OrganizationDissolved(f"Organization '{parent.id}' is dissolved and takes no new subordinates.")
    if organization_id is not None and (parent.id == organization_id or f"/{organization_id}/" in parent.tree_path):
        raise OrganizationCycle(f"'{parent.id}' reports to '{organization_id}'; an organization cannot report "
                                "to its own subtree.")


def check_accepts_members(organization: Organization) -> None:
    if organization.dissolved:
        raise OrganizationDissolved(f"Organization '{organization.id}' was dissolved on "
                                    f"{organization.dissolved_on} and takes no new members.")


def check_dissolve(organization: Organization, dissolved_on: date, active_children: int) -> None:
    if organization.dissolved:
        raise OrganizationDissolved(f"Organization '{organization.id}' is already dissolved.")
    check_dates(organization.founded_on, dissolved_on)
    if active_children:
        raise HasActiveChildOrganizations(
            f"Organization '{organization.id}' has {active_children} active subordinate organization(s); "
            "re-parent or dissolve them first.")


def check_changeable(organization: Organization) -> None:
    if organization.dissolved:
        raise OrganizationDissolved(f"Organization '{organization.id}' is dissolved; its record is closed.")
