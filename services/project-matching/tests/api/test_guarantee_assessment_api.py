"""Assessment over HTTP: weights per district and year (sum exactly 1, district admins only), scorecards
scoped per role (records outside your area answer 404), publishing versions from the level above, and
a scorecard computed from the read models equal to the weighted inputs."""

from datetime import UTC, datetime

from sqlalchemy import select

from guarantee_helpers import add_organization
from matching_helpers import assert_problem
from project_matching.guarantee.store.tables import evaluation_facts, member_copy, registration_facts
from yizhou.messaging_tables import outbox

YEAR = 2031  # a year no other test writes facts for


async def test_weights_per_district_and_year(client, axis, auth):
    admin, sub = auth("district_admin", axis["d"]), auth("subdistrict_admin", axis["s1"])
    url = f"/api/v1/assessment/weights/{YEAR}/organization"
    defaults = (await client.get(url, headers=sub)).json()
    assert defaults["configured"] is False and sum(defaults["weights"].values()) == 1
    good = {"evaluation_score": "0.55", "member_registration_rate": "0.45"}
    assert_problem(await client.put(url, json={"weights": good}, headers=sub), 403, "forbidden")
    put = await client.put(url, json={"weights": good}, headers=admin)
    assert put.status_code == 200 and put.json()["weights"]["unit_registration_rate"] == 0
    assert (await client.get(url, headers=sub)).json()["configured"] is True
    # Another year keeps its defaults.
    assert (await client.get(f"/api/v1/assessment/weights/{YEAR + 1}/organization", headers=sub)).json()[
        "configured"] is False
    for bad, slug in (({"evaluation_score": "0.55", "member_registration_rate": "0.44"}, "rule-violated"),
                      ({"response_rate": "1"}, "rule-violated"),
                      ({"evaluation_score": "1.5"}, "validation"),
                      ({"evaluation_score": "0.12345"}, "validation"),
                      ({}, "validation")):
        assert_problem(await client.put(url, json={"weights": bad}, headers=admin), 422, slug)
    assert_problem(await client.get(f"/api/v1/assessment/weights/{YEAR}/country", headers=admin), 422, "validation")


async def test_organization_card_scoping_and_publishing(client, axis, auth, db):
    admin, sub = auth("district_admin", axis["d"]), auth("subdistrict_admin", axis["s1"])
    worker, outsider = auth("community_worker", axis["c1"]), auth("community_worker", axis["c2"])
    org = await add_organization(db, axis, "c1")
    path = axis["paths"][axis["c1"]]
    now = datetime(YEAR, 5, 1, tzinfo=UTC)
    async with db.sessions() as session, session.begin():
        for k in range(4):
            await session.execute(member_copy.insert().values(
                member_id=f"{org}-m{k}", organization_id=org, residence_path=path, in_service=True, active=True,
                updated_at=now))
        await session.execute(registration_facts.insert().values(
            registrant_kind="member", registrant_id=f"{org}-m0", registration_id="r0", organization_id=org,
            community_path=path, hours_per_year=None, registered_at=now))
        await session.execute(evaluation_facts.insert().values(
            evaluation_id=f"{org}-e", subject_kind="member", subject_id=f"{org}-m0", organization_id=org,
            community_path=path, year=YEAR, score=70))
    url = f"/api/v1/assessment/scorecards/organizations/{org}"
    card = (await client.get(url, params={"year": YEAR}, headers=worker)).json()
    # Default weights 0.4 evaluation, 0.2 member registration, 0.2 hours; no units: left out.
    # (0.4 x 70 + 0.2 x 25 + 0.2 x 0) / 0.8 = 41.25
    assert card["score"] == 41.25 and card["grade"] == "poor" and card["id"] is None
    lines = {i["code"]: i for i in card["inputs"]}
    assert lines["unit_registration_rate"]["value"] is None
    assert lines["hours_threshold_rate"]["value"] == 0 and lines["member_registration_rate"]["value"] == 25
    assert_problem(await client.get(url, params={"year": YEAR}, headers=outsider), 404, "not-found")
    assert_problem(await client.get(url, params={"year": YEAR}, headers=auth("party_member", axis["c1"])), 403,
                   "forbidden")
    assert_problem(await client.get(f"/api/v1/assessment/scorecards/areas/{axis['s1']}", params={"year": YEAR},
                                    headers=worker), 404, "not-found")
    area = (await client.get(f"/api/v1/assessment/scorecards/areas/{axis['c1']}", params={"year": YEAR},
                             headers=worker)).json()
    # Default area weights: evaluation, member registration and hours 0.1 each; nothing else measured here.
    assert area["score"] == round((0.1 * 70 + 0.1 * 25 + 0.1 * 0) / 0.3, 2) and area["grade"] == "poor"
    assert (await client.get(f"/api/v1/assessment/scorecards/areas/{axis['c2']}", params={"year": YEAR},
                             headers=outsider)).json()["grade"] == "not_assessed"
    body = {"subject_kind": "organization", "subject_id": org, "year": YEAR}
    assert_problem(await client.post("/api/v1/assessment/scorecards", json=body, headers=worker), 403, "forbidden")
    assert_problem(await client.post("/api/v1/assessment/scorecards", json=body,
                                     headers=auth("subdistrict_admin", axis["s2"])), 404, "not-found")
    first = await client.post("/api/v1/assessment/scorecards", json=body, headers=sub)
    second = await client.post("/api/v1/assessment/scorecards", json=body, headers=admin)
    assert first.status_code == second.status_code == 201
    assert (first.json()["version"], second.json()["version"]) == (1, 2) and first.json()["score"] == 41.25
    got = (await client.get(f"/api/v1/assessment/scorecards/{first.json()['id']}", headers=worker)).json()
    assert got["score"] == 41.25 and got["inputs"] == first.json()["inputs"]
    assert_problem(await client.get(f"/api/v1/assessment/scorecards/{first.json()['id']}", headers=outsider), 404,
                   "not-found")
    listed = (await client.get("/api/v1/assessment/scorecards", params={"year": YEAR, "under": axis["c1"]},
                               headers=sub)).json()["items"]
    assert {c["id"] for c in listed} >= {first.json()["id"], second.json()["id"]}
    assert (await client.get("/api/v1/assessment/scorecards", params={"year": YEAR}, headers=outsider)).json()[
        "items"] == []
    async with db.sessions() as session:
        event = (await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == first.json()["id"], outbox.c.event_type == "assessment.published"))).scalar_one()
    assert event["organization_id"] == org and event["score"] == 41.25 and event["version"] == 1
