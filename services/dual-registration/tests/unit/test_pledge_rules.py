"""The pledge cycle's rules and the no-office claim rule, without a database."""

import pytest

from dual_registration.domain.claim import ClaimTarget, ResidentMember, TargetKind, check_no_office_claim
from dual_registration.domain.errors import InvalidPledge, NotEligible, NotInCommunity
from dual_registration.domain.pledges import PLEDGE_MACHINE, PledgeState, check_progress, normalize_items
from yizhou.state_machine import IllegalTransition

POST = ClaimTarget(TargetKind.POST, "p1", "/D/S/C1/", 2, True)


def test_items_are_trimmed_deduplicated_and_bounded():
    assert normalize_items([" a  b ", "a b", "", "c"]) == ["a b", "c"]
    with pytest.raises(InvalidPledge):
        normalize_items(["  ", ""])
    with pytest.raises(InvalidPledge):
        normalize_items([f"item {i}" for i in range(21)])
    with pytest.raises(InvalidPledge):
        normalize_items(["x" * 201])


def test_progress_and_assessment_steps():
    assert check_progress(PledgeState.PLEDGED, False) is None
    assert check_progress(PledgeState.PLEDGED, True) == PledgeState.FULFILLED
    assert check_progress(PledgeState.FULFILLED, False) is None
    for state, done in ((PledgeState.FULFILLED, True), (PledgeState.ASSESSED, False), (PledgeState.ASSESSED, True)):
        with pytest.raises(IllegalTransition):
            check_progress(state, done)
    assert PLEDGE_MACHINE.can(PledgeState.PLEDGED, PledgeState.ASSESSED)  # a pledge not kept is assessed too
    assert not PLEDGE_MACHINE.can(PledgeState.ASSESSED, PledgeState.ASSESSED)


def test_a_no_office_post_takes_any_member_living_in_its_community_and_nothing_else_does():
    retired = ResidentMember("m1", "/D/S/C1/", left=False)
    check_no_office_claim(retired, "no_office", POST, 0, 0)
    for kind in ("volunteer_post", "responsibility_area", "households"):
        with pytest.raises(NotEligible):
            check_no_office_claim(retired, kind, POST, 0, 0)
    with pytest.raises(NotInCommunity):
        check_no_office_claim(ResidentMember("m2", "/D/S/C2/", left=False), "no_office", POST, 0, 0)
    with pytest.raises(NotInCommunity):
        check_no_office_claim(ResidentMember("m3", None, left=False), "no_office", POST, 0, 0)
    with pytest.raises(NotEligible):
        check_no_office_claim(ResidentMember("m4", "/D/S/C1/", left=True), "no_office", POST, 0, 0)
