"""Units and party organizations over HTTP: rules, the reporting tree, area scoping, bad input."""

from registry_helpers import add_member, add_organization, add_unit, assert_problem, id_number


async def test_unit_lifecycle_and_scoping(client, district, auth):
    admin = district["admin"]
    unit = await add_unit(client, admin, district["c1"], name="Jianwai Soho Property Co.")
    assert unit["area_path"].endswith(f"/{district['c1']}/") and unit["covered"] is False
    assert (await client.get(f"/api/v1/units/{unit['id']}", headers=auth("community_worker", district["c1"]))).status_code == 200
    # Another community's worker cannot tell the unit exists.
    assert_problem(await client.get(f"/api/v1/units/{unit['id']}", headers=auth("community_worker", district["c2"])),
                   404, "not-found")
    patched = await client.patch(f"/api/v1/units/{unit['id']}", json={"headcount": 400, "members_among_staff": 12},
                                 headers=admin)
    assert patched.status_code == 200 and patched.json()["headcount"] == 400
    assert_problem(await client.patch(f"/api/v1/units/{unit['id']}", json={"headcount": 400}, headers=admin),
                   409, "nothing-to-change")
    assert_problem(await client.patch(f"/api/v1/units/{unit['id']}", json={"name": None}, headers=admin), 422, "validation")


async def test_unit_rules_and_bad_input(client, district, auth):
    admin, c1 = district["admin"], district["c1"]
    base = {"name": "X", "kind": "non_public_enterprise", "area_code": c1, "headcount": 10, "members_among_staff": 1}
    assert_problem(await client.post("/api/v1/units", json=base, headers=admin), 422, "rule-violated")  # no size class
    assert_problem(await client.post("/api/v1/units", json={**base, "size_class": "large", "members_among_staff": 11},
                                     headers=admin), 422, "rule-violated")
    assert_problem(await client.post("/api/v1/units", json={**base, "size_class": "huge"}, headers=admin), 422, "validation")
    assert_problem(await client.post("/api/v1/units", json={**base, "size_class": "large", "area_code": "NOWHERE"},
                                     headers=admin), 422, "unknown-reference")
    assert_problem(await client.post("/api/v1/units", json={**base, "size_class": "large"},
                                     headers=auth("party_member", c1)), 403, "forbidden")
    # A community worker writes only inside their community.
    assert_problem(await client.post("/api/v1/units", json={**base, "size_class": "large", "area_code": district["c2"]},
                                     headers=auth("community_worker", c1)), 422, "unknown-reference")
    assert_problem(await client.get("/api/v1/units", params={"after": "not-a-cursor"}, headers=admin), 400, "bad-cursor")
    assert_problem(await client.post("/api/v1/units", content=b"{", headers={**admin, "content-type": "application/json"}),
                   400, "malformed-request")


