"""FastAPI dependencies every service uses: the database, the caller and the caller's area scope."""

from __future__ import annotations

import time
from datetime import tzinfo
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from yizhou.auth import AreaScope, Caller, Role, require_role
from yizhou.clock import Clock
from yizhou.database import Database
from yizhou.problems import Problem

_bearer = HTTPBearer(auto_error=False, description="JWT with `role` and `area` claims (`yizhou token`).")


async def get_database(request: Request) -> Database:  # async: a sync dependency runs in the thread pool
    return request.app.state.db


async def get_caller(request: Request,
                     credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem("unauthenticated", "Send `Authorization: Bearer <token>`.")
    return await request.app.state.tokens.verify(credentials.credentials)


# The caller's area path, kept per process for a moment: every request needs it, and reading it took a
# pool checkout and a query of its own (an eighth of a demand submit on PostgreSQL). Staleness can only
# refuse: after the caller's own area moves, its old path matches neither the moved records nor any new
# target (paths are made of unique codes) for at most this long. Unknown areas are not kept.
SCOPE_PATH_TTL_S = 2.0


async def get_scope(request: Request, caller: Annotated[Caller, Depends(get_caller)]) -> AreaScope:
    known: dict[str, tuple[str, float]] = request.app.state.scope_paths
    now = time.monotonic()
    path, until = known.get(caller.area, (None, 0.0))
    if until <= now:
        db: Database = request.app.state.db
        async with db.sessions() as session:
            path = await request.app.state.area_paths(session, caller.area)
        if path is not None:
            known[caller.area] = (path, now + SCOPE_PATH_TTL_S)
    if path is None:
        raise Problem("out-of-scope", f"The caller's area '{caller.area}' is not on this service's axis.")
    return AreaScope(caller=caller, path=path)


def require_roles(*roles: Role):
    allowed = frozenset(roles)

    async def _check(scope: Annotated[AreaScope, Depends(get_scope)]) -> AreaScope:
        require_role(scope, allowed, "do this")
        return scope

    return _check


DatabaseDep = Annotated[Database, Depends(get_database)]
CallerDep = Annotated[Caller, Depends(get_caller)]
ScopeDep = Annotated[AreaScope, Depends(get_scope)]


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


async def district_zone(request: Request) -> tzinfo:
    """The district's time zone (DISTRICT_TIME_ZONE): days, months and years begin at midnight on its clock."""
    return request.app.state.settings.district_zone


DistrictZoneDep = Annotated[tzinfo, Depends(district_zone)]
