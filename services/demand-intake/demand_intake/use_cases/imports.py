"""Bulk import of demands with their past steps (a hotline centre's backlog moved onto the platform,
the demo district): one unit of work per batch, every step through the same state machine, clocks
and events as a live request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert

from demand_intake.domain.deadlines import DeadlineClock, DeadlineKind, apply_effect, budget_for, clock_effects
from demand_intake.domain.demand import Demand, Feedback, State
from demand_intake.domain.errors import DemandRuleViolation
from demand_intake.settings import Settings
from demand_intake.store.demands import row_values
from demand_intake.store.tables import DeadlineRow, DemandHistoryRow, DemandRow, UnitCopyRow
from demand_intake.use_cases.access import Actor, assignable_unit, check_category, new_id
from demand_intake.use_cases.demands import Submission, record_overdue
from demand_intake.use_cases.errors import DemandRuleBroken
from demand_intake.use_cases.publishing import EVENT_OF_STATE, record_demand
from yizhou.contracts.demands import DemandSubmitted
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import area_info
from yizhou.clock import Clock
from yizhou.database import Database
from yizhou.errors import ApplicationError, UnknownReference
from yizhou.state_machine import IllegalTransition, as_problem

IMPORTERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})
TARGETS = {"accept": State.ACCEPTED, "assign": State.ASSIGNED, "start": State.IN_PROGRESS, "resolve": State.RESOLVED,
           "close": State.CLOSED, "reject": State.REJECTED, "withdraw": State.WITHDRAWN, "reopen": State.REOPENED}


@dataclass(frozen=True)
class Step:
    action: str
    after: timedelta
    assignee: str | None = None
    feedback: Feedback | None = None
    unit_id: str | None = None   # assign: a registered unit


@dataclass(frozen=True)
class ImportItem:
    submission: Submission
    submitted_at: datetime
    steps: list[Step] = field(default_factory=list)


async def import_demands(db: Database, scope: AreaScope, clock: Clock, settings: Settings, items: list[ImportItem]) -> list[str]:
    """The fast path: rules and clocks run in memory per demand, rows go in with one multi-row insert
    per table, all in one transaction with the events."""
    require_role(scope, IMPORTERS, "import demands")
    now = clock.now()
    actor = Actor.of(scope)
    demand_rows, clock_rows, history_rows = [], [], []
    async with db.unit_of_work() as uow:
        areas: dict[str, object] = {}
        units: dict[tuple[str, str], UnitCopyRow] = {}

        async def _unit(unit_id: str, n: int, demand_path: str) -> UnitCopyRow:   # read once per unit and area
            if (unit_id, demand_path) not in units:
                try:
                    units[unit_id, demand_path] = await assignable_unit(uow.session, scope, unit_id, demand_path)
                except ApplicationError as exc:
                    raise UnknownReference(f"Item {n}: {exc.detail}") from None
            return units[unit_id, demand_path]

        for n, item in enumerate(items):
            sub = item.submission
            check_category(sub.category, f"demands.{n}.category")
            if sub.area_code not in areas:
                areas[sub.area_code] = await area_info(uow.session, sub.area_code)
            area = areas[sub.area_code]
            if area is None or not scope.covers(area.path) or area.retired:
                raise UnknownReference(f"Item {n}: no active area '{sub.area_code}' in your scope.")
            at = item.submitted_at
            if at > now or any(s.after < timedelta(0) for s in item.steps) or \
                    at + max((s.after for s in item.steps), default=timedelta(0)) > now:
                raise DemandRuleBroken(f"Item {n}: submission and steps lie in the past, in order.")
            demand = Demand(id=new_id(), channel=sub.channel, category=sub.category, urgency=sub.urgency,
                            description=sub.description, area_code=area.code, area_path=area.path, area_level=area.level,
                            resident=sub.resident, entered_by=actor.subject, entered_by_role=actor.role, submitted_at=at,
                            updated_at=at, priority_household=sub.priority_household, latitude=sub.latitude,
                            longitude=sub.longitude, address=sub.address)
            budget = budget_for(sub.category, sub.urgency, overrides=settings.deadlines, start=at,
                                calendar=settings.district_calendar, zone=settings.district_zone)
            clocks = [DeadlineClock.start(DeadlineKind.RESPOND, budget.respond, at),
                      DeadlineClock.start(DeadlineKind.RESOLVE, budget.resolve, at)]
            history_rows.append(history_row(demand.id, "import", None, State.SUBMITTED, actor, None, at))
            record_demand(uow, DemandSubmitted, demand, at, channel=sub.channel.value, urgency=sub.urgency.value,
                          priority_household=sub.priority_household.value if sub.priority_household else None,
                          anonymous=sub.resident.anonymous, entered_on_behalf=True, imported=True,
                          respond_due_at=at + budget.respond, resolve_due_at=at + budget.resolve)
            for step in sorted(item.steps, key=lambda s: s.after):
                when, previous, extra = at + step.after, demand.state, {}
                try:
                    if step.action == "accept":
                        demand.accept(actor.subject, area.code, when)
                        extra = {"accountable_area_code": demand.accountable_area_code}
                    elif step.action == "assign":
                        unit = await _unit(step.unit_id, n, area.path) if step.unit_id else None
                        demand.assign(step.assignee or (unit.name if unit else ""), when, unit_id=step.unit_id)
                        extra = {"assignee": demand.assignee, "assignee_unit_id": demand.assignee_unit_id}
                    elif step.action == "close":
                        reached = demand.close(when, feedback=step.feedback, contact_attempted=step.feedback is None)
                        extra = {"feedback": step.feedback.value if step.feedback else None,
                                 "feedback_by": "staff" if step.feedback else None}
                        if reached == State.CLOSED:
                            extra["contact_attempted"] = step.feedback is None
                    else:
                        demand.move_to(TARGETS[step.action], when)
                except IllegalTransition as exc:
                    raise as_problem(exc) from None
                except DemandRuleViolation as exc:
                    raise DemandRuleBroken(f"Item {n}: {exc}") from None
                effects = clock_effects(demand.state)
                for c in clocks:
                    if c.kind in effects:
                        if c.is_breached(when):  # announced once, before the step that stops the clock
                            c.breached_at = when
                            record_overdue(uow, demand, c, when, previous)
                        apply_effect(c, effects[c.kind], when)
                history_rows.append(history_row(demand.id, step.action, previous, demand.state, actor, None, when))
                record_demand(uow, EVENT_OF_STATE[demand.state], demand, when, **extra)
            demand_rows.append({**row_values(demand), "version": 1})
            clock_rows += [clock_values(demand.id, c) for c in clocks]
        if demand_rows:
            await uow.session.execute(insert(DemandRow), demand_rows)
            await uow.session.execute(insert(DeadlineRow), clock_rows)
            await uow.session.execute(insert(DemandHistoryRow), history_rows)
        await uow.commit()
    return [r["id"] for r in demand_rows]


def history_row(demand_id: str, action: str, previous: State | None, state: State, actor: Actor, note, at) -> dict:
    return {"demand_id": demand_id, "action": action, "from_state": previous.value if previous else None,
            "to_state": state.value, "actor": actor.subject, "actor_role": actor.role, "note": note, "at": at}


def clock_values(demand_id: str, c: DeadlineClock) -> dict:
    return {"demand_id": demand_id, "kind": c.kind.value, "dispatch_id": c.dispatch_id, "budget_s": c.budget_s,
            "consumed_s": c.consumed_s, "running_since": c.running_since, "due_at": c.due_at, "ended_at": c.ended_at,
            "outcome": c.outcome, "breached_at": c.breached_at}
