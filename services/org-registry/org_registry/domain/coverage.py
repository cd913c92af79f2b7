"""Coverage figures (覆盖率): of the units of a kind in an area subtree, the share with their own party
organization, the share covered by any organization (organizational coverage, 组织覆盖), the share reached
by an organization or a party-building instructor (work coverage, 工作覆盖), and the share with party
members on the staff."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CoverageCounts:
    kind: str
    size_class: str | None
    units: int
    with_own_organization: int
    covered: int
    with_members: int
    with_instructor: int = 0   # guided by an active instructor
    work_covered: int = 0      # covered by an organization, or guided by an instructor


@dataclass(frozen=True)
class CoverageFigure:
    counts: CoverageCounts
    own_organization_share: float | None
    covered_share: float | None
    with_members_share: float | None
    work_covered_share: float | None = None


def share(part: int, whole: int) -> float | None:
    """A share in percent with one decimal, as the seeds quote them (90.2%); None when there are no units."""
    return None if whole == 0 else round(100.0 * part / whole, 1)


def figure(counts: CoverageCounts) -> CoverageFigure:
    return CoverageFigure(counts, share(counts.with_own_organization, counts.units), share(counts.covered, counts.units),
                          share(counts.with_members, counts.units), share(counts.work_covered, counts.units))


def total(rows: list[CoverageCounts], kind: str = "all") -> CoverageCounts:
    return CoverageCounts(kind, None, sum(r.units for r in rows), sum(r.with_own_organization for r in rows),
                          sum(r.covered for r in rows), sum(r.with_members for r in rows),
                          sum(r.with_instructor for r in rows), sum(r.work_covered for r in rows))
