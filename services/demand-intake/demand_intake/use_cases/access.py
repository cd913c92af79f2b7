"""Who may act on demands and what a caller may see: roles, the actor, scope checks, masking of free
text, references checked against this service's copies, and the domain's refusals as problems."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.categories import is_known
from demand_intake.domain.demand import Demand, State
from demand_intake.domain.errors import DemandRuleViolation
from demand_intake.store.demands import DemandRepository
from demand_intake.store.tables import UnitCopyRow
from demand_intake.use_cases.errors import DemandRuleBroken
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import area_info
from yizhou.errors import ApplicationError, NotFound, OutOfScope, UnknownReference
from yizhou.personal_data import STAFF_ROLES, find_personal_data, mask_text
from yizhou.state_machine import IllegalTransition, as_problem

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


@dataclass(frozen=True)
class Actor:
    """Who acts: a caller's subject and role, or the platform itself (consumers, the sweeper)."""

    subject: str
    role: str

    @classmethod
    def of(cls, scope: AreaScope) -> Actor:
        return cls(scope.caller.subject, scope.caller.role.value)


SYSTEM = Actor("system", "system")


async def assignable_unit(session: AsyncSession, scope: AreaScope, unit_id: str, demand_path: str,
                          field: str = "unit_id") -> UnitCopyRow:
    """A unit registered in org-registry (this service's copy of them) that may take this demand: one
    in the caller's area, or one sitting on the demand's own axis above it (a district or subdistrict
    unit). A unit of another subdistrict answers as an unknown one (422 `unknown-reference`): whether
    it exists there is not the caller's to learn."""
    unit = await session.get(UnitCopyRow, unit_id)
    unit_area = await area_info(session, unit.area_code) if unit is not None else None
    if unit_area is None or not (scope.covers(unit_area.path) or demand_path.startswith(unit_area.path)):
        raise UnknownReference(f"No registered unit '{unit_id}' (org-registry's units reach this "
                                           "service as events: a unit created a moment ago may take a moment).",
                      errors=[{"field": field, "location": "body", "message": "unknown unit"}])
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
    """A demand the caller may read. A resident reads only their own: a neighbour's demand answers
    like an unknown one (its existence is a fact about a household); they may still join it
    (`joinable_demand`) when a duplicate check offers it."""
    demand = await joinable_demand(repo, scope, demand_id)
    if scope.caller.role == Role.RESIDENT and demand.resident_subject != scope.caller.subject:
        raise NotFound(f"No demand '{demand_id}' in your scope.")
    return demand


async def joinable_demand(repo: DemandRepository, scope: AreaScope, demand_id: str) -> Demand:
    """A demand in the caller's area that they may count themselves in on ("me too")."""
    demand = await repo.get(demand_id)
    # Outside the scope answers like unknown: other areas' demands are not disclosed.
    if demand is None or not scope.covers(demand.area_path) or scope.caller.role == Role.PARTNER:
        raise NotFound(f"No demand '{demand_id}' in your scope.")
    return demand


# The steps that record the resident's word (feedback or a call back, which closes or reopens): the area
# the demand was filed in keeps them after escalating, since the resident is theirs to call back.
RESIDENT_WORD = frozenset({State.CLOSED, State.REOPENED})


def records_resident_word(scope: AreaScope, demand: Demand) -> bool:
    """Staff whose area covers the demand's own area (the grid or community it was filed in), even when
    a level above handles it now."""
    return scope.caller.role in STAFF_ROLES and scope.covers(demand.area_path)


def require_handler(scope: AreaScope, demand: Demand, handling_path: str | None) -> None:
    """Working a demand needs a staff role whose area covers the level now handling it."""
    require_role(scope, STAFF_ROLES, "work on demands")
    if handling_path is None or not scope.covers(handling_path):
        raise OutOfScope(f"Demand {demand.id} is handled at {demand.handling_level} level "
                                      f"({demand.handling_area_code}); your area does not cover it.")
