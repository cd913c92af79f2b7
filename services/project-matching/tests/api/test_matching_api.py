"""Resources and matching rounds over HTTP: validation, scoping, a round that serves the priority
household first and explains itself, accept/reject with capacity kept, top-k candidates."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from matching_helpers import add_demand, assert_problem, resource_body
from yizhou.messaging_tables import outbox

START = datetime(2026, 12, 1, tzinfo=UTC)
PERIOD = {"period_start": START.isoformat(), "period_end": (START + timedelta(days=7)).isoformat()}


async def test_resource_validation_scope_and_events(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    created = await client.post("/api/v1/resources", json=resource_body(axis["g1"], capacity=3), headers=worker)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    for bad, slug, status in [
        (resource_body(axis["g1"], categories=["flying"]), "rule-violated", 422),
        (resource_body(axis["g1"], capacity=0), "rule-violated", 422),
        (resource_body(axis["g1"], kind="money", capacity=0), "rule-violated", 422),
        (resource_body(axis["g1"], latitude=39.9), "validation", 422),
        (resource_body(axis["g3"]), "unknown-reference", 422),  # outside the worker's community
        (resource_body(axis["g1"], windows=[{"starts_at": START.isoformat(), "ends_at": START.isoformat()}]),
         "rule-violated", 422),
        ({**resource_body(axis["g1"]), "extra": 1}, "validation", 422),
    ]:
        assert_problem(await client.post("/api/v1/resources", json=bad, headers=worker), status, slug)
    money = await client.post("/api/v1/resources", json=resource_body(axis["c1"], kind="money", capacity=0,
                                                                       amount_yuan="5000.00"), headers=worker)
    assert money.status_code == 201 and money.json()["amount_yuan"] == 5000.0
    assert_problem(await client.get(f"/api/v1/resources/{rid}", headers=auth("community_worker", axis["c2"])), 404,
                   "not-found")
    patched = await client.patch(f"/api/v1/resources/{rid}", json={"capacity": 5}, headers=worker)
    assert patched.json()["capacity"] == 5
    assert (await client.post(f"/api/v1/resources/{rid}/withdraw", headers=worker)).json()["state"] == "withdrawn"
    assert_problem(await client.post(f"/api/v1/resources/{rid}/withdraw", headers=worker), 409, "conflict")
    async with db.sessions() as session:
        types = [r.event_type for r in (await session.execute(
            select(outbox).where(outbox.c.aggregate_id == rid).order_by(outbox.c.id))).all()]
    assert types == ["resource.registered", "resource.updated", "resource.withdrawn"]
    listed = (await client.get("/api/v1/resources", params={"kind": "money"}, headers=worker)).json()["items"]
    assert [r["kind"] for r in listed] == ["money"]


async def test_a_round_serves_the_priority_household_and_decisions_keep_capacity(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    near = await add_demand(db, axis, "g1", category="health")
    far_elderly = await add_demand(db, axis, "g2", category="health", household="elderly_alone")
    other = await add_demand(db, axis, "g1", category="legal_aid")
    # Registered at the community (placed at G1's centre), it serves both grids; one place only.
    rid = (await client.post("/api/v1/resources", json=resource_body(axis["c1"], categories=["health"], capacity=1),
                             headers=worker)).json()["id"]
    response = await client.post("/api/v1/matching/rounds", json={"area_code": axis["c1"], **PERIOD}, headers=worker)
    assert response.status_code == 201, response.text
    round_ = response.json()
    assert round_["stats"]["proposed"] == 1 and round_["stats"]["demands_considered"] == 3
    matches = (await client.get("/api/v1/matching/matches", params={"round_id": round_["id"]},
                                headers=worker)).json()["items"]
    assert [(m["demand_id"], m["resource_id"]) for m in matches] == [(far_elderly, rid)]
    explanation = matches[0]["explanation"]
    assert explanation["fit"] == "category health" and explanation["capacity_left"] == 0
    assert 500 < explanation["distance_m"] < 700 and "km away" in explanation["summary"]
    assert "full" in round_["stats"]["unserved_reasons"][near]
    assert "No resource for legal_aid" in round_["stats"]["unserved_reasons"][other]
    accepted = await client.post(f"/api/v1/matching/matches/{matches[0]['id']}/accept", json={"note": "ok"},
                                 headers=worker)
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert_problem(await client.post(f"/api/v1/matching/matches/{matches[0]['id']}/reject", headers=worker), 409,
                   "illegal-transition")
    # The resource's only place is taken for the period: a second round proposes nothing for it.
    second = (await client.post("/api/v1/matching/rounds", json={"area_code": axis["c1"], **PERIOD},
                                headers=worker)).json()
    assert second["stats"]["proposed"] == 0
    async with db.sessions() as session:
        types = {r.event_type for r in (await session.execute(select(outbox).where(
            outbox.c.aggregate_id == matches[0]["id"]))).all()}
    assert types == {"match.proposed", "match.accepted"}
    assert_problem(await client.post("/api/v1/matching/rounds", json={"area_code": axis["c1"], **PERIOD},
                                     headers=auth("resident", axis["c1"])), 403, "forbidden")
    assert_problem(await client.post("/api/v1/matching/rounds", json={
        "area_code": axis["c1"], "period_start": PERIOD["period_end"], "period_end": PERIOD["period_start"]},
        headers=worker), 422, "validation")
    assert_problem(await client.get(f"/api/v1/matching/rounds/{round_['id']}",
                                    headers=auth("community_worker", axis["c2"])), 404, "not-found")
    # A distance cap that rounds to 0 m is refused up front (the fuzzer found it as a 500).
    assert_problem(await client.post("/api/v1/matching/rounds", json={
        "area_code": axis["c1"], **PERIOD, "max_distance_km": 5.96e-08}, headers=worker), 422, "validation")


async def test_top_candidates_for_one_demand(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    demand = await add_demand(db, axis, "g1", category="culture_sports")
    for area in ("g1", "c1", "g2"):  # the one at G2 serves only G2: not a candidate for a demand in G1
        await client.post("/api/v1/resources", json=resource_body(axis[area], categories=["culture_sports"]),
                          headers=worker)
    found = (await client.get(f"/api/v1/demands/{demand}/candidates", params={"k": 5}, headers=worker)).json()
    assert [c["distance_m"] for c in found] == [0, 0]
    assert {c["resource"]["area_code"] for c in found} == {axis["g1"], axis["c1"]}
    assert_problem(await client.get(f"/api/v1/demands/{demand}/candidates", params={"k": 0}, headers=worker), 422,
                   "validation")
    assert_problem(await client.get(f"/api/v1/demands/{demand}/candidates", params={"max_distance_km": 1e-7},
                                    headers=worker), 422, "validation")
    listed = (await client.get("/api/v1/demands", params={"category": "culture_sports", "open_only": True},
                               headers=worker)).json()["items"]
    assert demand in [d["demand_id"] for d in listed]


async def test_a_provider_unit_or_member_must_be_one_of_the_callers_area(client, axis, auth, db):
    """A community worker may name as provider a unit of its community or one above it on the axis, or a
    member living there; a unit or member of another subdistrict answers as an unknown one (issue 19)."""
    from project_matching.guarantee.store.tables import member_copy, unit_copy

    now, d = datetime.now(UTC), axis["d"]
    paths = {"c1": f"/{d}/{d}S1/{d}C1/", "s1": f"/{d}/{d}S1/", "d": f"/{d}/", "c2": f"/{d}/{d}S2/{d}C2/"}
    async with db.sessions() as session, session.begin():
        for where, path in paths.items():
            await session.execute(unit_copy.insert().values(unit_id=f"u-{where}-{d}", kind="enterprise", area_path=path,
                                                            organization_id=None, updated_at=now))
            await session.execute(member_copy.insert().values(member_id=f"m-{where}-{d}", organization_id="o",
                                                              residence_path=path, in_service=True, active=True,
                                                              updated_at=now))
    worker = auth("community_worker", axis["c1"])

    async def offer(kind: str, provider_id: str):
        return await client.post("/api/v1/resources", headers=worker, json={
            **resource_body(axis["c1"]), "provider_kind": kind, "provider_id": provider_id})

    for where in ("c1", "s1", "d"):
        assert (await offer("unit", f"u-{where}-{d}")).status_code == 201, where
    assert (await offer("member", f"m-c1-{d}")).status_code == 201
    for kind, provider in [("unit", f"u-c2-{d}"), ("member", f"m-c2-{d}"), ("member", f"m-s1-{d}"),
                           ("unit", "u-nowhere")]:
        body = assert_problem(await offer(kind, provider), 422, "unknown-reference")
        assert body["errors"][0]["field"] == "provider_id", body
    # a service alliance or social organization is not a registry record: its id is the caller's to give
    assert (await offer("service_alliance", "alliance-7")).status_code == 201


async def test_a_proposal_a_later_round_supersedes_expires_and_accepting_it_says_so(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    demand = await add_demand(db, axis, "g1", category="meal_assistance")
    await client.post("/api/v1/resources", json=resource_body(axis["c1"], categories=["meal_assistance"]),
                      headers=worker)
    rounds = []
    for _ in range(2):
        response = await client.post("/api/v1/matching/rounds", json={"area_code": axis["g1"], **PERIOD},
                                     headers=worker)
        assert response.status_code == 201, response.text
        rounds.append(response.json())
    assert rounds[1]["stats"]["proposals_expired"] == 1
    stale = (await client.get("/api/v1/matching/matches", params={"round_id": rounds[0]["id"]},
                              headers=worker)).json()["items"]
    assert [(m["demand_id"], m["state"]) for m in stale] == [(demand, "expired")]
    body = assert_problem(await client.post(f"/api/v1/matching/matches/{stale[0]['id']}/accept", headers=worker),
                          409, "illegal-transition")
    assert "expired" in body["detail"] and rounds[1]["id"] in body["detail"] and body["current_state"] == "expired"
    listed = await client.get("/api/v1/matching/matches", params={"state": "expired", "round_id": rounds[0]["id"]},
                              headers=worker)
    assert listed.status_code == 200 and [m["id"] for m in listed.json()["items"]] == [stale[0]["id"]]
    fresh = (await client.get("/api/v1/matching/matches", params={"round_id": rounds[1]["id"]},
                              headers=worker)).json()["items"]
    accepted = await client.post(f"/api/v1/matching/matches/{fresh[0]['id']}/accept", headers=worker)
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
