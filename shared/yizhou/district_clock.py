"""The district's clock: the month, quarter and year an instant falls in, and the instants a labelled
period starts and ends at, in the district's time zone (`DISTRICT_TIME_ZONE`, docs/operations.md
"The district's clock"). Staff in Beijing count 00:00-08:00 on the 1st in the new month, which whole
UTC months did not.

Plain functions of an instant and a zone: nothing here reads a setting, so the domain may use them
and is handed the zone (`yizhou.district_settings.DistrictSettings.district_zone`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "Asia/Shanghai"
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)
FIRST_YEAR, LAST_YEAR = 2000, 2100   # the years a period label may name

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$")


class BadPeriodLabel(ValueError):
    """A label that names no period ('2026', '2026-Q3', '2026-11' do)."""


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone called `name` (e.g. 'Asia/Shanghai'); ValueError for a name the system does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):   # ValueError: a path or an empty name
        raise ValueError(f"'{name}' is not an IANA time zone (e.g. {DEFAULT_TIME_ZONE}).") from None


def local(at: datetime, zone: tzinfo) -> datetime:
    """`at` on the district's wall clock. A naive instant is taken as UTC, as the platform stores them
    (astimezone would take it as the host's local time)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(zone)


def month_containing(at: datetime, zone: tzinfo) -> str:
    """'2026-12' for 2026-11-30T16:30Z in Asia/Shanghai."""
    at = local(at, zone)
    return f"{at.year:04d}-{at.month:02d}"


def quarter_containing(at: datetime, zone: tzinfo) -> str:
    at = local(at, zone)
    return f"{at.year:04d}-Q{(at.month - 1) // 3 + 1}"


def year_containing(at: datetime, zone: tzinfo) -> str:
    return f"{local(at, zone).year:04d}"


def yyyymm(at: datetime, zone: tzinfo) -> int:
    """The month containing `at` as the integer yyyymm (how read models key months)."""
    at = local(at, zone)
    return at.year * 100 + at.month


def period_bounds(label: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """The [start, end) of the period `label` names, '2026' (a year), '2026-Q3' (a quarter) or
    '2026-11' (a month), as UTC instants: midnight on the district's clock where it begins and where
    the next one begins. BadPeriodLabel for anything else or a year outside 2000-2100."""
    match = _PERIOD.match(label or "")
    if not match:
        raise BadPeriodLabel(f"Period '{label}' is not YYYY, YYYY-Qn or YYYY-MM.")
    year, quarter, month = int(match[1]), match[2], match[3]
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadPeriodLabel(f"Year {year} is out of range.")
    if quarter:
        first, months = 3 * (int(quarter) - 1) + 1, 3
    elif month:
        if not 1 <= int(month) <= 12:
            raise BadPeriodLabel(f"Month {month} does not exist.")
        first, months = int(month), 1
    else:
        first, months = 1, 12
    index = first - 1 + months
    start = datetime(year, first, 1, tzinfo=zone)
    end = datetime(year + index // 12, index % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
