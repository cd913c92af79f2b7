"""Coordination bodies and consultation platforms over HTTP."""

from registry_helpers import add_member, add_organization, add_unit, assert_problem


async def test_coordination_committee_with_rotating_chair(client, district, auth):
    admin, s1 = district["admin"], district["s1"]
    units = [await add_unit(client, admin, district["c1"], name=f"Member {i}") for i in range(3)]
    elsewhere = await add_unit(client, admin, district["c2"], name="South Co.")
    body = {"kind": "coordination_committee", "name": "North Coordination Committee", "area_code": s1,
            "member_unit_ids": [u["id"] for u in units[:2]], "term_months": 6, "starts_on": "2026-01-01"}
    assert_problem(await client.post("/api/v1/coordination-bodies", json={**body, "area_code": district["c1"]},
                                      headers=admin), 422, "wrong-level")
    assert_problem(await client.post("/api/v1/coordination-bodies", json={**body, "member_unit_ids": [elsewhere["id"]]},
                                      headers=admin), 422, "rule-violated")
    assert_problem(await client.post("/api/v1/coordination-bodies", json=body, headers=auth("grid_worker", district["g1"])),
                   403, "forbidden")
    created = await client.post("/api/v1/coordination-bodies", json=body, headers=admin)
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["chair_unit_id"] == units[0]["id"] and made["next_rotation_on"] == "2026-07-01" and made["level"] == "subdistrict"
    url = f"/api/v1/coordination-bodies/{made['id']}"
    joined = (await client.post(f"{url}/member-units", json={"unit_id": units[2]["id"], "on": "2026-02-01"},
                                headers=admin)).json()
    assert joined["member_unit_ids"] == [u["id"] for u in units]
    chairs = []
    for on in ("2026-07-01", "2027-01-01", "2027-07-01"):
        chairs.append((await client.post(f"{url}/rotate-chair", json={"on": on}, headers=admin)).json()["chair_unit_id"])
    assert chairs == [units[1]["id"], units[2]["id"], units[0]["id"]]
    assert_problem(await client.post(f"{url}/rotate-chair", json={"on": "2020-01-01"}, headers=admin), 422, "rule-violated")
    left = (await client.delete(f"{url}/member-units/{units[0]['id']}", params={"on": "2027-08-01"}, headers=admin)).json()
    assert left["chair_unit_id"] == units[1]["id"] and left["chair_since"] == "2027-08-01"
    listed = (await client.get("/api/v1/coordination-bodies", params={"unit_id": units[2]["id"]}, headers=admin)).json()
    assert [b["id"] for b in listed["items"]] == [made["id"]]
    assert_problem(await client.get(url, headers=auth("subdistrict_admin", district["s2"])), 404, "not-found")
    assert (await client.get(url, headers=auth("subdistrict_admin", s1))).status_code == 200


async def test_consultation_platform_with_representatives_of_three_sectors(client, district, auth):
    admin, c1 = district["admin"], district["c1"]
    unit = await add_unit(client, admin, c1, name="Street Office", kind="agency", size_class=None)
    org = await add_organization(client, admin, c1, [unit["id"]])
    member = await add_member(client, admin, org["id"], c1)
    created = await client.post("/api/v1/consultation-platforms", json={
        "name": "Elm Joint Consultation", "area_code": c1, "topics": ["parking", " elderly  canteen "]}, headers=admin)
    assert created.status_code == 201, created.text
    platform = created.json()
    assert platform["topics"] == ["parking", "elderly canteen"] and platform["missing_sectors"] == ["party", "government", "public"]
    url = f"/api/v1/consultation-platforms/{platform['id']}/representatives"
    await client.post(url, json={"sector": "party", "name": "王书记", "member_id": member["id"]}, headers=admin)
    await client.post(url, json={"sector": "government", "name": "陈科长", "unit_id": unit["id"]}, headers=admin)
    done = (await client.post(url, json={"sector": "public", "name": "刘淑芬", "phone": "13600001234"}, headers=admin)).json()
    assert done["missing_sectors"] == [] and len(done["representatives"]) == 3
    assert_problem(await client.post(url, json={"sector": "public", "name": "X", "phone": "555"}, headers=admin),
                   422, "invalid-personal-data")
    assert_problem(await client.post(url, json={"sector": "public", "name": "X", "member_id": "m-nope"}, headers=admin),
                   422, "unknown-reference")
    masked = (await client.get(f"/api/v1/consultation-platforms/{platform['id']}", headers=auth("resident", c1))).json()
    public = next(r for r in masked["representatives"] if r["sector"] == "public")
    assert public["name"] == "刘**" and public["phone"] == "136****1234"
    public_id = next(r["id"] for r in done["representatives"] if r["sector"] == "public")
    after = (await client.delete(f"{url}/{public_id}", headers=admin)).json()
    assert after["missing_sectors"] == ["public"]
    assert_problem(await client.delete(f"{url}/{public_id}", headers=admin), 404, "not-found")
    listed = (await client.get("/api/v1/consultation-platforms", params={"q": "Elm"}, headers=auth("community_worker", c1))).json()
    assert [p["id"] for p in listed["items"]] == [platform["id"]]


async def test_part_time_members_sit_on_a_regional_committee_for_a_term_across_the_one_plus_three(client, district,
                                                                                                  auth):
    """兼职委员 and Shanghai's "1+3" (seed 003): people from units in the area take seats for a term, each on one
    of the three lines; the committee shows the lines nobody serves on; names are the staff's to read."""
    admin, s1 = district["admin"], district["s1"]
    units = [await add_unit(client, admin, district["c1"], name=f"Line unit {i}") for i in range(2)]
    elsewhere = await add_unit(client, admin, district["c2"], name="South unit")
    body = (await client.post("/api/v1/coordination-bodies", headers=admin, json={
        "kind": "coordination_committee", "name": "North Regional Committee", "area_code": s1,
        "member_unit_ids": [units[0]["id"]], "term_months": 12, "starts_on": "2026-01-01"})).json()
    url = f"/api/v1/coordination-bodies/{body['id']}/part-time-members"
    seat = {"name": "赵敏", "phone": "13800001111", "home_unit_id": units[0]["id"], "seat": "member",
            "line_of_work": "two_new", "term_from": "2026-01-01", "term_to": "2030-12-31"}
    created = await client.post(url, json=seat, headers=admin)
    assert created.status_code == 201, created.text
    assert (await client.post(url, json={**seat, "name": "钱程", "home_unit_id": units[1]["id"], "seat": "deputy_secretary",
                                         "line_of_work": "residential"}, headers=admin)).status_code == 201
    assert_problem(await client.post(url, json={**seat, "home_unit_id": elsewhere["id"]}, headers=admin), 422,
                   "unknown-reference")  # a unit of another subdistrict
    assert_problem(await client.post(url, json={**seat, "term_to": "2040-01-01"}, headers=admin), 422, "rule-violated")
    assert_problem(await client.post(url, json={**seat, "term_to": "2025-01-01"}, headers=admin), 422, "rule-violated")

    listed = (await client.get(url, headers=admin)).json()
    assert sorted(m["name"] for m in listed["items"]) == ["赵敏", "钱程"] and listed["lines_without_member"] == ["units"]
    grid = (await client.get(url, headers=auth("grid_worker", s1))).json()  # staff of the area: full
    assert {m["name"] for m in grid["items"]} == {"赵敏", "钱程"}
    member = (await client.get(url, headers=auth("party_member", s1))).json()
    assert {m["name"] for m in member["items"]} == {"赵*", "钱*"} and all("*" in m["phone"] for m in member["items"])
