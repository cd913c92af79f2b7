"""Deliberation meetings (党政群共商共治): demands on the agenda, attendees and minutes, and the
decisions taken when the meeting closes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from demand_intake.domain.errors import MeetingRuleViolation
from yizhou.state_machine import StateMachine


class MeetingState(StrEnum):
    SCHEDULED = "scheduled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


MEETING_MACHINE: StateMachine[MeetingState] = StateMachine("meeting", {
    MeetingState.SCHEDULED: frozenset({MeetingState.CLOSED, MeetingState.CANCELLED}),
})


class DecisionKind(StrEnum):
    RESOLVE_DEMAND = "resolve_demand"
    REQUEST_PROJECT = "request_project"


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    demand_ids: list[str]
    category: str
    summary: str


@dataclass
class Meeting:
    id: str
    area_code: str
    area_path: str
    title: str
    scheduled_at: datetime
    created_by: str
    state: MeetingState = MeetingState.SCHEDULED
    agenda: list[str] = field(default_factory=list)      # demand ids
    attendees: list[dict] = field(default_factory=list)
    minutes: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    closed_at: datetime | None = None
    version: int = 1

    def require_open(self) -> None:
        if self.state != MeetingState.SCHEDULED:
            raise MeetingRuleViolation(f"The meeting is {self.state.value}; it no longer changes.")

    def cancel(self, now: datetime) -> None:
        MEETING_MACHINE.check(self.state, MeetingState.CANCELLED)
        self.state, self.closed_at = MeetingState.CANCELLED, now

    def close(self, decisions: list[Decision], now: datetime) -> None:
        """A meeting closes only with attendees and minutes, and decides only on its agenda."""
        MEETING_MACHINE.check(self.state, MeetingState.CLOSED)
        if not self.attendees:
            raise MeetingRuleViolation("A meeting closes only once its attendees are recorded.")
        if not (self.minutes or "").strip():
            raise MeetingRuleViolation("A meeting closes only once its minutes are recorded.")
        seen: set[str] = set()
        for d in decisions:
            if not d.demand_ids:
                raise MeetingRuleViolation("Each decision names the demands it is about.")
            off_agenda = [i for i in d.demand_ids if i not in self.agenda]
            if off_agenda:
                raise MeetingRuleViolation(f"Demands {off_agenda} are not on the agenda.")
            if d.kind == DecisionKind.RESOLVE_DEMAND:
                twice = seen & set(d.demand_ids)
                if twice:
                    raise MeetingRuleViolation(f"Demands {sorted(twice)} are resolved by two decisions.")
                seen |= set(d.demand_ids)
        self.state, self.decisions, self.closed_at = MeetingState.CLOSED, decisions, now
