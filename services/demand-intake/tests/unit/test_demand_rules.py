"""Domain rules of demands, with no database, web or broker."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from demand_intake.domain.deadlines import COMPLEX_RESOLVE, DeadlineClock, DeadlineKind, budget_for, clock_effects
from demand_intake.domain.demand import (
    DEMAND_MACHINE, FINAL_STATES, Channel, Demand, Feedback, Resident, State, Urgency, people_joining,
)
from demand_intake.domain.duplicates import (
    Candidate, DuplicateRules, Place, distance_m, find_duplicates, text_score, text_scores,
)
from demand_intake.domain.errors import BadPeriod, DemandRuleViolation, MeetingRuleViolation
from demand_intake.domain.escalation import (DispatchOrder, ReceiverKind, check_escalation, check_whistle,
                                             receiver_kind_of)
from demand_intake.domain.meeting import Decision, DecisionKind, Meeting
from demand_intake.domain.rates import Counts, parse_period, rates_of
from yizhou.state_machine import IllegalTransition

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def demand(**kw) -> Demand:
    base = dict(id="d1", channel=Channel.HOTLINE, category="elderly_care", urgency=Urgency.NORMAL, description="漏水",
                area_code="G1", area_path="/D/S/C/G1/", area_level="grid", resident=Resident(name="张三"),
                entered_by="w", entered_by_role="grid_worker", submitted_at=T0)
    return Demand(**{**base, **kw})


def test_the_machine_is_the_documented_one():
    assert set(DEMAND_MACHINE.pairs()) == {
        (State.SUBMITTED, State.ACCEPTED), (State.SUBMITTED, State.REJECTED), (State.SUBMITTED, State.WITHDRAWN),
        (State.SUBMITTED, State.MERGED), (State.ACCEPTED, State.ASSIGNED), (State.ACCEPTED, State.IN_PROGRESS),
        (State.ACCEPTED, State.RESOLVED), (State.ACCEPTED, State.WITHDRAWN), (State.ACCEPTED, State.MERGED),
        (State.ASSIGNED, State.IN_PROGRESS), (State.ASSIGNED, State.RESOLVED), (State.ASSIGNED, State.WITHDRAWN),
        (State.ASSIGNED, State.MERGED), (State.IN_PROGRESS, State.RESOLVED), (State.IN_PROGRESS, State.WITHDRAWN),
        (State.RESOLVED, State.CLOSED), (State.RESOLVED, State.REOPENED), (State.REOPENED, State.ASSIGNED),
        (State.REOPENED, State.IN_PROGRESS), (State.REOPENED, State.RESOLVED), (State.REOPENED, State.WITHDRAWN)}
    for final in FINAL_STATES:
        assert DEMAND_MACHINE.allowed_from(final) == []


@pytest.mark.parametrize("current", list(State))
@pytest.mark.parametrize("target", list(State))
def test_every_pair_is_legal_or_refused_with_current_and_allowed(current, target):
    d = demand(state=current)
    if DEMAND_MACHINE.can(current, target):
        assert d.move_to(target, T0) == current and d.state == target
    else:
        with pytest.raises(IllegalTransition) as refused:
            d.move_to(target, T0)
        assert refused.value.current == current.value and refused.value.allowed == DEMAND_MACHINE.allowed_from(current)
        assert d.state == current


def test_closing_needs_feedback_or_an_attempt_and_dissatisfied_reopens():
    d = demand(state=State.RESOLVED)
    with pytest.raises(DemandRuleViolation):
        d.close(T0, feedback=None, contact_attempted=False)
    assert d.close(T0, feedback=Feedback.DISSATISFIED, contact_attempted=False) == State.REOPENED
    d.move_to(State.RESOLVED, T0)
    assert d.close(T0, feedback=None, contact_attempted=True) == State.CLOSED and d.contact_attempted_at == T0


def test_the_first_receiver_stays_accountable():
    d = demand()
    d.accept("grid-worker", "G1", T0)
    d.move_to(State.RESOLVED, T0)
    d.move_to(State.REOPENED, T0)
    assert (d.first_receiver, d.accountable_area_code) == ("grid-worker", "G1")


def test_merge_counts_the_duplicate_and_its_supporters():
    keep, dup = demand(id="a", me_too_count=2), demand(id="b", me_too_count=3)
    dup.merge_into(keep, T0, joining=4)
    assert dup.state == State.MERGED and dup.merged_into == "a" and keep.me_too_count == 6
    assert keep.people_count == 7
    with pytest.raises(DemandRuleViolation):
        keep.merge_into(keep, T0, joining=0)
    with pytest.raises(DemandRuleViolation):
        demand(id="c").merge_into(demand(id="x", state=State.CLOSED), T0, joining=1)


def test_the_resident_a_demand_was_filed_for_is_one_of_the_people_behind_it():
    d = demand(resident_subject="r1")
    assert d.people_count == 1
    d.me_too_count += 1   # a neighbour says "me too": two people
    assert d.people_count == 2


def test_a_merge_counts_each_person_behind_both_demands_once():
    # r1 filed the demand that goes on; r2 filed the duplicate; r3 said "me too" on both; r1 also on the duplicate.
    keep = demand(id="a", resident_subject="r1", me_too_count=1)
    dup = demand(id="b", resident_subject="r2", me_too_count=2)
    new, unnamed = people_joining(dup, {"r3", "r1"}, keep, {"r3"})
    assert (new, unnamed) == ({"r2"}, 0)
    dup.merge_into(keep, T0, joining=len(new) + unnamed)
    assert keep.people_count == 3   # r1, r3 and r2
    # The same resident filing twice is one person.
    assert people_joining(demand(id="c", resident_subject="r1"), set(), demand(id="d", resident_subject="r1"),
                          set()) == (set(), 0)
    # Entered by staff (no login): the duplicate's resident, and one counted on it before, are new people.
    assert people_joining(demand(id="e", me_too_count=1), set(), keep, {"r3", "r2"}) == (set(), 2)


def test_budgets_follow_category_urgency_complexity_and_overrides():
    assert budget_for("elderly_care", Urgency.EMERGENCY).respond == timedelta(hours=2)
    assert budget_for("utilities", Urgency.NORMAL).respond == timedelta(hours=24)
    assert budget_for("elderly_care", Urgency.NORMAL).resolve == timedelta(days=7)
    assert budget_for("elderly_care", Urgency.NORMAL, complex_case=True).resolve == COMPLEX_RESOLVE == timedelta(days=15)
    over = budget_for("elderly_care", Urgency.NORMAL, overrides={"elderly_care": {"*": {"resolve_hours": 72}}})
    assert over.resolve == timedelta(hours=72) and over.respond == timedelta(hours=24)


def test_a_clock_pauses_resumes_and_breaches_once():
    c = DeadlineClock.start(DeadlineKind.RESOLVE, timedelta(hours=10), T0)
    assert c.due_at == T0 + timedelta(hours=10)
    c.pause(T0 + timedelta(hours=4))
    assert c.due_at is None and not c.is_breached(T0 + timedelta(days=30))
    c.resume(T0 + timedelta(hours=24))
    assert c.due_at == T0 + timedelta(hours=30)
    assert not c.is_breached(T0 + timedelta(hours=29)) and c.is_breached(T0 + timedelta(hours=30))
    c.breached_at = T0 + timedelta(hours=30)
    assert not c.is_breached(T0 + timedelta(hours=31))


def test_only_resolved_pauses_the_resolve_clock():
    pausing = [s for s in State if clock_effects(s).get(DeadlineKind.RESOLVE) == "pause"]
    assert pausing == [State.RESOLVED]
    assert clock_effects(State.REOPENED) == {DeadlineKind.RESOLVE: "resume"}
    assert clock_effects(State.ASSIGNED) == {} and clock_effects(State.IN_PROGRESS) == {}


def test_escalation_and_whistle_rules():
    d = demand(state=State.ACCEPTED)
    check_escalation(d, "C", "community", "跨网格")
    with pytest.raises(DemandRuleViolation):
        check_escalation(d, "C", "community", " ")
    with pytest.raises(DemandRuleViolation):
        check_escalation(demand(state=State.ACCEPTED, handling_area_code="D", handling_level="district"), None, None, "x")
    with pytest.raises(DemandRuleViolation):
        check_escalation(demand(state=State.CLOSED), "C", "community", "x")
    with pytest.raises(DemandRuleViolation):  # the whistle is the subdistrict's
        check_whistle(d, [DispatchOrder("住建委", ReceiverKind.DEPARTMENT, "u1")])
    sub = demand(state=State.ACCEPTED, handling_area_code="S", handling_level="subdistrict")
    check_whistle(sub, [DispatchOrder("住建委", ReceiverKind.DEPARTMENT, "u1")])
    # Each registered unit once, whatever name it is shown by.
    with pytest.raises(DemandRuleViolation):
        check_whistle(sub, [DispatchOrder("住建委", ReceiverKind.DEPARTMENT, "u1"),
                            DispatchOrder("区住房和城乡建设委员会", ReceiverKind.DEPARTMENT, "u1")])
    check_whistle(sub, [DispatchOrder("住建委", ReceiverKind.DEPARTMENT, "u1"), DispatchOrder("热力", ReceiverKind.UNIT, "u2")])
    assert receiver_kind_of("agency") == ReceiverKind.DEPARTMENT and receiver_kind_of("market") == ReceiverKind.UNIT


def test_duplicates_are_near_similar_and_recent():
    now = T0
    here = Place("G1", 39.9087, 116.4605)
    candidates = [
        Candidate("same-grid", Place("G1"), "3号楼水龙头漏水需要维修", "utilities", now - timedelta(days=1)),
        Candidate("near-point", Place("G2", 39.9090, 116.4607), "3号楼水龙头漏水了", "utilities", now - timedelta(days=2)),
        Candidate("far", Place("G9", 39.99, 116.55), "3号楼水龙头漏水需要维修", "utilities", now),
        Candidate("old", Place("G1"), "3号楼水龙头漏水需要维修", "utilities", now - timedelta(days=90)),
        Candidate("other-text", Place("G1"), "广场舞噪音扰民", "public_space", now),
    ]
    found = find_duplicates(here, "3号楼水龙头漏水，需要维修", "utilities", now, candidates, DuplicateRules())
    assert {m.demand_id for m in found} == {"same-grid", "near-point"}
    assert all(m.score >= DuplicateRules().min_text_score for m in found)
    assert 30 < distance_m(here, Place("G2", 39.9090, 116.4607)) < 50


_TEXT = st.text(alphabet=st.sampled_from(list("楼道灯坏了水龙头漏需要维修号 3A-!")), max_size=20)


@given(_TEXT, st.lists(_TEXT, max_size=12))
def test_scoring_every_candidate_at_once_gives_each_ones_own_score(description, texts):
    # The submit path scores a community's open demands in one pass (rapidfuzz's loop); the score of
    # each, also of empty or punctuation-only texts, stays the pairwise one.
    assert text_scores(description, texts) == [text_score(description, t) for t in texts]


@given(_TEXT, st.lists(_TEXT, max_size=12), st.floats(0, 100))
def test_scores_below_the_threshold_count_as_nothing_and_the_rest_stay_exact(description, texts, at_least):
    # Skipping what cannot reach the threshold (rapidfuzz's cutoff) changes no score that reaches it.
    pairwise = [text_score(description, t) for t in texts]
    assert text_scores(description, texts, at_least) == [s if s >= at_least else 0.0 for s in pairwise]


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_month_periods_tile_the_year(year, month):
    p = parse_period(f"{year}-{month:02d}")
    assert p.start.astimezone(p.zone).month == month and p.end > p.start and (p.end - p.start).days in (28, 29, 30, 31)


def test_periods_and_rates():
    q = parse_period("2026-Q4", UTC)   # a district on UTC; the default district's are in test_district_clock_rules.py
    assert (q.start, q.end) == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert parse_period("2026", UTC).end == datetime(2027, 1, 1, tzinfo=UTC)
    for bad in ("2026-13", "26", "2026-Q5", "", "1999"):
        with pytest.raises(BadPeriod):
            parse_period(bad)
    r = rates_of(Counts(submitted=10, response_settled=8, responded_on_time=6, handled=9, resolved=3, with_feedback=4,
                        satisfied=3))
    assert (r.response_rate, r.declared_resolution_rate, r.recorded_satisfaction_rate) == (0.75, 0.3333, 0.75)
    assert (r.resolution_rate, r.satisfaction_rate) == (None, None)   # no resident said anything yet
    assert rates_of(Counts()).response_rate is None


def test_a_meeting_closes_only_with_attendees_minutes_and_agenda_decisions():
    m = Meeting(id="m", area_code="C", area_path="/D/S/C/", title="议事会", scheduled_at=T0, created_by="w", agenda=["a", "b"])
    decide = [Decision(DecisionKind.RESOLVE_DEMAND, ["a"], "public_space", "划车位")]
    with pytest.raises(MeetingRuleViolation, match="attendees"):
        m.close(decide, T0)
    m.attendees = [{"name": "李明"}]
    with pytest.raises(MeetingRuleViolation, match="minutes"):
        m.close(decide, T0)
    m.minutes = "议定"
    with pytest.raises(MeetingRuleViolation, match="agenda"):
        m.close([Decision(DecisionKind.REQUEST_PROJECT, ["z"], "public_space", "x")], T0)
    m.close(decide, T0)
    with pytest.raises(IllegalTransition):
        m.close(decide, T0)
