"""Registering units (with their pairing agreement) and members over HTTP: rules, transfers,
approval, events in the outbox, scoping per role."""

AGREEMENT = {"title": "结对共建 2026", "hours_per_year": 120, "commitments": [
    {"kind": "venue", "description": "Meeting hall for 60", "categories": ["culture_sports"], "quantity": 24,
     "unit_of_measure": "sessions/year"},
    {"kind": "volunteer_hours", "description": "Legal consultations", "categories": ["legal_aid"], "quantity": 120,
     "unit_of_measure": "hours/year"}]}


async def test_unit_registers_where_it_sits_and_approval_publishes_commitments(world, problem, outbox_events):
    unit = await world.add_unit("u-tax-" + world.district, world.grid)
    created = await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                      json={"unit_id": unit, "agreement": AGREEMENT})
    assert created.status_code == 201, created.text
    registration = created.json()
    assert registration["state"] == "pending"
    assert registration["community_code"] == world.community  # the grid's community
    assert [c["kind"] for c in registration["commitments"]] == ["venue", "volunteer_hours"]
    assert await outbox_events(registration["id"]) == []  # nothing announced before approval

    again = await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                    json={"unit_id": unit, "agreement": AGREEMENT})
    problem(again, 409, "duplicate")

    approved = await world.client.post(f"/api/v1/registrations/{registration['id']}/approve", headers=world.worker,
                                       json={"note": "signed"})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    [(event_type, data)] = await outbox_events(registration["id"])
    assert event_type == "unit.registered"
    assert data["unit_id"] == unit and data["community_code"] == world.community
    assert data["organization_id"] == f"org-{unit}" and data["hours_per_year"] == 120
    assert [(c["kind"], c["quantity"], c["unit_of_measure"]) for c in data["commitments"]] == [
        ("venue", 24, "sessions/year"), ("volunteer_hours", 120, "hours/year")]
    assert all(c["commitment_id"] for c in data["commitments"])

    problem(await world.client.post(f"/api/v1/registrations/{registration['id']}/approve", headers=world.worker),
            409, "illegal-transition")
    problem(await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                    json={"unit_id": unit, "agreement": AGREEMENT}), 409, "duplicate")


async def test_unit_registration_input_is_checked(world, problem):
    unit = await world.add_unit("u-chk-" + world.district, world.community)
    bad_kind = {**AGREEMENT, "commitments": [{**AGREEMENT["commitments"][0], "kind": "gold"}]}
    problem(await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                    json={"unit_id": unit, "agreement": bad_kind}), 422, "validation")
    no_commitments = {**AGREEMENT, "commitments": []}
    problem(await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                    json={"unit_id": unit, "agreement": no_commitments}), 422, "validation")
    unknown_category = {**AGREEMENT, "commitments": [{**AGREEMENT["commitments"][0], "categories": ["community_culture"]}]}
    problem(await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                    json={"unit_id": unit, "agreement": unknown_category}), 422, "validation")
    zero = {**AGREEMENT, "commitments": [{**AGREEMENT["commitments"][0], "quantity": 0}]}
    problem(await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                    json={"unit_id": unit, "agreement": zero}), 422, "validation")
    problem(await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                    json={"unit_id": "nobody", "agreement": AGREEMENT}), 422, "unknown-reference")
    above = await world.add_unit("u-above-" + world.district, world.subdistrict)
    problem(await world.client.post("/api/v1/registrations/units", headers=world.admin,
                                    json={"unit_id": above, "agreement": AGREEMENT}), 422, "not-in-community")


async def test_a_units_party_organization_registers_its_own_unit_only(world, problem):
    unit = await world.add_unit("u-own-" + world.district, world.community, organization_id="org-own")
    other = world.headers("partner", world.community, subject="org-someone-else")
    problem(await world.client.post("/api/v1/registrations/units", headers=other,
                                    json={"unit_id": unit, "agreement": AGREEMENT}), 403, "forbidden")
    own = world.headers("partner", world.community, subject="org-own")
    created = await world.client.post("/api/v1/registrations/units", headers=own, json={"unit_id": unit, "agreement": AGREEMENT})
    assert created.status_code == 201, created.text
    # The party organization cannot approve its own registration; the community does.
    problem(await world.client.post(f"/api/v1/registrations/{created.json()['id']}/approve", headers=own),
            403, "forbidden")
    listed = (await world.client.get("/api/v1/registrations", headers=own)).json()["items"]
    assert [r["id"] for r in listed] == [created.json()["id"]]
    assert (await world.client.get("/api/v1/registrations", headers=other)).json()["items"] == []


