"""The inner loop: dual-registration's use cases called directly, as the API calls them, on a database
of their own (a SQLite file per module, migrated once) with a clock the test moves. No app, no broker,
no relay: the outbox rows a use case records are what it published, and the axis, units and members
are written straight into the service's read copies (as tests/api/conftest.py's `World` does). The
API, flow and failure suites run the same code over HTTP, Kafka and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import dual_registration
from dual_registration import consumers
from dual_registration.domain.claim import ClaimState, TargetKind
from dual_registration.domain.community import community_or_none
from dual_registration.domain.evaluation import EvaluationState
from dual_registration.domain.registration import RegistrationState
from dual_registration.domain.service_log import ServiceState
from dual_registration.store.tables import member_copy, unit_copy
from dual_registration.use_cases import checkins, claims, evaluations, posts, registrations, service_log
from dual_registration.use_cases.errors import NotEligible
from dual_registration.use_cases.registrations import AgreementIn, CommitmentIn
from yizhou.auth import AreaScope, Caller, Role
from yizhou.axis_copy import area_copy
from yizhou.categories_zh import categories_for_skills_zh
from yizhou.clock import ManualClock
from yizhou.database import Database
from yizhou.envelope import ReceivedEvent
from yizhou.errors import ApplicationError, Forbidden, NotFound, TransitionNotAllowed, UnknownReference
from yizhou.messaging_tables import outbox
from yizhou.migrations import upgrade_to_head


@pytest.fixture(scope="module")
async def db(tmp_path_factory):
    database = Database(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('use-cases') / 'dual_registration.db'}")
    await upgrade_to_head(database.engine, Path(dual_registration.__file__).parent / "migrations")
    yield database
    await database.dispose()


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # a Monday morning


async def insert(db, table, **values) -> None:
    async with db.sessions() as session, session.begin():
        await session.execute(table.insert().values(updated_at=datetime.now(UTC), **values))


@pytest.fixture
async def axis(db, unique_code):
    """District D > S1 > C1 (with grid G1), C2; D > S2 > C9: written into the axis read copy."""
    d = unique_code("D")
    tree = [("d", d, "district", None), ("s1", f"{d}S1", "subdistrict", "d"), ("s2", f"{d}S2", "subdistrict", "d"),
            ("c1", f"{d}C1", "community", "s1"), ("c2", f"{d}C2", "community", "s1"),
            ("g1", f"{d}G1", "grid", "c1"), ("c9", f"{d}C9", "community", "s2")]
    axis: dict = {"paths": {}}
    for key, code, level, parent in tree:
        axis[key] = code
        axis["paths"][code] = (axis["paths"][axis[parent]] if parent else "/") + code + "/"
        await insert(db, area_copy, code=code, name=f"Area {code}", level=level,
                     parent_code=axis[parent] if parent else None, path=axis["paths"][code], retired=False)
    return axis


def scope_of(axis, role: str, area_key: str, subject: str | None = None) -> AreaScope:
    code = axis[area_key]
    return AreaScope(Caller(subject=subject or f"{role}@{code}", role=Role(role), area=code), axis["paths"][code])


async def add_member(db, axis, member_id: str, residence_key: str = "g1", in_service: bool = True) -> str:
    path = axis["paths"][axis[residence_key]]
    community = community_or_none(path)
    await insert(db, member_copy, member_id=member_id, organization_id=f"org-of-{member_id}", work_unit_id=None,
                 residence_area_code=axis[residence_key], residence_area_path=path, skills=["first aid"],
                 in_service=in_service, left=False, community_code=community.code, community_path=community.path)
    return member_id


async def add_unit(db, axis, unit_id: str, area_key: str = "g1") -> str:
    path = axis["paths"][axis[area_key]]
    community = community_or_none(path)
    await insert(db, unit_copy, unit_id=unit_id, name=f"Unit {unit_id}", kind="agency", area_code=axis[area_key],
                 area_path=path, organization_id=f"org-{unit_id}", community_code=community.code,
                 community_path=community.path)
    return unit_id


async def recorded(db, aggregate_id: str) -> list[str]:
    """The aggregate's own events, in order (partner views ride along in the same transactions)."""
    async with db.sessions() as session:
        rows = await session.execute(select(outbox.c.event_type).where(
            outbox.c.aggregate_id == aggregate_id, ~outbox.c.topic.startswith("yizhou.partner.")).order_by(outbox.c.id))
        return list(rows.scalars())


