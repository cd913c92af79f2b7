"""The work network: coordination bodies at each level of the axis (with member units and a chair
that rotates among them) and the party-government-public consultation platforms (党政群共商共治)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from org_registry.domain.errors import NotAMemberUnit, RegistryRuleViolation, WrongBodyLevel
from yizhou.axis_events import Level


class BodyKind(StrEnum):
    LEADING_GROUP = "leading_group"                            # 党建工作领导小组 (district)
    COORDINATION_COMMITTEE = "coordination_committee"          # 党建工作协调委员会 (subdistrict)
    SUB_COMMITTEE = "sub_committee"                            # 协调分会 (community)
    GRID_COLLABORATION_GROUP = "grid_collaboration_group"      # 协作组 (grid)


BODY_LEVEL: dict[BodyKind, Level] = {
    BodyKind.LEADING_GROUP: Level.DISTRICT, BodyKind.COORDINATION_COMMITTEE: Level.SUBDISTRICT,
    BodyKind.SUB_COMMITTEE: Level.COMMUNITY, BodyKind.GRID_COLLABORATION_GROUP: Level.GRID,
}


class Sector(StrEnum):
    """Who a consultation representative speaks for: party, government, or the public."""

    PARTY = "party"
    GOVERNMENT = "government"
    PUBLIC = "public"


@dataclass(frozen=True)
class CoordinationBody:
    id: str
    kind: BodyKind
    name: str
    area_code: str
    member_unit_ids: tuple[str, ...]  # in rotation order
    chair_unit_id: str | None
    chair_since: date | None
    term_months: int

    @property
    def next_rotation_on(self) -> date | None:
        return add_months(self.chair_since, self.term_months) if self.chair_since else None


def check_level(kind: BodyKind, level: Level) -> None:
    if BODY_LEVEL[kind] != level:
        raise WrongBodyLevel(f"A {kind.value} sits at a {BODY_LEVEL[kind].value}, not at a {level.value}.")


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_chair(order: tuple[str, ...], current: str | None) -> str | None:
    """The chair passes to the next member unit in rotation order, wrapping round."""
    if not order:
        return None
    if current not in order:
        return order[0]
    return order[(order.index(current) + 1) % len(order)]


def rotate(body: CoordinationBody, on: date) -> CoordinationBody:
    if len(body.member_unit_ids) < 2:
        raise RegistryRuleViolation("A chair rotates among at least two member units.")
    if body.chair_since and on < body.chair_since:
        raise RegistryRuleViolation(f"The current chair took office on {body.chair_since}; rotate on or after it.")
    return replace(body, chair_unit_id=next_chair(body.member_unit_ids, body.chair_unit_id), chair_since=on)


def add_unit(body: CoordinationBody, unit_id: str, on: date) -> CoordinationBody:
    if unit_id in body.member_unit_ids:
        raise RegistryRuleViolation(f"Unit '{unit_id}' is already a member unit.")
    order = (*body.member_unit_ids, unit_id)
    chair, since = (body.chair_unit_id, body.chair_since) if body.chair_unit_id else (unit_id, on)
    return replace(body, member_unit_ids=order, chair_unit_id=chair, chair_since=since)


def remove_unit(body: CoordinationBody, unit_id: str, on: date) -> CoordinationBody:
    """A chair that leaves hands over to the next unit in the rotation."""
    if unit_id not in body.member_unit_ids:
        raise NotAMemberUnit(f"Unit '{unit_id}' is not a member unit.")
    order = tuple(u for u in body.member_unit_ids if u != unit_id)
    chair, since = body.chair_unit_id, body.chair_since
    if chair == unit_id:
        chair = next_chair(body.member_unit_ids, unit_id) if order else None
        since = on if chair else None
    return replace(body, member_unit_ids=order, chair_unit_id=chair, chair_since=since)


def missing_sectors(sectors: list[Sector]) -> list[Sector]:
    """A platform deliberates jointly only with party, government and public all represented."""
    return [s for s in Sector if s not in sectors]


# --- part-time members of the regional committees (兼职委员, seed 003) -------------------------------------------

class Seat(StrEnum):
    DEPUTY_SECRETARY = "deputy_secretary"  # 兼职副书记
    MEMBER = "member"                      # 兼职委员


class LineOfWork(StrEnum):
    """Shanghai's "1+3" (seed 003): one regional committee, three lines of work under it."""

    RESIDENTIAL = "residential"  # 居民区党建
    TWO_NEW = "two_new"          # "两新"组织党建
    UNITS = "units"              # 驻区机关、企事业单位党建


REGIONAL_COMMITTEES = frozenset({BodyKind.COORDINATION_COMMITTEE, BodyKind.SUB_COMMITTEE})
MAX_TERM_MONTHS = 60  # a committee's term is five years at most


def check_takes_part_time_members(kind: BodyKind) -> None:
    if kind not in REGIONAL_COMMITTEES:
        raise RegistryRuleViolation(f"Part-time members sit on regional committees (a coordination committee or "
                                    f"sub-committee), not on a {kind.value}.")


def check_term(term_from: date, term_to: date) -> None:
    if term_to <= term_from:
        raise RegistryRuleViolation(f"The term ends ({term_to}) after it starts ({term_from}).")
    if term_to > add_months(term_from, MAX_TERM_MONTHS):
        raise RegistryRuleViolation("A term lasts five years at most.")


def lines_without_member(active_lines: list[LineOfWork]) -> list[LineOfWork]:
    """The lines of the "1+3" structure nobody serves on today (all three should be)."""
    return [line for line in LineOfWork if line not in set(active_lines)]
