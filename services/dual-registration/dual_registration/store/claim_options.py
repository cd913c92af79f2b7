"""What a member could claim in their community, with how many claims each option has already."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.domain.claim import OPEN_PROJECT_EVENTS, ClaimState
from dual_registration.store.tables import claims, posts, project_copy

# A claim waiting for a decision takes a place as much as an approved one: both are where people went.
HOLDING = [ClaimState.REQUESTED.value, ClaimState.APPROVED.value]


def _claimed(kind: str):
    return (select(claims.c.target_id, func.count().label("claimed"))
            .where(claims.c.target_kind == kind, claims.c.state.in_(HOLDING))
            .group_by(claims.c.target_id).subquery())


async def open_options(session: AsyncSession, community_path: str, limit: int) -> list[dict[str, Any]]:
    post_claims, project_claims = _claimed("post"), _claimed("project")
    post_rows = await session.execute(
        select(posts.c.id, posts.c.title, posts.c.kind, posts.c.area_path, posts.c.capacity,
               func.coalesce(post_claims.c.claimed, 0).label("claimed"))
        .outerjoin(post_claims, post_claims.c.target_id == posts.c.id)
        .where(posts.c.community_path == community_path, posts.c.open.is_(True))
        .order_by(posts.c.id).limit(limit))
    project_rows = await session.execute(
        select(project_copy.c.project_id, project_copy.c.category, project_copy.c.area_path,
               func.coalesce(project_claims.c.claimed, 0).label("claimed"))
        .outerjoin(project_claims, project_claims.c.target_id == project_copy.c.project_id)
        .where(project_copy.c.area_path.startswith(community_path, autoescape=True),
               project_copy.c.last_event.in_(sorted(OPEN_PROJECT_EVENTS)))
        .order_by(project_copy.c.project_id).limit(limit))
    return ([{"kind": "post", "id": r.id, "title": r.title, "post_kind": r.kind, "category": None,
              "area_path": r.area_path, "places": r.capacity, "claimed": r.claimed} for r in post_rows]
            + [{"kind": "project", "id": r.project_id, "title": None, "post_kind": None, "category": r.category,
                "area_path": r.area_path, "places": None, "claimed": r.claimed} for r in project_rows])
