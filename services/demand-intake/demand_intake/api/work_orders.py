"""/api/v1/work-orders: hotline work orders (12345 工单) sent in by the city hotline's partner token or staff,
each carried by a demand of channel `hotline`; returns (退单) and appeals (申诉) by the area, decided by
district staff (a reassignment, or a verified reduction 核减 that leaves the order out of the rates)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from demand_intake.api.demands import PROBLEMS
from demand_intake.api.schemas import CATEGORY_PATTERN, ResidentIn, Strict, _plausible_year
from demand_intake.domain.demand import Resident, Urgency
from demand_intake.domain.work_orders import AppealDecision, ReturnDecision, WorkOrder, WorkOrderState
from demand_intake.use_cases import work_orders as use_cases
from yizhou.axis_events import CODE_PATTERN
from yizhou.dependencies import ClockDep, DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/work-orders", tags=["work orders"])

WorkOrderId = Annotated[str, Path(min_length=1, max_length=36, description="Work order id (this platform's)")]
Instant = Annotated[AwareDatetime, AfterValidator(_plausible_year)]


class LocationIn(Strict):
    area_code: str = Field(pattern=CODE_PATTERN, description="The area the order is sent to, down to the grid")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _point_is_whole(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude come together")
        return self


class WorkOrderIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "external_id": "BJ12345-20261204-000123", "received_at": "2026-12-04T09:12:00+08:00",
        "due_at": "2026-12-11T09:12:00+08:00", "category": "utilities", "hotline_category": "城乡建设/供水",
        "text": "小区3号楼停水两天", "location": {"area_code": "CY0100101"}}]})

    external_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
                             description="The hotline's own number: a resend of it answers the order received")
    received_at: Instant = Field(description="When the hotline took the call")
    due_at: Instant = Field(description="The hotline's deadline: the demand's resolution deadline")
    category: str = Field(pattern=CATEGORY_PATTERN, description="One of the platform's 21 service categories "
                                                                "(GET /open311/v2/services.json)")
    hotline_category: str | None = Field(default=None, min_length=1, max_length=200,
                                         description="The hotline's own category, kept as sent")
    text: str = Field(min_length=2, max_length=4000)
    urgency: Urgency = Urgency.NORMAL
    location: LocationIn
    resident: ResidentIn | None = Field(default=None, description="The caller, when the hotline passes them on")


class ReasonIn(Strict):
    reason: str = Field(min_length=2, max_length=2000)


class ReturnDecisionIn(Strict):
    decision: Literal["reassign", "refuse"]
    area_code: str | None = Field(default=None, pattern=CODE_PATTERN,
                                  description="`reassign`: the area the order goes to")
    note: str | None = Field(default=None, min_length=1, max_length=2000)


class AppealDecisionIn(Strict):
    decision: Literal["reduce", "uphold"]
    note: str | None = Field(default=None, min_length=1, max_length=2000)


class WorkOrderOut(BaseModel):
    id: str
    external_id: str
    demand_id: str = Field(description="The demand carrying the order now (channel `hotline`)")
    state: WorkOrderState
    area_code: str
    category: str
    hotline_category: str | None
    received_at: datetime
    due_at: datetime
    created_at: datetime
    updated_at: datetime
    reason: str | None = Field(description="Of the latest return or appeal")
    decision_note: str | None
    counted: bool = Field(description="Whether the area's rates count it (false once reduced, 核减)")


def work_order_out(o: WorkOrder) -> WorkOrderOut:
    return WorkOrderOut(id=o.id, external_id=o.external_id, demand_id=o.demand_id, state=o.state,
                        area_code=o.area_code, category=o.category, hotline_category=o.hotline_category,
                        received_at=o.received_at, due_at=o.due_at, created_at=o.created_at, updated_at=o.updated_at,
                        reason=o.reason, decision_note=o.decision_note, counted=o.state != WorkOrderState.REDUCED)


@router.post("", status_code=201, response_model=WorkOrderOut, responses=PROBLEMS,
             summary="Receive a hotline work order (the city hotline's partner token, or staff): a demand of channel "
                     "`hotline` carries it. A resend of the same `external_id` answers 200 with the order received")
async def receive(body: WorkOrderIn, request: Request, clock: ClockDep, db: IdempotentDatabaseDep, scope: ScopeDep,
                  response: Response) -> WorkOrderOut:
    r = body.resident
    incoming = use_cases.Incoming(
        external_id=body.external_id, received_at=body.received_at, due_at=body.due_at, category=body.category,
        text=body.text, area_code=body.location.area_code, hotline_category=body.hotline_category,
        urgency=body.urgency, resident=Resident(name=r.name, phone=r.phone, anonymous=r.anonymous) if r
        else Resident(anonymous=True), latitude=body.location.latitude, longitude=body.location.longitude)
    received = await use_cases.receive(db, scope, clock, request.app.state.settings, incoming)
    if not received.created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/work-orders/{received.order.id}"
    return work_order_out(received.order)


@router.get("/{order_id}", response_model=WorkOrderOut, responses=PROBLEMS, summary="A work order")
async def get(order_id: WorkOrderId, db: DatabaseDep, scope: ScopeDep) -> WorkOrderOut:
    return work_order_out(await use_cases.get(db, scope, order_id))


@router.post("/{order_id}/return", response_model=WorkOrderOut, responses=PROBLEMS,
             summary="Return the order as not this area's (退单), with a reason: staff of the area it is with, "
                     "while its demand is open. The district decides")
async def return_order(order_id: WorkOrderId, body: ReasonIn, clock: ClockDep, db: IdempotentDatabaseDep,
                       scope: ScopeDep) -> WorkOrderOut:
    return work_order_out(await use_cases.return_to_district(db, scope, clock, order_id, body.reason))


@router.post("/{order_id}/return-decision", response_model=WorkOrderOut, responses=PROBLEMS,
             summary="District staff decide a return: `reassign` to `area_code` (the first demand withdrawn, a new "
                     "one opened there) or `refuse` (the area keeps the order)")
async def decide_return(order_id: WorkOrderId, body: ReturnDecisionIn, request: Request, clock: ClockDep,
                        db: IdempotentDatabaseDep, scope: ScopeDep) -> WorkOrderOut:
    return work_order_out(await use_cases.decide_return(db, scope, clock, request.app.state.settings, order_id,
                                                        ReturnDecision(body.decision), body.note, body.area_code))


@router.post("/{order_id}/appeal", response_model=WorkOrderOut, responses=PROBLEMS,
             summary="Appeal the assessment of the closed order (申诉), with reasons: staff of the area it is with")
async def appeal(order_id: WorkOrderId, body: ReasonIn, clock: ClockDep, db: IdempotentDatabaseDep,
                 scope: ScopeDep) -> WorkOrderOut:
    return work_order_out(await use_cases.appeal_assessment(db, scope, clock, order_id, body.reason))


@router.post("/{order_id}/appeal-decision", response_model=WorkOrderOut, responses=PROBLEMS,
             summary="District staff decide an appeal: `reduce` (核减: the order's demand leaves every rate of the "
                     "area) or `uphold`")
async def decide_appeal(order_id: WorkOrderId, body: AppealDecisionIn, clock: ClockDep, db: IdempotentDatabaseDep,
                        scope: ScopeDep) -> WorkOrderOut:
    return work_order_out(await use_cases.decide_appeal(db, scope, clock, order_id, AppealDecision(body.decision),
                                                        body.note))
