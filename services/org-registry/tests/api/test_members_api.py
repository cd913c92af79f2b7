"""Members over HTTP: personal data masked per role, checked on input, never in events."""

import json

from sqlalchemy import select

from registry_helpers import add_member, add_organization, add_unit, assert_problem, id_number
from yizhou.messaging_tables import outbox
from yizhou.personal_data import find_personal_data


async def _setup(client, district):
    admin = district["admin"]
    unit = await add_unit(client, admin, district["c1"], name="Member Co.")
    org = await add_organization(client, admin, district["c1"], [unit["id"]])
    member = await add_member(client, admin, org["id"], district["c2"], name="王建国", phone="139 1234 5678",
                              skills=["First Aid", " legal  advice", "first aid"], work_unit_id=unit["id"])
    return unit, org, member


async def test_personal_data_is_masked_for_roles_that_do_not_own_the_record(client, district, auth, token):
    _, org, member = await _setup(client, district)
    assert member["personal_data"] == "full" and member["phone"] == "13912345678"
    assert member["skills"] == ["first aid", "legal advice"]
    url = f"/api/v1/members/{member['id']}"
    for role, area in [("district_admin", district["code"]), ("subdistrict_admin", district["s1"]),
                       ("community_worker", district["c1"])]:
        body = (await client.get(url, headers=auth(role, area))).json()
        assert body["personal_data"] == "full" and body["name"] == "王建国", role
    for role in ("party_member", "resident", "partner"):
        body = (await client.get(url, headers=auth(role, district["c1"]))).json()
        assert body["personal_data"] == "masked", role
        assert body["name"] == "王**" and body["phone"] == "139****5678" and "*" in body["id_number"]
        assert body["skills"] == ["first aid", "legal advice"]  # not personal
    # The member themself (token subject = member id) sees their own record in full.
    own = {"Authorization": "Bearer " + token("party_member", district["c1"], subject=member["id"])}
    assert (await client.get(url, headers=own)).json()["personal_data"] == "full"
    # Outside the organization's area the member does not exist: a grid worker below, another subdistrict beside.
    assert_problem(await client.get(url, headers=auth("grid_worker", district["g1"])), 404, "not-found")
    assert_problem(await client.get(url, headers=auth("subdistrict_admin", district["s2"])), 404, "not-found")
    # The organization's secretary is masked the same way.
    await client.patch(f"/api/v1/organizations/{org['id']}", json={"secretary_member_id": member["id"]},
                       headers=district["admin"])
    seen = (await client.get(f"/api/v1/organizations/{org['id']}", headers=auth("party_member", district["c1"]))).json()
    assert seen["secretary_name"] == "王**"
    seen = (await client.get(f"/api/v1/organizations/{org['id']}", headers=district["admin"])).json()
    assert seen["secretary_name"] == "王建国"


async def test_search_by_personal_data_only_for_staff(client, district, auth):
    _, org, member = await _setup(client, district)
    admin = district["admin"]
    found = (await client.get("/api/v1/members", params={"q": "王建", "organization_id": org["id"]}, headers=admin)).json()
    assert [m["id"] for m in found["items"]] == [member["id"]]
    probe = (await client.get("/api/v1/members", params={"q": "王建", "organization_id": org["id"]},
                              headers=auth("party_member", district["c1"]))).json()
    assert probe["items"] == []
    by_skill = (await client.get("/api/v1/members", params={"skill": "Legal Advice", "organization_id": org["id"]},
                                 headers=auth("party_member", district["c1"]))).json()
    assert [m["id"] for m in by_skill["items"]] == [member["id"]]
    residence = (await client.get("/api/v1/members", params={"residence_under": district["s2"]}, headers=admin)).json()
    assert member["id"] in [m["id"] for m in residence["items"]]


async def test_bad_personal_data_and_duplicates(client, district):
    _, org, member = await _setup(client, district)
    admin = district["admin"]
    body = {"name": "张三", "id_number": id_number(), "organization_id": org["id"], "residence_area_code": district["c1"],
            "joined_on": "2010-01-01"}
    bad_check = body["id_number"][:17] + ("0" if body["id_number"][17] != "0" else "1")
    problem = assert_problem(await client.post("/api/v1/members", json={**body, "id_number": bad_check}, headers=admin),
                             422, "invalid-personal-data")
    assert problem["errors"][0]["field"] == "id_number"
    assert_problem(await client.post("/api/v1/members", json={**body, "phone": "12345"}, headers=admin),
                   422, "invalid-personal-data")
    assert_problem(await client.post("/api/v1/members", json={**body, "name": "   "}, headers=admin),
                   422, "invalid-personal-data")
    assert_problem(await client.post("/api/v1/members", json={**body, "residence_area_code": "ELSEWHERE"}, headers=admin),
                   422, "unknown-reference")
    first = await client.post("/api/v1/members", json=body, headers=admin)
    assert first.status_code == 201
    dup = assert_problem(await client.post("/api/v1/members", json=body, headers=admin), 409, "duplicate")
    assert body["id_number"] not in json.dumps(dup)  # the refusal does not echo the number
    left = await client.post(f"/api/v1/members/{member['id']}/leave", json={"left_on": "2026-02-01"}, headers=admin)
    assert left.status_code == 200 and left.json()["state"] == "left"
    assert_problem(await client.patch(f"/api/v1/members/{member['id']}", json={"phone": None}, headers=admin),
                   409, "member-left")
    assert (await client.get(f"/api/v1/organizations/{org['id']}", headers=admin)).json()["member_count"] == 1


async def test_member_events_carry_no_personal_data(client, district, db):
    _, _, member = await _setup(client, district)
    async with db.sessions() as session:
        rows = (await session.execute(select(outbox.c.event_type, outbox.c.data).where(
            outbox.c.aggregate_id == member["id"]))).all()
    assert [r.event_type for r in rows] == ["member.created"]
    data = rows[0].data
    assert not find_personal_data(data), data
    assert "13912345678" not in json.dumps(data) and "王建国" not in json.dumps(data, ensure_ascii=False)
    assert data["skills"] == ["first aid", "legal advice"] and data["residence_area_code"] == district["c2"]
