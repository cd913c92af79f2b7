"""Callbacks (回访) on demands: the resident's answers to "resolved?" and "satisfied?", given by the
resident themself or recorded by staff; the resolution and satisfaction rates count these."""

from __future__ import annotations

from fastapi import APIRouter, Response

from demand_intake.api.demands import PROBLEMS, DemandId
from demand_intake.api.schemas import CallbackIn, CallbackOut
from demand_intake.domain.callbacks import RESIDENT_JUDGED, Callback, CallbackSource
from demand_intake.use_cases import callbacks as use_cases
from yizhou.auth import AreaScope
from yizhou.dependencies import ClockDep, DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.personal_data import STAFF_ROLES

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/demands", tags=["callbacks"])


def callback_out(c: Callback, scope: AreaScope) -> CallbackOut:
    return CallbackOut(id=c.id, demand_id=c.demand_id, resolved=c.resolved, satisfaction=c.satisfaction,
                       source=c.source.value, called_at=c.called_at,
                       recorded_by=c.recorded_by if scope.caller.role in STAFF_ROLES else None,
                       recorded_by_role=c.recorded_by_role, recorded_at=c.recorded_at,
                       counted=c.source.value in RESIDENT_JUDGED)


@router.post("/{demand_id}/callbacks", status_code=201, response_model=CallbackOut, responses=PROBLEMS,
             summary="Record a callback on a resolved or closed demand: by the resident who submitted it (their "
                     "own token), or by staff of the area it was filed in (`callback_by_staff`: they called the "
                     "resident; `staff_entry`: their own word, kept but never scored). The demand does not move")
async def record(demand_id: DemandId, body: CallbackIn, clock: ClockDep, db: IdempotentDatabaseDep, scope: ScopeDep,
                 response: Response) -> CallbackOut:
    answers = use_cases.Answers(resolved=body.resolved, satisfaction=body.satisfaction,
                                source=CallbackSource(body.source) if body.source else None, called_at=body.called_at)
    callback = await use_cases.record_callback(db, scope, clock, demand_id, answers)
    response.headers["Location"] = f"/api/v1/demands/{demand_id}/callbacks"
    return callback_out(callback, scope)


@router.get("/{demand_id}/callbacks", response_model=list[CallbackOut], responses=PROBLEMS,
            summary="A demand's callbacks, oldest first, each with who gave it (`source`) and whether it is counted")
async def list_callbacks(demand_id: DemandId, db: DatabaseDep, scope: ScopeDep) -> list[CallbackOut]:
    return [callback_out(c, scope) for c in await use_cases.callbacks_of(db, scope, demand_id)]
