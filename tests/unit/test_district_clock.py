"""The district's clock (yizhou.district_clock): periods cut at midnight in the district's zone."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from demand_intake.settings import Settings as DemandSettings
from yizhou.district_clock import (DEFAULT_ZONE, BadPeriodLabel, month_containing, period_bounds, quarter_containing,
                                   year_containing, yyyymm, zone_named)

BEIJING = zone_named("Asia/Shanghai")


def test_the_first_eight_hours_of_a_beijing_month_are_that_month():
    late = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)   # 2026-12-01 00:30 in Beijing
    assert month_containing(late, BEIJING) == "2026-12" and yyyymm(late, BEIJING) == 202612
    assert month_containing(late - timedelta(hours=1), BEIJING) == "2026-11"   # 23:30 on the 30th
    assert month_containing(late, UTC) == "2026-11"
    new_year = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)   # 2027-01-01 00:00 in Beijing
    assert (year_containing(new_year, BEIJING), quarter_containing(new_year, BEIJING)) == ("2027", "2027-Q1")
    assert (year_containing(new_year - timedelta(seconds=1), BEIJING),
            quarter_containing(new_year - timedelta(seconds=1), BEIJING)) == ("2026", "2026-Q4")


def test_a_naive_instant_is_taken_as_utc_and_an_offset_one_as_itself():
    assert month_containing(datetime(2026, 11, 30, 16, 30), BEIJING) == "2026-12"
    assert month_containing(datetime(2026, 12, 1, 0, 30, tzinfo=timezone(timedelta(hours=8))), BEIJING) == "2026-12"


@pytest.mark.parametrize(("label", "start", "end"), [
    ("2026-11", datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC)),
    ("2026-12", datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC)),
    ("2026-Q3", datetime(2026, 6, 30, 16, tzinfo=UTC), datetime(2026, 9, 30, 16, tzinfo=UTC)),
    ("2026-Q4", datetime(2026, 9, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC)),
    ("2026", datetime(2025, 12, 31, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC)),
])
def test_a_labelled_period_starts_and_ends_at_beijing_midnight(label, start, end):
    assert period_bounds(label, BEIJING) == (start, end)
    assert period_bounds(label, BEIJING)[0].tzinfo == UTC


def test_a_zone_with_summer_time_cuts_at_its_own_midnight():
    start, end = period_bounds("2026-07", zone_named("Europe/Berlin"))   # CEST, UTC+2
    assert (start, end) == (datetime(2026, 6, 30, 22, tzinfo=UTC), datetime(2026, 7, 31, 22, tzinfo=UTC))
    assert period_bounds("2026-01", zone_named("Europe/Berlin"))[0] == datetime(2025, 12, 31, 23, tzinfo=UTC)


@pytest.mark.parametrize("label", ["", "26", "2026-13", "2026-00", "2026-Q5", "1999", "2101", "2026-1", "2026-Q3x"])
def test_a_label_that_names_no_period_is_refused(label):
    with pytest.raises(BadPeriodLabel):
        period_bounds(label, BEIJING)


def test_the_setting_defaults_to_beijing_and_refuses_an_unknown_zone(monkeypatch):
    monkeypatch.delenv("DISTRICT_TIME_ZONE", raising=False)
    assert DemandSettings().district_zone == DEFAULT_ZONE == BEIJING
    monkeypatch.setenv("DISTRICT_TIME_ZONE", "Asia/Urumqi")
    assert DemandSettings().district_zone == zone_named("Asia/Urumqi")
    for bad in ("Asia/Beijing", "", "../../etc/passwd", "UTC+8"):
        monkeypatch.setenv("DISTRICT_TIME_ZONE", bad)
        with pytest.raises(ValidationError, match="IANA time zone"):
            DemandSettings()
