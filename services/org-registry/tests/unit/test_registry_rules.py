"""The registry's rules as pure functions: setup modes, covered units, the tree, members' data."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_registry.domain import member as members
from org_registry.domain.coverage import CoverageCounts, figure, share, total
from org_registry.domain.errors import (
    HasActiveChildOrganizations,
    InvalidPersonalData,
    JointNeedsTwoUnits,
    OrganizationCycle,
    OrganizationDissolved,
    RegistryRuleViolation,
)
from org_registry.domain.organization import (
    SETUP_MODES,
    Organization,
    OrganizationKind,
    SetupMode,
    check_accepts_members,
    check_covered_units,
    check_dissolve,
    check_parent,
    tree_path_under,
)
from org_registry.domain.unit import SizeClass, UnitKind, check_unit


def org(oid: str, path: str, dissolved_on: date | None = None) -> Organization:
    return Organization(id=oid, name=oid, kind=OrganizationKind.BRANCH, setup_mode=SetupMode.PROJECT, area_code="A",
                        parent_id=None, tree_path=path, founded_on=date(2000, 1, 1), dissolved_on=dissolved_on)


def test_the_twelve_setup_modes_of_seed_000_beside_the_unit_and_leading_ones():
    assert len(SETUP_MODES) == len(SetupMode)
    groups = [info.group.value for info in SETUP_MODES.values()]
    assert (groups.count("two_new"), groups.count("unit"), groups.count("leading")) == (12, 3, 5)
    assert all(info.seed_count is not None for info in SETUP_MODES.values() if info.group.value == "two_new")
    assert SETUP_MODES[SetupMode.SINGLE_UNIT].seed_count == 1225
    assert SETUP_MODES[SetupMode.JOINT].chinese == "两个以上组织成立联合党组织"
    assert all(info.english and info.chinese for info in SETUP_MODES.values())


def test_joint_covers_at_least_two_distinct_units():
    with pytest.raises(JointNeedsTwoUnits):
        check_covered_units(SetupMode.JOINT, ["u1", "u1"])
    assert check_covered_units(SetupMode.JOINT, ["u1", "u2", "u1"]) == ("u1", "u2")
    with pytest.raises(RegistryRuleViolation):
        check_covered_units(SetupMode.SINGLE_UNIT, ["u1", "u2"])
    assert check_covered_units(SetupMode.LAWYERS_COMMITTEE, []) == ()


def test_a_dissolved_organization_takes_no_members_nor_subordinates():
    gone = org("o1", "/o1/", dissolved_on=date(2020, 1, 1))
    with pytest.raises(OrganizationDissolved):
        check_accepts_members(gone)
    with pytest.raises(OrganizationDissolved):
        check_parent("o2", gone)
    check_accepts_members(org("o3", "/o3/"))


def test_no_cycles_in_the_reporting_tree():
    top = org("o1", "/o1/")
    child = org("o2", tree_path_under(top, "o2"))
    grandchild = org("o3", tree_path_under(child, "o3"))
    assert grandchild.tree_path == "/o1/o2/o3/" and grandchild.ancestor_ids == ["o1", "o2"]
    with pytest.raises(OrganizationCycle):
        check_parent("o1", grandchild)
    with pytest.raises(OrganizationCycle):
        check_parent("o2", child)
    check_parent("o3", top)


def test_dissolving_needs_no_active_children_and_a_date_after_founding():
    with pytest.raises(HasActiveChildOrganizations):
        check_dissolve(org("o1", "/o1/"), date(2026, 1, 1), active_children=1)
    with pytest.raises(RegistryRuleViolation):
        check_dissolve(org("o1", "/o1/"), date(1999, 1, 1), active_children=0)
    check_dissolve(org("o1", "/o1/"), date(2026, 1, 1), active_children=0)


def test_unit_rules():
    check_unit(UnitKind.NON_PUBLIC_ENTERPRISE, SizeClass.LARGE, 10, 10)
    for args in [(UnitKind.NON_PUBLIC_ENTERPRISE, None, 1, 0), (UnitKind.SCHOOL, SizeClass.LARGE, 1, 0),
                 (UnitKind.SCHOOL, None, 1, 2)]:
        with pytest.raises(RegistryRuleViolation):
            check_unit(*args)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_every_completed_id_number_is_accepted_and_any_other_check_refused(first17):
    valid = members.with_check_digit(first17)
    assert members.normalize_id_number(valid.lower()) == valid
    for wrong in "0123456789X":
        if wrong != valid[-1]:
            with pytest.raises(InvalidPersonalData):
                members.normalize_id_number(first17 + wrong)


def test_known_id_number_and_phones():
    assert members.normalize_id_number("11010519491231002x") == "11010519491231002X"
    assert members.normalize_phone("+86 139-1234-5678") == "13912345678"
    assert members.normalize_phone("  ") is None
    for bad in ("12912345678", "1391234567", "010-12345678"):
        with pytest.raises(InvalidPersonalData):
            members.normalize_phone(bad)


def test_skills_are_trimmed_lowered_and_distinct():
    assert members.normalize_skills([" First  Aid", "first aid", "", "LAW"]) == ("first aid", "law")
    with pytest.raises(RegistryRuleViolation):
        members.normalize_skills(["a|b"])


def test_coverage_shares_in_percent_with_one_decimal():
    assert share(0, 0) is None
    assert share(74, 82) == 90.2  # the seeds' large non-public enterprises
    rows = [CoverageCounts("school", None, 3, 1, 2, 3), CoverageCounts("market", None, 1, 0, 0, 0)]
    all_units = total(rows)
    assert (all_units.units, all_units.with_own_organization, all_units.covered, all_units.with_members) == (4, 1, 2, 3)
    assert figure(all_units).covered_share == 50.0 and figure(rows[0]).own_organization_share == 33.3
