"""Coordination bodies: the level each kind sits at, the chair rotating, units joining and leaving."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_registry.domain.coordination import (
    BodyKind,
    CoordinationBody,
    Sector,
    add_months,
    add_unit,
    check_level,
    missing_sectors,
    next_chair,
    remove_unit,
    rotate,
)
from org_registry.domain.errors import RegistryRuleViolation, WrongBodyLevel
from yizhou.axis_events import Level


def body(units=("a", "b", "c"), chair="a") -> CoordinationBody:
    return CoordinationBody(id="b1", kind=BodyKind.SUB_COMMITTEE, name="x", area_code="C", member_unit_ids=units,
                            chair_unit_id=chair, chair_since=date(2026, 1, 31), term_months=1)


def test_each_kind_sits_at_its_level():
    check_level(BodyKind.LEADING_GROUP, Level.DISTRICT)
    check_level(BodyKind.GRID_COLLABORATION_GROUP, Level.GRID)
    with pytest.raises(WrongBodyLevel):
        check_level(BodyKind.COORDINATION_COMMITTEE, Level.COMMUNITY)


def test_the_chair_rotates_in_order_and_wraps():
    b = body()
    chairs = []
    for month in range(2, 6):
        b = rotate(b, date(2026, month, 1))
        chairs.append(b.chair_unit_id)
    assert chairs == ["b", "c", "a", "b"]
    assert body().next_rotation_on == date(2026, 2, 28)  # a month after Jan 31
    with pytest.raises(RegistryRuleViolation):
        rotate(body(units=("a",)), date(2026, 3, 1))
    with pytest.raises(RegistryRuleViolation):
        rotate(body(), date(2025, 12, 1))


@given(st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=8, unique=True))
def test_rotating_through_every_unit_comes_back_to_the_first(order):
    chair, seen = order[0], []
    for _ in order:
        seen.append(chair)
        chair = next_chair(tuple(order), chair)
    assert seen == order and chair == order[0]


def test_a_leaving_chair_hands_over_to_the_next_unit():
    after = remove_unit(body(chair="b"), "b", date(2026, 3, 1))
    assert after.member_unit_ids == ("a", "c") and after.chair_unit_id == "c" and after.chair_since == date(2026, 3, 1)
    after = remove_unit(body(chair="c"), "c", date(2026, 3, 1))
    assert after.chair_unit_id == "a"
    assert remove_unit(body(units=("a",)), "a", date(2026, 3, 1)).chair_unit_id is None
    assert remove_unit(body(), "b", date(2026, 3, 1)).chair_unit_id == "a"  # someone else left: chair stays
    with pytest.raises(RegistryRuleViolation):
        remove_unit(body(), "z", date(2026, 3, 1))


def test_units_join_last_and_the_first_unit_of_an_empty_body_chairs():
    assert add_unit(body(), "d", date(2026, 3, 1)).member_unit_ids == ("a", "b", "c", "d")
    joined = add_unit(body(units=(), chair=None), "d", date(2026, 3, 1))
    assert joined.chair_unit_id == "d" and joined.chair_since == date(2026, 3, 1)
    with pytest.raises(RegistryRuleViolation):
        add_unit(body(), "a", date(2026, 3, 1))


def test_months_and_sectors():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29) and add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)
    assert missing_sectors([Sector.PARTY, Sector.PARTY]) == [Sector.GOVERNMENT, Sector.PUBLIC]
