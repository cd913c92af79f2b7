"""/api/v1/webhooks: partners register endpoints; the delivery log, re-send and replay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from standardwebhooks import Webhook

from yizhou.auth import AreaScope, Role
from yizhou.dependencies import DatabaseDep, require_roles
from yizhou.pagination import Page, page_of
from yizhou.partner import partner_events
from yizhou.problems import Problem
from yizhou.webhooks.replay import replay_since
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries

router = APIRouter(prefix="/api/v1/webhooks", tags=["partner webhooks"])
Manager = Annotated[AreaScope, Depends(require_roles(Role.PARTNER, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN))]
PROBLEMS = {401: {"description": "No or bad token"}, 403: {"description": "Role not allowed"},
            404: {"description": "Unknown or outside your scope"}, 422: {"description": "Invalid body"}}


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "partner": "Chaoyang 12345 hotline centre", "url": "https://hotline.example.gov.cn/yizhou/events",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "event_types": ["partner.demand.changed"]}]})

    partner: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=8, max_length=2000, description="HTTPS endpoint that accepts POST")
    secret: str = Field(min_length=16, max_length=200, description="Standard Webhooks secret (`whsec_` + base64)")
    event_types: list[str] = Field(min_length=1, max_length=20)


class EndpointOut(BaseModel):
    id: str
    partner: str
    url: str
    event_types: list[str]
    area_path: str
    active: bool
    created_at: datetime


class DeliveryOut(BaseModel):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    occurred_at: datetime
    delivered_at: datetime | None


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: datetime = Field(description="Re-send every matching event that occurred at or after this time")


class ReplayOut(BaseModel):
    requeued: int


def _check_url(url: str, allow_loopback_http: bool) -> None:
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and loopback and allow_loopback_http:
        return
    raise Problem("validation", "The endpoint must be an https:// URL.", errors=[{"field": "url", "message": "https required"}])


def _check_secret(secret: str) -> None:
    try:
        Webhook(secret)
    except Exception:
        raise Problem("validation", "The secret must be base64 (optionally prefixed with whsec_).",
                      errors=[{"field": "secret", "message": "not base64"}]) from None


async def _endpoint(db, scope: AreaScope, endpoint_id: str):
    async with db.sessions() as session:
        row = (await session.execute(select(partner_endpoints).where(partner_endpoints.c.id == endpoint_id))).first()
    if row is None or not scope.covers(row.area_path):
        raise Problem("not-found", f"No endpoint '{endpoint_id}' in your scope.")
    return row


def _out(row) -> EndpointOut:
    return EndpointOut(id=row.id, partner=row.partner, url=row.url, event_types=row.event_types,
                       area_path=row.area_path, active=row.active, created_at=row.created_at)


@router.post("/endpoints", status_code=status.HTTP_201_CREATED, response_model=EndpointOut, responses=PROBLEMS,
             summary="Register an endpoint for partner events inside your area")
async def register(body: EndpointIn, db: DatabaseDep, scope: Manager, request: Request, response: Response) -> EndpointOut:
    _check_url(body.url, request.app.state.settings.webhooks_allow_http_loopback)
    _check_secret(body.secret)
    known = {e.event_type for e in partner_events()}
    unknown = sorted(set(body.event_types) - known)
    if unknown:
        raise Problem("validation", f"Unknown partner event types: {unknown}; known: {sorted(known)}.",
                      errors=[{"field": "event_types", "message": f"unknown: {unknown}"}])
    values = {"id": str(uuid.uuid4()), "partner": body.partner, "url": body.url, "secret": body.secret,
              "event_types": sorted(set(body.event_types)), "area_path": scope.path,
              "owner_subject": scope.caller.subject, "active": True, "created_at": datetime.now(UTC)}
    async with db.sessions() as session, session.begin():
        await session.execute(partner_endpoints.insert().values(**values))
    response.headers["Location"] = f"/api/v1/webhooks/endpoints/{values['id']}"
    return EndpointOut(**{k: v for k, v in values.items() if k in EndpointOut.model_fields})


@router.get("/endpoints", response_model=Page[EndpointOut], responses=PROBLEMS, summary="Endpoints in your area")
async def list_endpoints(db: DatabaseDep, scope: Manager, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         after: Annotated[str | None, Query(max_length=36)] = None) -> Page[EndpointOut]:
    query = (select(partner_endpoints).where(partner_endpoints.c.area_path.startswith(scope.path, autoescape=True))
             .order_by(partner_endpoints.c.id).limit(limit + 1))
    if after:
        query = query.where(partner_endpoints.c.id > after)
    async with db.sessions() as session:
        rows = (await session.execute(query)).all()
    return page_of([_out(r) for r in rows], limit, lambda e: e.id)


@router.get("/endpoints/{endpoint_id}", response_model=EndpointOut, responses=PROBLEMS, summary="One endpoint")
async def get_endpoint(endpoint_id: str, db: DatabaseDep, scope: Manager) -> EndpointOut:
    return _out(await _endpoint(db, scope, endpoint_id))


@router.delete("/endpoints/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, responses=PROBLEMS,
               summary="Stop deliveries to an endpoint (its log is kept)")
async def deactivate(endpoint_id: str, db: DatabaseDep, scope: Manager) -> Response:
    await _endpoint(db, scope, endpoint_id)
    async with db.sessions() as session, session.begin():
        await session.execute(update(partner_endpoints).where(partner_endpoints.c.id == endpoint_id).values(active=False))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/endpoints/{endpoint_id}/deliveries", response_model=Page[DeliveryOut], responses=PROBLEMS,
            summary="Delivery log of an endpoint, oldest first")
async def deliveries(endpoint_id: str, db: DatabaseDep, scope: Manager,
                     status_is: Annotated[str | None, Query(alias="status", pattern="^(pending|delivered|dead)$")] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     after: Annotated[int | None, Query(ge=0)] = None) -> Page[DeliveryOut]:
    await _endpoint(db, scope, endpoint_id)
    query = (select(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id)
             .order_by(webhook_deliveries.c.id).limit(limit + 1))
    if status_is:
        query = query.where(webhook_deliveries.c.status == status_is)
    if after is not None:
        query = query.where(webhook_deliveries.c.id > after)
    async with db.sessions() as session:
        rows = (await session.execute(query)).all()
    items = [DeliveryOut(**{k: getattr(r, k) for k in DeliveryOut.model_fields}) for r in rows]
    return page_of(items, limit, lambda d: str(d.id))


@router.post("/deliveries/{delivery_id}/resend", response_model=DeliveryOut, responses=PROBLEMS,
             summary="Send a delivery again (e.g. a dead one after the partner fixed its endpoint)")
async def resend(delivery_id: Annotated[int, Path(ge=1, le=2**63 - 1)],  # a BIGINT: larger ids are a 422, not a 500
                 db: DatabaseDep, scope: Manager) -> DeliveryOut:
    async with db.sessions() as session, session.begin():
        row = (await session.execute(select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id))).first()
        if row is None:
            raise Problem("not-found", f"No delivery {delivery_id} in your scope.")
        await _endpoint(db, scope, row.endpoint_id)
        await session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id).values(
            status="pending", attempts=0, next_attempt_at=datetime.now(UTC), last_error=None))
        row = (await session.execute(select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id))).first()
    return DeliveryOut(**{k: getattr(row, k) for k in DeliveryOut.model_fields})


@router.post("/endpoints/{endpoint_id}/replay", response_model=ReplayOut, responses=PROBLEMS,
             summary="Re-send every matching partner event since a time (read again from the topics)")
async def replay(endpoint_id: str, body: ReplayIn, db: DatabaseDep, scope: Manager, request: Request) -> ReplayOut:
    endpoint = await _endpoint(db, scope, endpoint_id)
    since = body.since if body.since.tzinfo else body.since.replace(tzinfo=UTC)
    count = await replay_since(db, request.app.state.settings.kafka_bootstrap_servers, endpoint, since)
    return ReplayOut(requeued=count)
