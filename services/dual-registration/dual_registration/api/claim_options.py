"""/api/v1/claim-options: a member's claim screen, ranked so claimants spread out (congestion-aware)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dual_registration.api.responses import PROBLEMS
from dual_registration.use_cases.claim_options import ranked_options
from yizhou.dependencies import DatabaseDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["claims"])


class ClaimOptionOut(BaseModel):
    target_kind: str = Field(description="`post` or `project`: what `POST /api/v1/claims` takes")
    target_id: str
    title: str | None = Field(description="A post's title (projects are named by project-matching)")
    post_kind: str | None
    category: str | None = Field(description="A project's service category")
    area_code: str
    places: int | None = Field(description="A post's capacity; null: a project takes as many as come")
    claimed: int = Field(description="Claims requested or approved so far")
    score: float = Field(description="fit x congestion: the order of the list")
    fit: float = Field(description="0..1: the member's skills against the option's category, and nearness on the axis")
    congestion: float = Field(description="The marginal value of one more claimant: 1 for the first, 1/2, ...; "
                                          "0.01 when full")
    reason: str


class ClaimOptionsOut(BaseModel):
    items: list[ClaimOptionOut]


@router.get("/claim-options", response_model=ClaimOptionsOut, responses=PROBLEMS,
            summary="For a party member: the open posts and projects of the community they live in, ranked by fit "
                    "and by how much one more claimant is worth there (the empty ones first), with the reason")
async def claim_options(db: DatabaseDep, scope: ScopeDep) -> ClaimOptionsOut:
    ranked, rows = await ranked_options(db, scope)
    items = []
    for r in ranked:
        row = rows[f"{r.option.kind}:{r.option.id}"]
        items.append(ClaimOptionOut(target_kind=r.option.kind, target_id=r.option.id, title=row["title"],
                                    post_kind=row["post_kind"], category=row["category"],
                                    area_code=row["area_path"].strip("/").rsplit("/", 1)[-1], places=r.option.places,
                                    claimed=r.option.claimed, score=r.score, fit=r.fit, congestion=r.congestion,
                                    reason=r.reason))
    return ClaimOptionsOut(items=items)
