"""/api/v1/posts: posts a community offers (little red caps, responsibility areas, households)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from dual_registration.api.parameters import After, Limit, NowDep
from dual_registration.api.responses import PROBLEMS
from dual_registration.api.schemas import PostIn, PostOut
from dual_registration.domain.claim import PostKind
from dual_registration.use_cases import posts as use_cases
from yizhou.dependencies import DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute
from yizhou.list_parameters import ExactAreaCode
from yizhou.pagination import Page, page_of

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/posts", tags=["posts"])
PostId = Annotated[str, Path(max_length=64)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PostOut, responses=PROBLEMS,
             summary="Community staff create a post members can claim")
async def create_post(body: PostIn,
                      db: IdempotentDatabaseDep, scope: ScopeDep, now: NowDep, response: Response) -> PostOut:
    record = await use_cases.create_post(db, scope, now, **body.model_dump())
    response.headers["Location"] = f"/api/v1/posts/{record['id']}"
    return PostOut.model_validate(record)


@router.get("", response_model=Page[PostOut], responses=PROBLEMS, summary="Posts in your area")
async def list_posts(db: DatabaseDep, scope: ScopeDep, community_code: ExactAreaCode = None,
                     kind: PostKind | None = None, open: bool | None = None, after: After = None,
                     limit: Limit = 100) -> Page[PostOut]:
    records = await use_cases.list_posts(db, scope, community_code=community_code, kind=kind, open_=open,
                                         after=after, limit=limit + 1)
    return page_of([PostOut.model_validate(r) for r in records], limit, lambda p: p.id)


@router.get("/{post_id}", response_model=PostOut, responses=PROBLEMS, summary="One post, with places taken")
async def get_post(post_id: PostId, db: DatabaseDep, scope: ScopeDep) -> PostOut:
    return PostOut.model_validate(await use_cases.get_post(db, scope, post_id))


@router.post("/{post_id}/close", response_model=PostOut, responses=PROBLEMS, summary="Stop taking claims")
async def close_post(post_id: PostId, db: IdempotentDatabaseDep, scope: ScopeDep) -> PostOut:
    return PostOut.model_validate(await use_cases.close_post(db, scope, post_id))
