"""Posts and claims over HTTP: capacity, approval, who may take which step, 409 on illegal steps,
claim events."""

AGREEMENT = {"title": "结对共建", "hours_per_year": 40, "commitments": [
    {"kind": "service", "description": "Free health checks", "categories": ["health"], "quantity": 4,
     "unit_of_measure": "sessions/year"}]}


async def make_post(world, capacity=1, kind="volunteer_post", area=None):
    response = await world.client.post("/api/v1/posts", headers=world.worker, json={
        "area_code": area or world.grid, "kind": kind, "title": "Little red caps", "capacity": capacity})
    assert response.status_code == 201, response.text
    return response.json()


async def claim(world, member, registration_id, kind, target_id):
    return await world.client.post("/api/v1/claims", headers=world.member(member), json={
        "registration_id": registration_id, "target_kind": kind, "target_id": target_id})


async def test_post_capacity_and_the_claim_lifecycle(world, problem, outbox_events):
    post = await make_post(world, capacity=1)
    assert post["community_code"] == world.community and post["places_taken"] == 0
    a, b = f"m-a-{world.district}", f"m-b-{world.district}"
    reg_a, reg_b = await world.registered_member(a), await world.registered_member(b)

    first = await claim(world, a, reg_a, "post", post["id"])
    second = await claim(world, b, reg_b, "post", post["id"])
    assert first.status_code == second.status_code == 201
    problem(await claim(world, a, reg_a, "post", post["id"]), 409, "duplicate")
    first_id, second_id = first.json()["id"], second.json()["id"]

    # The claimant cannot approve its own claim; the community does.
    problem(await world.client.post(f"/api/v1/claims/{first_id}/approve", headers=world.member(a)), 403, "forbidden")
    assert (await world.client.post(f"/api/v1/claims/{first_id}/approve", headers=world.worker)).json()["state"] == "approved"
    assert (await world.client.get(f"/api/v1/posts/{post['id']}", headers=world.worker)).json()["places_taken"] == 1
    problem(await world.client.post(f"/api/v1/claims/{second_id}/approve", headers=world.worker), 409, "capacity-reached")
    problem(await claim(world, f"m-c-{world.district}", await world.registered_member(f"m-c-{world.district}"),
                        "post", post["id"]), 409, "capacity-reached")

    # Giving the place up frees it for the next claimant.
    assert (await world.client.post(f"/api/v1/claims/{first_id}/release", headers=world.member(a))).json()["state"] == "released"
    assert (await world.client.post(f"/api/v1/claims/{second_id}/approve", headers=world.worker)).json()["state"] == "approved"
    body = problem(await world.client.post(f"/api/v1/claims/{first_id}/approve", headers=world.worker),
                   409, "illegal-transition")
    assert body["current_state"] == "released" and body["requested_state"] == "approved"
    assert (await world.client.post(f"/api/v1/claims/{second_id}/complete", headers=world.worker)).json()["state"] == "completed"
    assert [t for t, _ in await outbox_events(first_id)] == ["claim.requested", "claim.approved", "claim.released"]
    assert [t for t, _ in await outbox_events(second_id)] == ["claim.requested", "claim.approved", "claim.completed"]


async def test_claimants_see_their_own_claims(world, problem):
    post = await make_post(world, capacity=5, kind="households")
    a, b = f"m-x-{world.district}", f"m-y-{world.district}"
    reg_a = await world.registered_member(a)
    await world.registered_member(b)
    made = await claim(world, a, reg_a, "post", post["id"])
    assert [c["id"] for c in (await world.client.get("/api/v1/claims", headers=world.member(a))).json()["items"]] == [made.json()["id"]]
    assert (await world.client.get("/api/v1/claims", headers=world.member(b))).json()["items"] == []
    problem(await world.client.get(f"/api/v1/claims/{made.json()['id']}", headers=world.member(b)), 404, "not-found")
    # b cannot claim with a's registration, nor withdraw a's claim.
    problem(await claim(world, b, reg_a, "post", post["id"]), 403, "forbidden")
    problem(await world.client.post(f"/api/v1/claims/{made.json()['id']}/withdraw", headers=world.member(b)),
            404, "not-found")
    far = world.headers("community_worker", world.far_community)
    problem(await world.client.get(f"/api/v1/claims/{made.json()['id']}", headers=far), 404, "not-found")


