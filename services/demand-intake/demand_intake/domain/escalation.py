"""Escalation up the axis (grid > community > subdistrict > district) and the subdistrict's
whistle: dispatching a demand to registered units or departments that must report in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from demand_intake.domain.demand import WORKING_STATES, Demand, State
from demand_intake.domain.errors import DemandRuleViolation

LEVELS_UP = ("grid", "community", "subdistrict", "district")


class ReceiverKind(StrEnum):
    UNIT = "unit"
    DEPARTMENT = "department"


def check_escalation(demand: Demand, parent_code: str | None, parent_level: str | None, reason: str) -> None:
    if not reason.strip():
        raise DemandRuleViolation("An escalation says why the level cannot solve the demand.")
    if demand.state not in WORKING_STATES and demand.state != State.SUBMITTED:
        raise DemandRuleViolation(f"A {demand.state.value} demand is not escalated; only open ones are.")
    if demand.handling_level == "district" or parent_code is None:
        raise DemandRuleViolation("The district is the top of the axis; there is no level above to escalate to.")
    if parent_level is None or LEVELS_UP.index(parent_level) != LEVELS_UP.index(demand.handling_level) + 1:
        raise DemandRuleViolation(f"The level above {demand.handling_level} is missing from the axis copy.")


def escalate(demand: Demand, parent_code: str, parent_level: str, now: datetime) -> None:
    """Moves who handles it one level up; the state, the clocks and the accountable first receiver stay."""
    demand.handling_area_code, demand.handling_level = parent_code, parent_level
    demand.updated_at = now


# org-registry's unit kind for government bodies: a department (委办局) is a registered unit of this kind.
DEPARTMENT_UNIT_KIND = "agency"


def receiver_kind_of(unit_kind: str) -> ReceiverKind:
    return ReceiverKind.DEPARTMENT if unit_kind == DEPARTMENT_UNIT_KIND else ReceiverKind.UNIT


@dataclass(frozen=True)
class DispatchOrder:
    receiver: str                  # the name shown (the unit's registered name unless told otherwise)
    receiver_kind: ReceiverKind
    unit_id: str                   # the registered unit dispatched to: who reports in


def check_whistle(demand: Demand, receivers: list[DispatchOrder]) -> None:
    if demand.handling_level != "subdistrict":
        raise DemandRuleViolation("Only a demand handled at subdistrict level is whistled out; escalate it there first.")
    if demand.state not in WORKING_STATES:
        raise DemandRuleViolation(f"A {demand.state.value} demand is not dispatched; accept it first.")
    names = [r.receiver.strip() for r in receivers]
    if not names or any(not n for n in names):
        raise DemandRuleViolation("A whistle names at least one unit or department.")
    units = [r.unit_id for r in receivers]
    if len(set(units)) != len(units):
        raise DemandRuleViolation("Each unit or department is named once per whistle.")
