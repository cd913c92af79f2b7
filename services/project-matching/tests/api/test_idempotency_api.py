"""Idempotency-Key on project-matching's POSTs (yizhou.idempotent_writes): a retry with the same key
and body gets the first answer and makes nothing twice (record, events), another body under the key
is a 422 `idempotency-key-reused`, concurrent retries make one record, no key changes nothing."""

import asyncio
import json
import uuid

import pytest
from sqlalchemy import func, select

from guarantee_helpers import add_organization
from matching_helpers import DESIGN, assert_problem, resource_body
from project_matching.app import create_app
from project_matching.guarantee.store.tables import fund_entries, venues
from project_matching.store.tables import matching_rounds, projects, resources
from yizhou.messaging_tables import outbox

HOURS = [{"weekday": d, "opens": "09:00", "closes": "21:00"} for d in range(1, 6)]
PERIOD = {"period_start": "2026-03-02T00:00:00+08:00", "period_end": "2026-03-09T00:00:00+08:00"}


def keyed(headers: dict, key: str | None = None) -> dict:
    return {**headers, "Idempotency-Key": key or f"key-{uuid.uuid4()}"}


# What each creating POST makes, the body that makes it, and the table it lands in.
CREATES = {
    "resource": ("/api/v1/resources", lambda axis, org: resource_body(axis["g1"]), resources),
    "project": ("/api/v1/projects", lambda axis, org: {"title": "Visits for elderly living alone",
                                                       "area_code": axis["c1"], "category": "elderly_care"}, projects),
    "matching round": ("/api/v1/matching/rounds", lambda axis, org: {"area_code": axis["c1"], **PERIOD},
                       matching_rounds),
    "venue": ("/api/v1/venues", lambda axis, org: {
        "name": "Party-mass service centre, hall 2", "kind": "party_mass_service_centre", "owner_organization_id": org,
        "area_code": axis["c1"], "capacity": 40, "opening_hours": HOURS, "categories": ["culture_sports"]}, venues),
    "fund income": ("/api/v1/funds/income", lambda axis, org: {
        "organization_id": org, "year": 2026, "source": "party_dues_returned", "amount_yuan": "8600.00",
        "note": "Q1 party dues returned"}, fund_entries),
}


async def count(db, table, axis) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table).where(
            table.c.area_path.startswith(axis["paths"][axis["d"]])))).scalar_one()


async def events_of(db, aggregate_id: str) -> list[str]:
    async with db.sessions() as session:
        return list((await session.execute(select(outbox.c.event_type).where(
            outbox.c.aggregate_id == aggregate_id, ~outbox.c.topic.startswith("yizhou.partner."))
            .order_by(outbox.c.id))).scalars())


@pytest.mark.parametrize("what", list(CREATES))
async def test_a_retry_replays_the_first_answer_and_another_body_is_refused(client, axis, auth, db, what):
    path, body_of, table = CREATES[what]
    worker = keyed(auth("community_worker", axis["c1"]))
    body = body_of(axis, await add_organization(db, axis, "c1"))
    first = await client.post(path, json=body, headers=worker)
    assert first.status_code == 201, first.text
    again = await client.post(path, json=body, headers=worker)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers.get("location") == first.headers.get("location")
    assert await count(db, table, axis) == 1
    other = {**body, "area_code": axis["c2"]} if "area_code" in body else {**body, "note": "Q2"}
    assert_problem(await client.post(path, json=other, headers=worker), 422, "idempotency-key-reused")
    assert await count(db, table, axis) == 1
    # Key order and spacing are not "another body".
    reordered = await client.post(path, content=json.dumps(dict(reversed(list(body.items())))),
                                  headers={**worker, "content-type": "application/json"})
    assert (reordered.status_code, reordered.json()) == (201, first.json())


@pytest.mark.parametrize("what", list(CREATES))
async def test_concurrent_retries_make_one_record_and_one_event(client, axis, auth, db, what):
    path, body_of, table = CREATES[what]
    worker = keyed(auth("community_worker", axis["c1"]))
    body = body_of(axis, await add_organization(db, axis, "c1"))
    answers = await asyncio.gather(*(client.post(path, json=body, headers=worker) for _ in range(6)))
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert await count(db, table, axis) == 1
    created = answers[0].json()["id"]
    assert len(await events_of(db, created)) <= 1  # a round, a venue or income may publish nothing of its own


