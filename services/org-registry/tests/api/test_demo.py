"""The small demo loads through the bulk import and the API, gives the coverage figures something to
show, and a second run finds it loaded."""

from org_registry.demo import load_into
from yizhou_platform.demo_district import SMALL, demo_areas


async def test_small_demo_loads_once(client, auth, unique_code):
    admin = auth("district_admin", "CY")
    for level in demo_areas(SMALL):
        for area in level:
            response = await client.post("/api/v1/areas", json=area, headers=admin)
            assert response.status_code in (201, 409), response.text
    client.headers.update(admin)
    try:
        summary = await load_into(client, real_size=False)
        # 41 organizations of units, 31 leading ones (1 district, 3 subdistrict/area, 9 community/village,
        # 18 grid), 9 street offices' own (agency) branches.
        assert summary.startswith("54 units, 81 organizations, 45 members, 21 coordination bodies"), summary
        assert "9 hub organizations with 18 joint actions" in summary, summary
        assert await load_into(client, real_size=False) == "registry demo already loaded"
    finally:
        del client.headers["Authorization"]
    coverage = (await client.get("/api/v1/coverage", params={"kind": "non_public_enterprise"}, headers=admin)).json()
    assert coverage["total"]["units"] == 18 and coverage["total"]["covered_share"] == 100.0
    member = (await client.get("/api/v1/members", params={"limit": 1}, headers=auth("party_member", "CY01001"))).json()
    assert member["items"][0]["personal_data"] == "masked"
    core = (await client.get("/api/v1/leading-core", headers=admin)).json()
    assert all(level["led_share"] == 100.0 for level in core["levels"]), core["levels"]  # the seeds' structure
    kinds = {a["code"]: (a["kind"], a["leading_mode"]) for a in core["items"]}
    assert kinds["CY03"] == ("area", "working_committee") and kinds["CY03003"] == ("village", "village_organization")
    subdistrict = "CY01"
    led = (await client.get(f"/api/v1/organizations/o-demo-{subdistrict}-social/led-hubs", headers=admin)).json()
    assert sorted(h["kind"] for h in led["items"]) == ["trade_union", "womens_federation", "youth_league"]
    assert all(h["joint_action_count"] == 2 for h in led["items"])
    acting = (await client.get("/api/v1/hubs", params={"acting_in": f"{subdistrict}001"}, headers=admin)).json()
    assert {h["area_code"] for h in acting["items"]} == {subdistrict}
