"""This service's copy of org-registry's units (a demand is assigned to one), kept from their events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.store.tables import UnitCopyRow
from yizhou.bulk import upsert_many

UNITS = UnitCopyRow.__table__


async def keep_unit(session: AsyncSession, *, unit_id: str, name: str, kind: str, area_code: str,
                    now: datetime) -> None:
    """Made the first time, renamed (or moved) in place after: an upsert by id."""
    await upsert_many(session, UNITS, [{"unit_id": unit_id, "name": name[:200], "kind": kind[:32],
                                        "area_code": area_code[:32], "updated_at": now}], ["unit_id"])


async def unit_names(session: AsyncSession, unit_ids: set[str]) -> dict[str, str]:
    """The current names of these units (those this service knows), in one query."""
    if not unit_ids:
        return {}
    rows = await session.execute(select(UNITS.c.unit_id, UNITS.c.name).where(UNITS.c.unit_id.in_(unit_ids)))
    return dict(rows.all())
