"""Posts a community offers for members to claim: volunteer posts (the "little red caps"),
responsibility areas and sets of households to look after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from dual_registration.domain.community import community_of
from dual_registration.domain.ids import new_id
from dual_registration.store.claims import ClaimRepository, PostRepository
from dual_registration.use_cases.access import DECIDERS, not_found, require_decider, rules
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import area_copy
from yizhou.database import Database
from yizhou.errors import NothingToChange, UnknownReference


async def area_row(session, scope: AreaScope, area_code: str):
    """An active area of the read copy inside the caller's scope (422 otherwise)."""
    area = (await session.execute(select(area_copy).where(area_copy.c.code == area_code))).first()
    if area is None or area.retired or not scope.covers(area.path):
        raise UnknownReference(f"No active area '{area_code}' in your scope.",
                      errors=[{"field": "area_code", "message": "unknown area"}])
    return area


async def create_post(db: Database, scope: AreaScope, now: datetime, *, area_code: str, kind: str, title: str,
                      description: str, capacity: int, household_count: int | None) -> dict[str, Any]:
    require_role(scope, DECIDERS, "create posts")
    async with db.unit_of_work() as uow:
        area = await area_row(uow.session, scope, area_code)
        with rules():
            community = community_of(area.path)
        require_decider(scope, community.path, "create posts")
        post_id = new_id()
        await PostRepository(uow.session).add({
            "id": post_id, "community_code": community.code, "community_path": community.path,
            "area_code": area_code, "area_path": area.path, "kind": kind, "title": title,
            "description": description, "capacity": capacity, "household_count": household_count, "open": True,
            "created_by": scope.caller.subject, "created_at": now})
        await uow.commit()
    return await get_post(db, scope, post_id)


def _visible(scope: AreaScope) -> None:
    require_role(scope, STAFF_ROLES | {Role.PARTY_MEMBER, Role.PARTNER}, "see posts")


async def get_post(db: Database, scope: AreaScope, post_id: str) -> dict[str, Any]:
    _visible(scope)
    async with db.sessions() as session:
        row = await PostRepository(session).get(post_id)
        if row is None or not scope.covers(row.community_path):
            raise not_found("post", post_id)
        taken = await ClaimRepository(session).approved_on("post", post_id)
    return {**row._mapping, "places_taken": taken}


async def close_post(db: Database, scope: AreaScope, post_id: str) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        repo = PostRepository(uow.session)
        row = await repo.get(post_id, for_update=True)
        if row is None or not scope.covers(row.community_path):
            raise not_found("post", post_id)
        require_decider(scope, row.community_path, "close posts")
        if not row.open:
            raise NothingToChange(f"Post '{post_id}' is already closed.")
        await repo.close(post_id)
        await uow.commit()
    return await get_post(db, scope, post_id)


async def list_posts(db: Database, scope: AreaScope, *, community_code: str | None, kind: str | None,
                     open_: bool | None, after: str | None, limit: int) -> list[dict[str, Any]]:
    _visible(scope)
    async with db.sessions() as session:
        rows = await PostRepository(session).list(scope_path=scope.path, community_code=community_code, kind=kind,
                                                  open_=open_, after=after, limit=limit)
        taken = await ClaimRepository(session).approved_counts("post", [r["id"] for r in rows])
    return [{**r, "places_taken": taken.get(r["id"], 0)} for r in rows]
