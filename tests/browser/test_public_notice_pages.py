"""The public notice (公示) and the staff overview over HTTP, in process: built from the partner topics
only, their figures equal demand-intake's /api/v1/rates for the same area and month; no token for the
public page, a staff token within scope for the overview; bad input answers problem+json, never a 500."""

from __future__ import annotations

from demand_intake.app import create_app as demand_app
from demand_intake.settings import Settings as DemandSettings
from notice_helpers import axis, expected_from, figures_in, make_demands
from org_registry.app import create_app as org_app
from org_registry.settings import Settings as OrgSettings
from yizhou.district_clock import DEFAULT_ZONE, month_containing
from yizhou.clock import SystemClock
from yizhou_platform.testing import eventually, serve


async def test_public_page_shows_the_rates_the_api_gives(make_settings, auth, unique_code):
    d = unique_code("PN")
    admin = auth("district_admin", d)
    month = month_containing(SystemClock().now(), DEFAULT_ZONE)
    async with serve(org_app(make_settings(OrgSettings))) as org, \
            serve(demand_app(make_settings(DemandSettings, sweeper_enabled=False))) as demand:
        for area in axis(d):
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201

        async def copied():
            return (await demand.get(f"/api/v1/areas/{d}G1", headers=admin)).status_code == 200

        await eventually(copied, timeout_s=60)
        await make_demands(lambda path, body: demand.post(path, json=body, headers=admin), f"{d}G1", unique_code)

        # Hand count: 6 in the population (w withdrawn); all 6... responded? a b c e f yes, the 7th not yet
        # due -> 5/5; resident answers a yes, b no, e yes -> 2/3; their satisfaction a, e of a b e -> 2/3.
        hand_count = {"submitted": "6", "response_rate": "100.00%", "resolution_rate": "66.67%",
                      "satisfaction_rate": "66.67%"}

        async def api_settled():  # the API's figures first reach the hand count (its consumers apply them)
            api = await demand.get("/api/v1/rates", params={"under": d, "period": month}, headers=admin)
            return expected_from(api.json()) == hand_count

        await eventually(api_settled, timeout_s=60)
        for code in (d, f"{d}S1", f"{d}C1"):     # district, subdistrict, community
            async def matches(code=code):
                api = await demand.get("/api/v1/rates", params={"under": code, "period": month}, headers=admin)
                assert api.status_code == 200, api.text
                page = await org.get(f"/public/{code}")           # no token
                assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
                assert figures_in(page.text, month) == expected_from(api.json()), code
                return True

            await eventually(matches, timeout_s=60)
        expected = hand_count

        page = (await org.get(f"/public/{d}C1")).text
        assert "榆树社区" in page and "<script" not in page and "路灯不亮" not in page   # no free text of a resident
        staff = await org.get(f"/staff/overview/{d}", headers=admin)
        assert staff.status_code == 200 and '<b id="backlog">2</b>' in staff.text   # e (resolved) is done; f and the 7th open
        assert figures_in(staff.text, month) == expected


async def test_pages_refuse_bad_input_with_problems(make_settings, auth, unique_code):
    d = unique_code("PX")
    admin = auth("district_admin", d)
    async with serve(org_app(make_settings(OrgSettings))) as org:
        for area in axis(d):
            assert (await org.post("/api/v1/areas", json=area, headers=admin)).status_code == 201

        async def seen():
            return (await org.get(f"/public/{d}")).status_code == 200

        await eventually(seen, timeout_s=60)
        for path, headers, status, kind in [
                ("/public/NOPE404", {}, 404, "not-found"),
                ("/public/%3Cscript%3E", {}, 422, "validation"),
                ("/public/" + "A" * 33, {}, 422, "validation"),
                (f"/staff/overview/{d}", {}, 401, "unauthenticated"),
                (f"/staff/overview/{d}", auth("resident", d), 403, "forbidden"),
                (f"/staff/overview/{d}", auth("partner", d), 403, "forbidden"),
                (f"/staff/overview/{d}", auth("community_worker", f"{d}C1"), 404, "not-found"),   # above its area
                ("/staff/overview/NOPE404", admin, 404, "not-found")]:
            response = await org.get(path, headers=headers)
            assert response.status_code == status, (path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json"), path
            assert response.json()["type"] == f"urn:yizhou:problem:{kind}", (path, response.text)
        assert (await org.get(f"/staff/overview/{d}C1", headers=auth("community_worker", f"{d}C1"))).status_code == 200
        assert "/public/{area_code}" not in (await org.get("/openapi.json")).json()["paths"]
