"""Idempotency-Key on dual-registration's POSTs (yizhou.idempotent_writes): a retry with the same key
and body gets the first answer and makes nothing twice, another body under the key is a 422
`idempotency-key-reused`, concurrent retries make one record, no key changes nothing."""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dual_registration.app import create_app
from dual_registration.store.tables import checkin_codes, claims, evaluations, posts, registrations, service_sessions

AGREEMENT = {"title": "结对共建 2026", "hours_per_year": 120, "commitments": [
    {"kind": "volunteer_hours", "description": "Legal consultations", "categories": ["legal_aid"], "quantity": 120,
     "unit_of_measure": "hours/year"}]}


@dataclass
class Create:
    path: str
    body: dict
    headers: dict
    table: object
    changes: dict  # a valid other body under the same key
    made: int = 1  # records one request makes
    extra: dict = field(default_factory=dict)


def keyed(headers: dict, key: str | None = None) -> dict:
    return {**headers, "Idempotency-Key": key or f"key-{uuid.uuid4()}"}


async def a_post(world) -> str:
    made = await world.client.post("/api/v1/posts", headers=world.worker, json={
        "area_code": world.grid, "kind": "volunteer_post", "title": "Little red caps", "capacity": 5})
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def member_registration(world, clock) -> Create:
    member = await world.add_member(f"m-reg-{uuid.uuid4().hex[:8]}", world.grid)
    return Create("/api/v1/registrations/members", {"member_id": member, "skills": ["tutoring"],
                                                    "available_hours_per_month": 6},
                  world.member(member), registrations, {"available_hours_per_month": 8})


async def unit_registration(world, clock) -> Create:
    unit = await world.add_unit(f"u-reg-{uuid.uuid4().hex[:8]}", world.grid)
    return Create("/api/v1/registrations/units", {"unit_id": unit, "agreement": AGREEMENT}, world.worker,
                  registrations, {"agreement": {**AGREEMENT, "title": "another agreement"}})


async def post(world, clock) -> Create:
    return Create("/api/v1/posts", {"area_code": world.grid, "kind": "volunteer_post", "title": "Little red caps",
                                    "capacity": 3}, world.worker, posts, {"title": "Reading corner"})


async def claim(world, clock) -> Create:
    member = f"m-cl-{uuid.uuid4().hex[:8]}"
    registration = await world.registered_member(member)
    return Create("/api/v1/claims", {"registration_id": registration, "target_kind": "post",
                                     "target_id": await a_post(world)},
                  world.member(member), claims, {"target_id": await a_post(world)})


async def service_log(world, clock) -> Create:
    member = f"m-sv-{uuid.uuid4().hex[:8]}"
    registration = await world.registered_member(member)
    start = clock.now() - timedelta(days=2)
    return Create("/api/v1/services", {"registration_id": registration, "activity": "Tutoring children",
                                       "category": "education", "area_code": world.grid,
                                       "started_at": start.isoformat(),
                                       "ended_at": (start + timedelta(hours=2)).isoformat()},
                  world.member(member), service_sessions, {"activity": "Reading to the elderly"})


async def evaluation(world, clock) -> Create:
    member = f"m-ev-{uuid.uuid4().hex[:8]}"
    await world.registered_member(member)
    return Create("/api/v1/evaluations", {"subject_kind": "member", "subject_id": member, "period": "2026-Q1",
                                          "score": 93, "comment": "reliable"},
                  world.worker, evaluations, {"score": 60})


async def checkin_code_batch(world, clock) -> Create:
    starts = clock.now() + timedelta(days=1)
    return Create("/api/v1/checkin-codes", {"area_code": world.community, "activity": "Little red caps patrol",
                                            "category": "public_safety", "starts_at": starts.isoformat(),
                                            "ends_at": (starts + timedelta(hours=2)).isoformat(), "count": 3},
                  world.worker, checkin_codes, {"count": 2}, made=3)


async def checkin(world, clock) -> Create:
    member = f"m-ci-{uuid.uuid4().hex[:8]}"
    await world.registered_member(member)
    starts = clock.now() - timedelta(minutes=30)
    issued = await world.client.post("/api/v1/checkin-codes", headers=world.worker, json={
        "area_code": world.community, "activity": "Patrol", "category": "public_safety",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(), "count": 2})
    assert issued.status_code == 201, issued.text
    codes = issued.json()["codes"]
    return Create("/api/v1/checkins", {"code": codes[0]["code"]}, world.member(member), service_sessions,
                  {"code": codes[1]["code"]})


