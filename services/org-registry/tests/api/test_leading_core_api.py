"""The leading core axis (issue 22): area kinds (subdistrict or area, community or village), every area led
by one organization of the mode its kind calls for, and the areas without one, per level and as a list."""

from registry_helpers import add_organization, add_unit, assert_problem


async def leading(client, headers, area: str, mode: str, name: str = "Leading organization") -> object:
    body = {"name": name, "kind": "committee", "setup_mode": mode, "area_code": area, "parent_organization_id": None,
            "covered_unit_ids": [], "founded_on": "2008-07-01"}
    return await client.post("/api/v1/organizations", json=body, headers=headers)


async def test_areas_have_kinds_within_their_level(client, district):
    admin, d = district["admin"], district["code"]
    village = await client.post("/api/v1/areas", json={"code": f"{d}V1", "name": "Dongba Village", "level": "community",
                                                       "kind": "village", "parent_code": district["s2"]}, headers=admin)
    assert village.status_code == 201, village.text
    assert village.json()["kind"] == "village"
    assert (await client.get(f"/api/v1/areas/{district['c1']}", headers=admin)).json()["kind"] == "community"
    wrong = await client.post("/api/v1/areas", json={"code": f"{d}X1", "name": "X", "level": "subdistrict",
                                                     "kind": "village", "parent_code": d}, headers=admin)
    assert "subdistrict or a area" in assert_problem(wrong, 422, "wrong-level")["detail"]


async def test_each_area_is_led_by_the_mode_its_kind_calls_for_and_only_once(client, district):
    admin = district["admin"]
    committee = await leading(client, admin, district["code"], "district_committee", "区委")
    assert committee.status_code == 201, committee.text
    wrong = await leading(client, admin, district["s1"], "community_organization")
    assert "led by a working_committee" in assert_problem(wrong, 422, "wrong-leading-mode")["detail"]
    assert (await leading(client, admin, district["s1"], "working_committee", "North 工委")).status_code == 201
    again = await leading(client, admin, district["s1"], "working_committee", "Second 工委")
    assert_problem(again, 409, "area-already-led")
    unit = await add_unit(client, admin, district["c1"])
    with_units = {"name": "X", "kind": "committee", "setup_mode": "community_organization", "area_code": district["c1"],
                  "parent_organization_id": None, "covered_unit_ids": [unit["id"]], "founded_on": "2008-07-01"}
    assert_problem(await client.post("/api/v1/organizations", json=with_units, headers=admin), 422, "rule-violated")


async def test_the_leading_core_lists_areas_without_a_leader_and_the_share_per_level(client, district):
    admin = district["admin"]
    for area, mode in ((district["code"], "district_committee"), (district["s1"], "working_committee"),
                       (district["c1"], "community_organization")):
        assert (await leading(client, admin, area, mode, f"leads {area}")).status_code == 201
    core = (await client.get("/api/v1/leading-core", params={"under": district["code"]}, headers=admin)).json()
    levels = {f["level"]: (f["areas"], f["led"], f["led_share"]) for f in core["levels"]}
    assert levels == {"district": (1, 1, 100.0), "subdistrict": (2, 1, 50.0), "community": (2, 1, 50.0),
                      "grid": (1, 0, 0.0)}
    by_code = {a["code"]: a for a in core["items"]}
    assert by_code[district["s1"]]["leading_organization_name"] == f"leads {district['s1']}"
    assert by_code[district["g1"]]["leading_mode"] == "grid_branch"
    missing = (await client.get("/api/v1/leading-core", params={"under": district["code"], "missing": "true"},
                                headers=admin)).json()
    assert [a["code"] for a in missing["items"]] == [district["s2"], district["c2"], district["g1"]] or \
        {a["code"] for a in missing["items"]} == {district["s2"], district["c2"], district["g1"]}
    page = (await client.get("/api/v1/leading-core", params={"under": district["code"], "missing": "true",
                                                             "limit": 2}, headers=admin)).json()
    rest = (await client.get("/api/v1/leading-core", params={"under": district["code"], "missing": "true",
                                                             "after": page["next_cursor"]}, headers=admin)).json()
    assert len(page["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None


async def test_a_dissolved_leader_leaves_its_area_without_one_and_a_successor_may_follow(client, district):
    admin = district["admin"]
    first = (await leading(client, admin, district["c2"], "community_organization", "Oak 党委")).json()
    dissolved = await client.post(f"/api/v1/organizations/{first['id']}/dissolve", json={"dissolved_on": "2026-01-01"},
                                  headers=admin)
    assert dissolved.status_code == 200, dissolved.text
    core = (await client.get("/api/v1/leading-core", params={"under": district["c2"]}, headers=admin)).json()
    assert core["items"][0]["leading_organization_id"] is None
    assert (await leading(client, admin, district["c2"], "community_organization", "Oak 新党委")).status_code == 201


async def test_agency_state_enterprise_and_public_institution_organizations_are_a_units_own(client, district):
    admin = district["admin"]
    school = await add_unit(client, admin, district["c1"], name="No. 80 Middle School", kind="school")
    await add_organization(client, admin, district["c1"], [school["id"]], setup_mode="public_institution")
    coverage = (await client.get("/api/v1/coverage", params={"under": district["code"], "kind": "school"},
                                 headers=admin)).json()
    assert coverage["total"]["with_own_organization"] == 1  # counted as the school's own organization
    second = {"name": "Y", "kind": "branch", "setup_mode": "single_unit", "area_code": district["c1"],
              "parent_organization_id": None, "covered_unit_ids": [school["id"]], "founded_on": "2010-01-01"}
    assert_problem(await client.post("/api/v1/organizations", json=second, headers=admin), 409, "unit-already-covered")
