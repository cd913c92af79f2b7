"""What every use case shares: the caller's roles, areas from the read copy, events recorded from
a consumer's session, and domain refusals as problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.events import SOURCE
from yizhou.auth import AreaScope, Role
from yizhou.axis_copy import area_copy
from yizhou.events import EventData
from yizhou.messaging_tables import outbox
from yizhou.partner import partner_views
from yizhou.problems import Problem, register_problem

STAFF = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_WORKER})
REVIEWERS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})

register_problem("over-budget", 409, "The spend would exceed the project's budget")
register_problem("project-not-ready", 409, "The project is not at the step this needs")
register_problem("area-retired", 409, "The area is retired")
register_problem("no-location", 422, "No location is known for the area")


class Work(Protocol):
    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None: ...


class SessionWork:
    """Records events into the outbox of a session someone else commits (a consumer's handler)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._rows: list[dict[str, Any]] = []

    def record(self, data: EventData, *, aggregate_id: str, subject: str | None = None, source: str) -> None:
        row = data.outbox_values(aggregate_id=aggregate_id, subject=subject or aggregate_id, source=source)
        self._rows.append(row)
        for view in partner_views(data.event_type, row["data"]):
            self._rows.append(view.outbox_values(aggregate_id=aggregate_id, subject=subject or aggregate_id,
                                                 source=source))

    async def flush(self) -> None:
        if self._rows:
            await self.session.execute(outbox.insert(), self._rows)
            self._rows = []


def record(work: Work, event: EventData, aggregate_id: str) -> None:
    work.record(event, aggregate_id=aggregate_id, source=SOURCE)


def require_role(scope: AreaScope, roles: frozenset, doing: str) -> None:
    if scope.caller.role not in roles:
        raise Problem("forbidden", f"Role '{scope.caller.role}' may not {doing}; allowed: "
                                   f"{', '.join(sorted(r.value for r in roles))}.")


@dataclass(frozen=True)
class AreaInfo:
    code: str
    path: str
    level: str
    retired: bool


async def area_info(session: AsyncSession, code: str) -> AreaInfo | None:
    row = (await session.execute(select(area_copy).where(area_copy.c.code == code))).first()
    return AreaInfo(row.code, row.path, row.level, row.retired) if row else None


async def area_in_scope(session: AsyncSession, scope: AreaScope, code: str, field: str = "area_code") -> AreaInfo:
    area = await area_info(session, code)
    if area is None or not scope.covers(area.path):
        raise Problem("unknown-reference", f"No area '{code}' in your scope.",
                      errors=[{"field": field, "message": "unknown area"}])
    if area.retired:
        raise Problem("area-retired", f"Area '{code}' is retired.")
    return area


def not_found(what: str, ident: str) -> Problem:
    return Problem("not-found", f"No {what} '{ident}' in your scope.")