CREATES = [member_registration, unit_registration, post, claim, service_log, evaluation, checkin_code_batch, checkin]


async def count(world, table) -> int:
    column = table.c.community_path if "community_path" in table.c else table.c.area_path
    async with world.client.app_state.db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table).where(
            column.startswith(world.path(world.district))))).scalar_one()


@pytest.mark.parametrize("scenario", CREATES, ids=lambda s: s.__name__)
async def test_a_retry_replays_the_first_answer_and_another_body_is_refused(world, clock, problem, scenario):
    create = await scenario(world, clock)
    before = await count(world, create.table)
    headers = keyed(create.headers)
    first = await world.client.post(create.path, json=create.body, headers=headers)
    assert first.status_code == 201, first.text
    again = await world.client.post(create.path, json=create.body, headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers.get("location") == first.headers.get("location")
    assert await count(world, create.table) == before + create.made
    problem(await world.client.post(create.path, json={**create.body, **create.changes}, headers=headers),
            422, "idempotency-key-reused")
    assert await count(world, create.table) == before + create.made


@pytest.mark.parametrize("scenario", CREATES, ids=lambda s: s.__name__)
async def test_concurrent_retries_make_one_record(world, clock, scenario):
    create = await scenario(world, clock)
    before = await count(world, create.table)
    headers = keyed(create.headers)
    answers = await asyncio.gather(*(world.client.post(create.path, json=create.body, headers=headers)
                                     for _ in range(6)))
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert await count(world, create.table) == before + create.made


async def test_without_a_key_nothing_changes(world, clock, problem):
    create = await post(world, clock)
    for _ in range(2):
        assert (await world.client.post(create.path, json=create.body, headers=create.headers)).status_code == 201
    assert await count(world, posts) == 2
    # A second pending registration of one member is still a duplicate without a key.
    create = await member_registration(world, clock)
    assert (await world.client.post(create.path, json=create.body, headers=create.headers)).status_code == 201
    problem(await world.client.post(create.path, json=create.body, headers=create.headers), 409, "duplicate")


@pytest.mark.parametrize("key", ["", "k" * 201])
async def test_an_empty_or_overlong_key_is_422(world, clock, problem, key):
    create = await post(world, clock)
    body = problem(await world.client.post(create.path, json=create.body,
                                           headers={**create.headers, "Idempotency-Key": key}), 422, "validation")
    assert body["errors"][0]["location"] == "header"
    assert await count(world, posts) == 0


async def test_a_step_replays_and_publishes_once(world, clock, problem, outbox_events):
    member = await world.add_member(f"m-ap-{uuid.uuid4().hex[:8]}", world.grid)
    created = await world.client.post("/api/v1/registrations/members", headers=world.member(member),
                                      json={"member_id": member, "skills": ["first aid"],
                                            "available_hours_per_month": 4})
    approve = keyed(world.worker)
    first = await world.client.post(f"/api/v1/registrations/{created.json()['id']}/approve", headers=approve,
                                    json={"note": "welcome"})
    assert first.status_code == 200, first.text
    again = await world.client.post(f"/api/v1/registrations/{created.json()['id']}/approve", headers=approve,
                                    json={"note": "welcome"})
    assert (again.status_code, again.json()) == (200, first.json())  # not a 409: approved once
    assert [t for t, _ in await outbox_events(created.json()["id"])] == ["member.registered"]
    # Without the key the retry is what it always was.
    problem(await world.client.post(f"/api/v1/registrations/{created.json()['id']}/approve", headers=world.worker,
                                    json={"note": "welcome"}), 409, "illegal-transition")


async def test_a_refused_request_stores_no_answer(world, clock, problem):
    create = await claim(world, clock)
    headers = keyed(create.headers)
    problem(await world.client.post(create.path, json={**create.body, "registration_id": "nope"}, headers=headers),
            422, "unknown-reference")
    assert await count(world, claims) == 0
    made = await world.client.post(create.path, json=create.body, headers=headers)
    assert made.status_code == 201, made.text


def test_every_post_documents_the_header_and_the_reused_key_problem():
    spec = create_app().openapi()
    found = [(path, op) for path, ops in spec["paths"].items() for method, op in ops.items() if method == "post"]
    assert len(found) >= 20
    for path, op in found:
        [header] = [p for p in op["parameters"] if p["in"] == "header" and p["name"] == "idempotency-key"]
        assert header["schema"]["anyOf"][0]["maxLength"] == 200, path
        assert "idempotency-key-reused" in op["responses"]["422"]["description"], path
