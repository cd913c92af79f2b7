"""The figures the pages show, as plain rules over partner events (no framework, database or broker).

The three rates are demand-intake's scored ones (docs/services/demand-intake.md "the three rates";
demand_intake/domain/rates.py `contribution`, domain/facts.py `DemandFact.apply`): this service may
not import them, so the same definitions are restated here, and tests/browser/ check that the pages'
figures equal demand-intake's /api/v1/rates for the same area and month. Response: responded before
the response deadline passed, of those responded or past it; resolution: the resident said "resolved"
at a callback, of those who answered; satisfaction: the resident's own latest word (their account or
a callback staff made to them), satisfied or basically satisfied, of those who gave one."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo

from yizhou.district_clock import local

NOT_COUNTED = ("withdrawn", "merged")            # outside every rate's population
DONE = ("resolved", "closed")
SATISFIED = ("satisfied", "basically_satisfied")
SETTLED = ("resolved", "closed", "rejected", "withdrawn", "merged")   # not in the backlog
FEEDBACK_VALUES = ("satisfied", "basically_satisfied", "dissatisfied")
RESIDENT_JUDGED = ("resident", "callback_by_staff")   # callbacks whose answers are the resident's own


@dataclass(slots=True)
class DemandFigure:
    """What the rates need of one demand, folded from its partner events in order."""

    state: str
    submitted_at: datetime | None = None
    responded: bool = False
    respond_overdue: bool = False
    overdue: bool = False
    feedback: str | None = None
    feedback_by: str | None = None
    imported: bool = False
    said_resolved: bool | None = None       # the resident's own latest answers
    said_satisfaction: str | None = None

    def apply(self, change: str, state: str, at: datetime, *, deadline: str | None = None,
              feedback: str | None = None, feedback_by: str | None = None, imported: bool | None = None,
              callback_resolved: bool | None = None, callback_satisfaction: str | None = None,
              callback_source: str | None = None) -> None:
        """One partner demand event (`change` is the internal event type it projects)."""
        self.state = state
        if change == "demand.submitted":
            self.submitted_at, self.imported = at, bool(imported)
        elif change in ("demand.accepted", "demand.rejected"):
            self.responded = True
        elif change == "demand.overdue":
            self.overdue = True
            if deadline == "respond" and not self.responded:
                self.respond_overdue = True
        elif change in ("demand.closed", "demand.reopened"):
            self._feedback(feedback, feedback_by)
        elif change == "demand.called_back" and callback_satisfaction in FEEDBACK_VALUES:
            judged = callback_source in RESIDENT_JUDGED
            self._feedback(callback_satisfaction, "resident" if judged else "staff")
            if judged:   # a staff entry after the resident answered never overwrites the resident's word
                self.said_resolved, self.said_satisfaction = bool(callback_resolved), callback_satisfaction

    def _feedback(self, feedback: str | None, by: str | None) -> None:
        if feedback in FEEDBACK_VALUES:
            # Events from before feedback_by was recorded say nothing: their feedback counts as staff's.
            self.feedback, self.feedback_by = feedback, by or "staff"
            if by == "resident":   # the resident's own account closing or reopening it: their word too
                self.said_satisfaction = feedback


@dataclass
class Counts:
    submitted: int = 0
    response_settled: int = 0
    responded_on_time: int = 0
    handled: int = 0
    resolved: int = 0
    with_feedback: int = 0
    satisfied: int = 0
    backlog: int = 0
    overdue_open: int = 0
    with_resident_feedback: int = 0
    satisfied_by_resident: int = 0
    with_resident_answer: int = 0
    resolved_by_resident: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def contribution(d: DemandFigure) -> Counts:
    """What one demand adds to its area's and month's counts (zero outside the population; imported
    demands move no rate)."""
    if d.state in NOT_COUNTED or d.imported or d.submitted_at is None:
        return Counts()
    open_ = d.state not in SETTLED
    return Counts(submitted=1, response_settled=int(d.responded or d.respond_overdue),
                  responded_on_time=int(d.responded and not d.respond_overdue), handled=int(d.state != "rejected"),
                  resolved=int(d.state in DONE), with_feedback=int(d.feedback is not None),
                  satisfied=int(d.feedback in SATISFIED), backlog=int(open_), overdue_open=int(open_ and d.overdue),
                  with_resident_feedback=int(d.said_satisfaction is not None),
                  satisfied_by_resident=int(d.said_satisfaction in SATISFIED),
                  with_resident_answer=int(d.said_resolved is not None), resolved_by_resident=int(d.said_resolved is True))


def ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


@dataclass
class MonthFigures:
    month: str                      # '2026-12', on the district's clock
    counts: Counts = field(default_factory=Counts)

    @property
    def response_rate(self) -> float | None:
        return ratio(self.counts.responded_on_time, self.counts.response_settled)

    @property
    def resolution_rate(self) -> float | None:
        return ratio(self.counts.resolved_by_resident, self.counts.with_resident_answer)

    @property
    def satisfaction_rate(self) -> float | None:
        return ratio(self.counts.satisfied_by_resident, self.counts.with_resident_feedback)


def month_label(at: datetime, zone: tzinfo) -> str:
    at = local(at, zone)
    return f"{at.year:04d}-{at.month:02d}"


def last_months(now: datetime, zone: tzinfo, count: int) -> list[str]:
    """The `count` months up to and including the one containing `now`, oldest first."""
    at = local(now, zone)
    year, month = at.year, at.month
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]


def by_month(demands: list[DemandFigure], months: list[str], zone: tzinfo) -> list[MonthFigures]:
    """The counts of each month in `months` (the month a demand was submitted in on the district's clock)."""
    figures = {m: MonthFigures(m) for m in months}
    for d in demands:
        if d.submitted_at is None:
            continue
        month = figures.get(month_label(d.submitted_at, zone))
        if month is not None:
            month.counts.add(contribution(d))
    return list(figures.values())


def percent(rate: float | None) -> str:
    """How a rate is shown: '85.71%' (two decimals of a percent, the API's four of a fraction), '—' for none."""
    return "—" if rate is None else f"{rate * 100:.2f}%"
