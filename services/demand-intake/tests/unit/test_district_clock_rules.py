"""Issue 21, the district's clock in demand-intake's rules: rates periods cut at midnight in the
district's time zone, and deadline rules in working days on the State Council's calendar."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from demand_intake.domain.deadlines import DeadlineClock, DeadlineKind, budget_for
from demand_intake.domain.demand import Urgency
from demand_intake.domain.facts import DemandFact, cell_of
from demand_intake.domain.rates import month_of, months_of, parse_period
from demand_intake.settings import Settings
from yizhou.district_clock import DEFAULT_ZONE, zone_named
from yizhou.working_days import WorkingCalendar, parse_overrides

BEIJING = zone_named("Asia/Shanghai")
HALF_PAST_MIDNIGHT_1_DECEMBER = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING).astimezone(UTC)


# --- rates periods -------------------------------------------------------------------------------

def test_a_demand_at_half_past_four_utc_on_30_november_is_decembers():
    assert DEFAULT_ZONE == BEIJING
    assert month_of(HALF_PAST_MIDNIGHT_1_DECEMBER, BEIJING) == 202612
    december, november = parse_period("2026-12", BEIJING), parse_period("2026-11", BEIJING)
    assert december.start <= HALF_PAST_MIDNIGHT_1_DECEMBER < december.end
    assert not november.start <= HALF_PAST_MIDNIGHT_1_DECEMBER < november.end
    assert month_of(HALF_PAST_MIDNIGHT_1_DECEMBER, UTC) == 202611   # what whole UTC months said


def test_periods_begin_at_beijing_midnight_and_their_months_are_beijing_months():
    q4 = parse_period("2026-Q4", BEIJING)
    assert (q4.start, q4.end) == (beijing(2026, 10, 1), beijing(2027, 1, 1))
    assert months_of(q4) == (202610, 202701)
    year = parse_period("2026", BEIJING)
    assert (year.start, year.end) == (datetime(2025, 12, 31, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert months_of(year) == (202601, 202701)
    assert months_of(parse_period("2026-11", UTC)) == (202611, 202612)


def test_the_roll_up_cell_of_a_demand_is_its_month_on_the_districts_clock():
    fact = DemandFact(demand_id="d", area_code="G", area_path="/D/S/C/G/", category="roads", state="submitted",
                      submitted_at=HALF_PAST_MIDNIGHT_1_DECEMBER, updated_at=HALF_PAST_MIDNIGHT_1_DECEMBER)
    assert cell_of(fact, BEIJING)[0] == ("/D/S/C/", 202612, "roads")
    assert cell_of(fact, UTC)[0] == ("/D/S/C/", 202611, "roads")


def test_the_service_cuts_periods_in_its_setting(monkeypatch):
    monkeypatch.setenv("DISTRICT_TIME_ZONE", "UTC")
    assert parse_period("2026-12", Settings().district_zone).start == datetime(2026, 12, 1, tzinfo=UTC)


# --- deadline rules in working days --------------------------------------------------------------

FIVE_WORKING_DAYS = {"roads": {"*": {"resolve_working_days": 5}}}


def test_five_working_days_across_the_national_day_week():
    submitted = beijing(2026, 9, 30, 10, 0)
    budget = budget_for("roads", Urgency.NORMAL, overrides=FIVE_WORKING_DAYS, start=submitted,
                        calendar=WorkingCalendar(), zone=BEIJING)
    # 10-01..07 off, 10-08, 10-09, Saturday 10-10 (调休), 10-12, 10-13
    assert submitted + budget.resolve == beijing(2026, 10, 13, 17, 30)
    assert budget.respond == timedelta(hours=24)   # the other clock keeps its hours
    clock = DeadlineClock.start(DeadlineKind.RESOLVE, budget.resolve, submitted)
    assert clock.due_at == beijing(2026, 10, 13, 17, 30)
    assert not clock.is_breached(beijing(2026, 10, 13, 17, 29)) and clock.is_breached(beijing(2026, 10, 13, 17, 30))


def test_a_working_day_rule_beside_hours_and_the_districts_overrides():
    overrides = {"utilities": {"*": {"respond_working_days": 1, "resolve_hours": 48}}}
    friday = beijing(2026, 12, 4, 15, 0)
    budget = budget_for("utilities", Urgency.NORMAL, overrides=overrides, start=friday, calendar=WorkingCalendar(),
                        zone=BEIJING)
    assert (friday + budget.respond, budget.resolve) == (beijing(2026, 12, 7, 17, 30), timedelta(hours=48))
    closed_monday = WorkingCalendar(parse_overrides("2026-12-07=holiday"))
    assert friday + budget_for("utilities", Urgency.NORMAL, overrides=overrides, start=friday,
                               calendar=closed_monday, zone=BEIJING).respond == beijing(2026, 12, 8, 17, 30)
    # hours rules need no calendar, as before
    assert budget_for("utilities", Urgency.NORMAL, overrides={"utilities": {"*": {"resolve_hours": 72}}}).resolve \
        == timedelta(hours=72)


def test_a_complex_case_keeps_the_longer_of_its_rule_and_fifteen_days():
    submitted = beijing(2026, 9, 30, 10, 0)
    budget = budget_for("roads", Urgency.NORMAL, complex_case=True, overrides={"roads": {"*": {"resolve_working_days": 20}}},
                        start=submitted, calendar=WorkingCalendar(), zone=BEIJING)
    assert submitted + budget.resolve > submitted + timedelta(days=15)


@pytest.mark.parametrize("rule", [{"resolve_working_days": 0}, {"resolve_working_days": 2.5},
                                  {"respond_working_days": 1, "respond_hours": 4}])
def test_a_rule_no_clock_can_follow_refuses_to_start(monkeypatch, rule):
    monkeypatch.setenv("DEMAND_DEADLINES", f'{{"*": {{"*": {str(rule).replace(chr(39), chr(34))}}}}}')
    with pytest.raises(ValidationError):
        Settings()


def test_the_setting_reads_working_days(monkeypatch):
    monkeypatch.setenv("DEMAND_DEADLINES", '{"roads": {"*": {"resolve_working_days": 5}}}')
    settings = Settings()
    submitted = beijing(2026, 9, 30, 10, 0)
    budget = budget_for("roads", Urgency.NORMAL, overrides=settings.deadlines, start=submitted,
                        calendar=settings.district_calendar, zone=settings.district_zone)
    assert submitted + budget.resolve == beijing(2026, 10, 13, 17, 30)
