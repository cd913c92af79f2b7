"""/api/v1/coverage: coverage figures (覆盖率) of an area subtree per unit kind."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from org_registry.api.parameters import Under
from org_registry.api.responses import PROBLEMS
from org_registry.domain.coverage import CoverageFigure
from org_registry.domain.unit import SizeClass, UnitKind
from org_registry.use_cases.coverage import coverage
from yizhou.dependencies import DatabaseDep, ScopeDep

router = APIRouter(prefix="/api/v1/coverage", tags=["coverage"])


class CoverageRow(BaseModel):
    kind: str = Field(description="Unit kind, or `all` in the total")
    size_class: str | None
    units: int
    with_own_organization: int = Field(description="Units with an active single-unit organization of their own")
    covered: int = Field(description="Units covered by any active organization (own, joint, building, ...)")
    with_members: int = Field(description="Units with party members among their staff")
    with_instructor: int = Field(description="Units guided by an active party-building instructor")
    work_covered: int = Field(description="Work coverage (工作覆盖): units covered by an organization or guided by "
                                          "an instructor")
    own_organization_share: float | None = Field(description="Percent, one decimal; null when there are no units")
    covered_share: float | None
    with_members_share: float | None
    work_covered_share: float | None


class CoverageOut(BaseModel):
    as_of: datetime = Field(description="When the figures were computed from the current data")
    area_code: str
    area_path: str
    rows: list[CoverageRow]
    total: CoverageRow


def row(f: CoverageFigure) -> CoverageRow:
    c = f.counts
    return CoverageRow(kind=c.kind, size_class=c.size_class, units=c.units, with_own_organization=c.with_own_organization,
                       covered=c.covered, with_members=c.with_members, with_instructor=c.with_instructor,
                       work_covered=c.work_covered, own_organization_share=f.own_organization_share,
                       covered_share=f.covered_share, with_members_share=f.with_members_share,
                       work_covered_share=f.work_covered_share)


@router.get("", response_model=CoverageOut, responses=PROBLEMS,
            summary="Shares of units with their own organization, covered by any, and with members, per kind "
                    "(and size class for non-public enterprises) in an area subtree (default: yours)")
async def get_coverage(db: DatabaseDep, scope: ScopeDep, under: Under = None, kind: UnitKind | None = None,
                       size_class: SizeClass | None = None) -> CoverageOut:
    report = await coverage(db, scope, under=under, kind=kind, size_class=size_class)
    return CoverageOut(as_of=report.as_of, area_code=report.area_code, area_path=report.area_path,
                       rows=[row(r) for r in report.rows], total=row(report.total))
