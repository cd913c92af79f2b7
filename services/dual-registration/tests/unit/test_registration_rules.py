"""Registration and transfer rules, and where records belong on the axis."""

import pytest

from dual_registration.domain.community import community_of, on_same_branch
from dual_registration.domain.errors import Duplicate, NotEligible, NotInCommunity
from dual_registration.domain.registration import (REGISTRATION_MACHINE, ExistingRegistration, KnownMember, KnownUnit,
                                                   RegistrationState, normalize_skills, plan_member_registration,
                                                   plan_unit_registration)
from yizhou.state_machine import IllegalTransition

GRID = "/CY/CY01/CY01001/CY0100101/"


def member(path=GRID, in_service=True, left=False):
    return KnownMember("m1", "o1", path, in_service, left)


def test_community_of_a_grid_or_community_path():
    assert community_of(GRID).code == "CY01001"
    assert community_of(GRID).path == "/CY/CY01/CY01001/"
    assert community_of("/CY/CY01/CY01001/") == community_of(GRID)
    for above in ("/CY/", "/CY/CY01/", ""):
        with pytest.raises(NotInCommunity):
            community_of(above)


def test_same_branch():
    assert on_same_branch("/CY/CY01/", "/CY/CY01/CY01001/")
    assert on_same_branch(GRID, "/CY/CY01/CY01001/")
    assert not on_same_branch("/CY/CY02/", "/CY/CY01/CY01001/")


def test_first_registration_goes_to_the_residence_community():
    plan = plan_member_registration(member(), [])
    assert plan.community.code == "CY01001" and plan.transfer_from is None


def test_registered_elsewhere_makes_a_transfer():
    old = ExistingRegistration("r0", "CY01002", RegistrationState.APPROVED)
    assert plan_member_registration(member(), [old]).transfer_from == old


@pytest.mark.parametrize("existing", [
    [ExistingRegistration("r0", "CY01001", RegistrationState.APPROVED)],   # same community again
    [ExistingRegistration("r0", "CY01002", RegistrationState.PENDING)],    # a request still open
    [ExistingRegistration("r0", "CY01001", RegistrationState.PENDING)],
])
def test_no_duplicate_registration(existing):
    with pytest.raises(Duplicate):
        plan_member_registration(member(), existing)


@pytest.mark.parametrize("candidate", [member(in_service=False), member(left=True)])
def test_only_in_service_members_who_have_not_left(candidate):
    with pytest.raises(NotEligible):
        plan_member_registration(candidate, [])


def test_unit_registers_where_it_sits():
    assert plan_unit_registration(KnownUnit("u1", GRID, "o1"), []).community.code == "CY01001"
    with pytest.raises(NotInCommunity):
        plan_unit_registration(KnownUnit("u1", "/CY/CY01/", "o1"), [])


def test_skills_are_trimmed_and_deduplicated():
    assert normalize_skills([" first  aid ", "first aid", "", "law"]) == ["first aid", "law"]


ALL = list(RegistrationState)
LEGAL = set(REGISTRATION_MACHINE.pairs())


@pytest.mark.parametrize("current,target", [(a, b) for a in ALL for b in ALL])
def test_registration_machine_every_pair(current, target):
    if (current, target) in LEGAL:
        assert REGISTRATION_MACHINE.check(current, target) == target
    else:
        with pytest.raises(IllegalTransition):
            REGISTRATION_MACHINE.check(current, target)


def test_registration_machine_is_the_documented_one():
    assert LEGAL == {(RegistrationState.PENDING, RegistrationState.APPROVED),
                     (RegistrationState.PENDING, RegistrationState.REJECTED),
                     (RegistrationState.PENDING, RegistrationState.WITHDRAWN),
                     (RegistrationState.APPROVED, RegistrationState.TRANSFERRED),
                     (RegistrationState.APPROVED, RegistrationState.ENDED)}
