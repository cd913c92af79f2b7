"""Hotline work orders (12345 工单): the city hotline (its partner token) or staff send an order to an
area and a demand of channel `hotline` carries it, so its lifecycle, deadlines and rates apply. The
area may return it as not theirs (退单) or appeal the assessment of the closed order (申诉); district
staff alone decide: a return by reassigning the order to another area (the first demand withdrawn, a
new one opened there) or refusing it, an appeal by reducing the order (核减: its demand leaves every
rate) or upholding it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from demand_intake.domain.deadlines import DeadlineClock, DeadlineKind, budget_for
from demand_intake.domain.demand import Channel, Demand, Resident, State, Urgency
from demand_intake.domain.errors import DemandRuleViolation
from demand_intake.domain.work_orders import (
    AppealDecision, ReturnDecision, WorkOrder, WorkOrderState, appeal, check_times, move, return_order,
)
from demand_intake.settings import Settings
from demand_intake.store.deadlines import DeadlineRepository
from demand_intake.store.demands import DemandRepository
from demand_intake.store.work_orders import WorkOrderRepository
from demand_intake.use_cases.access import Actor, check_category, new_id, rule_problem
from demand_intake.use_cases.demands import apply_state
from demand_intake.use_cases.publishing import record_demand
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import AreaInfo, area_info
from yizhou.clock import Clock
from yizhou.contracts.demands import (
    DemandSubmitted, WorkOrderAppealed, WorkOrderEvent, WorkOrderReassigned, WorkOrderReceived, WorkOrderReduced,
    WorkOrderReturned, WorkOrderReturnRefused, WorkOrderUpheld,
)
from yizhou.database import Database
from yizhou.errors import AreaRetired, Duplicate, Forbidden, NotFound, UnknownReference
from yizhou.personal_data import STAFF_ROLES
from yizhou.state_machine import IllegalTransition

# The city hotline's partner token carries this subject (`yizhou token partner <district> --subject city-hotline`);
# other partners (work units, agencies) send no orders.
HOTLINE_SUBJECT = "city-hotline"
# Returns' reassignment and appeals are the district's to decide (12345 judges the district's areas).
DECIDERS = frozenset({Role.DISTRICT_ADMIN})
MOVE_ERRORS = (DemandRuleViolation, IllegalTransition)


@dataclass(frozen=True)
class Incoming:
    external_id: str
    received_at: datetime
    due_at: datetime
    category: str
    text: str
    area_code: str
    hotline_category: str | None = None
    urgency: Urgency = Urgency.NORMAL
    resident: Resident = Resident(anonymous=True)
    latitude: float | None = None
    longitude: float | None = None


def _is_hotline(scope: AreaScope) -> bool:
    return scope.caller.role == Role.PARTNER and scope.caller.subject == HOTLINE_SUBJECT


def _require_sender(scope: AreaScope) -> None:
    if not (_is_hotline(scope) or scope.caller.role in STAFF_ROLES):
        raise Forbidden("Work orders come from the city hotline's partner token or from staff.")


async def _area(session, scope: AreaScope, area_code: str, field: str = "area_code") -> AreaInfo:
    area = await area_info(session, area_code)
    if area is None or not scope.covers(area.path):
        raise UnknownReference(f"No area '{area_code}' in your scope.",
                               errors=[{"field": field, "location": "body", "message": "unknown area"}])
    if area.retired:
        raise AreaRetired(f"Area '{area_code}' is retired; send the order to its successor.")
    return area


async def _open_demand(uow, scope: AreaScope, settings: Settings, external_id: str, area: AreaInfo, incoming: Incoming,
                       now: datetime) -> Demand:
    """A new demand of channel `hotline` in `area` carrying the order: the response deadline by the district's
    rules, the resolution deadline the hotline's `due_at` (already past: due now)."""
    demand = Demand(id=new_id(), channel=Channel.HOTLINE, category=incoming.category, urgency=incoming.urgency,
                    description=incoming.text, area_code=area.code, area_path=area.path, area_level=area.level,
                    resident=incoming.resident, entered_by=scope.caller.subject,
                    entered_by_role=scope.caller.role.value, submitted_at=now, updated_at=now,
                    latitude=incoming.latitude, longitude=incoming.longitude)
    budget = budget_for(incoming.category, incoming.urgency, overrides=settings.deadlines, start=now,
                        calendar=settings.district_calendar, zone=settings.district_zone)
    resolve = max(incoming.due_at - now, timedelta(0))
    record_demand(uow, DemandSubmitted, demand, now, channel=Channel.HOTLINE.value, urgency=incoming.urgency.value,
                  anonymous=incoming.resident.anonymous, entered_on_behalf=True,
                  respond_due_at=now + budget.respond, resolve_due_at=now + resolve)
    repo = DemandRepository(uow.session)
    await repo.add(demand)
    await DeadlineRepository(uow.session).add(demand.id, DeadlineClock.start(DeadlineKind.RESPOND, budget.respond, now),
                                              DeadlineClock.start(DeadlineKind.RESOLVE, resolve, now))
    await repo.log(demand.id, "submit", None, State.SUBMITTED, scope.caller.subject, scope.caller.role.value,
                   f"channel hotline, work order {external_id}", now)
    return demand