async def registered_member(db, axis, clock, member_id: str) -> str:
    """A member of grid G1 registered (by themself) and approved by C1's worker; returns the registration id."""
    await add_member(db, axis, member_id)
    member = scope_of(axis, "party_member", "c1", subject=member_id)
    created = await registrations.register_member(db, member, clock.now(), member_id, ["tutoring"], 6)
    await registrations.approve(db, scope_of(axis, "community_worker", "c1"), clock.now(), created["id"], None)
    return created["id"]


async def test_a_member_registers_with_the_community_of_their_residence_and_is_approved(db, axis, clock, unique_code):
    member_id = await add_member(db, axis, unique_code("m-"))
    member = scope_of(axis, "party_member", "c1", subject=member_id)
    created = await registrations.register_member(db, member, clock.now(), member_id,
                                                  ["  tutoring ", "tutoring", "first  aid"], 6)
    assert created["state"] == RegistrationState.PENDING and created["community_code"] == axis["c1"]
    assert created["skills"] == ["tutoring", "first aid"]
    assert await recorded(db, created["id"]) == []  # a request is not yet a registration
    with pytest.raises(ApplicationError) as pending:  # one registration at a time
        await registrations.register_member(db, member, clock.now(), member_id, [], 2)
    assert pending.value.slug == "duplicate"
    with pytest.raises(Forbidden):  # a member does not approve their own registration
        await registrations.approve(db, member, clock.now(), created["id"], None)
    with pytest.raises(NotFound):  # the other community's staff do not see it
        await registrations.approve(db, scope_of(axis, "community_worker", "c2"), clock.now(), created["id"], None)
    clock.advance(timedelta(hours=3))
    approved = await registrations.approve(db, scope_of(axis, "community_worker", "c1"), clock.now(), created["id"],
                                           "Welcome")
    assert approved["state"] == RegistrationState.APPROVED and approved["decided_at"] == clock.now()
    assert await recorded(db, created["id"]) == ["member.registered"]
    with pytest.raises(TransitionNotAllowed) as again:
        await registrations.approve(db, scope_of(axis, "community_worker", "c1"), clock.now(), created["id"], None)
    assert again.value.extensions["current_state"] == "approved"


async def test_a_unit_registration_is_rejected_by_its_community_and_then_closed(db, axis, clock, unique_code):
    unit_id = await add_unit(db, axis, unique_code("u-"))
    partner = scope_of(axis, "partner", "c1", subject=f"org-{unit_id}")
    agreement = AgreementIn(title="Pairing agreement", hours_per_year=40, commitments=[
        CommitmentIn(kind="service", description="Free legal advice", categories=["legal_aid"], quantity=12,
                     unit_of_measure="sessions")])
    created = await registrations.register_unit(db, partner, clock.now(), unit_id, agreement)
    assert created["state"] == RegistrationState.PENDING and len(created["commitments"]) == 1
    with pytest.raises(Forbidden):  # another organization does not speak for the unit
        await registrations.register_unit(db, scope_of(axis, "partner", "c1", subject="org-someone-else"),
                                          clock.now(), unit_id, agreement)
    with pytest.raises(UnknownReference):  # a unit outside the caller's community
        await registrations.register_unit(db, scope_of(axis, "community_worker", "c9"), clock.now(), unit_id,
                                          agreement)
    rejected = await registrations.decide(db, scope_of(axis, "community_worker", "c1"), clock.now(), created["id"],
                                          RegistrationState.REJECTED, "Commitments too vague")
    assert rejected["state"] == RegistrationState.REJECTED and rejected["decision_note"] == "Commitments too vague"
    with pytest.raises(TransitionNotAllowed):  # a rejected registration is closed: no withdrawal
        await registrations.decide(db, partner, clock.now(), created["id"], RegistrationState.WITHDRAWN, None)
    assert await recorded(db, created["id"]) == []  # only an approval publishes
    # Closed, the unit may ask again.
    again = await registrations.register_unit(db, partner, clock.now(), unit_id, agreement)
    assert again["id"] != created["id"] and again["state"] == RegistrationState.PENDING