async def test_demands_take_one_member_and_must_be_open(world, problem):
    demand = await world.add_demand(f"d-open-{world.district}", world.grid)
    closed = await world.add_demand(f"d-closed-{world.district}", world.grid, state="closed")
    elsewhere = await world.add_demand(f"d-far-{world.district}", world.far_community)
    a, b = f"m-d1-{world.district}", f"m-d2-{world.district}"
    reg_a, reg_b = await world.registered_member(a), await world.registered_member(b)
    made = await claim(world, a, reg_a, "demand", demand)
    assert made.status_code == 201
    await world.client.post(f"/api/v1/claims/{made.json()['id']}/approve", headers=world.worker)
    problem(await claim(world, b, reg_b, "demand", demand), 409, "capacity-reached")
    problem(await claim(world, b, reg_b, "demand", closed), 409, "target-not-claimable")
    problem(await claim(world, b, reg_b, "demand", elsewhere), 422, "not-in-community")
    problem(await claim(world, b, reg_b, "demand", "d-unknown"), 422, "unknown-reference")


async def test_units_claim_projects(world, problem):
    project = await world.add_project(f"p-{world.district}", world.subdistrict)
    designed = await world.add_project(f"p-designed-{world.district}", world.community, last_event="project.designed")
    unit = await world.add_unit(f"u-p-{world.district}", world.community, organization_id="org-p")
    created = await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                      json={"unit_id": unit, "agreement": AGREEMENT})
    reg = created.json()["id"]
    partner = world.headers("partner", world.community, subject="org-p")
    body = {"registration_id": reg, "target_kind": "project", "target_id": project}
    problem(await world.client.post("/api/v1/claims", headers=partner, json=body), 422, "not-eligible")  # not approved yet
    await world.client.post(f"/api/v1/registrations/{reg}/approve", headers=world.worker)
    made = await world.client.post("/api/v1/claims", headers=partner, json=body)
    assert made.status_code == 201, made.text
    assert made.json()["claimant_kind"] == "unit"
    problem(await world.client.post("/api/v1/claims", headers=partner, json={**body, "target_id": designed}),
            409, "target-not-claimable")
    post = await make_post(world)
    problem(await world.client.post("/api/v1/claims", headers=partner,
                                    json={**body, "target_kind": "post", "target_id": post["id"]}), 422, "not-eligible")
    listed = (await world.client.get("/api/v1/claims", headers=partner)).json()["items"]
    assert [c["id"] for c in listed] == [made.json()["id"]]


async def test_posts_are_made_by_community_staff_in_their_area(world, problem):
    problem(await world.client.post("/api/v1/posts", headers=world.member("m-z"), json={
        "area_code": world.community, "kind": "volunteer_post", "title": "x", "capacity": 1}), 403, "forbidden")
    problem(await world.client.post("/api/v1/posts", headers=world.worker, json={
        "area_code": world.far_community, "kind": "volunteer_post", "title": "x", "capacity": 1}), 422, "unknown-reference")
    problem(await world.client.post("/api/v1/posts", headers=world.worker, json={
        "area_code": world.community, "kind": "volunteer_post", "title": "x", "capacity": 0}), 422, "validation")
    problem(await world.client.post("/api/v1/posts", headers=world.admin, json={
        "area_code": world.subdistrict, "kind": "volunteer_post", "title": "x", "capacity": 1}), 422, "not-in-community")
    post = await make_post(world)
    closed = await world.client.post(f"/api/v1/posts/{post['id']}/close", headers=world.worker)
    assert closed.json()["open"] is False
    problem(await world.client.post(f"/api/v1/posts/{post['id']}/close", headers=world.worker), 409, "nothing-to-change")
    member = f"m-cl-{world.district}"
    problem(await claim(world, member, await world.registered_member(member), "post", post["id"]),
            409, "target-not-claimable")
    listed = (await world.client.get("/api/v1/posts", headers=world.worker, params={"open": "false"})).json()["items"]
    assert [p["id"] for p in listed] == [post["id"]]
