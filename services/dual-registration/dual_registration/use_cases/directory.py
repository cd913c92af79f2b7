"""The units and members this service knows from org-registry's events, in the caller's area."""

from __future__ import annotations

from typing import Any

from dual_registration.store.read_copies import list_copies
from dual_registration.store.tables import member_copy, unit_copy
from dual_registration.use_cases.access import not_found
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.database import Database

UNITS = (unit_copy, "unit_id", "area_path")
MEMBERS = (member_copy, "member_id", "residence_area_path")


async def _list(db: Database, scope: AreaScope, which, *, community_code: str | None = None, after: str | None = None,
                limit: int = 100, only: str | None = None) -> list[dict[str, Any]]:
    table, key, path_column = which
    async with db.sessions() as session:
        return await list_copies(session, table, key, scope_path=scope.path, community_code=community_code,
                                 after=after, limit=limit, path_column=path_column, only=only)


async def list_units(db: Database, scope: AreaScope, *, community_code: str | None, after: str | None,
                     limit: int) -> list[dict[str, Any]]:
    require_role(scope, STAFF_ROLES | {Role.PARTNER}, "list units")
    return await _list(db, scope, UNITS, community_code=community_code, after=after, limit=limit)


async def get_unit(db: Database, scope: AreaScope, unit_id: str) -> dict[str, Any]:
    require_role(scope, STAFF_ROLES | {Role.PARTNER}, "see units")
    rows = await _list(db, scope, UNITS, only=unit_id, limit=3)
    if not rows:
        raise not_found("unit", unit_id)
    return rows[0]


async def list_members(db: Database, scope: AreaScope, *, community_code: str | None, after: str | None,
                       limit: int) -> list[dict[str, Any]]:
    require_role(scope, STAFF_ROLES, "list members")
    return await _list(db, scope, MEMBERS, community_code=community_code, after=after, limit=limit)


async def get_member(db: Database, scope: AreaScope, member_id: str) -> dict[str, Any]:
    if not (scope.caller.role == Role.PARTY_MEMBER and scope.caller.subject == member_id):
        require_role(scope, STAFF_ROLES, "see members")
    rows = await _list(db, scope, MEMBERS, only=member_id, limit=3)
    if not rows:
        raise not_found("member", member_id)
    return rows[0]
