"""The pledge cycle (承诺—践诺—评诺) over HTTP: members (retired ones included) and party organizations
pledge once a year in a community, note progress until done, the community assesses; the public list
names organizations and masks members; events pledge.made / pledge.assessed."""

from dual_registration.store.tables import organization_copy

ITEMS = ["Keep the stairwell of building 3 clear", "Visit two elderly neighbours every week"]


async def pledge(world, headers, **body):
    return await world.client.post("/api/v1/pledges", headers=headers, json={"year": 2026, "items": ITEMS, **body})


async def add_organization(world, organization_id, dissolved=False):
    await world.insert(organization_copy, organization_id=organization_id, name=f"第{organization_id}党支部",
                       area_code=world.community, dissolved=dissolved)
    return organization_id


async def test_a_retired_members_pledge_cycle(world, problem, outbox_events):
    member = await world.add_member(f"m-p-{world.district}", world.grid, in_service=False)
    made = await pledge(world, world.member(member), pledger_kind="member", pledger_id=member,
                        items=["  Keep the stairwell   clear ", "Keep the stairwell clear", "Call 13812345678 weekly"])
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["location"] == f"/api/v1/pledges/{body['id']}"
    assert body["items"] == ["Keep the stairwell clear", "Call 13812345678 weekly"]
    assert body["state"] == "pledged" and body["community_code"] == world.community and body["progress"] == []
    assert body["organization_id"] == f"org-of-{member}"
    problem(await pledge(world, world.member(member), pledger_kind="member", pledger_id=member), 409, "duplicate")

    # 践诺: progress notes, then done.
    noted = await world.client.post(f"/api/v1/pledges/{body['id']}/progress", headers=world.member(member),
                                    json={"note": "Cleared on 12 March"})
    assert noted.status_code == 200 and noted.json()["state"] == "pledged"
    done = await world.client.post(f"/api/v1/pledges/{body['id']}/progress", headers=world.member(member),
                                   json={"note": "All done", "done": True})
    assert done.json()["state"] == "fulfilled" and [p["note"] for p in done.json()["progress"]] == [
        "Cleared on 12 March", "All done"]
    assert done.json()["fulfilled_at"] is not None
    body = problem(await world.client.post(f"/api/v1/pledges/{body['id']}/progress", headers=world.member(member),
                                           json={"note": "again", "done": True}), 409, "illegal-transition")
    pledge_id = made.json()["id"]

    # 评诺: the community, not the member.
    problem(await world.client.post(f"/api/v1/pledges/{pledge_id}/assess", headers=world.member(member),
                                    json={"rating": "good"}), 403, "forbidden")
    assessed = await world.client.post(f"/api/v1/pledges/{pledge_id}/assess", headers=world.worker,
                                       json={"rating": "good", "comment": "Residents of building 3 confirmed"})
    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["state"] == "assessed" and assessed.json()["rating"] == "good"
    problem(await world.client.post(f"/api/v1/pledges/{pledge_id}/assess", headers=world.worker,
                                    json={"rating": "poor"}), 409, "illegal-transition")
    problem(await world.client.post(f"/api/v1/pledges/{pledge_id}/progress", headers=world.member(member),
                                    json={"note": "late note"}), 409, "illegal-transition")

    events = await outbox_events(pledge_id)
    assert [t for t, _ in events] == ["pledge.made", "pledge.assessed"]
    assert events[0][1]["item_count"] == 2 and "items" not in events[0][1]
    assert events[1][1]["rating"] == "good" and events[1][1]["fulfilled"] is True


async def test_an_organization_pledges_in_a_community_and_the_public_list_masks_members(world, problem):
    org = await add_organization(world, f"o-{world.district}")
    partner = world.headers("partner", world.community, subject=org)
    made = await pledge(world, partner, pledger_kind="organization", pledger_id=org, area_code=world.grid,
                        items=["Open the canteen to elderly residents at noon"])
    assert made.status_code == 201, made.text
    assert made.json()["community_code"] == world.community and made.json()["organization_id"] == org
    member = await world.add_member(f"m-q-{world.district}", world.grid)
    await pledge(world, world.worker, pledger_kind="member", pledger_id=member, items=["Call 13812345678 weekly"])

    resident = world.headers("resident", world.community, subject=f"resident-{world.district}")
    listed = await world.client.get("/api/v1/pledges/public", headers=resident, params={"year": 2026})
    assert listed.status_code == 200, listed.text
    entries = {e["pledger_kind"]: e for e in listed.json()["items"]}
    assert entries["organization"]["pledger"] == f"第{org}党支部"
    assert entries["organization"]["items"] == ["Open the canteen to elderly residents at noon"]
    assert entries["member"]["pledger"] == "****" and "pledger_id" not in entries["member"]
    assert entries["member"]["items"] == ["Call **** weekly"]
    assert entries["member"]["organization_name"] is None  # the member's organization is not in the copy here
    assert (await world.client.get("/api/v1/pledges/public", headers=resident, params={"year": 2025})).json()[
        "items"] == []

    # The full list is for staff and the pledgers themselves.
    problem(await world.client.get("/api/v1/pledges", headers=resident), 403, "forbidden")
    own = await world.client.get("/api/v1/pledges", headers=partner)
    assert [p["id"] for p in own.json()["items"]] == [made.json()["id"]]
    staff = await world.client.get("/api/v1/pledges", headers=world.worker, params={"pledger_kind": "member"})
    assert [p["pledger_id"] for p in staff.json()["items"]] == [member]
    problem(await world.client.get(f"/api/v1/pledges/{made.json()['id']}", headers=world.member(member)),
            404, "not-found")


async def test_bad_pledges_are_refused(world, problem):
    member = await world.add_member(f"m-r-{world.district}", world.grid)
    other = await world.add_member(f"m-s-{world.district}", world.grid)
    problem(await pledge(world, world.member(other), pledger_kind="member", pledger_id=member), 403, "forbidden")
    problem(await pledge(world, world.member(member), pledger_kind="member", pledger_id=member, items=["  ", ""]),
            422, "invalid-pledge")
    for body in ({"pledger_kind": "member", "pledger_id": member, "area_code": world.community},
                 {"pledger_kind": "member", "pledger_id": member, "items": []},
                 {"pledger_kind": "member", "pledger_id": member, "year": 1999},
                 {"pledger_kind": "organization", "pledger_id": "o-x"}):
        problem(await pledge(world, world.worker, **body), 422, "validation")
    problem(await pledge(world, world.worker, pledger_kind="member", pledger_id="m-nobody"), 422, "unknown-reference")
    dissolved = await add_organization(world, f"o-gone-{world.district}", dissolved=True)
    problem(await pledge(world, world.worker, pledger_kind="organization", pledger_id=dissolved,
                         area_code=world.community), 422, "unknown-reference")
    org = await add_organization(world, f"o-ok-{world.district}")
    problem(await pledge(world, world.worker, pledger_kind="organization", pledger_id=org,
                         area_code=world.far_community), 422, "unknown-reference")
    problem(await pledge(world, world.admin, pledger_kind="organization", pledger_id=org,
                         area_code=world.subdistrict), 422, "not-in-community")
    problem(await world.client.post("/api/v1/pledges/nope/assess", headers=world.worker, json={"rating": "good"}),
            404, "not-found")
    problem(await world.client.post("/api/v1/pledges/nope/assess", headers=world.worker, json={"rating": "great"}),
            422, "validation")
