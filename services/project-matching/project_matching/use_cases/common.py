"""What every use case shares: the caller's roles, areas from the read copy, events recorded from
a consumer's session, and domain refusals as problems."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.events import SOURCE
from yizhou.auth import AreaScope, Role
from yizhou.axis_copy import AreaInfo, area_info
from yizhou.events import EventData
from yizhou.errors import ApplicationError, AreaRetired, NotFound, UnknownReference

REVIEWERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})



class Work(Protocol):
    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None: ...


def record(work: Work, event: EventData, aggregate_id: str) -> None:
    work.record(event, aggregate_id=aggregate_id, source=SOURCE)


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
