"""The evaluations dual-registration published, kept under the organization that receives them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.store.keyset import after as after_cursor
from org_registry.store.tables import organization_evaluations as evaluations
from org_registry.store.tables import organizations


class EvaluationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def organization_known(self, organization_id: str) -> bool:
        """Whether the receiving organization is one of ours (dissolved or not)."""
        return (await self.session.execute(select(organizations.c.id).where(
            organizations.c.id == organization_id))).first() is not None

    async def upsert(self, evaluation_id: str, values: dict[str, Any]) -> None:
        """A re-published evaluation (same id) replaces the earlier figures."""
        exists = (await self.session.execute(select(evaluations.c.evaluation_id).where(
            evaluations.c.evaluation_id == evaluation_id))).first()
        if exists:
            await self.session.execute(update(evaluations).where(evaluations.c.evaluation_id == evaluation_id)
                                       .values(**values))
        else:
            await self.session.execute(evaluations.insert().values(evaluation_id=evaluation_id, **values))

    async def list(self, organization_id: str, *, period: str | None = None, subject_kind: str | None = None,
                   rating: str | None = None, after: str | None = None, limit: int = 100) -> list[Any]:
        """Newest period first, then by evaluation id."""
        query = select(evaluations).where(evaluations.c.organization_id == organization_id)
        if period is not None:
            query = query.where(evaluations.c.period == period)
        if subject_kind is not None:
            query = query.where(evaluations.c.subject_kind == subject_kind)
        if rating is not None:
            query = query.where(evaluations.c.rating == rating)
        keyset = after_cursor([evaluations.c.period, evaluations.c.evaluation_id], after, descending=True)
        if keyset is not None:
            query = query.where(keyset)
        query = query.order_by(evaluations.c.period.desc(), evaluations.c.evaluation_id.desc()).limit(limit)
        return list((await self.session.execute(query)).all())


def evaluation_values(data: Any, received_at: datetime) -> dict[str, Any]:
    return {"organization_id": data.organization_id, "subject_kind": data.subject_kind, "subject_id": data.subject_id,
            "community_code": data.community_code, "period": data.period, "score": data.score,
            "rating": data.rating, "published_at": data.published_at or received_at, "received_at": received_at}
