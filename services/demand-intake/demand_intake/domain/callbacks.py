"""Callbacks (回访): after a demand is handled the resident is asked whether it was resolved and whether
they are satisfied. 12345 judges resolution and satisfaction by these answers, not by what staff declare."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from demand_intake.domain.demand import Demand, Feedback, State
from demand_intake.domain.errors import DemandRuleViolation


class CallbackSource(StrEnum):
    RESIDENT = "resident"                   # the resident, through their own account
    CALLBACK_BY_STAFF = "callback_by_staff"  # staff called the resident and recorded what they said
    STAFF_ENTRY = "staff_entry"             # staff entered it without the resident: kept, never scored


# What the resident said: the only answers the scored resolution and satisfaction rates count.
RESIDENT_JUDGED = frozenset({CallbackSource.RESIDENT.value, CallbackSource.CALLBACK_BY_STAFF.value})
# A callback asks about handling that happened: a demand still being worked on has nothing to judge yet.
CALLED_BACK_STATES = frozenset({State.RESOLVED, State.CLOSED})


@dataclass(frozen=True)
class Callback:
    id: str
    demand_id: str
    resolved: bool
    satisfaction: Feedback
    source: CallbackSource
    called_at: datetime       # when the resident answered
    recorded_by: str          # the account that recorded it (the resident's own, or the staff member's)
    recorded_by_role: str
    recorded_at: datetime


def call_back(demand: Demand, *, callback_id: str, resolved: bool, satisfaction: Feedback, source: CallbackSource,
              called_at: datetime, recorded_by: str, recorded_by_role: str, now: datetime) -> Callback:
    """A callback on `demand`, checked against its rules (a handled demand; an answer not in the future and
    not before the demand was submitted)."""
    if demand.state not in CALLED_BACK_STATES:
        raise DemandRuleViolation(f"Demand {demand.id} is {demand.state.value}; a callback asks about a resolved "
                                  "or closed demand.")
    if called_at > now:
        raise DemandRuleViolation("A callback's called_at is not in the future.")
    if called_at < demand.submitted_at:
        raise DemandRuleViolation("A callback's called_at is not before the demand was submitted.")
    return Callback(callback_id, demand.id, resolved, satisfaction, source, called_at, recorded_by, recorded_by_role,
                    now)