async def test_only_in_service_members_register_and_a_move_is_a_transfer(db, axis, clock, unique_code):
    retired = await add_member(db, axis, unique_code("m-"), in_service=False)
    with pytest.raises(ApplicationError) as not_eligible:
        await registrations.register_member(db, scope_of(axis, "community_worker", "c1"), clock.now(), retired, [], 2)
    assert not_eligible.value.slug == "not-eligible"
    member_id = unique_code("m-")
    first = await registered_member(db, axis, clock, member_id)
    async with db.sessions() as session, session.begin():  # org-registry says: moved to C2
        await session.execute(member_copy.update().where(member_copy.c.member_id == member_id).values(
            residence_area_code=axis["c2"], residence_area_path=axis["paths"][axis["c2"]],
            community_code=axis["c2"], community_path=axis["paths"][axis["c2"]]))
    member = scope_of(axis, "party_member", "s1", subject=member_id)
    second = await registrations.register_member(db, member, clock.now(), member_id, ["tutoring"], 4)
    assert second["community_code"] == axis["c2"] and second["previous_registration_id"] == first
    await registrations.approve(db, scope_of(axis, "community_worker", "c2"), clock.now(), second["id"], None)
    assert (await registrations.get_registration(db, member, first))["state"] == RegistrationState.TRANSFERRED
    assert await recorded(db, second["id"]) == ["member.transferred"]


async def test_service_hours_count_once_confirmed_by_the_community_never_by_the_one_who_served(db, axis, clock,
                                                                                              unique_code):
    member_id = unique_code("m-")
    registration = await registered_member(db, axis, clock, member_id)
    member = scope_of(axis, "party_member", "c1", subject=member_id)
    start = clock.now() - timedelta(hours=2)
    logged = await service_log.log_service(
        db, member, clock.now(), registration_id=registration, activity="Homework club", category="children_youth",
        area_code=axis["g1"], started_at=start, ended_at=start + timedelta(hours=2), hours=1.5, claim_id=None,
        served_resident_ref="resident-42")
    assert logged["state"] == ServiceState.LOGGED and logged["minutes"] == 90
    with pytest.raises(ApplicationError) as own:  # nobody confirms their own service
        await service_log.decide_service(db, scope_of(axis, "community_worker", "c1", subject=member_id),
                                         clock.now(), logged["id"], ServiceState.CONFIRMED, None)
    assert own.value.slug == "self-confirmation" and own.value.status == 403
    with pytest.raises(Forbidden):  # a member is neither the community nor the resident served
        await service_log.decide_service(db, member, clock.now(), logged["id"], ServiceState.CONFIRMED, None)
    worker = scope_of(axis, "community_worker", "c1")
    confirmed = await service_log.decide_service(db, worker, clock.now(), logged["id"], ServiceState.CONFIRMED, "ok")
    assert confirmed["state"] == ServiceState.CONFIRMED and confirmed["decided_as"] == "community"
    statement = await service_log.account_statement(db, member, "member", member_id, since=None, until=None,
                                                    after=None, limit=10)
    assert statement["balance_minutes"] == 90
    with pytest.raises(TransitionNotAllowed):  # confirmed once: not rejected afterwards
        await service_log.decide_service(db, worker, clock.now(), logged["id"], ServiceState.REJECTED, None)
    assert await recorded(db, logged["id"]) == ["service.logged", "service.confirmed"]


