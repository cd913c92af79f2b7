"""The guarantee network through the broker: an organization created in org-registry becomes usable for
funds in project-matching once its event arrives; units, members, registrations, confirmed services,
evaluations and demands from the other services feed a scorecard equal to a hand-computed one; publishing
it puts `assessment.published` on its topic (no personal data); a venue reaches the matching engine's
topic as a resource of kind venue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from org_registry.app import create_app as create_org_registry
from org_registry.settings import Settings as OrgRegistrySettings
from project_matching.app import create_app as create_project_matching
from project_matching.settings import Settings as ProjectMatchingSettings
from yizhou.bus import start_producer
from yizhou.envelope import to_kafka_message
from yizhou.personal_data import find_personal_data
from yizhou_platform.testing import eventually, read_event, serve
from yizhou.topic_owners import owner_of


@pytest.fixture(scope="module")
async def apps(make_settings):
    async with serve(create_org_registry(make_settings(OrgRegistrySettings))) as org, \
            serve(create_project_matching(make_settings(ProjectMatchingSettings))) as pm:
        yield org, pm


async def publish(bootstrap: str, events: list[tuple[str, str, str, dict]]) -> None:
    """(topic, event type, key, data) in order, as the other services' relays would send them."""
    producer = await start_producer(bootstrap, "off", "guarantee-test-publisher")
    try:
        for topic, event_type, key, data in events:
            row = SimpleNamespace(event_id=str(uuid.uuid4()), source=owner_of(topic), event_type=event_type,
                                  subject=key, occurred_at=datetime.now(UTC), aggregate_id=key, data=data)
            msg = to_kafka_message(row)
            await producer.send_and_wait(topic, value=msg.value, key=key.encode(), headers=list(msg.headers.items()))
    finally:
        await producer.stop()


async def make_axis(org, admin, d: str) -> dict[str, str]:
    codes = {"d": d, "s": f"{d}S", "c": f"{d}SC", "g": f"{d}SCG"}
    for code, level, parent in ((d, "district", None), (codes["s"], "subdistrict", d),
                                (codes["c"], "community", codes["s"]), (codes["g"], "grid", codes["c"])):
        body = {"code": code, "name": code, "level": level, **({"parent_code": parent} if parent else {})}
        response = await org.post("/api/v1/areas", json=body, headers=admin)
        assert response.status_code == 201, response.text
    return codes


