"""Quarterly and yearly service cards per member and per unit, as JSON and as a spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from sqlalchemy import select

from dual_registration.domain import ledger
from dual_registration.domain.cards import Card, build_card
from dual_registration.domain.evaluation import Period, parse_period
from dual_registration.store.evaluations import EvaluationRepository
from dual_registration.store.figures import claims_held, confirmed_services
from dual_registration.store.read_copies import names_of
from dual_registration.store.service_log import LedgerRepository
from dual_registration.store.tables import registrations
from dual_registration.use_cases.access import not_found, own_reach, rules
from yizhou.district_clock import DEFAULT_ZONE
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.database import Database

EXPORT_LIMIT = 20_000


def periods_counted(period: Period) -> list[str]:
    """A yearly card counts the year's own evaluations and those of its quarters."""
    return [period.label] + ([f"{period.label}-Q{q}" for q in range(1, 5)] if period.is_year else [])


async def _cards(session, period: Period, kind: str, regs: list) -> list[Card]:
    ids = [r.registrant_id for r in regs]
    minutes = await LedgerRepository(session).totals_by_account([ledger.account(kind, i) for i in ids],
                                                                period.starts_at, period.ends_at)
    services = await confirmed_services(session, kind, ids, period.starts_at, period.ends_at)
    held = await claims_held(session, kind, ids)
    scores = await EvaluationRepository(session).published_scores(kind, ids, periods_counted(period))
    return [build_card(subject_kind=kind, subject_id=r.registrant_id, organization_id=r.organization_id,
                       community_code=r.community_code, period=period,
                       minutes=minutes.get(ledger.account(kind, r.registrant_id), 0),
                       services=services.get(r.registrant_id, 0), claims_held=held.get(r.registrant_id, 0),
                       scores=[s for _, s in scores[r.registrant_id]],
                       community_scores=[s for k, s in scores[r.registrant_id] if k == "community"],
                       committed_hours_per_year=r.hours_per_year) for r in regs]


def _may_read(scope: AreaScope, reg) -> bool:
    if not own_reach(scope).covers(reg.community_path):
        return False
    role, subject = scope.caller.role, scope.caller.subject
    return (role in STAFF_ROLES or (role == Role.PARTY_MEMBER and reg.kind == "member" and reg.registrant_id == subject)
            or (role == Role.PARTNER and reg.organization_id == subject))


async def card(db: Database, scope: AreaScope, kind: str, subject_id: str, period_label: str,
               zone: tzinfo = DEFAULT_ZONE) -> Card:
    """`zone`: the district's time zone, whose midnights cut the period."""
    with rules():
        period = parse_period(period_label, zone)
    async with db.sessions() as session:
        # The registration current in the period's community: approved now, or the latest one otherwise.
        regs = (await session.execute(select(registrations).where(
            registrations.c.kind == kind, registrations.c.registrant_id == subject_id,
            registrations.c.state.in_(("approved", "transferred", "ended"))).order_by(registrations.c.id.desc()))).all()
        reg = next((r for r in regs if r.state == "approved"), regs[0] if regs else None)
        if reg is None or not _may_read(scope, reg):
            raise not_found(f"registered {kind}", subject_id)
        return (await _cards(session, period, kind, [reg]))[0]


async def cards(db: Database, scope: AreaScope, kind: str, period_label: str, *, community_code: str | None,
                after: str | None, limit: int, zone: tzinfo = DEFAULT_ZONE) -> list[Card]:
    require_role(scope, STAFF_ROLES | {Role.PARTNER}, "list cards")
    with rules():
        period = parse_period(period_label, zone)
    query = select(registrations).where(
        registrations.c.kind == kind, registrations.c.state == "approved",
        registrations.c.community_path.startswith(own_reach(scope).path, autoescape=True))
    if community_code is not None:
        query = query.where(registrations.c.community_code == community_code)
    if scope.caller.role == Role.PARTNER:
        query = query.where(registrations.c.organization_id == scope.caller.subject)
    if after is not None:
        query = query.where(registrations.c.registrant_id > after)
    async with db.sessions() as session:
        regs = (await session.execute(query.order_by(registrations.c.registrant_id).limit(limit))).all()
        return await _cards(session, period, kind, regs)


@dataclass(frozen=True)
class CardNames:
    """Public names by id for an export: units, party organizations, areas (by code)."""

    units: dict[str, str]
    organizations: dict[str, str]
    areas: dict[str, str]


async def names_for(db: Database, found: list[Card]) -> CardNames:
    """The names an export shows beside the cards' ids (an id whose name is not known stays bare)."""
    async with db.sessions() as session:
        names = await names_of(session, unit_ids=[c.subject_id for c in found if c.subject_kind == "unit"],
                               organization_ids=[c.organization_id for c in found if c.organization_id],
                               area_codes=[c.community_code for c in found if c.community_code])
    return CardNames(units=names["unit"], organizations=names["organization"], areas=names["area"])


def card_dict(card_: Card) -> dict[str, Any]:
    return {"subject_kind": card_.subject_kind, "subject_id": card_.subject_id, "organization_id": card_.organization_id,
            "community_code": card_.community_code, "period": card_.period, "hours": card_.hours,
            "services": card_.services, "claims_held": card_.claims_held, "rating_counts": card_.rating_counts,
            "average_score": card_.average_score, "community_rating": card_.community_rating,
            "thresholds": [{"name": t.name, "required": t.required, "actual": t.actual, "met": t.met}
                           for t in card_.thresholds],
            "all_thresholds_met": card_.all_thresholds_met}
