"""/api/v1/token-revocations: a district admin revokes a bearer token by its id (`jti`); every
service refuses it within seconds."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from org_registry.api.responses import PROBLEMS
from org_registry.use_cases import tokens as use_cases
from yizhou.dependencies import ClockDep, DatabaseDep, ScopeDep
from yizhou.idempotent_writes import IdempotentDatabaseDep, IdempotentRoute

router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1/token-revocations", tags=["token revocations"])


class RevocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jti: str = Field(min_length=1, max_length=100, description="The token's `jti` claim")
    expires_at: AwareDatetime | None = Field(
        default=None, description="The token's `exp`, if known; kept at most the platform's longest token lifetime")


class RevocationOut(BaseModel):
    jti: str
    expires_at: datetime
    revoked_at: datetime


@router.post("", status_code=201, response_model=RevocationOut, responses=PROBLEMS,
             summary="Revoke a token: every service refuses it within seconds (district admins)")
async def revoke(body: RevocationIn, request: Request, db: IdempotentDatabaseDep, scope: ScopeDep,
                 clock: ClockDep) -> RevocationOut:
    event = await use_cases.revoke(db, scope, clock, request.app.state.settings.jwt_max_ttl_s, body.jti,
                                   body.expires_at)
    return RevocationOut(jti=event.jti, expires_at=event.expires_at, revoked_at=event.revoked_at)


@router.get("", response_model=list[RevocationOut], responses=PROBLEMS,
            summary="The revocations in force (district admins)")
async def revocations(db: DatabaseDep, scope: ScopeDep, clock: ClockDep) -> list[RevocationOut]:
    return [RevocationOut(**row) for row in await use_cases.revoked(db, scope, clock)]
