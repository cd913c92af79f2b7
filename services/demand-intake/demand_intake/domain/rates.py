"""The three rates of a hotline centre (response, resolution, satisfaction), defined once here and
in the README, and the periods they are counted over."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime


class BadPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime      # inclusive
    end: datetime        # exclusive


_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$")


def parse_period(label: str) -> Period:
    """`2026` (a year), `2026-Q3` (a quarter) or `2026-11` (a month), in UTC."""
    match = _PERIOD.match(label or "")
    if not match:
        raise BadPeriod(f"Period '{label}' is not YYYY, YYYY-Qn or YYYY-MM.")
    year, quarter, month = int(match[1]), match[2], match[3]
    if not 2000 <= year <= 2100:
        raise BadPeriod(f"Year {year} is out of range.")
    if quarter:
        first = 3 * (int(quarter) - 1) + 1
        start, months = datetime(year, first, 1, tzinfo=UTC), 3
    elif month:
        if not 1 <= int(month) <= 12:
            raise BadPeriod(f"Month {month} does not exist.")
        start, months = datetime(year, int(month), 1, tzinfo=UTC), 1
    else:
        start, months = datetime(year, 1, 1, tzinfo=UTC), 12
    index = start.month - 1 + months
    end = datetime(year + index // 12, index % 12 + 1, 1, tzinfo=UTC)
    return Period(label, start, end)


@dataclass(frozen=True)
class Counts:
    """What the read model counts for one area subtree and period (see README: the three rates)."""

    submitted: int = 0            # submitted in the period, not withdrawn, not merged into another
    response_settled: int = 0     # responded, or past the response deadline without a response
    responded_on_time: int = 0    # responded before any response-deadline breach
    handled: int = 0              # the population less rejected demands
    resolved: int = 0             # currently resolved or closed
    with_feedback: int = 0        # the resident's latest feedback is recorded
    satisfied: int = 0            # ... and it is satisfied or basically satisfied
    backlog: int = 0              # not yet resolved, closed or rejected
    overdue_open: int = 0         # backlog with a breached deadline


def ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


@dataclass(frozen=True)
class Rates:
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


def rates_of(c: Counts) -> Rates:
    return Rates(response_rate=ratio(c.responded_on_time, c.response_settled),
                 resolution_rate=ratio(c.resolved, c.handled),
                 satisfaction_rate=ratio(c.satisfied, c.with_feedback))
