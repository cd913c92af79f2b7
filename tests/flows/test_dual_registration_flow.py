"""dual-registration on the broker, next to org-registry: units and members created in org-registry
reach dual-registration's read copies through their events; a registration approved there is
published with its commitments; a published evaluation reaches org-registry, which shows it under
the subject's own party organization; a member's move in org-registry makes the next registration
a transfer; an organization set up after its unit registered still receives the unit's evaluation."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from dual_registration.app import create_app as create_dual_registration
from dual_registration.settings import Settings as DualRegistrationSettings
from org_registry.app import create_app as create_org_registry
from org_registry.settings import Settings as OrgRegistrySettings
from yizhou.contracts.evaluations import EVALUATIONS_TOPIC
from yizhou.contracts.registrations import REGISTRATIONS_TOPIC
from yizhou_platform.testing import eventually, read_event, serve

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(serial: int) -> str:
    """A resident ID number with a valid check digit (ISO 7064 MOD 11-2), as org-registry demands."""
    body = f"110105198001{serial % 100:02d}{serial % 1000:03d}"[:17]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


@pytest.fixture(scope="module")
async def apps(make_settings):
    async with serve(create_org_registry(make_settings(OrgRegistrySettings))) as org, \
            serve(create_dual_registration(make_settings(DualRegistrationSettings))) as dual:
        yield org, dual


async def test_registration_evaluation_and_transfer_across_services(apps, auth, token, unique_code, kafka_bootstrap):
    org, dual = apps
    d = unique_code("DR")
    admin = auth("district_admin", d)
    for area in [{"code": d, "name": "District", "level": "district"},
                 {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d},
                 {"code": f"{d}C1", "name": "Elm", "level": "community", "parent_code": f"{d}S1"},
                 {"code": f"{d}C2", "name": "Oak", "level": "community", "parent_code": f"{d}S1"},
                 {"code": f"{d}G1", "name": "Elm Grid 1", "level": "grid", "parent_code": f"{d}C1"}]:
        assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201

    unit = await org.post("/api/v1/units", headers=admin, json={
        "name": "District Tax Bureau", "kind": "agency", "area_code": f"{d}G1", "headcount": 120, "members_among_staff": 30})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["id"]
    organization = await org.post("/api/v1/organizations", headers=admin, json={
        "name": "Tax Bureau Party Branch", "kind": "branch", "setup_mode": "single_unit", "area_code": f"{d}G1",
        "covered_unit_ids": [unit_id], "founded_on": "2001-07-01"})
    assert organization.status_code == 201, organization.text
    organization_id = organization.json()["id"]
    member = await org.post("/api/v1/members", headers=admin, json={
        "name": "王建国", "phone": "13912345678", "id_number": id_number(int(datetime.now().timestamp())),
        "organization_id": organization_id, "work_unit_id": unit_id, "residence_area_code": f"{d}G1",
        "skills": ["first aid"], "in_service": True, "joined_on": "2005-07-01"})
    assert member.status_code == 201, member.text
    member_id = member.json()["id"]

    # org-registry's events build dual-registration's read copies (the axis, the unit, the member).
    async def unit_known():
        response = await dual.get(f"/api/v1/units/{unit_id}", headers=admin)
        return response.status_code == 200 and response.json()["organization_id"] == organization_id

    async def member_known():
        return (await dual.get(f"/api/v1/members/{member_id}", headers=admin)).status_code == 200

    await eventually(unit_known, timeout_s=60)
    await eventually(member_known, timeout_s=60)
    assert (await dual.get(f"/api/v1/members/{member_id}", headers=admin)).json()["community_code"] == f"{d}C1"

    worker = {"Authorization": f"Bearer {token('community_worker', f'{d}C1', subject='worker-1')}"}
    registered = await dual.post("/api/v1/registrations/units", headers=worker, json={
        "unit_id": unit_id, "agreement": {"title": "结对共建", "hours_per_year": 100, "commitments": [
            {"kind": "venue", "description": "Hall for 60", "categories": ["culture_sports"], "quantity": 12,
             "unit_of_measure": "sessions/year"}]}})
    assert registered.status_code == 201, registered.text
    assert (await dual.post(f"/api/v1/registrations/{registered.json()['id']}/approve", headers=worker)).status_code == 200
    unit_registered = await read_event(kafka_bootstrap, REGISTRATIONS_TOPIC, registered.json()["id"], "unit.registered")
    assert unit_registered["unit_id"] == unit_id and unit_registered["organization_id"] == organization_id
    assert unit_registered["commitments"][0]["kind"] == "venue"

    member_token = {"Authorization": f"Bearer {token('party_member', f'{d}C1', subject=member_id)}"}
    mine = await dual.post("/api/v1/registrations/members", headers=member_token,
                           json={"member_id": member_id, "skills": ["first aid"], "available_hours_per_month": 6})
    assert mine.status_code == 201, mine.text
    assert (await dual.post(f"/api/v1/registrations/{mine.json()['id']}/approve", headers=worker)).status_code == 200

    start = datetime.now(UTC) - timedelta(days=1)
    service = await dual.post("/api/v1/services", headers=member_token, json={
        "registration_id": mine.json()["id"], "activity": "Night patrol", "area_code": f"{d}G1",
        "started_at": start.isoformat(), "ended_at": (start + timedelta(hours=2)).isoformat()})
    assert (await dual.post(f"/api/v1/services/{service.json()['id']}/confirm", headers=worker)).status_code == 200

    period = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    evaluation = await dual.post("/api/v1/evaluations", headers=worker, json={
        "subject_kind": "member", "subject_id": member_id, "period": period, "score": 91})
    assert evaluation.status_code == 201, evaluation.text
    published = await dual.post(f"/api/v1/evaluations/{evaluation.json()['id']}/publish", headers=worker)
    assert published.status_code == 200
    on_topic = await read_event(kafka_bootstrap, EVALUATIONS_TOPIC, evaluation.json()["id"], "evaluation.published")
    assert on_topic["rating"] == "excellent" and on_topic["organization_id"] == organization_id

    async def shown_under_the_organization():
        response = await org.get(f"/api/v1/organizations/{organization_id}/evaluations", headers=admin)
        return response.status_code == 200 and [e for e in response.json()["items"]
                                                if e.get("evaluation_id", e.get("id")) == evaluation.json()["id"]]

    [shown] = await eventually(shown_under_the_organization, timeout_s=60)
    assert shown["score"] == 91 and shown["period"] == period

    # The member moves (in org-registry); the next registration is a transfer, not a duplicate.
    moved = await org.patch(f"/api/v1/members/{member_id}", headers=admin, json={"residence_area_code": f"{d}C2"})
    assert moved.status_code == 200, moved.text

    async def move_seen():
        return (await dual.get(f"/api/v1/members/{member_id}", headers=admin)).json()["community_code"] == f"{d}C2"

    await eventually(move_seen, timeout_s=60)
    worker2 = {"Authorization": f"Bearer {token('community_worker', f'{d}C2', subject='worker-2')}"}
    transfer = await dual.post("/api/v1/registrations/members", headers=worker2,
                               json={"member_id": member_id, "available_hours_per_month": 4})
    assert transfer.status_code == 201 and transfer.json()["previous_registration_id"] == mine.json()["id"]
    assert (await dual.post(f"/api/v1/registrations/{transfer.json()['id']}/approve", headers=worker2)).status_code == 200
    transferred = await read_event(kafka_bootstrap, REGISTRATIONS_TOPIC, transfer.json()["id"], "member.transferred")
    assert transferred["from_community_code"] == f"{d}C1" and transferred["community_code"] == f"{d}C2"
    # The hours served stay the member's: the card follows the member, not the community.
    card = await dual.get(f"/api/v1/cards/member/{member_id}", headers=admin, params={"period": period})
    assert card.json()["hours"] == 2


async def test_an_organization_set_up_after_the_unit_registered_receives_the_evaluation(apps, auth, token, unique_code,
                                                                                       kafka_bootstrap):
    """The unit registers before it has a party organization; the organization set up later (its
    `unit.updated`) is filled into the registration, so the published evaluation reaches it, and the
    card export names it."""
    org, dual = apps
    d = unique_code("DL")
    admin = auth("district_admin", d)
    for area in [{"code": d, "name": "District", "level": "district"},
                 {"code": f"{d}S1", "name": "North", "level": "subdistrict", "parent_code": d},
                 {"code": f"{d}C1", "name": "Elm", "level": "community", "parent_code": f"{d}S1"}]:
        assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201
    unit = await org.post("/api/v1/units", headers=admin, json={
        "name": "Elm Street Clinic", "kind": "public_institution", "area_code": f"{d}C1", "headcount": 40,
        "members_among_staff": 6})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["id"]

    async def unit_known():
        return (await dual.get(f"/api/v1/units/{unit_id}", headers=admin)).status_code == 200

    await eventually(unit_known, timeout_s=60)
    worker = {"Authorization": f"Bearer {token('community_worker', f'{d}C1', subject='worker-late')}"}
    registered = await dual.post("/api/v1/registrations/units", headers=worker, json={
        "unit_id": unit_id, "agreement": {"title": "结对共建", "hours_per_year": 20, "commitments": [
            {"kind": "service", "description": "Health checks", "categories": ["health"], "quantity": 4,
             "unit_of_measure": "sessions/year"}]}})
    assert registered.status_code == 201, registered.text
    registration_id = registered.json()["id"]
    assert registered.json()["organization_id"] is None
    assert (await dual.post(f"/api/v1/registrations/{registration_id}/approve", headers=worker)).status_code == 200

    organization = await org.post("/api/v1/organizations", headers=admin, json={
        "name": "Clinic Party Branch", "kind": "branch", "setup_mode": "single_unit", "area_code": f"{d}C1",
        "covered_unit_ids": [unit_id], "founded_on": "2020-07-01"})
    assert organization.status_code == 201, organization.text
    organization_id = organization.json()["id"]

    async def registration_follows():
        response = await dual.get(f"/api/v1/registrations/{registration_id}", headers=worker)
        return response.json()["organization_id"] == organization_id

    await eventually(registration_follows, timeout_s=60)
    period = f"{datetime.now(UTC).year}-Q{(datetime.now(UTC).month - 1) // 3 + 1}"
    evaluation = await dual.post("/api/v1/evaluations", headers=worker, json={
        "subject_kind": "unit", "subject_id": unit_id, "period": period, "score": 85})
    assert evaluation.status_code == 201, evaluation.text
    assert (await dual.post(f"/api/v1/evaluations/{evaluation.json()['id']}/publish", headers=worker)).status_code == 200
    on_topic = await read_event(kafka_bootstrap, EVALUATIONS_TOPIC, evaluation.json()["id"], "evaluation.published")
    assert on_topic["organization_id"] == organization_id

    async def shown_under_the_organization():
        response = await org.get(f"/api/v1/organizations/{organization_id}/evaluations", headers=admin)
        return response.status_code == 200 and [e for e in response.json()["items"]
                                                if e.get("evaluation_id", e.get("id")) == evaluation.json()["id"]]

    await eventually(shown_under_the_organization, timeout_s=60)

    async def export_names_the_organization():
        export = await dual.get("/api/v1/cards.xlsx", headers=worker, params={"subject_kind": "unit", "period": period})
        rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
        found = [dict(zip(rows[0], r)) for r in rows[1:] if r[1] == unit_id]
        return found and found[0]["organization_name"] == "Clinic Party Branch" and found[0]

    row = await eventually(export_names_the_organization, timeout_s=60)
    assert row["subject_name"] == "Elm Street Clinic" and row["community_name"] == "Elm"
