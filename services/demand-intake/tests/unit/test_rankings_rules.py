"""The composite score, the ranking with its areas under remediation, each month's problem, and the
settings that weigh and cut them (plain domain rules)."""

from datetime import UTC, datetime

import pytest

from demand_intake.domain.callbacks import CallbackSource
from demand_intake.domain.facts import DemandFact, cell_of
from demand_intake.domain.rankings import (BadRankingSetting, Remediation, composite_score, parse_remediation,
                                           parse_weights, rank, top_categories)
from demand_intake.domain.rates import Counts, Rates, rates_of
from demand_intake.settings import Settings

WEIGHTS = parse_weights("response=0.2,resolution=0.4,satisfaction=0.4")


def _rates(response, resolution, satisfaction) -> Rates:
    return Rates(response, resolution, satisfaction, None, None, satisfaction)


def test_the_composite_score_weighs_the_scored_rates():
    assert composite_score(_rates(1.0, 0.5, 0.5), WEIGHTS) == 60.0
    assert composite_score(_rates(0.9, 0.8, 0.7), WEIGHTS) == 78.0          # 18 + 32 + 28
    # No callback yet: resolution's and satisfaction's weights go unused, the response rate alone scores.
    assert composite_score(_rates(0.75, None, None), WEIGHTS) == 75.0
    assert composite_score(_rates(None, None, None), WEIGHTS) is None
    assert parse_weights("response=1,resolution=2,satisfaction=2") == {"response": 1.0, "resolution": 2.0,
                                                                       "satisfaction": 2.0}
    assert composite_score(_rates(1.0, 0.5, 0.5), parse_weights("response=1,resolution=2,satisfaction=2")) == 60.0


def test_the_ranking_orders_by_score_and_flags_the_bottom():
    scores = {"A": 90.0, "B": 70.0, "C": 70.0, "D": 95.0, "E": None}
    ranked = rank(scores, Remediation(bottom=1))
    assert [(r.area_code, r.rank, r.under_remediation) for r in ranked] == [
        ("D", 1, False), ("A", 2, False), ("B", 3, True), ("C", 3, True), ("E", None, False)]   # a tie at the bottom: both
    ranked = rank(scores, Remediation(below=80))
    assert [r.area_code for r in ranked if r.under_remediation] == ["B", "C"]
    assert [r.area_code for r in rank(scores, Remediation(bottom=3)) if r.under_remediation] == ["A", "B", "C"]
    assert not any(r.under_remediation for r in rank(scores, Remediation(bottom=0)))


def test_the_months_problem_is_the_most_recurring_category():
    counts = {"utilities": Counts(submitted=4), "elderly_care": Counts(submitted=4), "sanitation": Counts(submitted=1),
              "health": Counts(imported=9)}
    assert top_categories(counts, 2) == [("elderly_care", 4), ("utilities", 4)]   # ties by code; imports never
    assert top_categories({}, 3) == []


@pytest.mark.parametrize("text", ["response=0.2,resolution=0.4", "response=0.2,resolution=0.4,satisfaction=x",
                                  "response=0,resolution=0,satisfaction=0", "speed=1,resolution=1,satisfaction=1",
                                  "response=-1,resolution=1,satisfaction=1", "response=1,response=1,satisfaction=1"])
def test_unreadable_weights_stop_the_service(text):
    with pytest.raises(BadRankingSetting):
        parse_weights(text)
    with pytest.raises(ValueError):
        Settings(rate_weights=text)


@pytest.mark.parametrize("text", ["bottom=-1", "below=101", "worst=3", "bottom=x", ""])
def test_unreadable_remediation_stops_the_service(text):
    with pytest.raises(BadRankingSetting):
        parse_remediation(text)


def test_only_the_residents_answers_are_scored():
    at = datetime(2026, 11, 3, tzinfo=UTC)
    fact = DemandFact("d1", "G", "/D/S/C/G/", "elderly_care", "resolved", at, at, responded_at=at)
    fact.apply("demand.called_back", "resolved", at, resolved=False, satisfaction="dissatisfied",
               source=CallbackSource.CALLBACK_BY_STAFF.value)
    fact.apply("demand.called_back", "resolved", at, resolved=True, satisfaction="satisfied",
               source=CallbackSource.STAFF_ENTRY.value)
    _, counts = cell_of(fact)
    r = rates_of(counts)
    assert (r.resolution_rate, r.satisfaction_rate) == (0.0, 0.0)          # the resident's "no" stands
    assert (r.declared_resolution_rate, r.recorded_satisfaction_rate) == (1.0, 1.0)   # staff's word, shown beside
    fact.apply("demand.closed", "closed", at, feedback="basically_satisfied", feedback_by="resident")
    assert rates_of(cell_of(fact)[1]).satisfaction_rate == 1.0              # their own account's word since
