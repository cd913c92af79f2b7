"""Escalating a demand up the axis, the subdistrict's whistle dispatch, and units reporting in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from demand_intake.domain.deadlines import DeadlineClock, DeadlineKind
from demand_intake.domain.demand import Demand
from demand_intake.domain.errors import DemandRuleViolation
from demand_intake.domain.escalation import (DispatchOrder, ReceiverKind, check_escalation, check_whistle,
                                             escalate as move_up, receiver_kind_of)
from demand_intake.store.deadlines import DeadlineRepository
from demand_intake.store.demands import DemandRepository
from demand_intake.store.tables import DispatchRow
from demand_intake.use_cases.access import (WHISTLERS, assignable_unit, new_id, require_handler, rule_problem, scrub,
                                            visible_demand)
from demand_intake.use_cases.demands import record_overdue
from demand_intake.use_cases.errors import DemandRuleBroken
from demand_intake.use_cases.publishing import record_demand
from yizhou.contracts.demands import DemandDispatched, DemandEscalated, DemandReportedIn
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import area_info
from yizhou.clock import Clock
from yizhou.database import Database
from yizhou.errors import NotFound


async def escalate(db: Database, scope: AreaScope, clock: Clock, demand_id: str, reason: str) -> Demand:
    async with db.unit_of_work() as uow:
        repo = DemandRepository(uow.session)
        demand = await visible_demand(repo, scope, demand_id)
        handling = await area_info(uow.session, demand.handling_area_code)
        require_handler(scope, demand, handling.path if handling else None)
        parent = await area_info(uow.session, handling.parent_code) if handling and handling.parent_code else None
        from_code = demand.handling_area_code
        try:
            check_escalation(demand, parent.code if parent else None, parent.level if parent else None, reason)
        except DemandRuleViolation as exc:
            raise rule_problem(exc) from None
        now = clock.now()
        move_up(demand, parent.code, parent.level, now)
        await repo.save(demand)
        await repo.log(demand.id, "escalate", demand.state, demand.state, scope.caller.subject, scope.caller.role.value,
                       f"{from_code} -> {parent.code}: {reason}", now)
        record_demand(uow, DemandEscalated, demand, now, from_area_code=from_code, to_area_code=parent.code,
                      to_level=parent.level, reason=scrub(reason.strip()),
                      accountable_area_code=demand.accountable_area_code)
        await uow.commit()
    return demand


@dataclass(frozen=True)
class Receiver:
    """A receiver as the whistler names it: a registered unit (a department is one of kind `agency`),
    optionally with the name to show and its kind (by default the unit's registered name and kind)."""

    unit_id: str
    name: str | None = None
    kind: ReceiverKind | None = None


async def whistle(db: Database, scope: AreaScope, clock: Clock, demand_id: str, receivers: list[Receiver],
                  report_in_hours: float) -> tuple[Demand, list[DispatchRow]]:
    """吹哨报到: the subdistrict names registered units or departments; each must report in within the
    deadline. The demand's own clocks run on untouched and its first receiver stays accountable."""
    require_role(scope, WHISTLERS, "blow the whistle")
    async with db.unit_of_work() as uow:
        repo = DemandRepository(uow.session)
        demand = await visible_demand(repo, scope, demand_id)
        handling = await area_info(uow.session, demand.handling_area_code)
        require_handler(scope, demand, handling.path if handling else None)
        orders = []
        for i, r in enumerate(receivers):
            # As an assignment's unit: in the whistler's area or on the demand's axis above it.
            unit = await assignable_unit(uow.session, scope, r.unit_id, demand.area_path, field=f"receivers.{i}.unit_id")
            orders.append(DispatchOrder(r.name or unit.name, r.kind or receiver_kind_of(unit.kind), unit.unit_id))
        try:
            check_whistle(demand, orders)
        except DemandRuleViolation as exc:
            raise rule_problem(exc) from None
        now = clock.now()
        due = now + timedelta(hours=report_in_hours)
        rows = []
        clocks = DeadlineRepository(uow.session)
        for order in orders:
            row = DispatchRow(id=new_id(), demand_id=demand.id, receiver=order.receiver.strip(),
                              receiver_kind=order.receiver_kind.value, receiver_unit_id=order.unit_id,
                              dispatched_by=scope.caller.subject,
                              dispatched_at=now, report_in_due_at=due)
            await repo.add_dispatch(row)
            await clocks.add(demand.id, DeadlineClock.start(DeadlineKind.REPORT_IN, timedelta(hours=report_in_hours), now,
                                                             dispatch_id=row.id))
            rows.append(row)
        demand.updated_at = now
        await repo.save(demand)
        await repo.log(demand.id, "dispatch", demand.state, demand.state, scope.caller.subject, scope.caller.role.value,
                       "whistle to " + ", ".join(r.receiver for r in rows), now)
        record_demand(uow, DemandDispatched, demand, now, dispatch_ids=[r.id for r in rows],
                      receivers=[r.receiver for r in rows], report_in_due_at=due,
                      accountable_area_code=demand.accountable_area_code)
        await uow.commit()
    return demand, rows


async def report_in(db: Database, scope: AreaScope, clock: Clock, demand_id: str, dispatch_id: str,
                    note: str | None) -> DispatchRow:
    """A whistled unit reports in: by itself (a partner token whose subject is the receiver's unit id),
    or recorded by staff of the handling area."""
    async with db.unit_of_work() as uow:
        repo = DemandRepository(uow.session)
        demand = await repo.get(demand_id)
        row = await repo.dispatch(demand_id, dispatch_id) if demand is not None else None
        if scope.caller.role == Role.PARTNER:
            # Only the receiver itself: to any other partner the dispatch is unknown, as the demand is
            # (a partner of the area reporting in for another receiver would fake its attendance).
            if row is None or row.receiver_unit_id is None or row.receiver_unit_id != scope.caller.subject:
                raise NotFound(f"No dispatch '{dispatch_id}' to you on demand {demand_id}.")
        else:  # staff of the handling level, else forbidden
            if demand is None or not scope.covers(demand.area_path):
                raise NotFound(f"No demand '{demand_id}' in your scope.")
            handling = await area_info(uow.session, demand.handling_area_code)
            require_handler(scope, demand, handling.path if handling else None)
        if row is None:
            raise NotFound(f"No dispatch '{dispatch_id}' on demand {demand_id}.")
        if row.reported_in_at is not None:
            raise DemandRuleBroken(f"{row.receiver} reported in already at {row.reported_in_at.isoformat()}.")
        now = clock.now()
        row.reported_in_at, row.report_note = now, note
        clocks = DeadlineRepository(uow.session)
        for c in await clocks.of(demand_id):
            if c.kind == DeadlineKind.REPORT_IN and c.dispatch_id == dispatch_id:
                if c.is_breached(now) and await clocks.mark_breached_clock(demand_id, c, now):
                    record_overdue(uow, demand, c, now, demand.state)
                c.end(now, "met")
                await clocks.save(demand_id, c)
        await repo.log(demand.id, "report_in", demand.state, demand.state, scope.caller.subject, scope.caller.role.value,
                       f"{row.receiver} reported in", now)
        record_demand(uow, DemandReportedIn, demand, now, dispatch_id=row.id, receiver=row.receiver,
                      on_time=now <= row.report_in_due_at)
        await uow.commit()
    return row
