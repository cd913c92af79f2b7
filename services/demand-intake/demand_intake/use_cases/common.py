"""What every demand use case shares: who may act, what the caller may see, recording events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.categories import is_known
from demand_intake.domain.demand import Demand, DemandRuleViolation, State
from demand_intake.store.demands import DemandRepository
from demand_intake.store.models import UnitCopyRow
from demand_intake.use_cases.errors import DemandRuleBroken
from yizhou.auth import AreaScope, Role, require_role
from yizhou.contracts.demands import (
    DemandAccepted, DemandAssigned, DemandClosed, DemandEvent, DemandMerged, DemandRejected, DemandReopened,
    DemandResolved, DemandStarted, DemandWithdrawn,
)
from yizhou.events import EventData
from yizhou.errors import ApplicationError, NotFound, OutOfScope, UnknownReference
from yizhou.personal_data import STAFF_ROLES, find_personal_data, mask_text
from yizhou.state_machine import IllegalTransition, as_problem

SOURCE = "/yizhou/demand-intake"
SUBMITTERS = STAFF_ROLES | {Role.PARTY_MEMBER, Role.RESIDENT}
# Subdistrict and district staff blow the whistle.
WHISTLERS = frozenset({Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})


def scrub(text: str, *, names: Iterable[str | None] = ()) -> str:
    """Phone and ID numbers typed into free text, however written (`yizhou.personal_data.find_numbers`),
    hidden, and `names` (the demand's resident) masked: for viewers without the right, and in events."""
    return mask_text(text, names=names)


def new_id() -> str:
    """A random id that the personal-data guard cannot mistake for a phone or ID number (a UUID's hex
    digits sometimes run to eleven digits starting 13-19, which would keep its partner event off the stream)."""
    while True:
        candidate = str(uuid.uuid4())
        if not find_personal_data(candidate):
            return candidate


class Work(Protocol):
    """A unit of work (`yizhou.database.UnitOfWork`) or a consumer's session (`SessionWork`)."""

    session: AsyncSession

    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None: ...


@dataclass(frozen=True)
class Actor:
    """Who acts: a caller's subject and role, or the platform itself (consumers, the sweeper)."""

    subject: str
    role: str

    @classmethod
    def of(cls, scope: AreaScope) -> Actor:
        return cls(scope.caller.subject, scope.caller.role.value)


SYSTEM = Actor("system", "system")


async def assignable_unit(session: AsyncSession, unit_id: str) -> UnitCopyRow:
    """A unit registered in org-registry (this service's copy of them), or 422 `unknown-reference`."""
    unit = await session.get(UnitCopyRow, unit_id)
    if unit is None:
        raise UnknownReference(f"No registered unit '{unit_id}' (org-registry's units reach this "
                                           "service as events: a unit created a moment ago may take a moment).",
                      errors=[{"field": "unit_id", "location": "body", "message": "unknown unit"}])
    return unit


def rule_problem(exc: DemandRuleViolation | Exception) -> ApplicationError:
    if isinstance(exc, IllegalTransition):
        return as_problem(exc)
    return DemandRuleBroken(str(exc))


def check_category(code: str, field: str = "category") -> None:
    if not is_known(code):
        raise UnknownReference(f"No service category '{code}' (see GET /open311/v2/services.json).",
                      errors=[{"field": field, "message": "unknown service category"}])


async def visible_demand(repo: DemandRepository, scope: AreaScope, demand_id: str) -> Demand:
    demand = await repo.get(demand_id)
    # Outside the scope answers like unknown: other areas' demands are not disclosed.
    if demand is None or not scope.covers(demand.area_path) or scope.caller.role == Role.PARTNER:
        raise NotFound(f"No demand '{demand_id}' in your scope.")
    return demand


def require_handler(scope: AreaScope, demand: Demand, handling_path: str | None) -> None:
    """Working a demand needs a staff role whose area covers the level now handling it."""
    require_role(scope, STAFF_ROLES, "work on demands")
    if handling_path is None or not scope.covers(handling_path):
        raise OutOfScope(f"Demand {demand.id} is handled at {demand.handling_level} level "
                                      f"({demand.handling_area_code}); your area does not cover it.")


# The event a move into each state publishes.
EVENT_OF_STATE: dict[State, type[DemandEvent]] = {
    State.ACCEPTED: DemandAccepted, State.ASSIGNED: DemandAssigned, State.IN_PROGRESS: DemandStarted,
    State.RESOLVED: DemandResolved, State.CLOSED: DemandClosed, State.REJECTED: DemandRejected,
    State.WITHDRAWN: DemandWithdrawn, State.REOPENED: DemandReopened, State.MERGED: DemandMerged,
}


def record_demand(work: Work, event: type[DemandEvent], demand: Demand, now: datetime, *, state: State | None = None,
                  **extra: Any) -> None:
    """Records `event` of `demand`: the fields every demand event carries from the demand, `extra` the
    event's own (checked by its contract's model when it is built)."""
    data = event(demand_id=demand.id, area_code=demand.area_code, area_path=demand.area_path, category=demand.category,
                 state=(state or demand.state).value, occurred_at=now, **extra)
    work.record(data, aggregate_id=demand.id, source=SOURCE)


OPEN_STATES = [s.value for s in State if s not in (State.CLOSED, State.REJECTED, State.WITHDRAWN, State.MERGED)]