async def test_scorecard_from_the_platforms_events_equals_the_hand_computed_one(apps, auth, unique_code,
                                                                               kafka_bootstrap):
    org, pm = apps
    d = unique_code("GN")
    admin = auth("district_admin", d)
    a = await make_axis(org, admin, d)
    c_path = f"/{d}/{a['s']}/{a['c']}/"
    year = datetime.now(UTC).year
    organization_id = f"o-{uuid.uuid4().hex[:20]}"
    income = {"organization_id": organization_id, "year": year, "source": "district_allocation",
              "amount_yuan": "5000.00"}

    # Not known anywhere yet: refused, not accepted on trust.
    async def axis_arrived():
        return (await pm.get(f"/api/v1/areas/{a['g']}", headers=admin)).status_code == 200

    await eventually(axis_arrived, timeout_s=60)
    refused = await pm.post("/api/v1/funds/income", json=income, headers=admin)
    assert refused.status_code == 422 and refused.json()["type"].endswith("unknown-reference")

    u1 = (await org.post("/api/v1/units", json={"name": "District Civil Affairs Bureau", "kind": "agency",
                                                "area_code": a["c"], "headcount": 120, "members_among_staff": 30},
                         headers=admin)).json()["id"]
    u2 = (await org.post("/api/v1/units", json={"name": "Jintai Primary School", "kind": "school", "area_code": a["c"],
                                                "headcount": 80, "members_among_staff": 5}, headers=admin)).json()["id"]
    created = await org.post("/api/v1/organizations", json={
        "id": organization_id, "name": "Civil Affairs Bureau Party Branch", "kind": "branch",
        "setup_mode": "single_unit", "area_code": a["c"], "covered_unit_ids": [u1], "founded_on": "2008-07-01"},
        headers=admin)
    assert created.status_code == 201, created.text

    async def usable():
        response = await pm.post("/api/v1/funds/income", json=income, headers=admin)
        return response.status_code == 201 and response.json()

    entry = await eventually(usable, timeout_s=60)
    assert entry["balance_after_yuan"] == 5000.0

    # Members (org-registry), registrations, services and evaluations (dual-registration), demands (demand-intake).
    now = datetime.now(UTC).isoformat()
    members = [f"m-{uuid.uuid4().hex[:12]}" for _ in range(5)]

    def member(m, left=False):
        return ("yizhou.members.v1", "member.left" if left else "member.created", m, {
            "member_id": m, "organization_id": organization_id, "work_unit_id": u1, "residence_area_code": a["c"],
            "residence_area_path": c_path, "skills": [], "in_service": True, "state": "left" if left else "active",
            "occurred_at": now})

    def registered(m):
        return ("yizhou.registrations.v1", "member.registered", m, {
            "registration_id": f"r-{m}", "member_id": m, "organization_id": organization_id,
            "community_code": a["c"], "community_path": c_path, "skills": [], "available_hours_per_month": 4,
            "registered_at": now})

    def served(provider_kind, provider, minutes):
        service = str(uuid.uuid4())
        return ("yizhou.services.v1", "service.confirmed", service, {
            "service_id": service, "provider_kind": provider_kind, "provider_id": provider, "community_code": a["c"],
            "community_path": c_path, "area_code": a["c"], "category": "elderly_care", "started_at": now,
            "ended_at": now, "minutes": minutes, "confirmed_as": "community", "confirmed_at": now})

    def evaluation(score):
        e = str(uuid.uuid4())
        return ("yizhou.evaluations.v1", "evaluation.published", e, {
            "evaluation_id": e, "subject_kind": "member", "subject_id": members[0], "organization_id": organization_id,
            "community_code": a["c"], "community_path": c_path, "period": f"{year}-Q1", "score": score,
            "rating": "good", "evaluator_kind": "community", "published_at": now})

    def demand(demand_id, event_type, state, **extra):
        return ("yizhou.demands.v1", event_type, demand_id, {
            "demand_id": demand_id, "area_code": a["g"], "area_path": f"{c_path}{a['g']}/", "category": "health",
            "state": state, "occurred_at": now, **extra})

    d1, d2, d3, d4, d5, d6 = (str(uuid.uuid4()) for _ in range(6))
    registration = str(uuid.uuid4())
    await publish(kafka_bootstrap, [
        *(member(m) for m in members), member(members[4], left=True),
        ("yizhou.registrations.v1", "unit.registered", registration, {
            "registration_id": registration, "unit_id": u1, "organization_id": organization_id,
            "community_code": a["c"], "community_path": c_path, "commitments": [], "hours_per_year": 10,
            "registered_at": now}),
        *(registered(m) for m in members[:3]),
        served("member", members[0], 3000), served("member", members[1], 60), served("unit", u1, 600),
        evaluation(80), evaluation(90),
        demand(d1, "demand.submitted", "submitted", channel="online", urgency="normal"),
        demand(d1, "demand.accepted", "accepted"), demand(d1, "demand.resolved", "resolved"),
        demand(d1, "demand.closed", "closed", feedback="satisfied", feedback_by="resident", contact_attempted=True),
        demand(d2, "demand.submitted", "submitted"), demand(d2, "demand.overdue", "submitted", deadline="respond"),
        demand(d2, "demand.accepted", "accepted"),
        demand(d3, "demand.submitted", "submitted"), demand(d3, "demand.rejected", "rejected"),
        demand(d4, "demand.submitted", "submitted"), demand(d4, "demand.withdrawn", "withdrawn"),
        # imported with its history, "satisfied" as staff entered it: in no figure (issue 19)
        demand(d5, "demand.submitted", "submitted", imported=True), demand(d5, "demand.accepted", "accepted"),
        demand(d5, "demand.resolved", "resolved"),
        demand(d5, "demand.closed", "closed", feedback="satisfied", feedback_by="staff", contact_attempted=False),
        # staff closed it "satisfied" on the resident's behalf: responded and resolved, but not the resident's word
        demand(d6, "demand.submitted", "submitted"), demand(d6, "demand.accepted", "accepted"),
        demand(d6, "demand.resolved", "resolved"),
        demand(d6, "demand.closed", "closed", feedback="satisfied", feedback_by="staff", contact_attempted=False),
    ])
    weights = {"response_rate": "0.2", "resolution_rate": "0.2", "satisfaction_rate": "0.1", "evaluation_score": "0.1",
               "unit_registration_rate": "0.1", "member_registration_rate": "0.1", "hours_threshold_rate": "0.1",
               "coverage_rate": "0.05", "projects_delivered_rate": "0.05"}
    put = await pm.put(f"/api/v1/assessment/weights/{year}/area", json={"weights": weights}, headers=admin)
    assert put.status_code == 200 and put.json()["configured"] is True

    expected_area = {  # code: (numerator, denominator) counted by hand from the events above
        "response_rate": (3, 4),             # d1, d3, d6 on time; d2 answered late; d4 withdrawn; d5 imported
        "resolution_rate": (2, 3),           # d1, d6 closed; d3 rejected is out of the denominator
        "satisfaction_rate": (1, 1),         # d1 satisfied, said by the resident; d6's is staff's entry
        "evaluation_score": (170, 2),        # mean of 80 and 90
        "unit_registration_rate": (1, 1),    # u1 (covered) registered; u2 has no organization yet
        "member_registration_rate": (3, 4),  # m1-m3 of the four still in the party
        "hours_threshold_rate": (2, 4),      # m1 50 h, u1 its 10 h; m2 1 h, m3 none
        "coverage_rate": (1, 2),             # u1 of u1, u2
        "projects_delivered_rate": (0, 0),   # no projects: left out
    }

    async def area_card():
        card = (await pm.get(f"/api/v1/assessment/scorecards/areas/{a['c']}", params={"year": year},
                             headers=admin)).json()
        got = {i["code"]: (i["numerator"], i["denominator"]) for i in card["inputs"]}
        assert got == expected_area, got
        return card

    card = await eventually(area_card, timeout_s=90)
    # (0.2 x 75 + 0.2 x 66.667 + 0.1 x 100 + 0.1 x 85 + 0.1 x 100 + 0.1 x 75 + 0.1 x 50 + 0.05 x 50) / 0.95
    assert card["score"] == 75.61 and card["grade"] == "good"
    lines = {i["code"]: i for i in card["inputs"]}
    assert lines["projects_delivered_rate"]["value"] is None and lines["projects_delivered_rate"]["contribution"] == 0
    assert lines["response_rate"]["weight"] == 0.2 and lines["response_rate"]["effective_weight"] == round(0.2 / 0.95, 6)
    assert "demand" in lines["response_rate"]["source"] and lines["coverage_rate"]["definition"]

    organization = (await pm.get(f"/api/v1/assessment/scorecards/organizations/{organization_id}",
                                 params={"year": year}, headers=admin)).json()
    # Default organization weights: 0.4 x 85 + 0.2 x 100 + 0.2 x 75 + 0.2 x 50
    assert organization["score"] == 79.0 and organization["grade"] == "good"

    sub_admin = auth("subdistrict_admin", a["s"])
    own = await pm.post("/api/v1/assessment/scorecards", json={"subject_kind": "area", "subject_id": a["s"],
                                                               "year": year}, headers=sub_admin)
    assert own.status_code == 403  # an area is assessed from above
    published = await pm.post("/api/v1/assessment/scorecards", json={"subject_kind": "area", "subject_id": a["c"],
                                                                     "year": year}, headers=sub_admin)
    assert published.status_code == 201 and published.json()["version"] == 1
    event = await read_event(kafka_bootstrap, "yizhou.assessments.v1", published.json()["id"], "assessment.published")
    assert event["score"] == 75.61 and event["subject_id"] == a["c"] and len(event["inputs"]) == 9
    assert find_personal_data(event) == []
    org_card = await pm.post("/api/v1/assessment/scorecards", json={
        "subject_kind": "organization", "subject_id": organization_id, "year": year}, headers=sub_admin)
    event = await read_event(kafka_bootstrap, "yizhou.assessments.v1", org_card.json()["id"], "assessment.published")
    assert event["organization_id"] == organization_id and event["score"] == 79.0


