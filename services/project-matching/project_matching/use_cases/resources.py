"""Registering, changing and withdrawing resources (through the API and from dual-registration's
events), and the places of areas that give demands and resources their location."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from project_matching.domain.errors import ResourceRuleViolation
from project_matching.domain.matching import Window
from project_matching.domain.resource import Resource, check_resource
from project_matching.events import NAMESPACE
from project_matching.guarantee.store import read_copies
from project_matching.store.resources import PlaceRepository, ResourceRepository, windows_json
from project_matching.use_cases.access import area_in_scope, not_found
from project_matching.use_cases.publishing import Work, record
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, require_role
from yizhou.contracts.resources import ResourceRegistered, ResourceUpdated, ResourceWithdrawn
from yizhou.database import Database
from yizhou.errors import ApplicationError, Conflict, RuleViolated, UnknownReference


def resource_event(cls, r: Resource, **extra: Any):
    fields = dict(resource_id=r.id, kind=r.kind, area_code=r.area_code, area_path=r.area_path,
                  categories=list(r.categories), capacity=r.capacity, provider_kind=r.provider_kind,
                  provider_id=r.provider_id, state=r.state)
    if cls is not ResourceWithdrawn:
        fields.update(skills=list(r.skills), amount_yuan=None if r.amount_fen is None else r.amount_fen / 100)
    return cls(**fields, **extra)


async def add_resource(repo: ResourceRepository, work: Work, *, kind: str, title: str, provider_kind: str,
                       provider_id: str | None, area_code: str, area_path: str, categories: list[str],
                       skills: list[str], capacity: int, amount_fen: int | None, latitude: float | None,
                       longitude: float | None, windows: list[Window], origin: str, now: datetime,
                       resource_id: str | None = None) -> Resource:
    check_resource(kind=kind, categories=categories, capacity=capacity, amount_fen=amount_fen, windows=windows)
    values = dict(id=resource_id or str(uuid.uuid4()), kind=kind, title=title, provider_kind=provider_kind,
                  provider_id=provider_id, area_code=area_code, area_path=area_path, serves_path=area_path,
                  categories=list(dict.fromkeys(categories)), skills=list(dict.fromkeys(skills)), capacity=capacity,
                  amount_fen=amount_fen, latitude=latitude, longitude=longitude, windows=windows_json(windows),
                  state="active", origin=origin, created_at=now, updated_at=now)
    await repo.add(values)
    resource = await repo.get(values["id"])
    record(work, resource_event(ResourceRegistered, resource, origin="api" if origin.startswith("api:") else origin),
           resource.id)
    return resource


def _rule(exc: ResourceRuleViolation) -> ApplicationError:
    return RuleViolated(str(exc))


async def check_provider(session, scope: AreaScope, kind: str, provider_id: str | None, area_path: str) -> None:
    """A unit or member named as provider must be one this district knows, in the caller's area or (a
    unit) sitting on the resource's axis above it; one elsewhere answers as an unknown one."""
    if provider_id is None or kind not in ("unit", "member"):
        return
    place = await (read_copies.unit_path if kind == "unit" else read_copies.member_home)(session, provider_id)
    above = kind == "unit" and place is not None and area_path.startswith(place)
    if place is None or not (scope.covers(place) or above):
        raise UnknownReference(f"No registered {kind} '{provider_id}' in your area (org-registry's records reach this "
                               "service as events: one created a moment ago may take a moment).",
                               errors=[{"field": "provider_id", "location": "body", "message": f"unknown {kind}"}])


async def register(db: Database, scope: AreaScope, body: dict[str, Any]) -> Resource:
    require_role(scope, STAFF_ROLES, "register resources")
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        area = await area_in_scope(uow.session, scope, body["area_code"])
        await check_provider(uow.session, scope, body["provider_kind"], body.get("provider_id"), area.path)
        try:
            resource = await add_resource(
                ResourceRepository(uow.session), uow, kind=body["kind"], title=body["title"],
                provider_kind=body["provider_kind"], provider_id=body.get("provider_id"), area_code=area.code,
                area_path=area.path, categories=body["categories"], skills=body.get("skills", []),
                capacity=body.get("capacity", 0), amount_fen=body.get("amount_fen"), latitude=body.get("latitude"),
                longitude=body.get("longitude"), windows=body.get("windows", []), origin=f"api:{uuid.uuid4()}",
                now=now)
        except ResourceRuleViolation as exc:
            raise _rule(exc) from None
        await uow.commit()
    return resource


