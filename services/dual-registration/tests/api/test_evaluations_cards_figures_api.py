"""Dual evaluation, cards (JSON and XLSX) and area figures over HTTP."""

import zipfile
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook

from dual_registration.store.tables import organization_copy, unit_copy

AGREEMENT = {"title": "结对共建", "hours_per_year": 8, "commitments": [
    {"kind": "volunteer_hours", "description": "Staff volunteers", "categories": ["elderly_care"], "quantity": 8,
     "unit_of_measure": "hours/year"}]}


async def confirmed_service(world, member_id, reg, start, hours, resident=None):
    body = {"registration_id": reg, "activity": "Visit", "area_code": world.grid, "started_at": start.isoformat(),
            "ended_at": (start + timedelta(hours=hours)).isoformat(), "served_resident_ref": resident}
    logged = await world.client.post("/api/v1/services", headers=world.member(member_id), json=body)
    assert logged.status_code == 201, logged.text
    confirmed = await world.client.post(f"/api/v1/services/{logged.json()['id']}/confirm", headers=world.worker)
    assert confirmed.status_code == 200, confirmed.text


async def test_community_and_resident_evaluations_and_publishing(world, clock, problem, outbox_events):
    member_id = f"m-ev-{world.district}"
    reg = await world.registered_member(member_id)
    await confirmed_service(world, member_id, reg, clock.now() - timedelta(days=1), 2, resident="resident-1")

    draft = await world.client.post("/api/v1/evaluations", headers=world.worker, json={
        "subject_kind": "member", "subject_id": member_id, "period": "2026-Q1", "score": 93, "comment": "reliable"})
    assert draft.status_code == 201, draft.text
    evaluation = draft.json()
    assert evaluation["rating"] == "excellent" and evaluation["state"] == "draft"
    assert evaluation["organization_id"] == f"org-of-{member_id}"
    problem(await world.client.post("/api/v1/evaluations", headers=world.worker, json={
        "subject_kind": "member", "subject_id": member_id, "period": "2026-Q1", "score": 50}), 409, "duplicate")
    assert await outbox_events(evaluation["id"]) == []

    published = await world.client.post(f"/api/v1/evaluations/{evaluation['id']}/publish", headers=world.worker)
    assert published.json()["state"] == "published"
    [(event_type, data)] = await outbox_events(evaluation["id"])
    assert event_type == "evaluation.published"
    assert {k: data[k] for k in ("subject_kind", "subject_id", "organization_id", "community_code", "period", "score",
                                 "rating")} == {"subject_kind": "member", "subject_id": member_id,
                                                "organization_id": f"org-of-{member_id}", "community_code": world.community,
                                                "period": "2026-Q1", "score": 93, "rating": "excellent"}
    assert "comment" not in data
    problem(await world.client.post(f"/api/v1/evaluations/{evaluation['id']}/publish", headers=world.worker),
            409, "illegal-transition")

    served = world.headers("resident", world.community, subject="resident-1")
    rated = await world.client.post("/api/v1/evaluations", headers=served, json={
        "subject_kind": "member", "subject_id": member_id, "period": "2026-Q1", "score": 70})
    assert rated.status_code == 201 and rated.json()["evaluator_kind"] == "resident"
    problem(await world.client.post(f"/api/v1/evaluations/{rated.json()['id']}/publish", headers=served), 403, "forbidden")
    stranger = world.headers("resident", world.community, subject="resident-2")
    problem(await world.client.post("/api/v1/evaluations", headers=stranger, json={
        "subject_kind": "member", "subject_id": member_id, "period": "2026-Q1", "score": 10}), 403, "not-served")
    assert (await world.client.post(f"/api/v1/evaluations/{rated.json()['id']}/discard", headers=served)).json()["state"] == "discarded"

    # The member sees published evaluations about them, never drafts; other members see nothing.
    own = (await world.client.get("/api/v1/evaluations", headers=world.member(member_id))).json()["items"]
    assert [e["id"] for e in own] == [evaluation["id"]]
    assert (await world.client.get("/api/v1/evaluations", headers=world.member("m-nobody"))).json()["items"] == []


