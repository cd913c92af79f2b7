"""Who may act and what a caller may see: the reviewers' roles, areas from the read copy inside the
caller's scope, and unknown-or-outside answered alike."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.auth import AreaScope, Role
from yizhou.axis_copy import AreaInfo, area_info
from yizhou.errors import ApplicationError, AreaRetired, NotFound, UnknownReference

REVIEWERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})


async def area_in_scope(session: AsyncSession, scope: AreaScope, code: str, field: str = "area_code") -> AreaInfo:
    area = await area_info(session, code)
    if area is None or not scope.covers(area.path):
        raise UnknownReference(f"No area '{code}' in your scope.",
                      errors=[{"field": field, "message": "unknown area"}])
    if area.retired:
        raise AreaRetired(f"Area '{code}' is retired.")
    return area


def not_found(what: str, ident: str) -> ApplicationError:
    return NotFound(f"No {what} '{ident}' in your scope.")
