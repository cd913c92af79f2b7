"""Party-building instructors (issue 22): appointed to an area, guiding units without an organization, logging
visits; work coverage (an organization or an instructor) beside organizational coverage; the guided units
ready for a branch; events without the person; staff only."""

from org_registry.store.tables import instructor_units  # noqa: F401  (the migration created it)
from registry_helpers import add_organization, add_unit, assert_problem


async def appoint(client, headers, area: str, name: str = "王建国") -> dict:
    response = await client.post("/api/v1/instructors", json={"name": name, "phone": "139 1234 5678", "area_code": area,
                                                               "appointed_on": "2026-03-01"}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_an_instructor_guides_units_without_an_organization_and_work_coverage_counts_them(client, district):
    admin, s1 = district["admin"], district["s1"]
    bare = [await add_unit(client, admin, district["c1"], name=f"Shop {i}", kind="non_public_enterprise",
                           size_class="small", members_among_staff=i) for i in (0, 3)]
    organized = await add_unit(client, admin, district["c1"], name="Big Co.", size_class="large")
    await add_organization(client, admin, district["c1"], [organized["id"]])
    instructor = await appoint(client, admin, s1)
    assert instructor["phone"] == "13912345678" and instructor["personal_data"] == "full"

    refused = await client.post(f"/api/v1/instructors/{instructor['id']}/units",
                                json={"unit_ids": [organized["id"]], "assigned_on": "2026-03-02"}, headers=admin)
    assert_problem(refused, 409, "unit-already-covered")
    outside = await add_unit(client, admin, district["c2"], name="Elsewhere")  # not in the instructor's subdistrict
    assert_problem(await client.post(f"/api/v1/instructors/{instructor['id']}/units",
                                     json={"unit_ids": [outside["id"]], "assigned_on": "2026-03-02"}, headers=admin),
                   422, "unknown-reference")
    assigned = await client.post(f"/api/v1/instructors/{instructor['id']}/units",
                                 json={"unit_ids": [u["id"] for u in bare], "assigned_on": "2026-03-02"}, headers=admin)
    assert assigned.status_code == 200, assigned.text
    assert sorted(assigned.json()["unit_ids"]) == sorted(u["id"] for u in bare)

    coverage = (await client.get("/api/v1/coverage", params={"under": district["c1"]}, headers=admin)).json()["total"]
    assert (coverage["units"], coverage["covered"], coverage["with_instructor"], coverage["work_covered"]) == (3, 1, 2, 3)
    assert coverage["covered_share"] == 33.3 and coverage["work_covered_share"] == 100.0

    ready = (await client.get("/api/v1/instructors/prospective-branches", params={"under": district["code"]},
                              headers=admin)).json()
    assert [(b["unit_id"], b["members_among_staff"]) for b in ready["items"]] == [(bare[1]["id"], 3)]


async def test_visits_are_logged_for_guided_units_and_leave_the_person_off_the_bus(client, district, db):
    admin = district["admin"]
    unit = await add_unit(client, admin, district["c1"], name="Cafe", size_class="micro")
    instructor = await appoint(client, admin, district["c1"])
    iid = instructor["id"]
    visit = {"unit_id": unit["id"], "visited_on": "2026-03-20", "summary": "Met the owner 李四, 13987654321.",
             "members_found": 1}
    assert_problem(await client.post(f"/api/v1/instructors/{iid}/visits", json=visit, headers=admin), 422,
                   "unknown-reference")  # not a unit this instructor guides yet
    await client.post(f"/api/v1/instructors/{iid}/units", json={"unit_ids": [unit["id"]], "assigned_on": "2026-03-02"},
                      headers=admin)
    logged = await client.post(f"/api/v1/instructors/{iid}/visits", json=visit, headers=admin)
    assert logged.status_code == 201, logged.text
    future = {**visit, "visited_on": "2999-01-01"}
    assert_problem(await client.post(f"/api/v1/instructors/{iid}/visits", json=future, headers=admin), 422,
                   "rule-violated")
    visits = (await client.get(f"/api/v1/instructors/{iid}/visits", headers=admin)).json()["items"]
    assert [v["members_found"] for v in visits] == [1]

    from sqlalchemy import text
    async with db.sessions() as session:
        payloads = [(r[0], r[1]) for r in await session.execute(text(
            "SELECT data, event_type FROM outbox WHERE topic = 'yizhou.instructors.v1'"))]
    joined = " ".join(str(p) for p in payloads)
    assert iid in joined and "instructor.visited" in joined
    assert "王建国" not in joined and "13912345678" not in joined and "李四" not in joined and "13987654321" not in joined


async def test_instructors_are_for_staff_of_their_area(client, district, auth):
    instructor = await appoint(client, district["admin"], district["s1"])
    member = auth("party_member", district["c1"])
    assert_problem(await client.get(f"/api/v1/instructors/{instructor['id']}", headers=member), 403, "forbidden")
    other = auth("subdistrict_admin", district["s2"])
    assert_problem(await client.get(f"/api/v1/instructors/{instructor['id']}", headers=other), 404, "not-found")
    listed = (await client.get("/api/v1/instructors", params={"under": district["s2"]}, headers=other)).json()
    assert instructor["id"] not in [i["id"] for i in listed["items"]]
