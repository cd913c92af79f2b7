"""Dual evaluation: the community and the residents served rate registered units and members for a
period; publishing sends the result to the subject's own party organization (`evaluation.published`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dual_registration.domain.evaluation import (EVALUATION_MACHINE, EvaluationState, EvaluatorKind, parse_period,
                                                 rating_of)
from dual_registration.domain.ids import new_id
from dual_registration.events import SOURCE
from dual_registration.store.evaluations import EvaluationRepository
from dual_registration.store.read_copies import current_organization
from dual_registration.store.registrations import RegistrationRepository
from dual_registration.use_cases.access import DECIDERS, not_found, own_reach, require_decider, rules
from dual_registration.use_cases.errors import NotServed
from yizhou.personal_data import STAFF_ROLES
from yizhou.auth import AreaScope, Role, require_role
from yizhou.contracts.evaluations import EvaluationPublished
from yizhou.database import Database
from yizhou.errors import Duplicate, UnknownReference


def can_see(scope: AreaScope, record) -> bool:
    if not own_reach(scope).covers(record["community_path"]):
        return False
    role, subject = scope.caller.role, scope.caller.subject
    if role in STAFF_ROLES:
        return True
    if role == Role.RESIDENT:
        return record["evaluator_subject"] == subject
    published = record["state"] == EvaluationState.PUBLISHED
    if role == Role.PARTY_MEMBER:
        return published and record["subject_kind"] == "member" and record["subject_id"] == subject
    if role == Role.PARTNER:
        return published and record["organization_id"] == subject
    return False


async def evaluate(db: Database, scope: AreaScope, now: datetime, *, subject_kind: str, subject_id: str, period: str,
                   score: float, comment: str | None) -> dict[str, Any]:
    with rules():
        parse_period(period)
    if scope.caller.role == Role.RESIDENT:
        evaluator = EvaluatorKind.RESIDENT
    else:
        require_role(scope, DECIDERS | {Role.RESIDENT}, "evaluate")
        evaluator = EvaluatorKind.COMMUNITY
    async with db.unit_of_work() as uow:
        registration = await RegistrationRepository(uow.session).approved_of(subject_kind, subject_id)
        if registration is None or not own_reach(scope).covers(registration.community_path):
            raise UnknownReference(f"No registered {subject_kind} '{subject_id}' in your scope.",
                          errors=[{"field": "subject_id", "message": "not registered here"}])
        repo = EvaluationRepository(uow.session)
        if evaluator == EvaluatorKind.RESIDENT and not await repo.was_served_by(scope.caller.subject, subject_kind, subject_id):
            raise NotServed(f"Residents rate the {subject_kind}s whose service to them was confirmed.")
        if await repo.existing(subject_kind, subject_id, period, registration.community_code, evaluator.value,
                               scope.caller.subject):
            raise Duplicate(f"You already evaluated this {subject_kind} for {period}; discard it to redo it.")
        row = {"id": new_id(), "subject_kind": subject_kind, "subject_id": subject_id,
               "organization_id": registration.organization_id, "community_code": registration.community_code,
               "community_path": registration.community_path, "period": period, "evaluator_kind": evaluator.value,
               "evaluator_subject": scope.caller.subject, "score": score, "rating": rating_of(score),
               "comment": comment, "state": EvaluationState.DRAFT.value, "created_at": now}
        await repo.add(row)
        await uow.commit()
    return await get_evaluation(db, scope, row["id"])


async def change(db: Database, scope: AreaScope, now: datetime, evaluation_id: str, target: EvaluationState) -> dict[str, Any]:
    async with db.unit_of_work() as uow:
        repo = EvaluationRepository(uow.session)
        row = await repo.get(evaluation_id, for_update=True)
        if row is None or not can_see(scope, row._mapping):
            raise not_found("evaluation", evaluation_id)
        # The community publishes (residents' ratings too, after reading them); an evaluator may discard a draft.
        if not (target == EvaluationState.DISCARDED and row.evaluator_subject == scope.caller.subject):
            require_decider(scope, row.community_path, f"move an evaluation to '{target.value}'")
        with rules():
            EVALUATION_MACHINE.check(EvaluationState(row.state), target)
        values: dict[str, Any] = {"state": target.value}
        if target == EvaluationState.PUBLISHED:
            # The result goes to the subject's organization as of now: one set up after the draft (or
            # the registration) was written still receives it.
            organization_id = (await current_organization(uow.session, row.subject_kind, row.subject_id)
                               or row.organization_id)
            values.update(published_at=now, organization_id=organization_id)
            uow.record(EvaluationPublished(
                evaluation_id=row.id, subject_kind=row.subject_kind, subject_id=row.subject_id,
                organization_id=organization_id, community_code=row.community_code,
                community_path=row.community_path, period=row.period, score=row.score, rating=row.rating,
                evaluator_kind=row.evaluator_kind, published_at=now), aggregate_id=row.id, source=SOURCE)
        await repo.update(evaluation_id, **values)
        await uow.commit()
    return await get_evaluation(db, scope, evaluation_id)


async def get_evaluation(db: Database, scope: AreaScope, evaluation_id: str) -> dict[str, Any]:
    async with db.sessions() as session:
        row = await EvaluationRepository(session).get(evaluation_id)
    if row is None or not can_see(scope, row._mapping):
        raise not_found("evaluation", evaluation_id)
    return dict(row._mapping)


async def list_evaluations(db: Database, scope: AreaScope, *, subject_kind: str | None, subject_id: str | None,
                           period: str | None, state: str | None, evaluator_kind: str | None, after: str | None,
                           limit: int) -> list[dict[str, Any]]:
    filters: dict[str, Any] = {"subject_kind": subject_kind, "subject_id": subject_id, "period": period,
                               "state": state, "evaluator_kind": evaluator_kind}
    role, subject = scope.caller.role, scope.caller.subject
    if role == Role.RESIDENT:
        filters["evaluator_subject"] = subject
    elif role == Role.PARTY_MEMBER:
        filters.update(subject_kind="member", subject_id=subject, state=EvaluationState.PUBLISHED.value)
    elif role == Role.PARTNER:
        filters.update(organization_id=subject, state=EvaluationState.PUBLISHED.value)
    async with db.sessions() as session:
        return await EvaluationRepository(session).list(scope_path=own_reach(scope).path, filters=filters, after=after,
                                                        limit=limit)
