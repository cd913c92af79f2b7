"""/api/v1/webhooks: partners register endpoints; the delivery log, re-send and replay.

Who sees an endpoint: the partner who registered it (the token's subject), and staff (district and
subdistrict admins) whose area covers it. Another partner, of the same area or one above it, gets 404
for it as for an endpoint that does not exist."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select, update
from standardwebhooks import Webhook

from yizhou.auth import AreaScope, Role
from yizhou.dependencies import DatabaseDep, require_roles
from yizhou.list_parameters import After, NumberAfter
from yizhou.pagination import Page, page_of
from yizhou.partner import partner_events
from yizhou.problems import Problem, problem_response
from yizhou.webhooks.config import WebhookConfig
from yizhou.webhooks.egress import FAILURE_CLASSES, RefusedDestination, check_destination, shown_error
from yizhou.webhooks.errors import DeliveryQueueFull, EndpointInactive, EndpointLimit, ReplayTooSoon
from yizhou.webhooks.intake import pending_counts
from yizhou.webhooks.replay import claim_replay, finish_replay, replay_since
from yizhou.webhooks.tables import partner_endpoints, webhook_deliveries

router = APIRouter(prefix="/api/v1/webhooks", tags=["partner webhooks"])
Manager = Annotated[AreaScope, Depends(require_roles(Role.PARTNER, Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN))]
PROBLEMS = {401: {"description": "No or bad token"}, 403: {"description": "Role not allowed"},
            404: {"description": "Unknown, outside your scope, or another partner's"},
            422: {"description": "Invalid body"}}
CONFLICT = {409: {"description": "The endpoint is deactivated, at a limit, or being replayed"}}
DELIVERY_STATUSES = ("pending", "delivered", "dead", "cancelled", "dropped")


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "partner": "Chaoyang 12345 hotline centre", "url": "https://hotline.example.gov.cn/yizhou/events",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "event_types": ["partner.demand.changed"]}]})

    partner: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=8, max_length=2000,
                     description="HTTPS endpoint that accepts POST; its host must resolve to public addresses only "
                                 "(no loopback, private, link-local, ... address), no user or password in the URL")
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
    status: str = Field(description=f"One of {', '.join(DELIVERY_STATUSES)}: `cancelled` when the endpoint was "
                                    "deactivated before it was sent, `dropped` when the endpoint's queue was full")
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None = Field(description="What went wrong last, as a class: "
                                               f"{', '.join(FAILURE_CLASSES)}, or `queue-full` for a dropped one")
    occurred_at: datetime
    delivered_at: datetime | None

    @field_validator("last_error")
    @classmethod
    def _as_class(cls, value: str | None) -> str | None:
        return value if value == "queue-full" else shown_error(value)


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: datetime = Field(description="Re-send every matching event that occurred at or after this time")


class ReplayOut(BaseModel):
    requeued: int
    complete: bool = Field(description="false: the endpoint's queue filled up first; replay again, from the "
                                       "time of the last event received, once it has drained")


def _config(request: Request) -> WebhookConfig:
    return WebhookConfig.from_settings(request.app.state.settings)


async def _check_url(url: str, config: WebhookConfig) -> None:
    try:
        await check_destination(url, config.policy)
    except RefusedDestination as exc:
        raise Problem("validation", f"The endpoint URL is not allowed: {exc}.",
                      errors=[{"field": "url", "message": str(exc)}]) from None


def _check_secret(secret: str) -> None:
    try:
        Webhook(secret)
    except Exception:
        raise Problem("validation", "The secret must be base64 (optionally prefixed with whsec_).",
                      errors=[{"field": "secret", "message": "not base64"}]) from None


def _sees(scope: AreaScope, row) -> bool:
    """Partners see their own endpoints only; staff every endpoint in their subtree."""
    if not scope.covers(row.area_path):
        return False
    return scope.caller.role != Role.PARTNER or row.owner_subject == scope.caller.subject


async def _endpoint(db, scope: AreaScope, endpoint_id: str):
    async with db.sessions() as session:
        row = (await session.execute(select(partner_endpoints).where(partner_endpoints.c.id == endpoint_id))).first()
    if row is None or not _sees(scope, row):
        raise Problem("not-found", f"No endpoint '{endpoint_id}' in your scope.")
    return row


def _out(row) -> EndpointOut:
    return EndpointOut(id=row.id, partner=row.partner, url=row.url, event_types=row.event_types,
                       area_path=row.area_path, active=row.active, created_at=row.created_at)


def _delivery_out(row) -> DeliveryOut:
    return DeliveryOut(**{k: getattr(row, k) for k in DeliveryOut.model_fields})


@router.post("/endpoints", status_code=status.HTTP_201_CREATED, response_model=EndpointOut,
             responses=PROBLEMS | {409: {"description": "The partner holds the most endpoints allowed"}},
             summary="Register an endpoint for partner events inside your area")
async def register(body: EndpointIn, db: DatabaseDep, scope: Manager, request: Request, response: Response) -> EndpointOut:
    config = _config(request)
    _check_secret(body.secret)
    known = {e.event_type for e in partner_events()}
    unknown = sorted(set(body.event_types) - known)
    if unknown:
        raise Problem("validation", f"Unknown partner event types: {unknown}; known: {sorted(known)}.",
                      errors=[{"field": "event_types", "message": f"unknown: {unknown}"}])
    await _check_url(body.url, config)
    values = {"id": str(uuid.uuid4()), "partner": body.partner, "url": body.url, "secret": body.secret,
              "event_types": sorted(set(body.event_types)), "area_path": scope.path,
              "owner_subject": scope.caller.subject, "active": True, "created_at": datetime.now(UTC)}
    async with db.sessions() as session, session.begin():
        held = (await session.execute(select(func.count()).select_from(partner_endpoints).where(
            partner_endpoints.c.owner_subject == scope.caller.subject, partner_endpoints.c.active.is_(True)))).scalar_one()
        if held >= config.max_endpoints_per_partner:
            raise EndpointLimit(f"You hold {held} active endpoints, the most allowed "
                                f"({config.max_endpoints_per_partner}); deactivate one first.",
                                limit=config.max_endpoints_per_partner)
        await session.execute(partner_endpoints.insert().values(**values))
    response.headers["Location"] = f"/api/v1/webhooks/endpoints/{values['id']}"
    return EndpointOut(**{k: v for k, v in values.items() if k in EndpointOut.model_fields})


@router.get("/endpoints", response_model=Page[EndpointOut], responses=PROBLEMS,
            summary="Endpoints in your area (a partner: its own)")
async def list_endpoints(db: DatabaseDep, scope: Manager, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         after: After = None) -> Page[EndpointOut]:
    query = (select(partner_endpoints).where(partner_endpoints.c.area_path.startswith(scope.path, autoescape=True))
             .order_by(partner_endpoints.c.id).limit(limit + 1))
    if scope.caller.role == Role.PARTNER:
        query = query.where(partner_endpoints.c.owner_subject == scope.caller.subject)
    if after:
        query = query.where(partner_endpoints.c.id > after)
    async with db.sessions() as session:
        rows = (await session.execute(query)).all()
    return page_of([_out(r) for r in rows], limit, lambda e: e.id)


@router.get("/endpoints/{endpoint_id}", response_model=EndpointOut, responses=PROBLEMS, summary="One endpoint")
async def get_endpoint(endpoint_id: str, db: DatabaseDep, scope: Manager) -> EndpointOut:
    return _out(await _endpoint(db, scope, endpoint_id))


@router.delete("/endpoints/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, responses=PROBLEMS,
               summary="Stop deliveries to an endpoint: queued ones are cancelled (its log is kept)")
async def deactivate(endpoint_id: str, db: DatabaseDep, scope: Manager) -> Response:
    await _endpoint(db, scope, endpoint_id)
    async with db.sessions() as session, session.begin():
        await session.execute(update(partner_endpoints).where(partner_endpoints.c.id == endpoint_id).values(active=False))
        # The dispatcher reads the endpoint again before each attempt, so one already picked is not sent either.
        await session.execute(update(webhook_deliveries).where(
            webhook_deliveries.c.endpoint_id == endpoint_id, webhook_deliveries.c.status == "pending").values(
            status="cancelled"))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/endpoints/{endpoint_id}/deliveries", response_model=Page[DeliveryOut], responses=PROBLEMS,
            summary="Delivery log of an endpoint, oldest first")
async def deliveries(endpoint_id: str, db: DatabaseDep, scope: Manager,
                     status_is: Annotated[str | None, Query(alias="status",
                                                            pattern=f"^({'|'.join(DELIVERY_STATUSES)})$")] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     after: NumberAfter = None) -> Page[DeliveryOut]:
    await _endpoint(db, scope, endpoint_id)
    query = (select(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id)
             .order_by(webhook_deliveries.c.id).limit(limit + 1))
    if status_is:
        query = query.where(webhook_deliveries.c.status == status_is)
    if after is not None:
        query = query.where(webhook_deliveries.c.id > after)
    async with db.sessions() as session:
        rows = (await session.execute(query)).all()
    return page_of([_delivery_out(r) for r in rows], limit, lambda d: str(d.id))


@router.post("/deliveries/{delivery_id}/resend", response_model=DeliveryOut, responses=PROBLEMS | CONFLICT,
             summary="Send a delivery again (e.g. a dead one after the partner fixed its endpoint)")
async def resend(delivery_id: Annotated[int, Path(ge=1, le=2**63 - 1)],  # a BIGINT: larger ids are a 422, not a 500
                 db: DatabaseDep, scope: Manager, request: Request) -> DeliveryOut:
    async with db.sessions() as session:
        row = (await session.execute(select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id))).first()
    if row is None:
        raise Problem("not-found", f"No delivery {delivery_id} in your scope.")
    try:
        endpoint = await _endpoint(db, scope, row.endpoint_id)
    except Problem:
        raise Problem("not-found", f"No delivery {delivery_id} in your scope.") from None
    if not endpoint.active:
        raise EndpointInactive("The endpoint is deactivated: nothing is sent to it any more.")
    limit = _config(request).max_pending_per_endpoint
    async with db.sessions() as session, session.begin():
        queued = (await pending_counts(session, [endpoint.id])).get(endpoint.id, 0)
        if row.status != "pending" and queued >= limit:
            raise DeliveryQueueFull(f"The endpoint has {queued} deliveries waiting, the most allowed ({limit}); "
                                    "send this one again once they are out.", limit=limit)
        await session.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id).values(
            status="pending", attempts=0, next_attempt_at=datetime.now(UTC), last_error=None))
        row = (await session.execute(select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id))).first()
    return _delivery_out(row)


@router.post("/endpoints/{endpoint_id}/replay", response_model=ReplayOut,
             responses=PROBLEMS | CONFLICT | {429: {"description": "Replayed too recently (see Retry-After)"}},
             summary="Re-send every matching partner event since a time (read again from the topics); one "
                     "replay per endpoint at a time, and at most one per interval")
async def replay(endpoint_id: str, body: ReplayIn, db: DatabaseDep, scope: Manager, request: Request) -> ReplayOut:
    endpoint = await _endpoint(db, scope, endpoint_id)
    if not endpoint.active:
        raise EndpointInactive("The endpoint is deactivated: nothing is sent to it any more.")
    config = _config(request)
    since = body.since if body.since.tzinfo else body.since.replace(tzinfo=UTC)
    try:
        claim = await claim_replay(db, endpoint.id, scope.caller.subject, config)
    except ReplayTooSoon as exc:
        return problem_response(request, exc.slug, exc.detail, headers={"Retry-After": str(exc.extensions["retry_after_s"])},
                                **exc.extensions)
    ok = False
    try:
        result = await replay_since(db, request.app.state.settings.kafka_access, endpoint, since, config)
        ok = True
    finally:   # shielded: a client that hangs up does not leave the replay marked running
        await asyncio.shield(finish_replay(db, claim, ok=ok))
    return ReplayOut(requeued=result.requeued, complete=result.complete)