async def test_a_venue_is_offered_to_matching_on_the_resources_topic(apps, auth, unique_code, kafka_bootstrap):
    org, pm = apps
    d = unique_code("GV")
    admin = auth("district_admin", d)
    a = await make_axis(org, admin, d)
    owner = (await org.post("/api/v1/organizations", json={
        "name": "Community Party Committee", "kind": "committee", "setup_mode": "single_unit", "area_code": a["c"],
        "covered_unit_ids": [(await org.post("/api/v1/units", json={
            "name": "Community office", "kind": "agency", "area_code": a["c"], "headcount": 10,
            "members_among_staff": 5}, headers=admin)).json()["id"]], "founded_on": "2010-01-01"},
        headers=admin)).json()["id"]
    body = {"name": "Party-mass service centre", "kind": "party_mass_service_centre", "owner_organization_id": owner,
            "area_code": a["c"], "capacity": 50, "categories": ["culture_sports"],
            "opening_hours": [{"weekday": w, "opens": "08:30", "closes": "20:00"} for w in range(1, 8)]}

    async def registered():
        response = await pm.post("/api/v1/venues", json=body, headers=admin)
        return response.status_code == 201 and response.json()

    venue = await eventually(registered, timeout_s=60)
    resource = await read_event(kafka_bootstrap, "yizhou.resources.v1", venue["resource_id"], "resource.registered")
    assert (resource["kind"], resource["provider_kind"], resource["provider_id"], resource["capacity"]) == (
        "venue", "party_organization", owner, 7)
    announced = await read_event(kafka_bootstrap, "yizhou.venues.v1", venue["id"], "venue.registered")
    assert announced["resource_id"] == venue["resource_id"] and find_personal_data(announced) == []