async def test_member_registers_with_residence_community_once(world, problem, outbox_events):
    member = await world.add_member("m-1-" + world.district, world.grid)
    body = {"member_id": member, "skills": [" first  aid", "first aid", "tutoring"], "available_hours_per_month": 8}
    created = await world.client.post("/api/v1/registrations/members", headers=world.member(member), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["community_code"] == world.community
    assert created.json()["skills"] == ["first aid", "tutoring"]
    problem(await world.client.post("/api/v1/registrations/members", headers=world.member(member), json=body),
            409, "duplicate")
    registration_id = created.json()["id"]
    # A member cannot approve themself; a grid worker does not decide either.
    problem(await world.client.post(f"/api/v1/registrations/{registration_id}/approve", headers=world.member(member)),
            403, "forbidden")
    problem(await world.client.post(f"/api/v1/registrations/{registration_id}/approve",
                                    headers=world.headers("grid_worker", world.grid)), 404, "not-found")
    assert (await world.client.post(f"/api/v1/registrations/{registration_id}/approve", headers=world.worker)).status_code == 200
    [(event_type, data)] = await outbox_events(registration_id)
    assert event_type == "member.registered"
    assert data["skills"] == ["first aid", "tutoring"] and data["available_hours_per_month"] == 8
    problem(await world.client.post("/api/v1/registrations/members", headers=world.member(member), json=body),
            409, "duplicate")


async def test_only_in_service_members_register(world, problem):
    retired = await world.add_member("m-ret-" + world.district, world.community, in_service=False)
    problem(await world.client.post("/api/v1/registrations/members", headers=world.worker,
                                    json={"member_id": retired, "available_hours_per_month": 4}), 422, "not-eligible")
    problem(await world.client.post("/api/v1/registrations/members", headers=world.worker,
                                    json={"member_id": "m-unknown", "available_hours_per_month": 4}),
            422, "unknown-reference")


async def test_a_move_is_a_transfer_not_a_duplicate(world, problem, outbox_events):
    member = await world.add_member("m-mv-" + world.district, world.grid)
    created = await world.client.post("/api/v1/registrations/members", headers=world.worker,
                                      json={"member_id": member, "available_hours_per_month": 5})
    first = created.json()["id"]
    await world.client.post(f"/api/v1/registrations/{first}/approve", headers=world.worker)
    post = await world.client.post("/api/v1/posts", headers=world.worker, json={
        "area_code": world.community, "kind": "volunteer_post", "title": "Little red caps", "capacity": 3})
    claim = await world.client.post("/api/v1/claims", headers=world.member(member), json={
        "registration_id": first, "target_kind": "post", "target_id": post.json()["id"]})
    assert claim.status_code == 201, claim.text

    await world.move_member(member, world.other_community)
    other_worker = world.headers("community_worker", world.other_community, subject="worker-c2")
    moved = await world.client.post("/api/v1/registrations/members", headers=other_worker,
                                    json={"member_id": member, "available_hours_per_month": 5})
    assert moved.status_code == 201, moved.text
    second = moved.json()
    assert second["previous_registration_id"] == first and second["community_code"] == world.other_community
    # The old community's staff do not approve the new one.
    problem(await world.client.post(f"/api/v1/registrations/{second['id']}/approve", headers=world.worker), 404, "not-found")
    approved = await world.client.post(f"/api/v1/registrations/{second['id']}/approve", headers=other_worker)
    assert approved.status_code == 200, approved.text
    old = (await world.client.get(f"/api/v1/registrations/{first}", headers=world.admin)).json()
    assert old["state"] == "transferred" and old["ended_at"]
    [(event_type, data)] = await outbox_events(second["id"])
    assert event_type == "member.transferred"
    assert data["from_registration_id"] == first and data["from_community_code"] == world.community
    # The claim in the old community was given up with the old registration.
    assert (await world.client.get(f"/api/v1/claims/{claim.json()['id']}", headers=world.admin)).json()["state"] == "withdrawn"
    approved_regs = (await world.client.get("/api/v1/registrations", headers=world.admin,
                                            params={"registrant_id": member, "state": "approved"})).json()["items"]
    assert [r["id"] for r in approved_regs] == [second["id"]]


async def test_scoping_per_role(world, problem):
    member = await world.add_member("m-sc-" + world.district, world.community)
    reg = await world.client.post("/api/v1/registrations/members", headers=world.worker,
                                  json={"member_id": member, "available_hours_per_month": 2})
    reg_id = reg.json()["id"]
    far = world.headers("community_worker", world.far_community)
    problem(await world.client.get(f"/api/v1/registrations/{reg_id}", headers=far), 404, "not-found")
    assert (await world.client.get("/api/v1/registrations", headers=far)).json()["items"] == []
    sub = world.headers("subdistrict_admin", world.subdistrict)
    assert (await world.client.get(f"/api/v1/registrations/{reg_id}", headers=sub)).status_code == 200
    someone = world.member("m-someone-else")
    problem(await world.client.get(f"/api/v1/registrations/{reg_id}", headers=someone), 404, "not-found")
    assert (await world.client.get(f"/api/v1/registrations/{reg_id}", headers=world.member(member))).status_code == 200
    problem(await world.client.get("/api/v1/registrations", headers=world.headers("resident", world.community)),
            403, "forbidden")
    problem(await world.client.get("/api/v1/members", headers=world.member(member)), 403, "forbidden")
    members = (await world.client.get("/api/v1/members", headers=world.worker)).json()["items"]
    assert [(m["member_id"], m["registration_state"]) for m in members] == [(member, "pending")]
    problem(await world.client.get("/api/v1/registrations", headers=world.worker, params={"state": "bogus"}),
            422, "validation")
    problem(await world.client.get("/api/v1/registrations", headers={"Authorization": "Bearer nope"}),
            401, "unauthenticated")


async def test_pending_registration_is_withdrawn_or_rejected_once(world, problem):
    member = await world.add_member("m-wd-" + world.district, world.community)
    reg = (await world.client.post("/api/v1/registrations/members", headers=world.member(member),
                                   json={"member_id": member, "available_hours_per_month": 2})).json()
    withdrawn = await world.client.post(f"/api/v1/registrations/{reg['id']}/withdraw", headers=world.member(member))
    assert withdrawn.json()["state"] == "withdrawn"
    body = problem(await world.client.post(f"/api/v1/registrations/{reg['id']}/reject", headers=world.worker),
                   409, "illegal-transition")
    assert body["current_state"] == "withdrawn" and body["allowed_states"] == []
    again = await world.client.post("/api/v1/registrations/members", headers=world.member(member),
                                    json={"member_id": member, "available_hours_per_month": 2})
    assert again.status_code == 201  # a withdrawn request does not block a new one


async def test_a_member_registers_with_a_token_of_their_home_grid(world, problem):
    """The token names the grid the member lives in; the registration belongs to the community around
    it. The answer is the registration, and a retry with the same key gets it again (a 404 here used to
    roll the registration back with it)."""
    member_id = await world.add_member(f"m-grid-{world.district}", world.grid)
    home = world.headers("party_member", world.grid, subject=member_id)
    body = {"member_id": member_id, "skills": ["电工"], "available_hours_per_month": 4}
    created = await world.client.post("/api/v1/registrations/members", json=body,
                                      headers={**home, "Idempotency-Key": f"grid-{member_id}"})
    assert created.status_code == 201, created.text
    assert created.json()["community_code"] == world.community
    again = await world.client.post("/api/v1/registrations/members", json=body,
                                    headers={**home, "Idempotency-Key": f"grid-{member_id}"})
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    mine = await world.client.get(f"/api/v1/registrations/{created.json()['id']}", headers=home)
    assert mine.status_code == 200
    listed = await world.client.get("/api/v1/registrations", headers=home)
    assert [r["id"] for r in listed.json()["items"]] == [created.json()["id"]]
    # A member living elsewhere, with a token of this grid, hears what is missing.
    away = await world.add_member(f"m-away-{world.district}", world.other_community)
    refused = problem(await world.client.post(
        "/api/v1/registrations/members", json={"member_id": away, "available_hours_per_month": 2},
        headers=world.headers("party_member", world.grid, subject=away)), 422, "unknown-reference")
    assert world.other_community in refused["detail"] and world.grid in refused["detail"]
