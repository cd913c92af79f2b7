"""Queries over evaluations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dual_registration.domain.evaluation import EvaluationState
from dual_registration.store.tables import evaluations, service_sessions


class EvaluationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(evaluations.insert().values(**values))

    async def get(self, evaluation_id: str, *, for_update: bool = False):
        query = select(evaluations).where(evaluations.c.id == evaluation_id)
        return (await self.session.execute(query.with_for_update() if for_update else query)).first()

    async def update(self, evaluation_id: str, **values: Any) -> None:
        await self.session.execute(update(evaluations).where(evaluations.c.id == evaluation_id).values(**values))

    async def existing(self, subject_kind: str, subject_id: str, period: str, community_code: str,
                       evaluator_kind: str, evaluator_subject: str) -> str | None:
        return (await self.session.execute(select(evaluations.c.id).where(
            evaluations.c.subject_kind == subject_kind, evaluations.c.subject_id == subject_id,
            evaluations.c.period == period, evaluations.c.community_code == community_code,
            evaluations.c.evaluator_kind == evaluator_kind, evaluations.c.evaluator_subject == evaluator_subject,
            evaluations.c.state != EvaluationState.DISCARDED.value))).scalar()

    async def was_served_by(self, resident_ref: str, provider_kind: str, provider_id: str) -> bool:
        return (await self.session.execute(select(func.count()).where(
            service_sessions.c.served_resident_ref == resident_ref, service_sessions.c.provider_kind == provider_kind,
            service_sessions.c.provider_id == provider_id, service_sessions.c.state == "confirmed"))).scalar_one() > 0

    async def published_scores(self, subject_kind: str, subject_ids: list[str], periods: list[str]) -> dict[str, list]:
        """subject id -> [(evaluator_kind, score)] of published evaluations in the given periods."""
        found: dict[str, list] = {i: [] for i in subject_ids}
        if not subject_ids:
            return found
        rows = (await self.session.execute(select(evaluations.c.subject_id, evaluations.c.evaluator_kind,
                                                  evaluations.c.score).where(
            evaluations.c.subject_kind == subject_kind, evaluations.c.subject_id.in_(subject_ids),
            evaluations.c.period.in_(periods), evaluations.c.state == EvaluationState.PUBLISHED.value))).all()
        for subject_id, evaluator_kind, score in rows:
            found[subject_id].append((evaluator_kind, score))
        return found

    async def list(self, *, scope_path: str, filters: dict[str, Any], after: str | None, limit: int) -> list[dict[str, Any]]:
        query = select(evaluations).where(evaluations.c.community_path.startswith(scope_path, autoescape=True))
        for column, value in filters.items():
            if value is not None:
                query = query.where(evaluations.c[column] == value)
        if after is not None:
            query = query.where(evaluations.c.id > after)
        rows = (await self.session.execute(query.order_by(evaluations.c.id).limit(limit))).all()
        return [dict(r._mapping) for r in rows]
