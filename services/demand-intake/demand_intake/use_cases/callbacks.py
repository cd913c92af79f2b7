"""Callbacks (回访): the resident's answers to "resolved?" and "satisfied?" on a handled demand, given by
the resident themself or recorded by staff (calling them, or entering it without them), with the
`demand.called_back` event the rates read model counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from demand_intake.domain.callbacks import Callback, CallbackSource, call_back
from demand_intake.domain.demand import Feedback
from demand_intake.domain.errors import DemandRuleViolation
from demand_intake.store.callbacks import CallbackRepository
from demand_intake.store.demands import DemandRepository
from demand_intake.use_cases.access import new_id, records_resident_word, rule_problem, visible_demand
from demand_intake.use_cases.publishing import record_demand
from yizhou.auth import AreaScope, Role
from yizhou.clock import Clock
from yizhou.contracts.demands import DemandCalledBack
from yizhou.database import Database
from yizhou.errors import Forbidden, Invalid

STAFF_SOURCES = frozenset({CallbackSource.CALLBACK_BY_STAFF, CallbackSource.STAFF_ENTRY})


@dataclass(frozen=True)
class Answers:
    resolved: bool
    satisfaction: Feedback
    source: CallbackSource | None = None   # staff say which; a resident's own is always `resident`
    called_at: datetime | None = None      # when the resident answered; default now


def _source(scope: AreaScope, demand, answers: Answers) -> CallbackSource:
    """Who gave the answers, as the caller may claim it: a resident only their own (`resident`); staff of
    the area the demand was filed in a call they made or their own entry, never the resident's account."""
    if scope.caller.role == Role.RESIDENT:   # visible_demand let only the resident who submitted it this far
        if answers.source not in (None, CallbackSource.RESIDENT):
            raise Forbidden("A resident gives their own answers (source `resident`).")
        return CallbackSource.RESIDENT
    if not records_resident_word(scope, demand):
        raise Forbidden("Callbacks are given by the resident, or recorded by staff of the area the demand was filed in.")
    if answers.source not in STAFF_SOURCES:
        raise Invalid("Staff record a callback as `callback_by_staff` (they called the resident) or `staff_entry`.",
                      errors=[{"field": "source", "location": "body", "message": "callback_by_staff or staff_entry"}])
    return answers.source


async def record_callback(db: Database, scope: AreaScope, clock: Clock, demand_id: str, answers: Answers) -> Callback:
    async with db.unit_of_work() as uow:
        repo = DemandRepository(uow.session)
        demand = await visible_demand(repo, scope, demand_id)
        source = _source(scope, demand, answers)
        now = clock.now()
        # The resident's own callback is answered as it is recorded; a call is when staff say it was.
        called_at = now if source == CallbackSource.RESIDENT or answers.called_at is None else answers.called_at
        try:
            callback = call_back(demand, callback_id=new_id(), resolved=answers.resolved,
                                 satisfaction=answers.satisfaction, source=source, called_at=called_at,
                                 recorded_by=scope.caller.subject, recorded_by_role=scope.caller.role.value, now=now)
        except DemandRuleViolation as exc:
            raise rule_problem(exc) from None
        await CallbackRepository(uow.session).add(callback)
        await repo.log(demand.id, "callback", demand.state, demand.state, scope.caller.subject, scope.caller.role.value,
                       f"callback {source.value}: resolved {'yes' if answers.resolved else 'no'}, "
                       f"{answers.satisfaction.value}", now)
        record_demand(uow, DemandCalledBack, demand, now, callback_id=callback.id, resolved=callback.resolved,
                      satisfaction=callback.satisfaction.value, source=source.value, called_at=called_at)
        await uow.commit()
    return callback


async def callbacks_of(db: Database, scope: AreaScope, demand_id: str) -> list[Callback]:
    async with db.sessions() as session:
        demand = await visible_demand(DemandRepository(session), scope, demand_id)
        return await CallbackRepository(session).of(demand.id)
