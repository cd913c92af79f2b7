"""Dual-evaluation results shown under the organization that received them."""

from __future__ import annotations

from typing import Any

from org_registry.store.evaluations import EvaluationRepository
from org_registry.store.keyset import BadCursor
from org_registry.store.organizations import OrganizationRepository
from org_registry.use_cases.organizations import visible_organization
from org_registry.use_cases.scoping import bad_cursor
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
