"""The guarantee network's rules without a database: the fund balance, opening hours and booking
overlaps, assessment weights and the score as the weighted sum of its inputs."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from project_matching.guarantee.domain.assessment import (AREA, DEFAULT_WEIGHTS, ORGANIZATION, Measure, check_weights,
                                                          mean, ratio, score)
from project_matching.guarantee.domain.errors import (FundRuleViolation, InsufficientFunds, VenueRuleViolation,
                                                      WeightRuleViolation)
from project_matching.guarantee.domain.funds import check_entry, check_spending, spend, totals
from project_matching.guarantee.domain.money import yuan
from project_matching.guarantee.domain.venues import (LOCAL, Interval, check_booking, check_opening_hours,
                                                      inside_opening_hours, open_days, overlaps)


def test_spending_never_takes_the_balance_below_zero():
    assert spend(1000, 1000) == 0
    with pytest.raises(InsufficientFunds) as refused:
        spend(999, 1000)
    assert "9.99" in str(refused.value) and "10.00" in str(refused.value)
    assert yuan(-5) == "-0.05" and yuan(123456) == "1234.56"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(1, 10**9)), max_size=40))
def test_any_sequence_of_entries_keeps_the_balance_non_negative(moves):
    balance = 0
    for is_income, amount in moves:
        if is_income:
            balance += amount
        else:
            try:
                balance = spend(balance, amount)
            except InsufficientFunds as exc:
                assert exc.amount_fen > exc.balance_fen == balance
        assert balance >= 0


def test_entries_belong_to_their_year_and_name_their_purpose():
    check_entry(year=2026, amount_fen=1, booked_on=date(2026, 12, 31))
    for year, amount, on in ((2026, 1, date(2027, 1, 1)), (2026, 0, date(2026, 5, 1)), (1999, 1, date(1999, 5, 1))):
        with pytest.raises(FundRuleViolation):
            check_entry(year=year, amount_fen=amount, booked_on=on)
    with pytest.raises(FundRuleViolation):
        check_spending(purpose="project", project_id=None, activity="x")
    with pytest.raises(FundRuleViolation):
        check_spending(purpose="activity", project_id=None, activity="  ")
    t = totals([("income", "party_dues_returned", None, 500), ("income", "government_purchase", None, 250),
                ("spending", None, "activity", 100), ("spending", None, "project", 50)])
    assert (t.income_fen, t.spending_fen, t.balance_fen) == (750, 150, 600)
    assert t.income_by_source["unit_contribution"] == 0


HOURS = [Interval(1, "09:00", "12:00"), Interval(1, "14:00", "21:00"), Interval(6, "09:00", "24:00")]


def local(day: int, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2030, 7, day, tzinfo=LOCAL) + timedelta(hours=h, minutes=m)  # 2030-07-01 is a Monday


def test_opening_hours_and_bookings_inside_them():
    assert open_days(check_opening_hours(HOURS)) == 2
    with pytest.raises(VenueRuleViolation):
        check_opening_hours([Interval(1, "09:00", "12:00"), Interval(1, "11:59", "13:00")])
    with pytest.raises(VenueRuleViolation):
        check_opening_hours([Interval(2, "10:00", "10:00")])
    with pytest.raises(VenueRuleViolation):
        check_opening_hours([Interval(2, "25:00", "26:00")])
    assert inside_opening_hours(HOURS, local(1, "09:00"), local(1, "12:00"))
    assert not inside_opening_hours(HOURS, local(1, "11:00"), local(1, "15:00"))  # spans the lunch break
    assert not inside_opening_hours(HOURS, local(2, "10:00"), local(2, "11:00"))  # closed on Tuesdays
    assert inside_opening_hours(HOURS, local(6, "20:00"), local(7, "00:00"))      # until midnight
    # The same instant given in UTC is judged in local time: 01:00 UTC is 09:00 in Beijing.
    assert inside_opening_hours(HOURS, local(1, "09:00").astimezone(UTC), local(1, "10:00").astimezone(UTC))
    assert local(1, "09:00").astimezone(UTC).hour == 1
    now = local(1, "00:00")
    check_booking(opening_hours=HOURS, capacity=10, starts_at=local(1, "14:00"), ends_at=local(1, "15:00"),
                  attendees=10, now=now)
    with pytest.raises(VenueRuleViolation):
        check_booking(opening_hours=HOURS, capacity=10, starts_at=local(1, "14:00"), ends_at=local(1, "15:00"),
                      attendees=11, now=now)


def test_overlap_is_half_open():
    a, b, c = local(1, "09:00"), local(1, "10:00"), local(1, "11:00")
    assert overlaps(a, c, b, c) and overlaps(a, b + timedelta(minutes=1), b, c)
    assert not overlaps(a, b, b, c)


def test_weights_must_apply_and_sum_to_exactly_one():
    assert check_weights(ORGANIZATION, {"evaluation_score": Decimal("1")})["hours_threshold_rate"] == 0
    for kind, weights in DEFAULT_WEIGHTS.items():
        assert check_weights(kind, weights) == weights
    with pytest.raises(WeightRuleViolation, match="sum to 0.9999"):
        check_weights(AREA, {"response_rate": Decimal("0.5"), "coverage_rate": Decimal("0.4999")})
    with pytest.raises(WeightRuleViolation, match="do not apply"):
        check_weights(ORGANIZATION, {"response_rate": Decimal("1")})
    with pytest.raises(WeightRuleViolation):
        check_weights(AREA, {"response_rate": Decimal("1.5"), "coverage_rate": Decimal("-0.5")})


def test_score_is_the_weighted_sum_on_a_hand_computed_card():
    weights = {"evaluation_score": Decimal("0.5"), "unit_registration_rate": Decimal("0.2"),
               "member_registration_rate": Decimal("0.2"), "hours_threshold_rate": Decimal("0.1")}
    measures = {"evaluation_score": mean([80, 90]), "unit_registration_rate": ratio(1, 2),
                "member_registration_rate": ratio(3, 4), "hours_threshold_rate": ratio(0, 3)}
    card = score(ORGANIZATION, weights, measures)
    # 0.5 x 85 + 0.2 x 50 + 0.2 x 75 + 0.1 x 0 = 42.5 + 10 + 15 + 0
    assert card.score == 67.5 and card.grade == "fair"
    lines = {line.code: line for line in card.lines}
    assert lines["evaluation_score"].contribution == 42.5 and lines["hours_threshold_rate"].value == 0
    assert (lines["member_registration_rate"].numerator, lines["member_registration_rate"].denominator) == (3, 4)
    # An input with nothing to measure is left out and the others scale up: (42.5 + 10 + 15) / 0.9.
    card = score(ORGANIZATION, weights, {**measures, "hours_threshold_rate": ratio(0, 0)})
    assert card.score == 75.0 and card.grade == "good"
    assert {line.code: line.effective_weight for line in card.lines}["evaluation_score"] == round(0.5 / 0.9, 6)
    assert score(ORGANIZATION, weights, {}).grade == "not_assessed"


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(list(DEFAULT_WEIGHTS[AREA])),
                       st.one_of(st.none(), st.floats(0, 100, allow_nan=False)), max_size=9))
def test_score_equals_the_sum_of_contributions_and_stays_in_range(values):
    card = score(AREA, DEFAULT_WEIGHTS[AREA], {k: Measure(v) for k, v in values.items()})
    assert 0 <= card.score <= 100
    assert card.score == pytest.approx(sum(line.contribution for line in card.lines), abs=0.01)
    measured = [line for line in card.lines if line.value is not None]
    if measured:
        assert sum(line.effective_weight for line in measured) == pytest.approx(1, abs=1e-5)


def test_funds_are_booked_on_the_districts_day_at_the_turn_of_the_year():
    """Issue 21: at 00:30 on 1 January in Beijing (16:30 UTC on 31 December) spending of the new year was booked
    on 31 December of that new year, a day almost twelve months ahead; it is the district's today now."""
    from datetime import UTC, date, datetime

    from project_matching.guarantee.use_cases.funds import booking_date
    from yizhou.district_clock import DEFAULT_ZONE

    new_year_in_beijing = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert booking_date(2027, new_year_in_beijing, DEFAULT_ZONE, spending=True) == date(2027, 1, 1)
    assert booking_date(2027, new_year_in_beijing, DEFAULT_ZONE, spending=False) == date(2027, 1, 1)
    assert booking_date(2026, new_year_in_beijing, DEFAULT_ZONE, spending=True) == date(2026, 12, 31)
    assert booking_date(2027, new_year_in_beijing, UTC, spending=True) == date(2027, 12, 31)  # the old UTC answer
