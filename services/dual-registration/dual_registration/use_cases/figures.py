"""Figures per area: registered vs expected units and members (registration rate), active rate,
hours and the distribution of evaluations, per community under an area and in total."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from sqlalchemy import select

from dual_registration.domain import ledger
from dual_registration.domain.evaluation import RATINGS, parse_period
from dual_registration.store import figures as queries
from dual_registration.store.service_log import LedgerRepository
from dual_registration.use_cases.access import not_found, rules
from dual_registration.use_cases.cards import periods_counted
from yizhou.district_clock import DEFAULT_ZONE
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.axis_copy import area_copy
from yizhou.database import Database

COUNTS = ("units_expected", "units_registered", "members_expected", "members_registered", "active_members")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "unit_registration_rate": _rate(row["units_registered"], row["units_expected"]),
            "member_registration_rate": _rate(row["members_registered"], row["members_expected"]),
            "active_rate": _rate(row["active_members"], row["members_registered"])}


async def figures(db: Database, scope: AreaScope, *, area_code: str | None, period_label: str,
                  zone: tzinfo = DEFAULT_ZONE) -> dict[str, Any]:
    """`zone`: the district's time zone, whose midnights cut the period."""
    require_role(scope, STAFF_ROLES | {Role.PARTNER}, "read figures")
    with rules():
        period = parse_period(period_label, zone)
    async with db.sessions() as session:
        code = area_code or scope.caller.area
        area = (await session.execute(select(area_copy).where(area_copy.c.code == code))).first()
        if area is None or not scope.covers(area.path):
            raise not_found("area", code)
        counts = await queries.counts_by_community(session, area.path)
        activity = await queries.activity_by_community(session, area.path, period.starts_at, period.ends_at)
        ratings = await queries.ratings_by_community(session, area.path, periods_counted(period))
        codes = sorted(set(counts) | set(activity) | set(ratings))
        minutes = await LedgerRepository(session).totals_by_account(
            [ledger.account("community", c) for c in codes], period.starts_at, period.ends_at)
        names = dict((await session.execute(select(area_copy.c.code, area_copy.c.name)
                                            .where(area_copy.c.code.in_(codes)))).all()) if codes else {}
    communities = []
    for community in codes:
        row = {"community_code": community, "community_name": names.get(community),
               **{k: counts.get(community, {}).get(k, activity.get(community, {}).get(k, 0)) for k in COUNTS},
               "hours": round(minutes.get(ledger.account("community", community), 0) / 60, 2),
               "evaluations": {r: ratings.get(community, {}).get(r, 0) for r in RATINGS}}
        communities.append(_with_rates(row))
    total = {k: sum(c[k] for c in communities) for k in COUNTS}
    total["hours"] = round(sum(c["hours"] for c in communities), 2)
    total["evaluations"] = {r: sum(c["evaluations"][r] for c in communities) for r in RATINGS}
    return {"area_code": area.code, "area_name": area.name, "period": period.label, "total": _with_rates(total),
            "communities": communities}