async def test_evaluation_input_is_checked(world, problem):
    member_id = f"m-evx-{world.district}"
    await world.registered_member(member_id)
    base = {"subject_kind": "member", "subject_id": member_id, "period": "2026-Q1", "score": 80}
    for bad in ({"score": 101}, {"score": -1}, {"period": "2026-Q5"}, {"period": "26"}, {"subject_kind": "cat"}):
        problem(await world.client.post("/api/v1/evaluations", headers=world.worker, json={**base, **bad}), 422, "validation")
    problem(await world.client.post("/api/v1/evaluations", headers=world.worker, json={**base, "period": "1999"}),
            422, "invalid-period")
    problem(await world.client.post("/api/v1/evaluations", headers=world.worker, json={**base, "subject_id": "m-none"}),
            422, "unknown-reference")
    problem(await world.client.post("/api/v1/evaluations", headers=world.member(member_id), json=base), 403, "forbidden")


async def test_cards_json_and_xlsx(world, clock, problem):
    busy, idle = f"m-busy-{world.district}", f"m-idle-{world.district}"
    reg = await world.registered_member(busy)
    await world.registered_member(idle)
    quarter = f"{clock.now().year}-Q{(clock.now().month - 1) // 3 + 1}"
    for day in range(1, 8):  # 7 sessions of 2 h: 14 h, above a quarter's 12.5 h
        await confirmed_service(world, busy, reg, clock.now() - timedelta(days=day, hours=6), 2)
    evaluation = await world.client.post("/api/v1/evaluations", headers=world.worker, json={
        "subject_kind": "member", "subject_id": busy, "period": quarter, "score": 88})
    await world.client.post(f"/api/v1/evaluations/{evaluation.json()['id']}/publish", headers=world.worker)

    card = (await world.client.get(f"/api/v1/cards/member/{busy}", headers=world.worker, params={"period": quarter})).json()
    assert card["hours"] == 14 and card["services"] == 7
    assert card["rating_counts"]["good"] == 1 and card["community_rating"] == "good" and card["average_score"] == 88
    assert {t["name"]: (t["required"], t["met"]) for t in card["thresholds"]} == {
        "service_hours": (12.5, True), "community_rating_good_or_better": (1.0, True)}
    year = (await world.client.get(f"/api/v1/cards/member/{busy}", headers=world.worker,
                                   params={"period": str(clock.now().year)})).json()
    assert year["thresholds"][0] == {"name": "service_hours", "required": 50, "actual": 14, "met": False}
    assert year["rating_counts"]["good"] == 1  # a yearly card counts its quarters' evaluations
    own = await world.client.get(f"/api/v1/cards/member/{busy}", headers=world.member(busy), params={"period": quarter})
    assert own.status_code == 200
    problem(await world.client.get(f"/api/v1/cards/member/{busy}", headers=world.member(idle), params={"period": quarter}),
            404, "not-found")
    problem(await world.client.get(f"/api/v1/cards/member/{busy}", headers=world.worker, params={"period": "Q1"}),
            422, "invalid-period")

    listed = (await world.client.get("/api/v1/cards", headers=world.worker,
                                     params={"subject_kind": "member", "period": quarter, "limit": 1})).json()
    assert len(listed["items"]) == 1 and listed["next_cursor"]

    export = await world.client.get("/api/v1/cards.xlsx", headers=world.worker,
                                    params={"subject_kind": "member", "period": quarter})
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert header[:7] == ("subject_kind", "subject_id", "subject_name", "organization_id", "organization_name",
                          "community_code", "community_name")
    assert set(body) == {busy, idle}
    assert body[busy]["hours"] == 14 and body[busy]["hours_threshold_met"] == "yes"
    assert body[idle]["hours"] == 0 and body[idle]["hours_threshold_met"] == "no"


async def test_unit_card_uses_the_committed_hours(world, clock):
    unit = await world.add_unit(f"u-card-{world.district}", world.community, organization_id=f"org-card-{world.district}")
    reg = (await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                   json={"unit_id": unit, "agreement": AGREEMENT})).json()["id"]
    await world.client.post(f"/api/v1/registrations/{reg}/approve", headers=world.worker)
    start = clock.now() - timedelta(days=3)
    logged = await world.client.post("/api/v1/services", headers=world.worker, json={
        "registration_id": reg, "activity": "Health checks", "area_code": world.community,
        "started_at": start.isoformat(), "ended_at": (start + timedelta(hours=3)).isoformat()})
    other = world.headers("community_worker", world.community, subject="second-worker")
    assert (await world.client.post(f"/api/v1/services/{logged.json()['id']}/confirm", headers=other)).status_code == 200
    partner = world.headers("partner", world.community, subject=f"org-card-{world.district}")
    card = (await world.client.get(f"/api/v1/cards/unit/{unit}", headers=partner,
                                   params={"period": str(clock.now().year)})).json()
    assert card["hours"] == 3 and card["thresholds"][0] == {"name": "service_hours", "required": 8, "actual": 3, "met": False}


