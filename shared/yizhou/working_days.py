"""Working days on the State Council's holiday calendar, make-up working days (调休) included, from
the kept package `chinesecalendar` (updated yearly when the notice for the next year is out), with the
district's own overrides (`DISTRICT_CALENDAR_OVERRIDES`) on top. docs/operations.md "The district's
clock" says how to keep it current.

A year the package does not cover yet counts Monday to Friday as working days (and logs a warning
once per year): add that year's holidays to the overrides until the package is updated."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import chinese_calendar

from yizhou.district_clock import local

log = logging.getLogger(__name__)

OFFICE_CLOSES = time(17, 30)   # the end of a working day in the district's offices
COVERED_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
_KINDS = {"working": True, "holiday": False}
_warned: set[int] = set()


def parse_overrides(text: str) -> dict[date, bool]:
    """'2027-01-01=holiday,2027-02-06=working' -> {date: is a working day}. ValueError names the bad entry."""
    overrides: dict[date, bool] = {}
    for entry in (part.strip() for part in (text or "").split(",")):
        if not entry:
            continue
        day_text, _, kind = (s.strip() for s in entry.partition("="))
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise ValueError(f"'{entry}': '{day_text}' is not a date (YYYY-MM-DD).") from None
        if kind not in _KINDS:
            raise ValueError(f"'{entry}': say '=working' or '=holiday'.")
        if overrides.get(day, _KINDS[kind]) != _KINDS[kind]:
            raise ValueError(f"'{day_text}' is overridden both as a working day and as a holiday.")
        overrides[day] = _KINDS[kind]
    return overrides


@dataclass(frozen=True)
class WorkingCalendar:
    """`overrides`: {date: is a working day}, which win over the package's calendar."""

    overrides: Mapping[date, bool] = field(default_factory=dict)

    @staticmethod
    def covers(year: int) -> bool:
        """Whether the package knows the State Council's holidays of `year`."""
        return year in COVERED_YEARS

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if self.covers(day.year):
            return chinese_calendar.is_workday(day)
        if day.year not in _warned:
            _warned.add(day.year)
            log.warning("the holiday calendar (chinesecalendar) does not cover %s: counting Monday to Friday as "
                        "working days, plus DISTRICT_CALENDAR_OVERRIDES", day.year)
        return day.weekday() < 5

    def add_working_days(self, start: datetime, days: int, zone: tzinfo) -> datetime:
        """The deadline `days` working days after `start`, as a UTC instant. The rule: the day `start`
        falls on (on the district's clock, `zone`) never counts, whatever the hour; counting from the
        next day, the deadline is the end of office hours (17:30) on the `days`-th working day. So a
        demand submitted on Wednesday 2026-09-30 with 5 working days is due on Tuesday 2026-10-13
        at 17:30 Beijing time (the National Day week is off, Saturday 10-10 is a make-up working day)."""
        if days < 1:
            raise ValueError(f"{days} working days: a working-day rule counts at least one.")
        day, left = local(start, zone).date(), days
        while left:
            day += timedelta(days=1)
            left -= self.is_working_day(day)
        return datetime.combine(day, OFFICE_CLOSES, tzinfo=zone).astimezone(UTC)
