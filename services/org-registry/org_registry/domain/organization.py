"""Party organizations: three kinds; the setup modes (the twelve "two new" modes of seed 000, the
organizations of agencies, state enterprises and public institutions, and the leading organizations of
the axis's areas); the tree of who reports to whom (kept apart from where an organization sits); and the
rules on covered units, leading organizations and members."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from org_registry.domain.area import Area
from org_registry.domain.errors import (
    AreaAlreadyLed,
    HasActiveChildOrganizations,
    JointNeedsTwoUnits,
    OrganizationCycle,
    OrganizationDissolved,
    RegistryRuleViolation,
    WrongLeadingMode,
)
from yizhou.axis_events import AreaKind


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
    # The organizations of units outside the "two new" ones (seed 000 counts their coverage as well).
    AGENCY = "agency"                          # 机关党组织
    STATE_ENTERPRISE = "state_enterprise"      # 国有企业党组织
    PUBLIC_INSTITUTION = "public_institution"  # 事业单位党组织 (schools, hospitals)
    # The leading core axis (领导核心轴, seeds 001 and 002): the organization that leads an area.
    DISTRICT_COMMITTEE = "district_committee"          # 区委
    WORKING_COMMITTEE = "working_committee"            # 街道工委 / 地区工委
    COMMUNITY_ORGANIZATION = "community_organization"  # 社区党组织 (党委, 党总支 or 党支部)
    VILLAGE_ORGANIZATION = "village_organization"      # 村党组织
    GRID_BRANCH = "grid_branch"                        # 网格 (片区) 党支部


class ModeGroup(StrEnum):
    TWO_NEW = "two_new"    # the twelve modes of seed 000's table
    UNIT = "unit"          # a traditional unit's own organization
    LEADING = "leading"    # an area's leading organization


@dataclass(frozen=True)
class SetupModeInfo:
    mode: SetupMode
    english: str
    chinese: str
    seed_count: int | None  # organizations set up this way in the district at the end of 2008 (seed 000's table)
    group: ModeGroup = ModeGroup.TWO_NEW


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
    SetupModeInfo(SetupMode.AGENCY, "Party organization of an agency", "机关党组织", None, ModeGroup.UNIT),
    SetupModeInfo(SetupMode.STATE_ENTERPRISE, "Party organization of a state-owned enterprise", "国有企业党组织", None,
                  ModeGroup.UNIT),
    SetupModeInfo(SetupMode.PUBLIC_INSTITUTION, "Party organization of a public institution (school, hospital)",
                  "事业单位党组织", None, ModeGroup.UNIT),
    SetupModeInfo(SetupMode.DISTRICT_COMMITTEE, "District committee", "区委", None, ModeGroup.LEADING),
    SetupModeInfo(SetupMode.WORKING_COMMITTEE, "Subdistrict (area) working committee", "街道（地区）工委", None,
                  ModeGroup.LEADING),
    SetupModeInfo(SetupMode.COMMUNITY_ORGANIZATION, "Community party organization", "社区党组织", None,
                  ModeGroup.LEADING),
    SetupModeInfo(SetupMode.VILLAGE_ORGANIZATION, "Village party organization", "村党组织", None, ModeGroup.LEADING),
    SetupModeInfo(SetupMode.GRID_BRANCH, "Grid (block) party branch", "网格（片区）党支部", None, ModeGroup.LEADING),
)}

# What leads an area of each kind: a subdistrict's and an area's working committee alike (街道工委, 地区工委).
LEADING_MODE_OF_KIND: dict[AreaKind, SetupMode] = {
    AreaKind.DISTRICT: SetupMode.DISTRICT_COMMITTEE,
    AreaKind.SUBDISTRICT: SetupMode.WORKING_COMMITTEE,
    AreaKind.AREA: SetupMode.WORKING_COMMITTEE,
    AreaKind.COMMUNITY: SetupMode.COMMUNITY_ORGANIZATION,
    AreaKind.VILLAGE: SetupMode.VILLAGE_ORGANIZATION,
    AreaKind.GRID: SetupMode.GRID_BRANCH,
}
LEADING_MODES = frozenset(LEADING_MODE_OF_KIND.values())
# A unit's own organization: exactly one unit, and it counts as the unit's "own organization" in coverage.
SINGLE_UNIT_MODES = frozenset({SetupMode.SINGLE_UNIT, SetupMode.AGENCY, SetupMode.STATE_ENTERPRISE,
                               SetupMode.PUBLIC_INSTITUTION})

# Modes that make an organization a unit's own (or shared) basic organization: a unit has at most
# one active organization of these modes. Umbrella modes (a building, a lawyers' committee) may overlap.
BASIC_MODES = SINGLE_UNIT_MODES | {SetupMode.JOINT}


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
    if setup_mode in SINGLE_UNIT_MODES and len(distinct) != 1:
        raise RegistryRuleViolation(f"A single-unit organization covers exactly one unit; {len(distinct)} given.")
    if setup_mode in LEADING_MODES and distinct:
        raise RegistryRuleViolation("An area's leading organization covers no units: it leads the area (units have "
                                    "organizations of their own).")
    return distinct


def check_leads(area: Area, setup_mode: SetupMode, current_leader_id: str | None,
                organization_id: str | None = None) -> None:
    """A leading organization sits in the area it leads, is of the mode the area's kind calls for, and is the
    area's only active one (`current_leader_id`, if any, is the active leading organization there now)."""
    if setup_mode not in LEADING_MODES:
        return
    expected = LEADING_MODE_OF_KIND[area.area_kind]
    if setup_mode != expected:
        raise WrongLeadingMode(f"A {area.area_kind.value} ('{area.code}') is led by a {expected.value}, "
                               f"not a {setup_mode.value}.")
    if current_leader_id is not None and current_leader_id != organization_id:
        raise AreaAlreadyLed(f"Area '{area.code}' is already led by '{current_leader_id}'; dissolve it first.")


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
