"""Export of units, organizations and members in the import sheets' columns, page by page (keyset),
so any size streams out; in Chinese (`zh`), with the names of the areas, organizations and units
the ids refer to beside them, looked up page by page. Exports include members' personal data, so
only the staff who own the records (editors of the registry, covering their area) may export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.domain.sheet_rows import (SheetKind, cells_of_member, cells_of_organization, cells_of_unit,
                                            localized_cells, references)
from org_registry.store.areas import AreaRepository
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


async def _names(session: AsyncSession, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(area|organization|unit, id) -> name. An id names a record wherever it is: a member lives or
    works anywhere in the district, and the export already shows the id."""
    def batches(of: str) -> list[list[str]]:  # bounded IN lists, as the repositories' own
        ids = sorted(ref for what, ref in wanted if what == of)
        return [ids[i:i + 500] for i in range(0, len(ids), 500)]

    names: dict[tuple[str, str], str] = {}
    for batch in batches("area"):
        names |= {("area", a.code): a.name for a in await AreaRepository(session).by_codes(batch)}
    for batch in batches("organization"):
        names |= {("organization", v.organization.id): v.organization.name
                  for v in await OrganizationRepository(session).by_ids(batch)}
    for batch in batches("unit"):
        names |= {("unit", v.unit.id): v.unit.name for v in await UnitRepository(session).views_of(batch)}
    return names


async def export_rows(db: Database, path: str, kind: SheetKind, zh: bool = False) -> AsyncIterator[list[Any]]:
    """Every record of the kind located under `path` (a path `export_path` returned), in the columns
    of `export_header(kind, zh)`."""
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
            if zh:
                names = await _names(session, {ref for row in rows for ref in references(kind, row)})
                rows = [localized_cells(kind, row, names) for row in rows]
        for row in rows:
            yield row
        if len(rows) < PAGE:
            return