async def test_service_is_logged_after_it_happened_and_confirmed_once_it_is_over(db, axis, clock, unique_code):
    member_id = unique_code("m-")
    registration = await registered_member(db, axis, clock, member_id)
    member, worker = scope_of(axis, "party_member", "c1", subject=member_id), scope_of(axis, "community_worker", "c1")

    async def log(started_at: datetime, ended_at: datetime, registration_id: str = registration):
        return await service_log.log_service(
            db, member, clock.now(), registration_id=registration_id, activity="Visit", category=None,
            area_code=axis["g1"], started_at=started_at, ended_at=ended_at, hours=None, claim_id=None,
            served_resident_ref=None)

    with pytest.raises(ApplicationError) as future:  # an hour ahead is no phone clock's skew
        await log(clock.now(), clock.now() + timedelta(hours=1))
    assert future.value.slug == "invalid-hours"
    ending_soon = await log(clock.now() - timedelta(minutes=57), clock.now() + timedelta(minutes=3))
    assert ending_soon["minutes"] == 60
    with pytest.raises(ApplicationError) as overlap:  # one member, one place at a time
        await log(clock.now() - timedelta(minutes=30), clock.now())
    assert overlap.value.slug == "overlapping-session"
    with pytest.raises(ApplicationError) as not_over:
        await service_log.decide_service(db, worker, clock.now(), ending_soon["id"], ServiceState.CONFIRMED, None)
    assert not_over.value.slug == "service-not-over"
    clock.advance(timedelta(minutes=5))
    confirmed = await service_log.decide_service(db, worker, clock.now(), ending_soon["id"], ServiceState.CONFIRMED,
                                                 None)
    assert confirmed["state"] == ServiceState.CONFIRMED
    pending_id = unique_code("m-")
    await add_member(db, axis, pending_id)
    pending = await registrations.register_member(db, worker, clock.now(), pending_id, [], 2)
    with pytest.raises(NotEligible):  # only approved registrations log service
        await service_log.log_service(
            db, worker, clock.now(), registration_id=pending["id"], activity="Visit", category=None,
            area_code=axis["g1"], started_at=clock.now() - timedelta(hours=1), ended_at=clock.now(), hours=None,
            claim_id=None, served_resident_ref=None)


def unit_updated(unit_id: str, path: str, organization_id: str | None) -> ReceivedEvent:
    """org-registry's `unit.updated` as the consumer runner hands it over."""
    code = path.strip("/").split("/")[-1]
    return ReceivedEvent(id=f"ev-{unit_id}-{organization_id}", type="unit.updated", source="/yizhou/org-registry",
                         subject=None, time=None, topic="yizhou.units.v1", partition=0, offset=0, key=unit_id, data={
                             "unit_id": unit_id, "name": f"Unit {unit_id}", "kind": "agency", "area_code": code,
                             "area_path": path, "organization_id": organization_id})


async def test_an_organization_set_up_after_the_unit_registered_receives_its_evaluation(db, axis, clock, unique_code):
    unit_id, path = unique_code("u-"), axis["paths"][axis["g1"]]
    await insert(db, unit_copy, unit_id=unit_id, name=f"Unit {unit_id}", kind="agency", area_code=axis["g1"],
                 area_path=path, organization_id=None, community_code=axis["c1"],
                 community_path=axis["paths"][axis["c1"]])
    worker = scope_of(axis, "community_worker", "c1")
    agreement = AgreementIn(title="Pairing agreement", hours_per_year=40, commitments=[])
    registration = await registrations.register_unit(db, worker, clock.now(), unit_id, agreement)
    await registrations.approve(db, worker, clock.now(), registration["id"], None)
    draft = await evaluations.evaluate(db, worker, clock.now(), subject_kind="unit", subject_id=unit_id,
                                       period=f"{clock.now().year}-Q1", score=90, comment=None)
    assert draft["organization_id"] is None
    late = unique_code("org-late-")
    async with db.sessions() as session, session.begin():  # org-registry: the unit's organization is set up
        await consumers.on_unit(session, unit_updated(unit_id, path, late))
    assert (await registrations.get_registration(db, worker, registration["id"]))["organization_id"] == late
    published = await evaluations.change(db, worker, clock.now(), draft["id"], EvaluationState.PUBLISHED)
    assert published["organization_id"] == late  # the organization's own token now sees it
    async with db.sessions() as session:
        data = (await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == draft["id"], outbox.c.event_type == "evaluation.published",
            ~outbox.c.topic.startswith("yizhou.partner.")))).scalar_one()
    assert data["organization_id"] == late
    partner = scope_of(axis, "partner", "c1", subject=late)
    assert [e["id"] for e in await evaluations.list_evaluations(
        db, partner, subject_kind=None, subject_id=None, period=None, state=None, evaluator_kind=None, after=None,
        limit=10)] == [draft["id"]]
    async with db.sessions() as session, session.begin():  # losing cover later keeps the organization on record
        await consumers.on_unit(session, unit_updated(unit_id, path, None))
    assert (await registrations.get_registration(db, worker, registration["id"]))["organization_id"] == late