async def test_figures_per_community(world, clock, problem):
    a, b = f"m-fa-{world.district}", f"m-fb-{world.district}"
    reg_a = await world.registered_member(a)
    await world.registered_member(b)
    await world.add_member(f"m-fc-{world.district}", world.community)               # expected, not registered
    await world.add_member(f"m-fd-{world.district}", world.other_community)         # another community
    await world.add_unit(f"u-f-{world.district}", world.community)
    await confirmed_service(world, a, reg_a, clock.now() - timedelta(days=2), 1.5)
    evaluation = await world.client.post("/api/v1/evaluations", headers=world.worker, json={
        "subject_kind": "member", "subject_id": a, "period": "2026-Q1", "score": 65})
    await world.client.post(f"/api/v1/evaluations/{evaluation.json()['id']}/publish", headers=world.worker)

    sub = world.headers("subdistrict_admin", world.subdistrict)
    figures = (await world.client.get("/api/v1/figures", headers=sub, params={"period": "2026-Q1"})).json()
    by_code = {c["community_code"]: c for c in figures["communities"]}
    mine = by_code[world.community]
    assert (mine["members_expected"], mine["members_registered"], mine["member_registration_rate"]) == (3, 2, 0.6667)
    assert (mine["units_expected"], mine["units_registered"], mine["unit_registration_rate"]) == (1, 0, 0.0)
    assert (mine["active_members"], mine["active_rate"], mine["hours"]) == (1, 0.5, 1.5)
    assert mine["evaluations"] == {"excellent": 0, "good": 0, "fair": 1, "poor": 0}
    assert by_code[world.other_community]["members_expected"] == 1
    assert by_code[world.other_community]["member_registration_rate"] == 0.0
    assert figures["total"]["members_expected"] == 4 and figures["total"]["hours"] == 1.5
    problem(await world.client.get("/api/v1/figures", headers=world.worker,
                                   params={"period": "2026-Q1", "under": world.subdistrict}), 404, "not-found")
    problem(await world.client.get("/api/v1/figures", headers=world.member(a), params={"period": "2026"}), 403, "forbidden")


async def test_xlsx_cards_carry_names_beside_ids_as_text(world, clock):
    """Unit, organization and community names stand beside their ids; a name that looks like a formula
    stays text (names come from other services' events and are not ours to run)."""
    unit_id, organization_id = f"u-named-{world.district}", f"org-named-{world.district}"
    hostile = '=HYPERLINK("http://evil.example/","Tax Bureau")'
    await world.insert(unit_copy, unit_id=unit_id, name=hostile, kind="agency", area_code=world.grid,
                       area_path=world.path(world.grid), organization_id=organization_id,
                       community_code=world.community, community_path=world.path(world.community))
    await world.insert(organization_copy, organization_id=organization_id, name="税务局党支部",
                       area_code=world.grid, dissolved=False)
    reg = (await world.client.post("/api/v1/registrations/units", headers=world.worker,
                                   json={"unit_id": unit_id, "agreement": AGREEMENT})).json()["id"]
    assert (await world.client.post(f"/api/v1/registrations/{reg}/approve", headers=world.worker)).status_code == 200
    member_id = f"m-named-{world.district}"
    await world.registered_member(member_id)
    period = str(clock.now().year)

    export = await world.client.get("/api/v1/cards.xlsx", headers=world.worker,
                                    params={"subject_kind": "unit", "period": period})
    assert export.status_code == 200
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    [row] = [dict(zip(rows[0], r)) for r in rows[1:] if r[1] == unit_id]
    assert (row["subject_name"], row["organization_id"], row["organization_name"], row["community_code"],
            row["community_name"]) == (hostile, organization_id, "税务局党支部", world.community,
                                       f"Area {world.community}")
    sheet_xml = zipfile.ZipFile(BytesIO(export.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml  # no formula anywhere

    members = await world.client.get("/api/v1/cards.xlsx", headers=world.worker,
                                     params={"subject_kind": "member", "period": period})
    rows = list(load_workbook(BytesIO(members.content)).active.iter_rows(values_only=True))
    [row] = [dict(zip(rows[0], r)) for r in rows[1:] if r[1] == member_id]
    # A member's name is personal data this service never holds; the community's name is public.
    assert row["subject_name"] is None and row["community_name"] == f"Area {world.community}"
