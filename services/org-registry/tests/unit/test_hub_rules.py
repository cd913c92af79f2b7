"""Hub organizations: who may lead one, member counts, and the one-link-per-kind-and-pair rule of joint actions."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_registry.domain.errors import DuplicateJointAction, OrganizationDissolved, RegistryRuleViolation
from org_registry.domain.hub import (
    Hub,
    HubKind,
    JointAction,
    JointActionKind,
    PartnerKind,
    check_member_counts,
    new_hub,
    record_joint_action,
)
from org_registry.domain.organization import Organization, OrganizationKind, SetupMode


def organization(dissolved_on: date | None = None) -> Organization:
    return Organization(id="o1", name="Committee", kind=OrganizationKind.COMMITTEE,
                        setup_mode=SetupMode.SOCIAL_WORK_COMMITTEE, area_code="S1", parent_id=None, tree_path="/o1/",
                        founded_on=date(2005, 7, 1), dissolved_on=dissolved_on)


def hub(founded_on: date | None = None) -> Hub:
    return new_hub("h1", name="  North   Trade Union ", kind=HubKind.TRADE_UNION, area_code="S1",
                   leader=organization(), member_count=100, party_member_count=10, founded_on=founded_on)


def link(hub_: Hub, kind=JointActionKind.JOINT_WORK, partner_kind=PartnerKind.UNIT, partner_id="u1",
         existing=(), dissolved=False, started_on=date(2026, 3, 1), note=None) -> JointAction:
    return record_joint_action("ja-new", hub_, kind=kind, partner_kind=partner_kind, partner_id=partner_id,
                               partner_dissolved=dissolved, started_on=started_on, note=note, existing=list(existing))


def test_a_hub_is_led_by_an_active_organization_and_its_name_is_tidied():
    made = hub()
    assert made.leading_organization_id == "o1" and made.name == "North Trade Union"
    with pytest.raises(OrganizationDissolved):
        new_hub("h2", name="Youth League", kind=HubKind.YOUTH_LEAGUE, area_code="S1",
                leader=organization(dissolved_on=date(2020, 1, 1)), member_count=5, party_member_count=0)
    with pytest.raises(RegistryRuleViolation):
        new_hub("h3", name="   ", kind=HubKind.YOUTH_LEAGUE, area_code="S1", leader=organization(),
                member_count=5, party_member_count=0)


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_party_members_are_counted_among_members(members, party_members):
    if party_members <= members:
        check_member_counts(members, party_members)
    else:
        with pytest.raises(RegistryRuleViolation):
            check_member_counts(members, party_members)


def test_negative_counts_are_refused():
    with pytest.raises(RegistryRuleViolation):
        check_member_counts(-1, 0)


def test_one_link_of_each_kind_per_pair():
    first = link(hub(), note="  monthly   job fair ")
    assert first.note == "monthly job fair"
    with pytest.raises(DuplicateJointAction) as refused:
        link(hub(), existing=[first])
    assert refused.value.kind == "duplicate"
    # another kind, another partner, or the same id as another kind of partner are all distinct links
    link(hub(), kind=JointActionKind.JOINT_SERVICE, existing=[first])
    link(hub(), partner_id="u2", existing=[first])
    link(hub(), partner_kind=PartnerKind.ORGANIZATION, existing=[first])


def test_a_dissolved_organization_takes_no_new_joint_action():
    with pytest.raises(OrganizationDissolved):
        link(hub(), partner_kind=PartnerKind.ORGANIZATION, partner_id="o9", dissolved=True)


def test_a_joint_action_starts_after_the_hub_was_founded():
    with pytest.raises(RegistryRuleViolation):
        link(hub(founded_on=date(2026, 5, 1)), started_on=date(2026, 4, 30))
    assert link(hub(founded_on=date(2026, 5, 1)), started_on=date(2026, 5, 1)).started_on == date(2026, 5, 1)
