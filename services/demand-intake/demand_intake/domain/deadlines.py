"""Deadlines: how long a demand may wait for a response and for a resolution, per category and
urgency, and the clocks that measure them (paused only in documented states)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from demand_intake.domain.demand import State, Urgency
from yizhou.district_clock import DEFAULT_ZONE
from yizhou.working_days import WorkingCalendar


class DeadlineKind(StrEnum):
    RESPOND = "respond"        # submitted -> first response (accepted or rejected)
    RESOLVE = "resolve"        # submitted -> resolved
    REPORT_IN = "report_in"    # whistle dispatch -> the named unit reports in


@dataclass(frozen=True)
class Budget:
    respond: timedelta
    resolve: timedelta


@dataclass(frozen=True)
class WorkingDays:
    """A rule stated in working days (12345-style: "答复 within 5 working days"), not in hours."""

    days: int


CLOCKS = ("respond", "resolve")


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


def check_overrides(overrides: dict[str, dict[str, dict[str, float]]]) -> None:
    """ValueError for a rule no clock can follow: a clock given both in hours and in working days, or
    working days that are not a whole number of at least one. Settings call it, so a service refuses to
    start rather than fail on the first demand."""
    for cat, per_urgency in overrides.items():
        for urg, rule in per_urgency.items():
            for clock in CLOCKS:
                if f"{clock}_hours" in rule and f"{clock}_working_days" in rule:
                    raise ValueError(f"({cat}, {urg}): {clock} is given in hours and in working days; keep one.")
                days = rule.get(f"{clock}_working_days")
                if days is not None and (days != int(days) or days < 1):
                    raise ValueError(f"({cat}, {urg}): {clock}_working_days is {days}, not a whole number >= 1.")


def _rule(rule: dict[str, float], clock: str, base: timedelta | WorkingDays) -> timedelta | WorkingDays:
    if f"{clock}_working_days" in rule:
        return WorkingDays(int(rule[f"{clock}_working_days"]))
    if f"{clock}_hours" in rule:
        return timedelta(hours=rule[f"{clock}_hours"])
    return base


def budget_for(category: str, urgency: Urgency, *, complex_case: bool = False,
               overrides: dict[str, dict[str, dict[str, float]]] | None = None, start: datetime | None = None,
               calendar: WorkingCalendar | None = None, zone: tzinfo = DEFAULT_ZONE) -> Budget:
    """`overrides` is {category|*: {urgency|*: {"respond_hours": h, "resolve_hours": h}}}; either clock may
    be given in working days instead ("respond_working_days": n, "resolve_working_days": n). A rule in
    working days needs `start` (when its clock starts), the district's `calendar` and `zone`: its budget
    is the time from `start` to 17:30 on the n-th working day after the day of `start`
    (`yizhou.working_days.WorkingCalendar.add_working_days`), fixed when the clock starts; a pause later
    stops it in plain seconds, as it stops an hours rule."""
    table: dict[tuple[str, str], tuple[timedelta | WorkingDays, timedelta | WorkingDays]] = {
        key: (b.respond, b.resolve) for key, b in DEFAULT_BUDGETS.items()}
    for cat, per_urgency in (overrides or {}).items():
        for urg, rule in per_urgency.items():
            base = table.get((cat, urg)) or (24 * HOUR, 7 * DAY)
            table[(cat, urg)] = (_rule(rule, "respond", base[0]), _rule(rule, "resolve", base[1]))
    for key in ((category, urgency.value), (category, "*"), ("*", urgency.value), ("*", "*")):
        if key in table:
            respond, resolve = table[key]
            break
    else:
        respond, resolve = 24 * HOUR, 7 * DAY

    def duration(rule: timedelta | WorkingDays) -> timedelta:
        if isinstance(rule, timedelta):
            return rule
        if start is None or calendar is None:
            raise ValueError("A rule in working days needs when its clock starts and the district's calendar.")
        return calendar.add_working_days(start, rule.days, zone) - start

    budget = Budget(duration(respond), duration(resolve))
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