async def test_unit_lists_filter_search_and_page(client, district, auth):
    admin = district["admin"]
    names = ["Alpha Market", "Beta Law Firm", "Gamma School", "Delta Market"]
    kinds = ["market", "law_firm", "school", "market"]
    made = [await add_unit(client, admin, district["c1"] if i < 3 else district["c2"], name=n, kind=k, size_class=None)
            for i, (n, k) in enumerate(zip(names, kinds, strict=True))]
    listed = (await client.get("/api/v1/units", params={"kind": "market"}, headers=admin)).json()["items"]
    assert [u["name"] for u in listed] == ["Alpha Market", "Delta Market"]
    assert [u["name"] for u in (await client.get("/api/v1/units", params={"q": "law"}, headers=admin)).json()["items"]] \
        == ["Beta Law Firm"]
    under = (await client.get("/api/v1/units", params={"under": district["s2"]}, headers=admin)).json()["items"]
    assert [u["id"] for u in under] == [made[3]["id"]]
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"after": cursor} if cursor else {})}
        page = (await client.get("/api/v1/units", params=params, headers=admin)).json()
        seen += [u["name"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(names)
    # A community worker lists only their community's units.
    mine = (await client.get("/api/v1/units", headers=auth("community_worker", district["c2"]))).json()["items"]
    assert [u["name"] for u in mine] == ["Delta Market"]


async def test_joint_organization_needs_two_units_and_a_unit_has_one_basic_organization(client, district):
    admin, c1 = district["admin"], district["c1"]
    a, b = [await add_unit(client, admin, c1, name=n) for n in ("A Co.", "B Co.")]
    body = {"name": "Joint Branch", "kind": "branch", "setup_mode": "joint", "area_code": c1,
            "covered_unit_ids": [a["id"], a["id"]], "founded_on": "2009-01-01"}
    problem = assert_problem(await client.post("/api/v1/organizations", json=body, headers=admin), 422, "joint-needs-two-units")
    assert problem["errors"][0]["field"] == "covered_unit_ids"
    joint = await add_organization(client, admin, c1, [a["id"], b["id"]], setup_mode="joint", name="Joint Branch")
    assert sorted(joint["covered_unit_ids"]) == sorted([a["id"], b["id"]])
    assert joint["setup_mode_name"] == "Joint party organization of two or more units"
    covered = (await client.get(f"/api/v1/units/{a['id']}", headers=admin)).json()
    assert covered["organization_id"] == joint["id"] and covered["covered"] and not covered["has_own_organization"]
    single = {**body, "setup_mode": "single_unit", "covered_unit_ids": [a["id"]], "name": "A Branch"}
    assert_problem(await client.post("/api/v1/organizations", json=single, headers=admin), 409, "unit-already-covered")
    # An umbrella organization (a commercial building's) may cover units that have a basic one.
    building = await add_organization(client, admin, c1, [a["id"]], setup_mode="commercial_building", name="Tower Committee",
                                      kind="committee")
    assert building["covered_unit_ids"] == [a["id"]]
    assert_problem(await client.post("/api/v1/organizations", json={**body, "covered_unit_ids": [a["id"], "u-nope"]},
                                     headers=admin), 422, "unknown-reference")


async def test_reporting_tree_is_apart_from_location(client, district, auth):
    admin, d = district["admin"], district["code"]
    top = await add_organization(client, admin, d, [], setup_mode="non_public_economy_committee",
                                 name="Non-public Economy Working Committee", kind="committee")
    middle = await add_organization(client, admin, district["s1"], [], setup_mode="commercial_building",
                                    parent=top["id"], name="Building Committee", kind="committee")
    unit = await add_unit(client, admin, district["c2"], name="Z Co.")
    # Sits in C2 (south) but reports to the north's building committee.
    leaf = await add_organization(client, admin, district["c2"], [unit["id"]], parent=middle["id"], name="Z Branch")
    assert leaf["parent_organization_id"] == middle["id"] and leaf["area_code"] == district["c2"]
    ancestors = (await client.get(f"/api/v1/organizations/{leaf['id']}/ancestors", headers=admin)).json()
    assert [o["id"] for o in ancestors] == [top["id"], middle["id"]]
    children = (await client.get(f"/api/v1/organizations/{top['id']}/children", headers=admin)).json()["items"]
    assert [o["id"] for o in children] == [middle["id"]]
    subtree = (await client.get(f"/api/v1/organizations/{top['id']}/children", params={"descendants": "true"},
                                headers=admin)).json()["items"]
    assert {o["id"] for o in subtree} == {middle["id"], leaf["id"]}
    subtree = (await client.get(f"/api/v1/organizations/{top['id']}/children", params={"descendants": "true"},
                                headers=auth("subdistrict_admin", district["s2"]))).status_code
    assert subtree == 404  # the top sits in the district, outside a subdistrict admin's area
    # A community worker of C2 sets up an organization reporting to one above their area.
    worker = auth("community_worker", district["c2"])
    other = await add_unit(client, worker, district["c2"], name="Y Co.")
    assert (await add_organization(client, worker, district["c2"], [other["id"]], parent=top["id"],
                                   name="Y Branch"))["parent_organization_id"] == top["id"]
    # ...but not to one beside it (the north's committee is neither in nor above C2).
    body = {"name": "X Branch", "kind": "branch", "setup_mode": "project", "area_code": district["c2"],
            "parent_organization_id": middle["id"], "founded_on": "2010-01-01"}
    assert_problem(await client.post("/api/v1/organizations", json=body, headers=worker), 422, "unknown-reference")
    # No cycles: the top cannot report to its own grandchild.
    assert_problem(await client.patch(f"/api/v1/organizations/{top['id']}", json={"parent_organization_id": leaf["id"]},
                                      headers=admin), 422, "organization-cycle")
    # Re-parenting moves the subtree: the leaf's line now starts at the middle.
    moved = await client.patch(f"/api/v1/organizations/{middle['id']}", json={"parent_organization_id": None}, headers=admin)
    assert moved.status_code == 200, moved.text
    ancestors = (await client.get(f"/api/v1/organizations/{leaf['id']}/ancestors", headers=admin)).json()
    assert [o["id"] for o in ancestors] == [middle["id"]]
    assert_problem(await client.post(f"/api/v1/organizations/{middle['id']}/dissolve", json={"dissolved_on": "2026-01-01"},
                                     headers=admin), 409, "has-active-child-organizations")


async def test_dissolved_organization_takes_no_new_members(client, district, auth):
    admin, c1 = district["admin"], district["c1"]
    unit = await add_unit(client, admin, c1, name="Dissolving Co.")
    org = await add_organization(client, admin, c1, [unit["id"]])
    member = await add_member(client, admin, org["id"], district["g1"])
    assert (await client.get(f"/api/v1/organizations/{org['id']}", headers=admin)).json()["member_count"] == 1
    assert_problem(await client.post(f"/api/v1/organizations/{org['id']}/dissolve", json={"dissolved_on": "2001-01-01"},
                                     headers=admin), 422, "rule-violated")  # before it was founded
    dissolved = await client.post(f"/api/v1/organizations/{org['id']}/dissolve", json={"dissolved_on": "2026-01-01"},
                                  headers=admin)
    assert dissolved.status_code == 200 and dissolved.json()["dissolved"]
    body = {"name": "李四", "id_number": id_number(), "organization_id": org["id"], "residence_area_code": c1,
            "joined_on": "2020-01-01"}
    assert_problem(await client.post("/api/v1/members", json=body, headers=admin), 409, "organization-dissolved")
    other = await add_organization(client, admin, c1, [], setup_mode="talent_centre", name="Talent Centre Branch")
    transfer = await client.patch(f"/api/v1/members/{member['id']}", json={"organization_id": other["id"]}, headers=admin)
    assert transfer.status_code == 200 and transfer.json()["organization_id"] == other["id"]
    assert_problem(await client.patch(f"/api/v1/members/{member['id']}", json={"organization_id": org["id"]},
                                      headers=admin), 409, "organization-dissolved")
    # The unit lost its cover with the dissolution; lists of dissolved ones are opt-in.
    assert (await client.get(f"/api/v1/units/{unit['id']}", headers=admin)).json()["covered"] is False
    listed = (await client.get("/api/v1/organizations", params={"under": c1}, headers=admin)).json()["items"]
    assert org["id"] not in [o["id"] for o in listed]
    listed = (await client.get("/api/v1/organizations", params={"under": c1, "include_dissolved": "true"},
                               headers=admin)).json()["items"]
    assert org["id"] in [o["id"] for o in listed]
    assert_problem(await client.patch(f"/api/v1/organizations/{org['id']}", json={"name": "New"}, headers=admin),
                   409, "organization-dissolved")


async def test_setup_modes_are_the_twelve_of_the_seeds(client, district):
    modes = (await client.get("/api/v1/organizations/setup-modes", headers=district["admin"])).json()
    two_new = [m for m in modes if m["group"] == "two_new"]
    assert len(two_new) == 12 and sum(m["seed_count"] for m in two_new) == 1575
    assert {m["code"] for m in modes if m["group"] == "leading"} == {
        "district_committee", "working_committee", "community_organization", "village_organization", "grid_branch"}
    assert {m["code"]: m["seed_count"] for m in modes}["lawyers_committee"] == 102


async def test_cursors_of_long_names_are_accepted_back(client, district):
    admin = district["admin"]
    for i in range(2):
        await add_unit(client, admin, district["c2"], name="長" * 199 + str(i), kind="school", size_class=None)
    first = (await client.get("/api/v1/units", params={"under": district["c2"], "limit": 1}, headers=admin)).json()
    rest = await client.get("/api/v1/units", params={"under": district["c2"], "limit": 1, "after": first["next_cursor"]},
                            headers=admin)
    assert rest.status_code == 200 and rest.json()["items"][0]["name"].endswith("1")
