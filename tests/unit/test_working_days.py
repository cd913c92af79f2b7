"""Working days on the State Council's holiday calendar with make-up working days (yizhou.working_days),
checked against the kept package chinesecalendar."""

import logging
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from demand_intake.settings import Settings as DemandSettings
from yizhou.district_clock import zone_named
from yizhou.working_days import WorkingCalendar, parse_overrides

BEIJING = zone_named("Asia/Shanghai")


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING).astimezone(UTC)


def test_the_national_day_week_is_off_and_its_saturday_make_up_day_is_on():
    calendar = WorkingCalendar()
    assert not any(calendar.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert calendar.is_working_day(date(2026, 10, 10))          # a Saturday: 调休
    assert not calendar.is_working_day(date(2026, 10, 11))      # a plain Sunday
    assert calendar.is_working_day(date(2026, 9, 30)) and calendar.is_working_day(date(2026, 10, 8))


def test_five_working_days_from_the_eve_of_national_day_end_on_13_october_at_half_past_five():
    # 10-08, 10-09, 10-10 (Saturday, make-up), 10-12, 10-13
    due = WorkingCalendar().add_working_days(beijing(2026, 9, 30, 10, 0), 5, BEIJING)
    assert due == beijing(2026, 10, 13, 17, 30) and due.tzinfo == UTC


def test_the_start_day_never_counts_whatever_the_hour():
    calendar = WorkingCalendar()
    assert calendar.add_working_days(beijing(2026, 12, 7, 8, 0), 1, BEIJING) == beijing(2026, 12, 8, 17, 30)
    assert calendar.add_working_days(beijing(2026, 12, 7, 23, 0), 1, BEIJING) == beijing(2026, 12, 8, 17, 30)
    # 2026-12-06T17:00Z is already Monday 12-07 in Beijing: the day is the district's, not UTC's
    assert calendar.add_working_days(datetime(2026, 12, 6, 17, 0, tzinfo=UTC), 1, BEIJING) == beijing(2026, 12, 8, 17, 30)
    assert calendar.add_working_days(beijing(2026, 12, 4, 12, 0), 1, BEIJING) == beijing(2026, 12, 7, 17, 30)  # Fri -> Mon
    with pytest.raises(ValueError):
        calendar.add_working_days(beijing(2026, 12, 4, 12, 0), 0, BEIJING)


def test_a_year_the_package_lacks_counts_monday_to_friday_and_says_so(caplog):
    calendar = WorkingCalendar()
    assert WorkingCalendar.covers(2026) and not WorkingCalendar.covers(2099)
    with caplog.at_level(logging.WARNING, logger="yizhou.working_days"):
        assert calendar.is_working_day(date(2099, 1, 1))        # a Thursday: no holiday data, so working
        assert not calendar.is_working_day(date(2099, 1, 3))    # a Saturday
    assert "does not cover 2099" in caplog.text


def test_the_district_overrides_win_over_the_package():
    calendar = WorkingCalendar(parse_overrides("2027-01-01=holiday, 2027-02-06=working,2026-10-12=holiday"))
    assert not calendar.is_working_day(date(2027, 1, 1)) and calendar.is_working_day(date(2027, 2, 6))
    # 10-12 off too: the five days from 09-30 end a day later
    assert calendar.add_working_days(beijing(2026, 9, 30, 10, 0), 5, BEIJING) == beijing(2026, 10, 14, 17, 30)


@pytest.mark.parametrize("text", ["2027-13-01=holiday", "2027-01-01", "2027-01-01=off", "tomorrow=holiday",
                                  "2027-01-01=holiday,2027-01-01=working"])
def test_an_unreadable_override_refuses_to_start(monkeypatch, text):
    with pytest.raises(ValueError):
        parse_overrides(text)
    monkeypatch.setenv("DISTRICT_CALENDAR_OVERRIDES", text)
    with pytest.raises(ValidationError):
        DemandSettings()


def test_the_setting_reaches_the_calendar(monkeypatch):
    monkeypatch.setenv("DISTRICT_CALENDAR_OVERRIDES", "2027-01-01=holiday,2027-02-06=working")
    assert DemandSettings().district_calendar.overrides == {date(2027, 1, 1): False, date(2027, 2, 6): True}
    monkeypatch.delenv("DISTRICT_CALENDAR_OVERRIDES")
    assert DemandSettings().district_calendar.overrides == {}
