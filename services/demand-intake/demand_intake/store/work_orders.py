"""Hotline work orders (12345 工单): found by id, by the hotline's number, or by the demand carrying them."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from demand_intake.domain.work_orders import WorkOrder, WorkOrderState
from demand_intake.store.tables import WorkOrderRow
from yizhou.pending_inserts import insert_at_commit


def _order(row: WorkOrderRow) -> WorkOrder:
    return WorkOrder(row.id, row.external_id, row.demand_id, WorkOrderState(row.state), row.area_code, row.category,
                     row.hotline_category, row.received_at, row.due_at, row.created_at, row.updated_at, row.reason,
                     row.decision_note)


def _values(order: WorkOrder) -> dict:
    return {**asdict(order), "state": order.state.value}


class WorkOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, order: WorkOrder) -> None:
        # Held for the commit after its demand's row (`insert_at_commit`, as the demand's own); the hotline's
        # number is unique, so a concurrent resend fails there.
        await insert_at_commit(self.session, WorkOrderRow.__table__, _values(order))

    async def save(self, order: WorkOrder) -> None:
        row = await self.session.get(WorkOrderRow, order.id)
        for name, value in _values(order).items():
            setattr(row, name, value)

    async def get(self, order_id: str) -> WorkOrder | None:
        row = await self.session.get(WorkOrderRow, order_id)
        return _order(row) if row is not None else None

    async def by_external_id(self, external_id: str) -> WorkOrder | None:
        row = (await self.session.execute(select(WorkOrderRow).where(WorkOrderRow.external_id == external_id))
               ).scalar_one_or_none()
        return _order(row) if row is not None else None
