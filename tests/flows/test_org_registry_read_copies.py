"""org-registry's unit and member events, through the broker, build dual-registration's read copies
(its own tolerant readers): a unit with the organization that covers it, a member with where they live
and what they can do, a member who left; never their personal data."""

from dual_registration.app import create_app as dual_app
from dual_registration.settings import Settings as DualSettings
from org_registry.app import create_app as org_app
from org_registry.domain.member import with_check_digit
from org_registry.settings import Settings as OrgSettings
from yizhou_platform.testing import eventually, serve


async def test_units_and_members_reach_dual_registration(make_settings, auth, unique_code):
    d = unique_code("R")
    admin = auth("district_admin", d)
    async with serve(org_app(make_settings(OrgSettings))) as org, serve(dual_app(make_settings(DualSettings))) as dual:
        for area in [{"code": d, "name": "Copy District", "level": "district"},
                     {"code": f"{d}S", "name": "Copy Sub", "level": "subdistrict", "parent_code": d},
                     {"code": f"{d}C", "name": "Copy Community", "level": "community", "parent_code": f"{d}S"}]:
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201
        unit = (await org.post("/api/v1/units", json={"name": "Copy Co.", "kind": "state_owned_enterprise",
                                                      "area_code": f"{d}C", "headcount": 40, "members_among_staff": 4},
                               headers=admin)).json()
        org_body = {"name": "Copy Branch", "kind": "branch", "setup_mode": "single_unit", "area_code": f"{d}C",
                    "covered_unit_ids": [unit["id"]], "founded_on": "2001-07-01"}
        organization = (await org.post("/api/v1/organizations", json=org_body, headers=admin)).json()
        member = (await org.post("/api/v1/members", json={
            "name": "周九", "phone": "13511112222", "id_number": with_check_digit("11010519850505" + d[-3:].translate(
                str.maketrans("ABCDEF", "123456"))), "organization_id": organization["id"], "work_unit_id": unit["id"],
            "residence_area_code": f"{d}C", "skills": ["mediation"], "in_service": True, "joined_on": "2010-07-01"},
            headers=admin)).json()

        async def unit_copied():
            response = await dual.get(f"/api/v1/units/{unit['id']}", headers=admin)
            return response.json() if response.status_code == 200 and response.json().get("organization_id") else None

        copy = await eventually(unit_copied, timeout_s=90)
        assert copy["organization_id"] == organization["id"] and copy["community_code"] == f"{d}C"

        async def member_copied():
            response = await dual.get(f"/api/v1/members/{member['id']}", headers=admin)
            return response.json() if response.status_code == 200 else None

        copy = await eventually(member_copied, timeout_s=90)
        assert copy["residence_area_code"] == f"{d}C" and copy["skills"] == ["mediation"]
        assert "周九" not in str(copy) and "13511112222" not in str(copy)

        left = await org.post(f"/api/v1/members/{member['id']}/leave", json={"left_on": "2026-06-30"}, headers=admin)
        assert left.status_code == 200

        async def member_gone():
            body = (await dual.get(f"/api/v1/members/{member['id']}", headers=admin)).json()
            return body if body.get("left") else None

        await eventually(member_gone, timeout_s=90)
