"""Issue 21: evaluation periods (quarters and years of cards, figures and evaluations) begin at
midnight on the district's clock, not at midnight UTC."""

from datetime import UTC, datetime, timedelta

import pytest

from dual_registration.domain.errors import InvalidPeriod
from dual_registration.domain.evaluation import parse_period, period_containing
from dual_registration.settings import Settings
from yizhou.district_clock import DEFAULT_ZONE, zone_named

BEIJING = zone_named("Asia/Shanghai")


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING).astimezone(UTC)


def test_quarters_and_years_begin_at_beijing_midnight():
    assert DEFAULT_ZONE == BEIJING
    q3 = parse_period("2026-Q3", BEIJING)
    assert (q3.starts_at, q3.ends_at) == (datetime(2026, 6, 30, 16, tzinfo=UTC), datetime(2026, 9, 30, 16, tzinfo=UTC))
    q4 = parse_period("2026-Q4", BEIJING)
    assert (q4.starts_at, q4.ends_at) == (beijing(2026, 10, 1), beijing(2027, 1, 1))
    year = parse_period("2026", BEIJING)
    assert (year.starts_at, year.ends_at, year.is_year) == (beijing(2026, 1, 1), beijing(2027, 1, 1), True)
    assert parse_period("2026-Q4", UTC).starts_at == datetime(2026, 10, 1, tzinfo=UTC)   # a district on UTC


def test_a_service_hour_early_on_1_october_beijing_is_the_fourth_quarters():
    at = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)   # 2026-10-01 01:00 in Beijing
    assert period_containing(at, zone=BEIJING).label == "2026-Q4"
    assert period_containing(at - timedelta(hours=2), zone=BEIJING).label == "2026-Q3"
    assert period_containing(at, zone=UTC).label == "2026-Q3"   # what UTC quarters said
    new_year = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert period_containing(new_year, quarterly=False, zone=BEIJING).label == "2027"
    q4 = parse_period("2026-Q4", BEIJING)
    assert q4.starts_at <= at < q4.ends_at


@pytest.mark.parametrize("label", ["2026-11", "2026-Q5", "1999", "", "2026-Q"])
def test_a_label_that_is_no_evaluation_period_is_refused(label):
    with pytest.raises(InvalidPeriod):
        parse_period(label, BEIJING)


def test_the_service_cuts_periods_in_its_setting(monkeypatch):
    monkeypatch.setenv("DISTRICT_TIME_ZONE", "UTC")
    assert parse_period("2026-Q4", Settings().district_zone).starts_at == datetime(2026, 10, 1, tzinfo=UTC)
    monkeypatch.delenv("DISTRICT_TIME_ZONE")
    assert parse_period("2026-Q4", Settings().district_zone).starts_at == beijing(2026, 10, 1)