async def test_a_member_registers_with_a_token_of_their_home_grid(db, axis, clock, unique_code):
    member_id = await add_member(db, axis, unique_code("m-"))  # lives in grid G1 of community C1
    home = scope_of(axis, "party_member", "g1", subject=member_id)
    created = await registrations.register_member(db, home, clock.now(), member_id, ["tutoring"], 6)
    assert created["community_code"] == axis["c1"] and created["state"] == RegistrationState.PENDING
    assert (await registrations.get_registration(db, home, created["id"]))["id"] == created["id"]
    assert [r["id"] for r in await registrations.list_registrations(
        db, home, kind=None, state=None, community_code=None, registrant_id=None, after=None, limit=10)] == [created["id"]]
    await registrations.approve(db, scope_of(axis, "community_worker", "c1"), clock.now(), created["id"], None)
    start = clock.now() - timedelta(hours=2)
    logged = await service_log.log_service(  # and logs service with the same token
        db, home, clock.now(), registration_id=created["id"], activity="Visit", category=None, area_code=axis["g1"],
        started_at=start, ended_at=start + timedelta(hours=1), hours=None, claim_id=None, served_resident_ref=None)
    assert logged["provider_id"] == member_id
    # A token of another community is told what is missing: the residence lies outside it.
    elsewhere = await add_member(db, axis, unique_code("m-"), residence_key="c2")
    with pytest.raises(UnknownReference) as outside:
        await registrations.register_member(db, scope_of(axis, "party_member", "g1", subject=elsewhere), clock.now(),
                                            elsewhere, [], 2)
    assert outside.value.status == 422 and axis["c2"] in outside.value.detail and axis["g1"] in outside.value.detail


async def test_a_check_in_for_a_claimed_post_logs_the_service_under_the_claim(db, axis, clock, unique_code):
    member_id = unique_code("m-")
    registration = await registered_member(db, axis, clock, member_id)
    worker, member = scope_of(axis, "community_worker", "c1"), scope_of(axis, "party_member", "c1", subject=member_id)
    post = await posts.create_post(db, worker, clock.now(), area_code=axis["g1"], kind="volunteer_post", title="小红帽",
                                   description="Weekend patrol", capacity=3, household_count=None)
    claim = await claims.request_claim(db, member, clock.now(), registration_id=registration,
                                       target_kind=TargetKind.POST, target_id=post["id"], note=None)
    await claims.change_claim(db, worker, clock.now(), claim["id"], ClaimState.APPROVED, None)
    batch = await checkins.issue_codes(
        db, worker, clock.now(), area_code=axis["g1"], activity="Patrol", category="public_safety",
        starts_at=clock.now(), ends_at=clock.now() + timedelta(hours=2), expires_at=None, count=2, post_id=post["id"])
    service = await checkins.check_in(db, member, clock.now(), code=batch["codes"][0]["code"], qr_payload=None)
    assert service["claim_id"] == claim["id"]
    async with db.sessions() as session:
        data = (await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == service["id"], outbox.c.event_type == "service.logged"))).scalar_one()
    assert data["claim_id"] == claim["id"] and data["checked_in"] is True
    # A member without a claim on the post still checks in; the service is then under no claim.
    other = unique_code("m-")
    await registered_member(db, axis, clock, other)
    unclaimed = await checkins.check_in(db, scope_of(axis, "party_member", "c1", subject=other), clock.now(),
                                        code=batch["codes"][1]["code"], qr_payload=None)
    assert unclaimed["claim_id"] is None


async def test_skills_declared_in_chinese_reach_project_matching_with_their_categories(db, axis, clock, unique_code):
    member_id = await add_member(db, axis, unique_code("m-"))
    member = scope_of(axis, "party_member", "c1", subject=member_id)
    created = await registrations.register_member(db, member, clock.now(), member_id, ["法律咨询", " 护理 ", "电工"], 8)
    await registrations.approve(db, scope_of(axis, "community_worker", "c1"), clock.now(), created["id"], None)
    async with db.sessions() as session:
        data = (await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == created["id"], outbox.c.event_type == "member.registered",
            ~outbox.c.topic.startswith("yizhou.partner.")))).scalar_one()
    # The member's own words travel; project-matching maps them to categories when it makes the resource.
    assert data["skills"] == ["法律咨询", "护理", "电工"]
    assert set(categories_for_skills_zh(data["skills"])) == {"legal_aid", "elderly_care", "health",
                                                             "disability_support", "utilities", "housing_repair"}
