"""Posts for members without office (无职党员设岗定责): any member living in the community claims them,
retired and mobile ones with no dual registration; every other post kind still needs one."""

from dual_registration.store.tables import member_copy


async def make_post(world, kind="no_office", capacity=2, area=None):
    response = await world.client.post("/api/v1/posts", headers=world.worker, json={
        "area_code": area or world.grid, "kind": kind, "title": "小红帽: keep the north gate", "capacity": capacity})
    assert response.status_code == 201, response.text
    return response.json()


async def claim_as_member(world, member_id, post_id):
    return await world.client.post("/api/v1/claims", headers=world.member(member_id), json={
        "member_id": member_id, "target_kind": "post", "target_id": post_id})


async def test_a_retired_member_living_in_the_community_claims_a_no_office_post(world, problem, outbox_events):
    post = await make_post(world)
    retired = await world.add_member(f"m-retired-{world.district}", world.grid, in_service=False)
    # Retired members cannot dual-register (that stays for in-service members) ...
    problem(await world.client.post("/api/v1/registrations/members", headers=world.member(retired), json={
        "member_id": retired, "skills": [], "available_hours_per_month": 4}), 422, "not-eligible")
    # ... yet claim a post for members without office by where they live.
    made = await claim_as_member(world, retired, post["id"])
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["registration_id"] is None and body["claimant_id"] == retired and body["state"] == "requested"
    assert body["community_code"] == world.community
    problem(await claim_as_member(world, retired, post["id"]), 409, "duplicate")

    # The rest of the claim cycle is the usual one: the community approves, the member sees their own.
    approved = await world.client.post(f"/api/v1/claims/{body['id']}/approve", headers=world.worker)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    mine = await world.client.get("/api/v1/claims", headers=world.member(retired))
    assert [c["id"] for c in mine.json()["items"]] == [body["id"]]
    assert (await world.client.get(f"/api/v1/claims/{body['id']}", headers=world.member(retired))).status_code == 200
    assert (await world.client.post(f"/api/v1/claims/{body['id']}/release", headers=world.member(retired))
            ).json()["state"] == "released"
    assert [t for t, _ in await outbox_events(body["id"])] == ["claim.requested", "claim.approved", "claim.released"]


async def test_in_service_and_mobile_members_claim_it_too_but_only_where_they_live(world, problem):
    post = await make_post(world, capacity=5)
    in_service = await world.add_member(f"m-work-{world.district}", world.community)
    mobile = await world.add_member(f"m-mobile-{world.district}", world.grid, in_service=False)
    assert (await claim_as_member(world, in_service, post["id"])).status_code == 201
    assert (await claim_as_member(world, mobile, post["id"])).status_code == 201
    elsewhere = await world.add_member(f"m-else-{world.district}", world.other_community, in_service=False)
    # Staff above both communities may claim for them, but not across communities.
    problem(await world.client.post("/api/v1/claims", headers=world.admin, json={
        "member_id": elsewhere, "target_kind": "post", "target_id": post["id"]}), 422, "not-in-community")


async def test_other_post_kinds_still_need_a_registration(world, problem):
    retired = await world.add_member(f"m-old-{world.district}", world.grid, in_service=False)
    for kind in ("volunteer_post", "responsibility_area", "households"):
        post = await make_post(world, kind=kind)
        problem(await claim_as_member(world, retired, post["id"]), 422, "not-eligible")
    project = await world.add_project(f"p-{world.district}", world.community)
    problem(await world.client.post("/api/v1/claims", headers=world.member(retired), json={
        "member_id": retired, "target_kind": "project", "target_id": project}), 422, "not-eligible")


async def test_who_may_claim_and_bad_bodies(world, problem):
    post = await make_post(world)
    a = await world.add_member(f"m-a-{world.district}", world.grid, in_service=False)
    b = await world.add_member(f"m-b-{world.district}", world.grid, in_service=False)
    problem(await world.client.post("/api/v1/claims", headers=world.member(b), json={
        "member_id": a, "target_kind": "post", "target_id": post["id"]}), 403, "forbidden")
    gone = await world.add_member(f"m-gone-{world.district}", world.grid, in_service=False)
    async with world.client.app_state.db.sessions() as session, session.begin():
        await session.execute(member_copy.update().where(member_copy.c.member_id == gone).values(left=True))
    problem(await claim_as_member(world, gone, post["id"]), 422, "not-eligible")
    problem(await claim_as_member(world, f"m-nobody-{world.district}", post["id"]), 422, "unknown-reference")
    problem(await claim_as_member(world, a, "no-such-post"), 422, "unknown-reference")
    closed = await make_post(world)
    await world.client.post(f"/api/v1/posts/{closed['id']}/close", headers=world.worker)
    problem(await claim_as_member(world, a, closed["id"]), 409, "target-not-claimable")
    for body in ({"target_kind": "post", "target_id": post["id"]},
                 {"member_id": a, "registration_id": "r-1", "target_kind": "post", "target_id": post["id"]}):
        problem(await world.client.post("/api/v1/claims", headers=world.member(a), json=body), 422, "validation")
