"""Idempotency-Key on org-registry's POSTs (yizhou.idempotent_writes), as on the other services: a retry
with the same key and body gets the first answer and makes nothing twice (and publishes nothing
twice), another body under the key is a 422 `idempotency-key-reused`, concurrent retries make one
record, and without a key a retry makes a second unit (units get their ids from the server)."""

import asyncio
import uuid

from registry_helpers import assert_problem
from sqlalchemy import func, select

from org_registry.store.tables import units
from yizhou.messaging_tables import outbox


def keyed(headers: dict) -> dict:
    return {**headers, "Idempotency-Key": f"key-{uuid.uuid4()}"}


def unit_body(district: dict, name: str) -> dict:
    return {"name": name, "kind": "agency", "area_code": district["s1"], "headcount": 50, "members_among_staff": 5}


async def made(db, name: str) -> tuple[int, int]:
    """Units of that name, and unit events about them in the outbox."""
    async with db.sessions() as session:
        ids = (await session.execute(select(units.c.id).where(units.c.name == name))).scalars().all()
        events = (await session.execute(select(func.count()).where(
            outbox.c.aggregate_id.in_(ids), outbox.c.event_type == "unit.created"))).scalar_one() if ids else 0
    return len(ids), events


async def test_a_retry_replays_the_first_answer_and_another_body_is_refused(client, db, district):
    name = f"区民政局 {uuid.uuid4().hex[:6]}"
    headers = keyed(district["admin"])
    first = await client.post("/api/v1/units", json=unit_body(district, name), headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/units", json=unit_body(district, name), headers=headers)
    assert (again.status_code, again.json(), again.headers["location"]) == (201, first.json(), first.headers["location"])
    assert await made(db, name) == (1, 1)
    assert_problem(await client.post("/api/v1/units", json=unit_body(district, name + "X"), headers=headers),
                   422, "idempotency-key-reused")
    assert await made(db, name) == (1, 1)


async def test_concurrent_retries_make_one_record(client, db, district):
    name = f"区卫健委 {uuid.uuid4().hex[:6]}"
    headers = keyed(district["admin"])
    answers = await asyncio.gather(*(client.post("/api/v1/units", json=unit_body(district, name), headers=headers)
                                     for _ in range(6)))
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert await made(db, name) == (1, 1)


async def test_without_a_key_a_retry_makes_a_second_unit(client, db, district):
    name = f"区教委 {uuid.uuid4().hex[:6]}"
    for _ in range(2):
        assert (await client.post("/api/v1/units", json=unit_body(district, name),
                                  headers=district["admin"])).status_code == 201
    assert await made(db, name) == (2, 2)


async def test_every_post_declares_the_header(client):
    spec = (await client.get("/openapi.json")).json()
    posts = {path: ops["post"] for path, ops in spec["paths"].items() if "post" in ops and path.startswith("/api/v1/")
             and not path.startswith(("/api/v1/imports", "/api/v1/webhooks"))}
    assert len(posts) >= 15
    lacking = [path for path, op in posts.items()
               if "idempotency-key" not in {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}]
    assert not lacking, lacking
