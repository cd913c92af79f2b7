"""Callbacks (回访) on demands: kept with who gave and who recorded them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.callbacks import Callback, CallbackSource
from demand_intake.domain.demand import Feedback
from demand_intake.store.tables import CallbackRow


def _callback(row: CallbackRow) -> Callback:
    return Callback(row.id, row.demand_id, row.resolved, Feedback(row.satisfaction), CallbackSource(row.source),
                    row.called_at, row.recorded_by, row.recorded_by_role, row.recorded_at)


class CallbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, c: Callback) -> None:
        self.session.add(CallbackRow(id=c.id, demand_id=c.demand_id, resolved=c.resolved,
                                     satisfaction=c.satisfaction.value, source=c.source.value, called_at=c.called_at,
                                     recorded_by=c.recorded_by, recorded_by_role=c.recorded_by_role,
                                     recorded_at=c.recorded_at))

    async def of(self, demand_id: str) -> list[Callback]:
        rows = await self.session.execute(select(CallbackRow).where(CallbackRow.demand_id == demand_id)
                                          .order_by(CallbackRow.recorded_at, CallbackRow.id))
        return [_callback(r) for r in rows.scalars().all()]
