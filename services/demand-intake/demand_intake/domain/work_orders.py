"""Hotline work orders (12345 工单): an order the city hotline sends to an area, carried by a demand of
channel `hotline` (so its lifecycle, deadlines and rates apply), with what 12345 adds around it: the
area returning it as not theirs (退单), the district reassigning it or refusing the return, the area
appealing the assessment of a closed order (申诉), and the district's verified reduction (核减), which
leaves the order out of the area's rates, or upholding it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from demand_intake.domain.errors import DemandRuleViolation
from yizhou.state_machine import StateMachine


class WorkOrderState(StrEnum):
    RECEIVED = "received"        # with the area it was sent to
    RETURNED = "returned"        # the area says it is not theirs (退单): the district decides
    REASSIGNED = "reassigned"    # the district accepted the return and sent it to another area
    APPEALED = "appealed"        # the area contests the assessment of the closed order (申诉)
    REDUCED = "reduced"          # the district granted the appeal (核减): left out of the area's rates
    UPHELD = "upheld"            # the district refused the appeal: the assessment stands


class ReturnDecision(StrEnum):
    REASSIGN = "reassign"        # the return is accepted: the order goes to the area the district names
    REFUSE = "refuse"            # the return is refused: the area keeps the order


class AppealDecision(StrEnum):
    REDUCE = "reduce"
    UPHOLD = "uphold"


WORK_ORDER_MACHINE: StateMachine[WorkOrderState] = StateMachine("work_order", {
    WorkOrderState.RECEIVED: frozenset({WorkOrderState.RETURNED, WorkOrderState.APPEALED}),
    # A refused return leaves the order with the area (received again).
    WorkOrderState.RETURNED: frozenset({WorkOrderState.REASSIGNED, WorkOrderState.RECEIVED}),
    # The area it was reassigned to may return it in turn, or appeal once it is closed.
    WorkOrderState.REASSIGNED: frozenset({WorkOrderState.RETURNED, WorkOrderState.APPEALED}),
    WorkOrderState.APPEALED: frozenset({WorkOrderState.REDUCED, WorkOrderState.UPHELD}),
})


@dataclass(frozen=True)
class WorkOrder:
    id: str
    external_id: str              # the hotline's own number: unique, a resend answers the same order
    demand_id: str                # the demand currently carrying it (a reassignment opens a new one)
    state: WorkOrderState
    area_code: str                # the area it is with now
    category: str
    hotline_category: str | None  # the hotline's own name of the category, as sent
    received_at: datetime         # when the hotline took the call
    due_at: datetime              # the hotline's deadline: the demand's resolution deadline
    created_at: datetime
    updated_at: datetime
    reason: str | None = None     # of the latest return or appeal
    decision_note: str | None = None   # the district's, on the latest decision


def check_times(received_at: datetime, due_at: datetime, now: datetime) -> None:
    if received_at > now:
        raise DemandRuleViolation("A work order's received_at is not in the future.")
    if due_at <= received_at:
        raise DemandRuleViolation("A work order's due_at is after its received_at.")


def move(order: WorkOrder, target: WorkOrderState, now: datetime, **changes) -> WorkOrder:
    """`order` in `target` (checked against the machine), with `changes` to its other fields."""
    WORK_ORDER_MACHINE.check(order.state, target)
    return replace(order, state=target, updated_at=now, **changes)


def return_order(order: WorkOrder, reason: str, demand_state: str, now: datetime) -> WorkOrder:
    """退单: only while the demand is still open (a handled order is appealed, not returned)."""
    if demand_state in ("resolved", "closed", "rejected", "withdrawn", "merged"):
        raise DemandRuleViolation(f"Work order {order.external_id}'s demand is {demand_state}; an order is "
                                  "returned before it is handled (a closed one is appealed).")
    return move(order, WorkOrderState.RETURNED, now, reason=reason, decision_note=None)


def appeal(order: WorkOrder, reason: str, demand_state: str, now: datetime) -> WorkOrder:
    """申诉: the assessment of a closed order is contested."""
    if demand_state != "closed":
        raise DemandRuleViolation(f"Work order {order.external_id}'s demand is {demand_state}; an appeal "
                                  "contests the assessment of a closed order.")
    return move(order, WorkOrderState.APPEALED, now, reason=reason, decision_note=None)