def _record(uow, event: type[WorkOrderEvent], order: WorkOrder, demand: Demand, now: datetime, **extra) -> None:
    record_demand(uow, event, demand, now, work_order_id=order.id, external_id=order.external_id, **extra)


@dataclass(frozen=True)
class Received:
    order: WorkOrder
    created: bool   # False: a resend of a number already received, answered with that order


async def receive(db: Database, scope: AreaScope, clock: Clock, settings: Settings, incoming: Incoming) -> Received:
    """Receives an order; a resend of the same `external_id` changes nothing and answers the order as it is."""
    _require_sender(scope)
    async with db.sessions() as session:
        await _area(session, scope, incoming.area_code)  # an area outside the caller's is refused first, resend or not
        known = await WorkOrderRepository(session).by_external_id(incoming.external_id)
    if known is not None:
        return Received(await _resent(db, scope, known, incoming), created=False)
    check_category(incoming.category)
    try:
        async with db.unit_of_work() as uow:
            area = await _area(uow.session, scope, incoming.area_code)
            now = clock.now()
            try:
                check_times(incoming.received_at, incoming.due_at, now)
            except DemandRuleViolation as exc:
                raise rule_problem(exc) from None
            order_id = new_id()
            demand = await _open_demand(uow, scope, settings, incoming.external_id, area, incoming, now)
            order = WorkOrder(order_id, incoming.external_id, demand.id, WorkOrderState.RECEIVED, area.code,
                              incoming.category, incoming.hotline_category, incoming.received_at, incoming.due_at,
                              now, now)
            await WorkOrderRepository(uow.session).add(order)
            _record(uow, WorkOrderReceived, order, demand, now, received_at=order.received_at, due_at=order.due_at)
            await uow.commit()
    except IntegrityError:
        # The same number sent twice at once: the other one was stored first, and is the answer.
        async with db.sessions() as session:
            known = await WorkOrderRepository(session).by_external_id(incoming.external_id)
        if known is None:
            raise
        return Received(await _resent(db, scope, known, incoming), created=False)
    return Received(order, created=True)


async def _resent(db: Database, scope: AreaScope, known: WorkOrder, incoming: Incoming) -> WorkOrder:
    """The same order sent again answers the order as it is (to the hotline even after the district reassigned
    it); the same number for another area, or one the caller may not read, is a conflict that names no record:
    where a number lives elsewhere is not the caller's to learn."""
    if known.area_code == incoming.area_code or _is_hotline(scope):
        try:
            return await _readable(db, scope, known)
        except NotFound:
            pass
    raise Duplicate(f"Work order '{incoming.external_id}' was received already, for another area.")


async def _readable(db: Database, scope: AreaScope, order: WorkOrder) -> WorkOrder:
    async with db.sessions() as session:
        area = await area_info(session, order.area_code)
    if area is None or not scope.covers(area.path):
        # Whether a number exists elsewhere is not the caller's to learn.
        raise NotFound(f"No work order '{order.external_id}' in your scope.")
    return order


async def _order_in_scope(uow, scope: AreaScope, order_id: str) -> tuple[WorkOrder, Demand, AreaInfo]:
    order = await WorkOrderRepository(uow.session).get(order_id)
    area = await area_info(uow.session, order.area_code) if order is not None else None
    if order is None or area is None or not scope.covers(area.path):
        raise NotFound(f"No work order '{order_id}' in your scope.")
    demand = await DemandRepository(uow.session).get(order.demand_id)
    return order, demand, area


async def get(db: Database, scope: AreaScope, order_id: str) -> WorkOrder:
    if not (_is_hotline(scope) or scope.caller.role in STAFF_ROLES):
        raise Forbidden("Work orders are read by staff and the city hotline.")
    async with db.sessions() as session:
        order = await WorkOrderRepository(session).get(order_id)
    if order is None:
        raise NotFound(f"No work order '{order_id}' in your scope.")
    return await _readable(db, scope, order)


