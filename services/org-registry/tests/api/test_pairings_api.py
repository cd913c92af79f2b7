"""Pairing in both directions (issue 22, seed 003's 双结对): organizations with organizations, branches with
households in hardship (whose personal data stays with the area's staff), a review per year, and events
that never carry the household."""

from sqlalchemy import text

from registry_helpers import add_organization, add_unit, assert_problem

HOUSEHOLD = {"head_name": "孙大妈", "phone": "13700002222", "address": "金台路9号院2号楼1单元301", "hardship": "elderly_alone"}


async def test_an_organization_pairs_with_another_and_reviews_each_year_once(client, district):
    admin = district["admin"]
    units = [await add_unit(client, admin, district["c1"], name=f"Pair {i}") for i in range(2)]
    agency = await add_organization(client, admin, district["code"], [units[0]["id"]], setup_mode="agency",
                                    name="District Tax Bureau Branch")
    two_new = await add_organization(client, admin, district["c1"], [units[1]["id"]], name="Tech Co. Branch")
    body = {"organization_id": agency["id"], "partner_organization_id": two_new["id"],
            "agreement": "结对共建：每季度一次联合组织生活", "started_on": "2025-01-01"}
    assert_problem(await client.post("/api/v1/pairings/organizations", json={**body, "partner_organization_id":
                                                                              agency["id"]}, headers=admin),
                   422, "rule-violated")
    created = await client.post("/api/v1/pairings/organizations", json=body, headers=admin)
    assert created.status_code == 201, created.text
    url = f"/api/v1/pairings/{created.json()['id']}"
    year = {"year": 2025, "joint_projects": ["党员活动室共建", " "], "review": "按协议完成", "rating": "good"}
    reviewed = await client.post(f"{url}/years", json=year, headers=admin)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["years"] == [{**year, "joint_projects": ["党员活动室共建"],
                                         "reviewed_on": reviewed.json()["years"][0]["reviewed_on"]}]
    assert_problem(await client.post(f"{url}/years", json=year, headers=admin), 409, "duplicate")
    assert_problem(await client.post(f"{url}/years", json={**year, "year": 2024}, headers=admin), 422, "rule-violated")
    assert_problem(await client.post(f"{url}/years", json={**year, "year": 2199}, headers=admin), 422, "rule-violated")
    ended = await client.post(f"{url}/end", json={"on": "2026-06-30"}, headers=admin)
    assert ended.json()["ended_on"] == "2026-06-30"
    assert_problem(await client.post(f"{url}/end", json={"on": "2026-07-01"}, headers=admin), 422, "rule-violated")


async def test_a_branch_pairs_with_a_household_kept_from_whoever_must_not_see_it(client, district, auth, db):
    admin = district["admin"]
    unit = await add_unit(client, admin, district["c1"], name="Household pair unit")
    branch = await add_organization(client, admin, district["c1"], [unit["id"]], name="Grid Branch")
    body = {"organization_id": branch["id"], "area_code": district["g1"], "household": HOUSEHOLD,
            "agreement": "每月上门探访一次", "started_on": "2026-01-01"}
    created = await client.post("/api/v1/pairings/households", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["household"]["head_name"] == "孙大妈"
    pid = created.json()["id"]

    member = (await client.get(f"/api/v1/pairings/{pid}", headers=auth("party_member", district["c1"]))).json()
    assert member["personal_data"] == "masked" and "孙大妈" not in str(member) and "13700002222" not in str(member)
    assert "301" not in member["household"]["address"]
    other = auth("community_worker", district["c2"])
    assert_problem(await client.get(f"/api/v1/pairings/{pid}", headers=other), 404, "not-found")
    listed = (await client.get("/api/v1/pairings", params={"kind": "household", "under": district["c1"]},
                               headers=admin)).json()
    assert pid in [p["id"] for p in listed["items"]]

    committee = await add_organization(client, admin, district["c1"], [], setup_mode="community_organization",
                                       name="Elm Committee", kind="committee")
    assert_problem(await client.post("/api/v1/pairings/households", json={**body, "organization_id": committee["id"]},
                                     headers=admin), 422, "rule-violated")  # households pair with a branch
    async with db.sessions() as session:
        events = [str(r[0]) for r in await session.execute(text(
            "SELECT data FROM outbox WHERE topic = 'yizhou.pairings.v1'"))]
    assert any(pid in e for e in events)
    assert not any(v in e for e in events for v in ("孙大妈", "13700002222", "金台路", "elderly_alone", "探访"))
