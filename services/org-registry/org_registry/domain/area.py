"""The area axis: four levels, each area's parent exactly one level up, paths of codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from org_registry.domain.errors import (AreaHasActiveChildren, AreaIsRetired, AxisRuleViolation, MoveCycle,
                                        NothingToChange, WrongLevel)
from yizhou.axis_events import KINDS_OF_LEVEL, AreaKind, Level

LEVELS: tuple[Level, ...] = (Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: Level
    parent_code: str | None
    path: str
    retired_at: datetime | None = None
    kind: AreaKind | None = None  # None: the level's first kind (areas from before kinds)

    @property
    def area_kind(self) -> AreaKind:
        return self.kind or KINDS_OF_LEVEL[self.level][0]

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    @property
    def ancestor_codes(self) -> list[str]:
        """From the district down to the parent."""
        return self.path.strip("/").split("/")[:-1]


def parent_level(level: Level) -> Level | None:
    index = LEVELS.index(level)
    return LEVELS[index - 1] if index else None


def path_under(parent: Area | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def normalize_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AxisRuleViolation("An area's name cannot be blank.")
    return cleaned


def check_kind(level: Level, kind: AreaKind | None) -> AreaKind:
    """The kind an area of `level` is (a subdistrict or an area; a community or a village)."""
    kinds = KINDS_OF_LEVEL[level]
    if kind is None:
        return kinds[0]
    if kind not in kinds:
        raise WrongLevel(f"A {level.value} is a {' or a '.join(k.value for k in kinds)}, not a {kind.value}.")
    return kind


def check_parent(level: Level, parent: Area | None) -> None:
    expected = parent_level(level)
    if expected is None:
        if parent is not None:
            raise WrongLevel("A district is the top of the axis and has no parent.")
        return
    if parent is None:
        raise WrongLevel(f"A {level.value} needs a parent {expected.value}.")
    if parent.level != expected:
        raise WrongLevel(f"A {level.value}'s parent must be a {expected.value}, not a {parent.level.value}.")
    if parent.retired:
        raise AreaIsRetired(f"Parent '{parent.code}' is retired and takes no new areas.")


def check_rename(area: Area, new_name: str) -> str:
    if area.retired:
        raise AreaIsRetired(f"Area '{area.code}' is retired.")
    name = normalize_name(new_name)
    if name == area.name:
        raise NothingToChange(f"Area '{area.code}' is already named '{name}'.")
    return name


def check_move(area: Area, new_parent: Area) -> str:
    """Returns the area's new path."""
    if area.retired:
        raise AreaIsRetired(f"Area '{area.code}' is retired.")
    if new_parent.path.startswith(area.path):
        raise MoveCycle(f"'{new_parent.code}' lies under '{area.code}'; an area cannot move below itself.")
    check_parent(area.level, new_parent)
    if new_parent.code == area.parent_code:
        raise NothingToChange(f"Area '{area.code}' is already under '{new_parent.code}'.")
    return path_under(new_parent, area.code)


def check_retire(area: Area, active_children: int) -> None:
    if area.retired:
        raise AreaIsRetired(f"Area '{area.code}' is already retired.")
    if active_children:
        raise AreaHasActiveChildren(
            f"Area '{area.code}' has {active_children} active child area(s); move or retire them first.")