async def _visible(repo: ResourceRepository, scope: AreaScope, resource_id: str) -> Resource:
    resource = await repo.get(resource_id)
    if resource is None or not scope.covers(resource.area_path):
        raise not_found("resource", resource_id)
    return resource


async def get(db: Database, scope: AreaScope, resource_id: str) -> Resource:
    async with db.sessions() as session:
        return await _visible(ResourceRepository(session), scope, resource_id)


async def list_resources(db: Database, scope: AreaScope, *, area_code: str | None, kind: str | None,
                         category: str | None, state: str | None, after: str | None, limit: int) -> list[Resource]:
    async with db.sessions() as session:
        path = scope.path if area_code is None else (await area_in_scope(session, scope, area_code)).path
        return await ResourceRepository(session).list(under_path=path, kind=kind, category=category, state=state,
                                                      after=after, limit=limit)


async def change(db: Database, scope: AreaScope, resource_id: str, changes: dict[str, Any]) -> Resource:
    require_role(scope, STAFF_ROLES, "change resources")
    async with db.unit_of_work() as uow:
        repo = ResourceRepository(uow.session)
        current = await _visible(repo, scope, resource_id)
        if current.state != "active":
            raise Conflict(f"Resource '{resource_id}' is withdrawn.")
        merged = {"categories": list(current.categories), "capacity": current.capacity,
                  "amount_fen": current.amount_fen, "windows": list(current.windows), **changes}
        try:
            check_resource(kind=current.kind, categories=merged["categories"], capacity=merged["capacity"],
                           amount_fen=merged["amount_fen"], windows=merged["windows"])
        except ResourceRuleViolation as exc:
            raise _rule(exc) from None
        values = {k: v for k, v in changes.items()}
        if "windows" in values:
            values["windows"] = windows_json(values["windows"])
        await repo.change(resource_id, {**values, "updated_at": datetime.now(UTC)})
        resource = await repo.get(resource_id)
        record(uow, resource_event(ResourceUpdated, resource), resource.id)
        await uow.commit()
    return resource


async def withdraw_resource(repo: ResourceRepository, work: Work, resource: Resource, now: datetime) -> Resource:
    await repo.change(resource.id, {"state": "withdrawn", "updated_at": now})
    withdrawn = await repo.get(resource.id)
    record(work, resource_event(ResourceWithdrawn, withdrawn), resource.id)
    return withdrawn


async def keep_member_resource(repo: ResourceRepository, work: Work, *, member_id: str, community_code: str,
                               community_path: str, skills: list[str], capacity: int, categories: list[str],
                               now: datetime) -> None:
    """One resource per registered member (their skills and time), registered the first time and moved
    to the member's community, with their skills and time, when they register again or transfer."""
    origin = f"member:{member_id}"
    current = await repo.by_origin(origin)
    if current is None:
        await add_resource(repo, work, kind="volunteer_hours", title="Registered member's service time",
                           provider_kind="member", provider_id=member_id, area_code=community_code,
                           area_path=community_path, categories=categories, skills=skills, capacity=capacity,
                           amount_fen=None, latitude=None, longitude=None, windows=[], origin=origin, now=now,
                           resource_id=str(uuid.uuid5(NAMESPACE, origin)))
    else:
        await repo.change(current.id, {"area_code": community_code, "area_path": community_path,
                                       "serves_path": community_path, "categories": categories,
                                       "skills": skills, "capacity": capacity, "state": "active",
                                       "updated_at": now})
        record(work, resource_event(ResourceUpdated, await repo.get(current.id)), current.id)


async def withdraw(db: Database, scope: AreaScope, resource_id: str) -> Resource:
    require_role(scope, STAFF_ROLES, "withdraw resources")
    async with db.unit_of_work() as uow:
        repo = ResourceRepository(uow.session)
        current = await _visible(repo, scope, resource_id)
        if current.state != "active":
            raise Conflict(f"Resource '{resource_id}' is already withdrawn.")
        resource = await withdraw_resource(repo, uow, current, datetime.now(UTC))
        await uow.commit()
    return resource


async def put_place(db: Database, scope: AreaScope, code: str, latitude: float, longitude: float) -> None:
    require_role(scope, STAFF_ROLES, "set area places")
    async with db.unit_of_work() as uow:
        area = await area_in_scope(uow.session, scope, code, field="code")
        await PlaceRepository(uow.session).put(area.code, latitude, longitude, datetime.now(UTC))
        await uow.commit()
