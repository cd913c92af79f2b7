"""The claim state machine (every legal and illegal pair), who may claim what, and capacity."""

import pytest

from dual_registration.domain.claim import CLAIM_MACHINE, ClaimState, ClaimTarget, TargetKind, check_claim
from dual_registration.domain.errors import CapacityReached, Duplicate, NotEligible, NotInCommunity, TargetNotClaimable
from yizhou.state_machine import IllegalTransition

COMMUNITY = "/CY/CY01/CY01001/"
ALL = list(ClaimState)
EXPECTED = {
    (ClaimState.REQUESTED, ClaimState.APPROVED), (ClaimState.REQUESTED, ClaimState.REJECTED),
    (ClaimState.REQUESTED, ClaimState.WITHDRAWN), (ClaimState.APPROVED, ClaimState.COMPLETED),
    (ClaimState.APPROVED, ClaimState.RELEASED),
}


def test_the_machine_is_the_documented_one():
    assert set(CLAIM_MACHINE.pairs()) == EXPECTED


@pytest.mark.parametrize("current,target", [(a, b) for a in ALL for b in ALL])
def test_every_pair(current, target):
    if (current, target) in EXPECTED:
        assert CLAIM_MACHINE.check(current, target) == target
    else:
        with pytest.raises(IllegalTransition) as refused:
            CLAIM_MACHINE.check(current, target)
        assert refused.value.current == current.value
        assert refused.value.allowed == sorted(t.value for c, t in EXPECTED if c == current)


def target(kind=TargetKind.POST, path=COMMUNITY, capacity=2, open_=True):
    return ClaimTarget(kind, "t1", path, capacity, open_, "closed")


def test_a_member_claims_within_capacity():
    check_claim("member", "m1", COMMUNITY, target(), 0, 1)
    with pytest.raises(CapacityReached):
        check_claim("member", "m1", COMMUNITY, target(), 0, 2)


def test_units_claim_projects_only():
    check_claim("unit", "u1", COMMUNITY, target(TargetKind.PROJECT, "/CY/CY01/", None), 0, 50)
    for kind in (TargetKind.POST, TargetKind.DEMAND):
        with pytest.raises(NotEligible):
            check_claim("unit", "u1", COMMUNITY, target(kind), 0, 0)


def test_closed_targets_elsewhere_and_double_claims_are_refused():
    with pytest.raises(TargetNotClaimable):
        check_claim("member", "m1", COMMUNITY, target(open_=False), 0, 0)
    with pytest.raises(NotInCommunity):
        check_claim("member", "m1", COMMUNITY, target(path="/CY/CY02/CY02001/"), 0, 0)
    with pytest.raises(Duplicate):
        check_claim("member", "m1", COMMUNITY, target(), 1, 0)
