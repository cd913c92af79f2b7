"""Export of units, organizations and members in the import sheets' columns, page by page (keyset),
so any size streams out. Exports include members' personal data, so only the staff who own the
records (editors of the registry, covering their area) may export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from org_registry.domain.sheet_rows import SheetKind, cells_of_member, cells_of_organization, cells_of_unit
from org_registry.store.keyset import encode_cursor
from org_registry.store.members import MemberRepository
from org_registry.store.organizations import OrganizationRepository
from org_registry.store.units import UnitRepository
from org_registry.use_cases.access import require_editor
from org_registry.use_cases.units import under_path
from yizhou.auth import AreaScope
from yizhou.database import Database

PAGE = 2000


async def export_path(db: Database, scope: AreaScope, under: str | None = None) -> str:
    """Checks the caller may export (before a response starts streaming) and returns the subtree's path."""
    require_editor(scope)
    async with db.sessions() as session:
        return await under_path(session, scope, under)


async def export_rows(db: Database, path: str, kind: SheetKind) -> AsyncIterator[list[Any]]:
    """Every record of the kind located under `path` (a path `export_path` returned)."""
    cursor: str | None = None
    while True:
        async with db.sessions() as session:  # a short read per page: a long export holds no lock
            if kind == SheetKind.UNITS:
                views = await UnitRepository(session).list(under_path=path, after=cursor, limit=PAGE)
                rows = [cells_of_unit(v.unit) for v in views]
                cursor = encode_cursor(views[-1].unit.name, views[-1].unit.id) if views else None
            elif kind == SheetKind.ORGANIZATIONS:
                views = await OrganizationRepository(session).list(under_path=path, include_dissolved=True,
                                                                    after=cursor, limit=PAGE, tree_order=True)
                rows = [cells_of_organization(v.organization) for v in views]
                cursor = encode_cursor(views[-1].organization.tree_path) if views else None
            else:
                views = await MemberRepository(session).list(under_path=path, include_left=True, after=cursor, limit=PAGE)
                rows = [cells_of_member(v.member) for v in views]
                cursor = encode_cursor(views[-1].member.id) if views else None
        for row in rows:
            yield row
        if len(rows) < PAGE:
            return