async def test_without_a_key_every_post_makes_a_record(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    for _ in range(2):
        response = await client.post("/api/v1/resources", json=resource_body(axis["g1"]), headers=worker)
        assert response.status_code == 201, response.text
    assert await count(db, resources, axis) == 2


@pytest.mark.parametrize("key", ["", "k" * 201])
async def test_an_empty_or_overlong_key_is_422(client, axis, auth, db, key):
    body = assert_problem(await client.post("/api/v1/resources", json=resource_body(axis["g1"]),
                                            headers={**auth("community_worker", axis["c1"]), "Idempotency-Key": key}),
                          422, "validation")
    assert body["errors"][0]["location"] == "header"
    assert await count(db, resources, axis) == 0


async def test_keys_belong_to_their_caller_and_refusals_are_not_stored(client, axis, auth, db):
    key = f"shared-{uuid.uuid4()}"
    resident = keyed(auth("resident", axis["c1"]), key)
    assert_problem(await client.post("/api/v1/resources", json=resource_body(axis["g1"]), headers=resident),
                   403, "forbidden")
    # The refusal was not remembered: another caller's key space, and the same caller may fix the request.
    first = await client.post("/api/v1/resources", json=resource_body(axis["g1"]),
                              headers=keyed(auth("community_worker", axis["c1"]), key))
    other = await client.post("/api/v1/resources", json=resource_body(axis["g1"]),
                              headers=keyed(auth("grid_worker", axis["g1"]), key))
    assert first.status_code == other.status_code == 201
    assert first.json()["id"] != other.json()["id"]
    assert await count(db, resources, axis) == 2
    unknown = keyed(auth("community_worker", axis["c1"]))
    assert_problem(await client.post("/api/v1/resources", json=resource_body("NOWHERE"), headers=unknown),
                   422, "unknown-reference")
    fixed = await client.post("/api/v1/resources", json=resource_body(axis["g1"]), headers=unknown)
    assert fixed.status_code == 201, fixed.text


async def test_steps_replay_too_and_a_key_is_bound_to_its_path(client, axis, auth, db):
    worker, admin = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    pids = []
    for _ in range(2):
        created = await client.post("/api/v1/projects", json={"title": "Visits", "area_code": axis["c1"],
                                                               "category": "elderly_care"}, headers=worker)
        pids.append(created.json()["id"])
        assert (await client.put(f"/api/v1/projects/{pids[-1]}/design", json=DESIGN, headers=worker)).status_code == 200
    submit = keyed(worker)
    first = await client.post(f"/api/v1/projects/{pids[0]}/submit", headers=submit)
    assert first.status_code == 200 and first.json()["state"] == "in_review"
    events = await events_of(db, pids[0])
    again = await client.post(f"/api/v1/projects/{pids[0]}/submit", headers=submit)
    assert (again.status_code, again.json()) == (200, first.json())  # not a 409: the step was taken once
    assert await events_of(db, pids[0]) == events
    assert_problem(await client.post(f"/api/v1/projects/{pids[1]}/submit", headers=submit), 422,
                   "idempotency-key-reused")
    # A review creates a record: retried, it is counted once.
    review = keyed(admin)
    for _ in range(2):
        reviewed = await client.post(f"/api/v1/projects/{pids[0]}/reviews", json={"score": 80}, headers=review)
        assert reviewed.status_code == 200, reviewed.text
    assert len(reviewed.json()["reviews"]) == 1


async def test_a_failed_write_leaves_neither_record_nor_key(client, axis, auth, db):
    """The key row and the record commit together: when the use case fails after writing, both go."""
    worker = keyed(auth("community_worker", axis["c1"]))
    org = await add_organization(db, axis, "c1")
    spend = {"organization_id": org, "year": 2026, "amount_yuan": "100.00", "purpose": "activity",
             "activity": "Theme party day"}
    assert_problem(await client.post("/api/v1/funds/spending", json=spend, headers=worker), 409, "insufficient-funds")
    assert await count(db, fund_entries, axis) == 0
    income = {"organization_id": org, "year": 2026, "source": "party_dues_returned", "amount_yuan": "500.00"}
    assert (await client.post("/api/v1/funds/income", json=income, headers=keyed(worker))).status_code == 201
    spent = await client.post("/api/v1/funds/spending", json=spend, headers=worker)
    assert spent.status_code == 201, spent.text


def test_every_post_documents_the_header_and_the_reused_key_problem():
    spec = create_app().openapi()
    posts = [(path, op) for path, ops in spec["paths"].items() for method, op in ops.items() if method == "post"]
    assert len(posts) >= 20
    for path, op in posts:
        [header] = [p for p in op["parameters"] if p["in"] == "header" and p["name"] == "idempotency-key"]
        assert header["schema"]["anyOf"][0]["maxLength"] == 200, path
        assert "idempotency-key-reused" in op["responses"]["422"]["description"], path
