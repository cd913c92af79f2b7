"""A demand as the rates see it (a "fact"), and how each demand event changes it. Folded from the
demand events alone, so replaying the topic gives the same facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from demand_intake.domain.callbacks import RESIDENT_JUDGED
from demand_intake.domain.rates import Counts, contribution, month_of, rollup_path
from yizhou.district_clock import DEFAULT_ZONE


@dataclass(slots=True)
class DemandFact:
    demand_id: str
    area_code: str
    area_path: str
    category: str
    state: str
    submitted_at: datetime
    updated_at: datetime
    channel: str | None = None
    urgency: str | None = None
    assignee: str | None = None
    assignee_unit_id: str | None = None
    accountable_area_code: str | None = None
    responded_at: datetime | None = None
    respond_overdue: bool = False
    resolve_overdue: bool = False
    overdue: bool = False
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    feedback: str | None = None
    feedback_by: str | None = None   # "resident" (their own account) or "staff" (recorded on their behalf)
    imported: bool = False           # brought in by an import: shown, never counted in the rates
    me_too_count: int = 0
    # The resident's own latest answers (their account, or staff calling them back): the scored rates'.
    said_resolved: bool | None = None
    said_satisfaction: str | None = None
    said_by: str | None = None       # "resident" or "callback_by_staff"
    reduced: bool = False            # a hotline work order's verified reduction (核减): in no count

    def apply(self, kind: str, state: str, at: datetime, *, assignee: str | None = None,
              assignee_unit_id: str | None = None,
              accountable_area_code: str | None = None, deadline: str | None = None, feedback: str | None = None,
              feedback_by: str | None = None, me_too_count: int | None = None, resolved: bool | None = None,
              satisfaction: str | None = None, source: str | None = None) -> None:
        """One later event of this demand (`kind` is the event type, `state` the state it left)."""
        self.state, self.updated_at = state, at
        if kind in ("demand.accepted", "demand.rejected") and self.responded_at is None:
            self.responded_at = at
        if accountable_area_code:
            self.accountable_area_code = accountable_area_code
        if kind == "demand.assigned":
            self.assignee, self.assignee_unit_id = assignee, assignee_unit_id
        elif kind == "demand.overdue":
            self.overdue = True
            if deadline == "respond" and self.responded_at is None:
                self.respond_overdue = True
            elif deadline == "resolve":
                self.resolve_overdue = True
        elif kind == "demand.resolved":
            self.resolved_at = at
        elif kind == "demand.closed":
            self.closed_at = at
            self._feedback(feedback, feedback_by)
        elif kind == "demand.reopened":
            self.resolved_at = None
            self._feedback(feedback, feedback_by)
        elif kind == "work_order.reduced":
            self.reduced = True
        elif kind == "demand.supported" and me_too_count is not None:
            self.me_too_count = me_too_count
        elif kind == "demand.called_back" and satisfaction:
            self._feedback(satisfaction, "resident" if source in RESIDENT_JUDGED else "staff")
            if source in RESIDENT_JUDGED:
                # A staff entry after the resident answered never overwrites the resident's word.
                self.said_resolved, self.said_satisfaction, self.said_by = bool(resolved), satisfaction, source

    def _feedback(self, feedback: str | None, by: str | None) -> None:
        if feedback:
            # Events from before feedback_by was recorded say nothing: their feedback counts as staff's.
            self.feedback, self.feedback_by = feedback, by or "staff"
            if by == "resident":   # the resident's own account closing or reopening it: their word too
                self.said_satisfaction, self.said_by = feedback, "resident"


CellKey = tuple[str, int, str]          # (rollup path, yyyymm of submission, category)


def cell_of(fact, zone: tzinfo = DEFAULT_ZONE) -> tuple[CellKey, Counts]:
    """Where a demand fact (or a row with its columns) is summed in the roll-up, and what it adds there
    (its month on the district's clock, `zone`)."""
    return ((rollup_path(fact.area_path), month_of(fact.submitted_at, zone), fact.category),
            contribution(fact.state, fact.responded_at is not None, fact.respond_overdue, fact.feedback, fact.overdue,
                         feedback_by=fact.feedback_by, imported=fact.imported, said_resolved=fact.said_resolved,
                         said_satisfaction=fact.said_satisfaction, reduced=fact.reduced))
