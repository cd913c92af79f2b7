"""Assessment weights per district and year, scorecards computed on request, and publishing them."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from project_matching.guarantee.domain.assessment import (AREA, DEFAULT_WEIGHTS, INPUTS, ORGANIZATION, Measure,
                                                          check_weights, score)
from project_matching.guarantee.domain.errors import FundRuleViolation, WeightRuleViolation
from project_matching.guarantee.domain.funds import check_year
from project_matching.guarantee.store.assessment import AssessmentFigures, ScorecardRepository, WeightRepository
from project_matching.guarantee.store.funds import organization
from project_matching.use_cases.access import not_found
from project_matching.use_cases.publishing import record
from yizhou.axis_copy import area_info
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.contracts.guarantee import AssessmentPublished, ScorecardInput
from yizhou.database import Database
from yizhou.errors import Forbidden, RuleViolated

ASSESSORS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})


def district_of(path: str) -> str:
    return path.strip("/").split("/")[0]


def _year(year: int) -> None:
    try:
        check_year(year)
    except FundRuleViolation as exc:
        raise RuleViolated(str(exc)) from None


async def weights_for(session: AsyncSession, district: str, year: int, subject_kind: str) -> tuple[dict, bool]:
    stored = await WeightRepository(session).get(district, year, subject_kind)
    return (stored, True) if stored is not None else (dict(DEFAULT_WEIGHTS[subject_kind]), False)


async def get_weights(db: Database, scope: AreaScope, year: int, subject_kind: str) -> dict[str, Any]:
    require_role(scope, STAFF_ROLES, "read assessment weights")
    _year(year)
    district = district_of(scope.path)
    async with db.sessions() as session:
        weights, configured = await weights_for(session, district, year, subject_kind)
    return {"district_code": district, "year": year, "subject_kind": subject_kind,
            "weights": {k: float(v) for k, v in weights.items()}, "configured": configured}


async def set_weights(db: Database, scope: AreaScope, year: int, subject_kind: str,
                      weights: dict[str, Decimal]) -> dict[str, Any]:
    """The district sets its weights for a year; they must sum to exactly 1."""
    require_role(scope, frozenset({Role.DISTRICT_ADMIN}), "set assessment weights")
    _year(year)
    try:
        checked = check_weights(subject_kind, weights)
    except WeightRuleViolation as exc:
        raise RuleViolated(str(exc), errors=[{"field": "weights", "message": str(exc)}]) from None
    district = district_of(scope.path)
    async with db.unit_of_work() as uow:
        await WeightRepository(uow.session).put(district, year, subject_kind, checked, scope.caller.subject[:200],
                                                datetime.now(UTC))
        await uow.commit()
    return {"district_code": district, "year": year, "subject_kind": subject_kind,
            "weights": {k: float(v) for k, v in checked.items()}, "configured": True}


async def _subject(session: AsyncSession, scope: AreaScope, subject_kind: str, subject_id: str) -> dict[str, Any]:
    if subject_kind == AREA:
        area = await area_info(session, subject_id)
        if area is None or not scope.covers(area.path):
            raise not_found("area", subject_id)
        return {"subject_id": area.code, "name": None, "area_code": area.code, "area_path": area.path,
                "organization_id": None}
    org = await organization(session, subject_id)
    if org is None or not scope.covers(org.area_path):
        raise not_found("organization", subject_id)
    return {"subject_id": org.id, "name": org.name, "area_code": org.area_code, "area_path": org.area_path,
            "organization_id": org.id}


async def _measures(session: AsyncSession, subject_kind: str, subject: dict[str, Any], year: int) -> dict[str, Measure]:
    figures = AssessmentFigures(session, year)
    if subject_kind == AREA:
        path = subject["area_path"]
        return {**await figures.demand_rates(path),
                "evaluation_score": await figures.evaluation_score(path=path),
                "unit_registration_rate": await figures.unit_registration(path=path),
                "member_registration_rate": await figures.member_registration(path=path),
                "hours_threshold_rate": await figures.hours_threshold(path=path),
                "coverage_rate": await figures.coverage(path),
                "projects_delivered_rate": await figures.projects_delivered(path)}
    org = subject["organization_id"]
    return {"evaluation_score": await figures.evaluation_score(organization_id=org),
            "unit_registration_rate": await figures.unit_registration(organization_id=org),
            "member_registration_rate": await figures.member_registration(organization_id=org),
            "hours_threshold_rate": await figures.hours_threshold(organization_id=org)}


def _card(subject_kind: str, subject: dict[str, Any], year: int, weights: dict, measures: dict) -> dict[str, Any]:
    card = score(subject_kind, weights, measures)
    inputs = [{**asdict(line), "definition": INPUTS[line.code].definition} for line in card.lines]
    return {"id": None, "subject_kind": subject_kind, "subject_id": subject["subject_id"], "name": subject["name"],
            "area_code": subject["area_code"], "year": year, "version": None, "score": card.score,
            "grade": card.grade, "inputs": inputs, "published_at": None}


async def compute(db: Database, scope: AreaScope, subject_kind: str, subject_id: str, year: int) -> dict[str, Any]:
    """The scorecard as of now (not published)."""
    require_role(scope, STAFF_ROLES, "read scorecards")
    _year(year)
    async with db.sessions() as session:
        subject = await _subject(session, scope, subject_kind, subject_id)
        weights, _ = await weights_for(session, district_of(subject["area_path"]), year, subject_kind)
        return _card(subject_kind, subject, year, weights, await _measures(session, subject_kind, subject, year))


async def publish(db: Database, scope: AreaScope, subject_kind: str, subject_id: str, year: int) -> dict[str, Any]:
    """Freezes the scorecard as a new version and sends `assessment.published` to the subject."""
    require_role(scope, ASSESSORS, "publish scorecards")
    _year(year)
    now = datetime.now(UTC)
    async with db.unit_of_work() as uow:
        subject = await _subject(uow.session, scope, subject_kind, subject_id)
        if subject_kind == AREA and not scope.covers_strictly(subject["area_path"]) and \
                scope.caller.role != Role.DISTRICT_ADMIN:
            raise Forbidden("An area is assessed by the level above it, not by its own admins.")
        weights, _ = await weights_for(uow.session, district_of(subject["area_path"]), year, subject_kind)
        card = _card(subject_kind, subject, year, weights, await _measures(uow.session, subject_kind, subject, year))
        repo = ScorecardRepository(uow.session)
        card.update(id=str(uuid.uuid4()), version=await repo.next_version(subject_kind, subject["subject_id"], year),
                    published_at=now)
        await repo.add(dict(id=card["id"], subject_kind=subject_kind, subject_id=subject["subject_id"],
                            area_code=subject["area_code"], area_path=subject["area_path"], year=year,
                            version=card["version"], score=card["score"], grade=card["grade"], inputs=card["inputs"],
                            published_by=scope.caller.subject[:200], published_at=now))
        record(uow, AssessmentPublished(
            assessment_id=card["id"], subject_kind=subject_kind, subject_id=subject["subject_id"],
            organization_id=subject["organization_id"], area_code=subject["area_code"],
            area_path=subject["area_path"], year=year, version=card["version"], score=card["score"],
            grade=card["grade"], published_at=now,
            inputs=[ScorecardInput(**{k: v for k, v in i.items() if k != "definition"}) for i in card["inputs"]]),
            card["id"])
        await uow.commit()
    return card


def _published(row, name: str | None = None) -> dict[str, Any]:
    return {"id": row.id, "subject_kind": row.subject_kind, "subject_id": row.subject_id, "name": name,
            "area_code": row.area_code, "year": row.year, "version": row.version, "score": row.score,
            "grade": row.grade, "inputs": row.inputs, "published_at": row.published_at}


async def get_published(db: Database, scope: AreaScope, scorecard_id: str) -> dict[str, Any]:
    require_role(scope, STAFF_ROLES, "read scorecards")
    async with db.sessions() as session:
        row = await ScorecardRepository(session).get(scorecard_id)
        if row is None or not scope.covers(row.area_path):
            raise not_found("scorecard", scorecard_id)
        org = await organization(session, row.subject_id) if row.subject_kind == ORGANIZATION else None
    return _published(row, org.name if org else None)


async def list_published(db: Database, scope: AreaScope, *, area_code: str | None, year: int | None,
                         subject_kind: str | None, after: str | None, limit: int) -> list[dict[str, Any]]:
    require_role(scope, STAFF_ROLES, "read scorecards")
    async with db.sessions() as session:
        path = scope.path
        if area_code is not None:
            area = await area_info(session, area_code)
            if area is None or not scope.covers(area.path):
                raise not_found("area", area_code)
            path = area.path
        rows = await ScorecardRepository(session).list(under_path=path, year=year, subject_kind=subject_kind,
                                                       after=after, limit=limit)
    return [_published(r) for r in rows]
