"""Coverage figures of an area subtree, from current data, stamped with the time they were computed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from org_registry.domain.coverage import CoverageFigure, figure, total
from org_registry.domain.unit import SizeClass, UnitKind
from org_registry.store.areas import AreaRepository
from org_registry.store.coverage import coverage_counts
from yizhou.auth import AreaScope
from yizhou.database import Database
from yizhou.errors import NotFound


@dataclass(frozen=True)
class CoverageReport:
    as_of: datetime
    area_code: str
    area_path: str
    rows: list[CoverageFigure]
    total: CoverageFigure


async def coverage(db: Database, scope: AreaScope, *, under: str | None, kind: UnitKind | None,
                   size_class: SizeClass | None) -> CoverageReport:
    async with db.sessions() as session, session.begin():  # one snapshot: rows and total agree
        code = under or scope.caller.area
        area = await AreaRepository(session).get(code)
        if area is None or not scope.covers(area.path):
            raise NotFound(f"No area '{code}' in your scope.")
        as_of = datetime.now(UTC)
        rows = await coverage_counts(session, area.path, kind.value if kind else None,
                                     size_class.value if size_class else None)
    return CoverageReport(as_of=as_of, area_code=area.code, area_path=area.path, rows=[figure(r) for r in rows],
                          total=figure(total(rows)))
