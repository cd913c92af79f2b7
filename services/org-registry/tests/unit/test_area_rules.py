"""The axis rules, as pure functions: no database, no web."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_registry.domain.area import (
    Area,
    check_move,
    check_parent,
    check_rename,
    check_retire,
    parent_level,
    path_under,
)
from org_registry.domain.errors import (
    AreaHasActiveChildren,
    AreaIsRetired,
    AxisRuleViolation,
    MoveCycle,
    NothingToChange,
    WrongLevel,
)
from yizhou.axis_events import Level

D = Area("CY", "Chaoyang", Level.DISTRICT, None, "/CY/")
S1 = Area("CY01", "Jianwai", Level.SUBDISTRICT, "CY", "/CY/CY01/")
S2 = Area("CY02", "Chaowai", Level.SUBDISTRICT, "CY", "/CY/CY02/")
C1 = Area("CY01001", "Community 1", Level.COMMUNITY, "CY01", "/CY/CY01/CY01001/")
G1 = Area("CY0100101", "Grid 1", Level.GRID, "CY01001", "/CY/CY01/CY01001/CY0100101/")


def test_each_level_has_the_level_above_as_parent():
    assert parent_level(Level.DISTRICT) is None
    assert parent_level(Level.SUBDISTRICT) == Level.DISTRICT
    assert parent_level(Level.COMMUNITY) == Level.SUBDISTRICT
    assert parent_level(Level.GRID) == Level.COMMUNITY


@pytest.mark.parametrize("level,parent", [
    (Level.GRID, S1), (Level.GRID, D), (Level.COMMUNITY, D), (Level.COMMUNITY, C1),
    (Level.SUBDISTRICT, S1), (Level.DISTRICT, D), (Level.SUBDISTRICT, None),
])
def test_wrong_parent_level_is_refused(level, parent):
    with pytest.raises(WrongLevel):
        check_parent(level, parent)


@pytest.mark.parametrize("level,parent", [(Level.DISTRICT, None), (Level.SUBDISTRICT, D), (Level.COMMUNITY, S1), (Level.GRID, C1)])
def test_right_parent_level_is_accepted(level, parent):
    check_parent(level, parent)


def test_retired_parent_takes_no_children():
    retired = Area("CY09", "Old", Level.SUBDISTRICT, "CY", "/CY/CY09/", datetime.now(UTC))
    with pytest.raises(AreaIsRetired):
        check_parent(Level.COMMUNITY, retired)


def test_move_under_own_descendant_is_a_cycle():
    with pytest.raises(MoveCycle):
        check_move(S1, G1)
    with pytest.raises(MoveCycle):
        check_move(C1, C1)


def test_move_gives_the_new_path_and_checks_levels():
    assert check_move(C1, S2) == "/CY/CY02/CY01001/"
    with pytest.raises(WrongLevel):
        check_move(G1, S2)
    with pytest.raises(NothingToChange):
        check_move(C1, S1)


def test_retire_needs_no_active_children_and_happens_once():
    with pytest.raises(AreaHasActiveChildren):
        check_retire(C1, active_children=2)
    check_retire(C1, active_children=0)
    with pytest.raises(AreaIsRetired):
        check_retire(Area(**{**C1.__dict__, "retired_at": datetime.now(UTC)}), 0)


def test_rename_normalizes_whitespace_and_refuses_blank_or_same():
    assert check_rename(C1, "  New   name ") == "New name"
    with pytest.raises(AxisRuleViolation):
        check_rename(C1, "   ")
    with pytest.raises(NothingToChange):
        check_rename(C1, "Community 1")


codes = st.from_regex(r"[A-Z0-9]{1,8}", fullmatch=True)


@given(st.lists(codes, min_size=1, max_size=4, unique=True))
def test_paths_nest_and_ancestors_read_back(chain):
    parent = None
    for code in chain:
        path = path_under(parent, code)
        if parent is not None:
            assert path.startswith(parent.path)
        parent = Area(code, code, Level.DISTRICT, parent.code if parent else None, path)
    assert parent.ancestor_codes == chain[:-1]
