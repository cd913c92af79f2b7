"""A member's claim screen (issue 25, "ranking served"): the open posts and projects of their community,
ranked so claimants spread out (an empty option before an equally fitting crowded one, a full one last),
each with its reason; only the member's own, only their community's."""



async def make_post(world, capacity):
    response = await world.client.post("/api/v1/posts", headers=world.worker, json={
        "area_code": world.grid, "kind": "volunteer_post", "title": "Little red caps", "capacity": capacity})
    assert response.status_code == 201, response.text
    return response.json()


async def claim(world, member, registration_id, kind, target_id):
    return await world.client.post("/api/v1/claims", headers=world.member(member), json={
        "registration_id": registration_id, "target_kind": kind, "target_id": target_id})


async def test_a_member_sees_their_communitys_options_ranked_so_claimants_spread(world, problem):
    crowded, empty = await make_post(world, capacity=5), await make_post(world, capacity=5)
    full = await make_post(world, capacity=1)
    project = await world.add_project(f"p-opt-{world.district}", world.grid)
    await world.add_project(f"p-far-{world.district}", world.far_community)          # another community's
    await world.add_project(f"p-closed-{world.district}", world.grid, last_event="project.completed")
    others = [f"m-o{i}-{world.district}" for i in range(3)]
    for member in others[:2]:
        assert (await claim(world, member, await world.registered_member(member), "post", crowded["id"])).status_code == 201
    assert (await claim(world, others[2], await world.registered_member(others[2]), "post", full["id"])).status_code == 201

    me = f"m-me-{world.district}"
    await world.registered_member(me)
    answer = await world.client.get("/api/v1/claim-options", headers=world.member(me))
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    order = [i["target_id"] for i in items]
    assert set(order) == {crowded["id"], empty["id"], full["id"], project}
    assert order.index(empty["id"]) < order.index(crowded["id"]) < order.index(full["id"])
    assert order[-1] == full["id"] and "full" in items[-1]["reason"]
    by_id = {i["target_id"]: i for i in items}
    assert by_id[crowded["id"]]["claimed"] == 2 and abs(by_id[crowded["id"]]["congestion"] - 1 / 3) < 1e-9
    assert by_id[project]["places"] is None and by_id[project]["category"] == "elderly_care"
    assert "no one yet" in by_id[empty["id"]]["reason"]

    problem(await world.client.get("/api/v1/claim-options", headers=world.worker), 403, "forbidden")
