"""Deadlines: how long a demand may wait for a response and for a resolution, per category and
urgency, and the clocks that measure them (paused only in documented states)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from demand_intake.domain.demand import State, Urgency


class DeadlineKind(StrEnum):
    RESPOND = "respond"        # submitted -> first response (accepted or rejected)
    RESOLVE = "resolve"        # submitted -> resolved
    REPORT_IN = "report_in"    # whistle dispatch -> the named unit reports in


@dataclass(frozen=True)
class Budget:
    respond: timedelta
    resolve: timedelta


HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# Defaults (documented in docs/services/demand-intake.md); settings may override any (category, urgency) pair, with
# "*" matching any category or urgency. Lookup order: (category, urgency), (category, *),
# (*, urgency), (*, *).
DEFAULT_BUDGETS: dict[tuple[str, str], Budget] = {
    ("*", Urgency.EMERGENCY.value): Budget(respond=2 * HOUR, resolve=1 * DAY),
    ("*", Urgency.URGENT.value): Budget(respond=12 * HOUR, resolve=3 * DAY),
    ("*", Urgency.NORMAL.value): Budget(respond=24 * HOUR, resolve=7 * DAY),
    # Water, power, gas and heating outages: answered within a day, repaired within three.
    ("utilities", "*"): Budget(respond=24 * HOUR, resolve=3 * DAY),
    ("utilities", Urgency.EMERGENCY.value): Budget(respond=2 * HOUR, resolve=1 * DAY),
}
COMPLEX_RESOLVE = 15 * DAY          # a case staff mark complex when accepting it
DEFAULT_REPORT_IN = 24 * HOUR       # a whistled unit reports in within a day unless told otherwise


def budget_for(category: str, urgency: Urgency, *, complex_case: bool = False,
               overrides: dict[str, dict[str, dict[str, float]]] | None = None) -> Budget:
    """`overrides` is {category|*: {urgency|*: {"respond_hours": h, "resolve_hours": h}}}."""
    table = dict(DEFAULT_BUDGETS)
    for cat, per_urgency in (overrides or {}).items():
        for urg, hours in per_urgency.items():
            base = table.get((cat, urg)) or Budget(24 * HOUR, 7 * DAY)
            table[(cat, urg)] = Budget(
                respond=timedelta(hours=hours["respond_hours"]) if "respond_hours" in hours else base.respond,
                resolve=timedelta(hours=hours["resolve_hours"]) if "resolve_hours" in hours else base.resolve)
    for key in ((category, urgency.value), (category, "*"), ("*", urgency.value), ("*", "*")):
        if key in table:
            budget = table[key]
            break
    else:
        budget = Budget(24 * HOUR, 7 * DAY)
    if complex_case:
        budget = Budget(budget.respond, max(budget.resolve, COMPLEX_RESOLVE))
    return budget


@dataclass
class DeadlineClock:
    """A budget of seconds that runs, pauses and ends. `due_at` exists only while it runs."""

    kind: DeadlineKind
    budget_s: int
    consumed_s: int = 0
    running_since: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None            # met | cancelled
    breached_at: datetime | None = None   # when demand.overdue was emitted (once, ever)
    dispatch_id: str = ""

    @classmethod
    def start(cls, kind: DeadlineKind, budget: timedelta, now: datetime, dispatch_id: str = "") -> DeadlineClock:
        return cls(kind=kind, budget_s=int(budget.total_seconds()), running_since=now, dispatch_id=dispatch_id)

    @property
    def due_at(self) -> datetime | None:
        if self.running_since is None or self.ended_at is not None:
            return None
        return self.running_since + timedelta(seconds=self.budget_s - self.consumed_s)

    @property
    def running(self) -> bool:
        return self.running_since is not None and self.ended_at is None

    def pause(self, now: datetime) -> None:
        if self.running:
            self.consumed_s += int((now - self.running_since).total_seconds())
            self.running_since = None

    def resume(self, now: datetime) -> None:
        if self.ended_at is None and self.running_since is None:
            self.running_since = now

    def end(self, now: datetime, outcome: str) -> None:
        if self.ended_at is None:
            self.pause(now)
            self.ended_at, self.outcome = now, outcome

    def is_breached(self, now: datetime) -> bool:
        due = self.due_at
        return due is not None and self.breached_at is None and now >= due


# What each state change does to the respond and resolve clocks. The resolve clock is PAUSED only
# while a demand is `resolved` (waiting for the resident's feedback): a reopened demand resumes it
# without counting the wait. Escalation and whistle dispatch are not state changes and never touch
# a clock (a transfer never resets it).
def clock_effects(target: State) -> dict[DeadlineKind, str]:
    if target in (State.ACCEPTED, State.REJECTED):
        effects = {DeadlineKind.RESPOND: "met"}
        if target == State.REJECTED:
            effects[DeadlineKind.RESOLVE] = "cancelled"
        return effects
    if target in (State.WITHDRAWN, State.MERGED):
        return {DeadlineKind.RESPOND: "cancelled", DeadlineKind.RESOLVE: "cancelled", DeadlineKind.REPORT_IN: "cancelled"}
    if target == State.RESOLVED:
        return {DeadlineKind.RESOLVE: "pause", DeadlineKind.REPORT_IN: "cancelled"}
    if target == State.REOPENED:
        return {DeadlineKind.RESOLVE: "resume"}
    if target == State.CLOSED:
        return {DeadlineKind.RESOLVE: "met"}
    return {}


def apply_effect(clock: DeadlineClock, effect: str, now: datetime) -> None:
    if effect == "pause":
        clock.pause(now)
    elif effect == "resume":
        clock.resume(now)
    else:
        clock.end(now, effect)
