"""Dual-evaluation results shown under the organization that received them: kept from dual-registration's
`evaluation.published` (`receive`), listed per organization."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.store.evaluations import EvaluationRepository, evaluation_values
from org_registry.store.keyset import BadCursor
from org_registry.store.organizations import OrganizationRepository
from org_registry.use_cases.access import bad_cursor
from org_registry.use_cases.organizations import visible_organization
from yizhou.auth import AreaScope
from yizhou.database import Database


async def list_evaluations(db: Database, scope: AreaScope, organization_id: str, *, limit: int,
                           **filters: Any) -> list[Any]:
    async with db.sessions() as session:
        await visible_organization(OrganizationRepository(session), scope, organization_id)
        try:
            return await EvaluationRepository(session).list(organization_id, limit=limit, **filters)
        except BadCursor as exc:
            raise bad_cursor(exc) from None


async def receive(session: AsyncSession, evaluation: Any, now: datetime) -> bool:
    """Keeps a published evaluation under its receiving organization (a re-published one replaces the
    earlier figures); False, keeping nothing, when that organization is not ours."""
    repo = EvaluationRepository(session)
    if not await repo.organization_known(evaluation.organization_id):
        return False
    await repo.upsert(evaluation.evaluation_id, evaluation_values(evaluation, now))
    return True