async def _area_step(db: Database, scope: AreaScope, clock: Clock, order_id: str, reason: str, *, what: str,
                     transition, history: str, event) -> WorkOrder:
    """One step the area an order is with takes on its own (return, appeal): the rule, the history, the event."""
    require_role(scope, STAFF_ROLES, what)
    async with db.unit_of_work() as uow:
        order, demand, _ = await _order_in_scope(uow, scope, order_id)
        now = clock.now()
        try:
            order = transition(order, reason, demand.state.value, now)
        except MOVE_ERRORS as exc:
            raise rule_problem(exc) from None
        await _step(uow, scope, order, demand, history, reason, now)
        _record(uow, event, order, demand, now)
        await uow.commit()
    return order


async def return_to_district(db: Database, scope: AreaScope, clock: Clock, order_id: str, reason: str) -> WorkOrder:
    """退单: staff of the area the order is with say it is not theirs."""
    return await _area_step(db, scope, clock, order_id, reason, what="return work orders", transition=return_order,
                            history="work order returned", event=WorkOrderReturned)


async def decide_return(db: Database, scope: AreaScope, clock: Clock, settings: Settings, order_id: str,
                        decision: ReturnDecision, note: str | None, to_area_code: str | None) -> WorkOrder:
    """The district reassigns a returned order to `to_area_code` (its demand withdrawn, so out of the first
    area's rates, and a new one opened there) or refuses the return (the area keeps it)."""
    require_role(scope, DECIDERS, "decide returned work orders")
    async with db.unit_of_work() as uow:
        order, demand, _ = await _order_in_scope(uow, scope, order_id)
        now = clock.now()
        if decision == ReturnDecision.REFUSE:
            try:
                order = move(order, WorkOrderState.RECEIVED, now, decision_note=note)
            except MOVE_ERRORS as exc:
                raise rule_problem(exc) from None
            await _step(uow, scope, order, demand, "work order return refused", note, now)
            _record(uow, WorkOrderReturnRefused, order, demand, now)
            await uow.commit()
            return order
        try:
            if not to_area_code or to_area_code == order.area_code:
                raise DemandRuleViolation("A reassignment names another area than the one that returned the order "
                                          "(`area_code`; refuse the return to keep it there).")
            moved = move(order, WorkOrderState.REASSIGNED, now, decision_note=note)
            previous = demand.state
            demand.move_to(State.WITHDRAWN, now)   # a returned order's demand is open (return_order checked it)
        except MOVE_ERRORS as exc:
            raise rule_problem(exc) from None
        area = await _area(uow.session, scope, to_area_code)
        incoming = Incoming(order.external_id, order.received_at, order.due_at, order.category, demand.description,
                            area.code, order.hotline_category, demand.urgency, demand.resident,
                            demand.latitude, demand.longitude)
        new_demand = await _open_demand(uow, scope, settings, order.external_id, area, incoming, now)
        await uow.flush()   # the new demand's row before the order points at it
        await apply_state(uow, demand, previous, now, Actor.of(scope),
                          note=f"work order {order.external_id} reassigned to {area.code}")
        _record(uow, WorkOrderReassigned, moved, demand, now, to_area_code=area.code, new_demand_id=new_demand.id)
        order = replace(moved, area_code=area.code, demand_id=new_demand.id)
        await WorkOrderRepository(uow.session).save(order)
        await uow.commit()
    return order


async def appeal_assessment(db: Database, scope: AreaScope, clock: Clock, order_id: str, reason: str) -> WorkOrder:
    """申诉: staff of the area the closed order is with contest its assessment."""
    return await _area_step(db, scope, clock, order_id, reason, what="appeal work orders", transition=appeal,
                            history="work order appealed", event=WorkOrderAppealed)


async def decide_appeal(db: Database, scope: AreaScope, clock: Clock, order_id: str, decision: AppealDecision,
                        note: str | None) -> WorkOrder:
    """核减 or upheld: a reduced order's demand leaves every rate of its area (`work_order.reduced`)."""
    require_role(scope, DECIDERS, "decide work order appeals")
    async with db.unit_of_work() as uow:
        order, demand, _ = await _order_in_scope(uow, scope, order_id)
        now = clock.now()
        target, event = ((WorkOrderState.REDUCED, WorkOrderReduced) if decision == AppealDecision.REDUCE
                         else (WorkOrderState.UPHELD, WorkOrderUpheld))
        try:
            order = move(order, target, now, decision_note=note)
        except MOVE_ERRORS as exc:
            raise rule_problem(exc) from None
        await _step(uow, scope, order, demand, f"work order {target.value}", note, now)
        _record(uow, event, order, demand, now)
        await uow.commit()
    return order


async def _step(uow, scope: AreaScope, order: WorkOrder, demand: Demand, action: str, note: str | None,
                now: datetime) -> None:
    """The order stored and the step in its demand's history (the demand does not move)."""
    await WorkOrderRepository(uow.session).save(order)
    await DemandRepository(uow.session).log(demand.id, action, demand.state, demand.state, scope.caller.subject,
                                            scope.caller.role.value, note, now)
