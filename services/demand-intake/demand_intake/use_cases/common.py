"""What every demand use case shares: who may act, what the caller may see, recording events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.categories import is_known
from demand_intake.domain.demand import Demand, DemandRuleViolation, State
from demand_intake.store.demands import DemandRepository
from demand_intake.store.models import UnitCopyRow
from yizhou.auth import AreaScope, Role
from yizhou.axis_copy import area_copy
from yizhou.contracts.demands import EVENT_BY_TYPE
from yizhou.events import EventData
from yizhou.messaging_tables import outbox
from yizhou.partner import partner_views
from yizhou.personal_data import ID_NUMBER_PATTERN, LANDLINE_PATTERN, PHONE_PATTERN, STAFF_ROLES, find_personal_data
from yizhou.problems import Problem, register_problem
from yizhou.state_machine import IllegalTransition, as_problem

SOURCE = "/yizhou/demand-intake"
DEMAND_RULE = register_problem("demand-rule", 422, "The request breaks a rule of demands")
SUBMITTERS = STAFF_ROLES | {Role.PARTY_MEMBER, Role.RESIDENT}
# Subdistrict and district staff blow the whistle.
WHISTLERS = frozenset({Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})


def scrub(text: str) -> str:
    """Phone and ID numbers typed into free text, hidden (for viewers without the right, and in events)."""
    for pattern in (PHONE_PATTERN, LANDLINE_PATTERN, ID_NUMBER_PATTERN):
        text = pattern.sub("****", text)
    return text


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


class SessionWork:
    """Records events into the outbox of a session someone else commits (a consumer's handler)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: list[dict[str, Any]] = []

    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None:
        row = data.outbox_values(aggregate_id=aggregate_id, subject=subject or aggregate_id, source=source)
        self._rows.append(row)
        for view in partner_views(data.event_type, row["data"]):
            self._rows.append(view.outbox_values(aggregate_id=aggregate_id, subject=subject or aggregate_id, source=source))

    async def flush(self) -> None:
        if self._rows:
            await self.session.execute(outbox.insert(), self._rows)
            self._rows = []


@dataclass(frozen=True)
class Actor:
    """Who acts: a caller's subject and role, or the platform itself (consumers, the sweeper)."""

    subject: str
    role: str

    @classmethod
    def of(cls, scope: AreaScope) -> Actor:
        return cls(scope.caller.subject, scope.caller.role.value)


SYSTEM = Actor("system", "system")


@dataclass(frozen=True)
class AreaInfo:
    code: str
    level: str
    path: str
    parent_code: str | None
    retired: bool


_AREA = select(area_copy).where(area_copy.c.code == bindparam("code"))  # built once: every submit reads one


async def area_info(session: AsyncSession, code: str) -> AreaInfo | None:
    row = (await session.execute(_AREA, {"code": code})).first()
    return None if row is None else AreaInfo(row.code, row.level, row.path, row.parent_code, row.retired)


async def assignable_unit(session: AsyncSession, unit_id: str) -> UnitCopyRow:
    """A unit registered in org-registry (this service's copy of them), or 422 `unknown-reference`."""
    unit = await session.get(UnitCopyRow, unit_id)
    if unit is None:
        raise Problem("unknown-reference", f"No registered unit '{unit_id}' (org-registry's units reach this "
                                           "service as events: a unit created a moment ago may take a moment).",
                      errors=[{"field": "unit_id", "location": "body", "message": "unknown unit"}])
    return unit


def rule_problem(exc: DemandRuleViolation | Exception) -> Problem:
    if isinstance(exc, IllegalTransition):
        return as_problem(exc)
    return Problem(DEMAND_RULE, str(exc))


def check_category(code: str, field: str = "category") -> None:
    if not is_known(code):
        raise Problem("unknown-reference", f"No service category '{code}' (see GET /open311/v2/services.json).",
                      errors=[{"field": field, "message": "unknown service category"}])


def require_role(scope: AreaScope, roles: frozenset, doing: str) -> None:
    if scope.caller.role not in roles:
        raise Problem("forbidden", f"Role '{scope.caller.role.value}' may not {doing}; allowed: "
                                   f"{sorted(r.value for r in roles)}.")


async def visible_demand(repo: DemandRepository, scope: AreaScope, demand_id: str) -> Demand:
    demand = await repo.get(demand_id)
    # Outside the scope answers like unknown: other areas' demands are not disclosed.
    if demand is None or not scope.covers(demand.area_path) or scope.caller.role == Role.PARTNER:
        raise Problem("not-found", f"No demand '{demand_id}' in your scope.")
    return demand


def require_handler(scope: AreaScope, demand: Demand, handling_path: str | None) -> None:
    """Working a demand needs a staff role whose area covers the level now handling it."""
    require_role(scope, STAFF_ROLES, "work on demands")
    if handling_path is None or not scope.covers(handling_path):
        raise Problem("out-of-scope", f"Demand {demand.id} is handled at {demand.handling_level} level "
                                      f"({demand.handling_area_code}); your area does not cover it.")


def record_demand(work: Work, event_type: str, demand: Demand, now: datetime, *, state: State | None = None,
                  **extra: Any) -> None:
    event = EVENT_BY_TYPE[event_type](demand_id=demand.id, area_code=demand.area_code, area_path=demand.area_path,
                                      category=demand.category, state=(state or demand.state).value, occurred_at=now,
                                      **extra)
    work.record(event, aggregate_id=demand.id, source=SOURCE)


OPEN_STATES = [s.value for s in State if s not in (State.CLOSED, State.REJECTED, State.WITHDRAWN, State.MERGED)]
