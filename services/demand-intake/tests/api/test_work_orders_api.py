"""Hotline work orders (12345 工单): one received, returned and reassigned; another appealed and reduced
(核减), with its effect on the area's rates: a reduced order is in no count, as if it never reached the
area."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from demand_helpers import assert_problem, demand_body
from demand_intake.app import create_app
from demand_intake.settings import Settings
from demand_intake.store.tables import DemandFactRow
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import eventually, serve


@pytest.fixture(scope="module")
async def client(make_settings, clock):
    async with serve(create_app(make_settings(Settings, sweeper_enabled=False), clock)) as client:
        yield client


def _bearer(token, role: str, area: str, subject: str | None = None) -> dict:
    return {"Authorization": f"Bearer {token(role, area, subject=subject)}"}


def _order(clock, area: str, external_id: str, **over) -> dict:
    body = {"external_id": external_id, "received_at": (clock.now() - timedelta(hours=1)).isoformat(),
            "due_at": (clock.now() + timedelta(days=7)).isoformat(), "category": "utilities",
            "hotline_category": "城乡建设/供水", "text": "小区3号楼停水两天，无人处理", "location": {"area_code": area}}
    body.update(over)
    return body


async def _events(db, aggregate_id: str) -> list[str]:
    async with db.sessions() as session:
        rows = await session.execute(select(outbox.c.event_type).where(outbox.c.aggregate_id == aggregate_id)
                                     .order_by(outbox.c.id))
    return [r[0] for r in rows if not r[0].startswith("partner.")]   # partner views aside


async def test_an_order_received_returned_and_reassigned(client, axis, auth, token, clock, db, unique_code):
    hotline = _bearer(token, "partner", axis["d"], subject="city-hotline")
    worker = auth("community_worker", axis["c1"])
    admin = auth("district_admin", axis["d"])
    number = unique_code("BJ12345-")
    body = _order(clock, axis["g1"], number, location={"area_code": axis["g1"], "latitude": 39.9, "longitude": 116.4})

    received = await client.post("/api/v1/work-orders", json=body, headers=hotline)
    assert received.status_code == 201, received.text
    order = received.json()
    assert (order["state"], order["area_code"], order["external_id"], order["counted"]) == \
        ("received", axis["g1"], number, True)
    # A resend of the same number is the same order: 200, nothing new.
    again = await client.post("/api/v1/work-orders", json=body, headers=hotline)
    assert (again.status_code, again.json()["id"], again.json()["demand_id"]) == (200, order["id"], order["demand_id"])
    demand = (await client.get(f"/api/v1/demands/{order['demand_id']}", headers=admin)).json()
    assert (demand["channel"], demand["category"], demand["place"]["area_code"]) == ("hotline", "utilities", axis["g1"])
    assert await _events(db, order["demand_id"]) == ["demand.submitted", "work_order.received"]

    # Only district staff decide a return; the area returns it with a reason.
    returned = await client.post(f"/api/v1/work-orders/{order['id']}/return", json={"reason": "该楼属于相邻社区"},
                                 headers=worker)
    assert returned.status_code == 200, returned.text
    assert (returned.json()["state"], returned.json()["reason"]) == ("returned", "该楼属于相邻社区")
    assert_problem(await client.post(f"/api/v1/work-orders/{order['id']}/return-decision",
                                     json={"decision": "reassign", "area_code": axis["g3"]}, headers=worker),
                   403, "forbidden")
    assert_problem(await client.post(f"/api/v1/work-orders/{order['id']}/return-decision",
                                     json={"decision": "reassign"}, headers=admin), 422, "demand-rule")
    reassigned = await client.post(f"/api/v1/work-orders/{order['id']}/return-decision",
                                   json={"decision": "reassign", "area_code": axis["g3"], "note": "核实属C2"},
                                   headers=admin)
    assert reassigned.status_code == 200, reassigned.text
    moved = reassigned.json()
    assert (moved["state"], moved["area_code"]) == ("reassigned", axis["g3"]) and moved["demand_id"] != order["demand_id"]
    # The first area's demand is withdrawn (out of its rates); the new area's carries the order on.
    first = (await client.get(f"/api/v1/demands/{order['demand_id']}", headers=admin)).json()
    second = (await client.get(f"/api/v1/demands/{moved['demand_id']}", headers=admin)).json()
    assert (first["state"], second["state"], second["place"]["area_code"], second["channel"]) == \
        ("withdrawn", "submitted", axis["g3"], "hotline")
    assert (await _events(db, order["demand_id"]))[-2:] == ["demand.withdrawn", "work_order.reassigned"]
    # The first area no longer sees the order; a resend still answers it (to the hotline, whose area covers it).
    assert_problem(await client.get(f"/api/v1/work-orders/{order['id']}", headers=worker), 404, "not-found")
    assert (await client.post("/api/v1/work-orders", json=body, headers=hotline)).json()["area_code"] == axis["g3"]


async def test_bad_orders_are_refused(client, axis, auth, token, clock, unique_code):
    hotline = _bearer(token, "partner", axis["d"], subject="city-hotline")
    other_partner = _bearer(token, "partner", axis["d"], subject="some-work-unit")
    resident = _bearer(token, "resident", axis["g1"], subject="resident-wo")
    assert_problem(await client.post("/api/v1/work-orders", json=_order(clock, axis["g1"], unique_code("X")),
                                     headers=other_partner), 403, "forbidden")
    assert_problem(await client.post("/api/v1/work-orders", json=_order(clock, axis["g1"], unique_code("X")),
                                     headers=resident), 403, "forbidden")
    late = _order(clock, axis["g1"], unique_code("X"), due_at=(clock.now() - timedelta(days=1)).isoformat())
    assert_problem(await client.post("/api/v1/work-orders", json=late, headers=hotline), 422, "demand-rule")
    assert_problem(await client.post("/api/v1/work-orders", json=_order(clock, axis["g1"], unique_code("X"),
                                                                         category="no_such_category"),
                                     headers=hotline), 422, "unknown-reference")
    assert_problem(await client.post("/api/v1/work-orders", json=_order(clock, "NOWHERE1", unique_code("X")),
                                     headers=hotline), 422, "unknown-reference")
    assert_problem(await client.post("/api/v1/work-orders", json=_order(clock, axis["g1"], "bad id with spaces"),
                                     headers=hotline), 422, "validation")
    assert_problem(await client.get("/api/v1/work-orders/nope", headers=hotline), 404, "not-found")


async def test_an_order_appealed_and_reduced_leaves_the_rates(client, axis, auth, token, clock, db, unique_code):
    hotline = _bearer(token, "partner", axis["d"], subject="city-hotline")
    worker = auth("community_worker", axis["c1"])
    admin = auth("district_admin", axis["d"])
    month = clock.now().astimezone(client.app_state.settings.district_zone).strftime("%Y-%m")

    received = await client.post("/api/v1/work-orders", json=_order(clock, axis["g2"], unique_code("BJ12345-")),
                                 headers=hotline)
    assert received.status_code == 201, received.text
    order = received.json()
    other = await client.post("/api/v1/demands", json=demand_body(axis["g2"]), headers=admin)
    assert other.status_code == 201, other.text
    other_id = other.json()["demand"]["id"]
    for demand_id in (order["demand_id"], other_id):
        for action in ("accept", "resolve"):
            response = await client.post(f"/api/v1/demands/{demand_id}/{action}", json=None, headers=admin)
            assert response.status_code == 200, (action, response.text)
    # An open order is returned, not appealed; a handled one is appealed, not returned.
    assert_problem(await client.post(f"/api/v1/work-orders/{order['id']}/appeal", json={"reason": "已按时办结"},
                                     headers=worker), 422, "demand-rule")
    clock.advance(timedelta(minutes=5))
    for demand_id, resolved, satisfaction in ((order["demand_id"], False, "dissatisfied"), (other_id, True, "satisfied")):
        response = await client.post(f"/api/v1/demands/{demand_id}/callbacks", headers=admin, json={
            "resolved": resolved, "satisfaction": satisfaction, "source": "callback_by_staff"})
        assert response.status_code == 201, response.text
        # Closed on the recorded attempt (a dissatisfied /close would reopen it): the callback is the assessment.
        close = {"feedback": satisfaction} if resolved else {"contact_attempted": True}
        response = await client.post(f"/api/v1/demands/{demand_id}/close", json=close, headers=admin)
        assert response.status_code == 200, response.text
    assert_problem(await client.post(f"/api/v1/work-orders/{order['id']}/return", json={"reason": "不属本社区"},
                                     headers=worker), 422, "demand-rule")

    async def rates(expected):
        body = (await client.get("/api/v1/rates", params={"under": axis["c1"], "period": month}, headers=admin)).json()
        got = (body["submitted"], body["resolution_rate"], body["satisfaction_rate"], body["declared_resolution_rate"])
        return got == expected or got

    # By hand, before: C1 has the order (resident said not resolved, dissatisfied) and the other demand
    # (resolved, satisfied): submitted 2, resolution 1/2, satisfaction 1/2, declared resolved 2/2.
    async def before():
        assert await rates((2, 0.5, 0.5, 1.0)) is True
        return True

    await eventually(before, timeout_s=60)

    appealed = await client.post(f"/api/v1/work-orders/{order['id']}/appeal",
                                 json={"reason": "停水系市政管网检修，非社区责任"}, headers=worker)
    assert appealed.status_code == 200, appealed.text
    assert appealed.json()["state"] == "appealed"
    assert_problem(await client.post(f"/api/v1/work-orders/{order['id']}/appeal-decision",
                                     json={"decision": "reduce"}, headers=worker), 403, "forbidden")
    reduced = await client.post(f"/api/v1/work-orders/{order['id']}/appeal-decision",
                                json={"decision": "reduce", "note": "核实属实，予以核减"}, headers=admin)
    assert reduced.status_code == 200, reduced.text
    assert (reduced.json()["state"], reduced.json()["counted"]) == ("reduced", False)
    assert_problem(await client.post(f"/api/v1/work-orders/{order['id']}/appeal-decision",
                                     json={"decision": "uphold"}, headers=admin), 409, "illegal-transition")
    assert (await _events(db, order["demand_id"]))[-2:] == ["work_order.appealed", "work_order.reduced"]

    # After: the reduced order is in no count; only the other demand: submitted 1, resolution 1/1,
    # satisfaction 1/1, declared 1/1.
    async def after():
        assert await rates((1, 1.0, 1.0, 1.0)) is True
        return True

    await eventually(after, timeout_s=60)
    async with db.sessions() as session:
        fact = await session.get(DemandFactRow, order["demand_id"])
    assert (fact.reduced, fact.state) == (True, "closed")


async def test_hostile_order_bodies_never_500(client, axis, auth, token, clock, unique_code):
    hotline = _bearer(token, "partner", axis["d"], subject="city-hotline")
    admin = auth("district_admin", axis["d"])
    hostile = [None, 0, -1, 1e308, "", " ", "x" * 5000, [], {}, True, "\u0000", "2026-13-45T99:99:99",
               "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", {"area_code": None}, ["a"]]
    for field in ("external_id", "received_at", "due_at", "category", "hotline_category", "text", "urgency",
                  "location", "resident"):
        for value in hostile:
            response = await client.post("/api/v1/work-orders", headers=hotline,
                                         json={**_order(clock, axis["g1"], unique_code("H")), field: value})
            assert response.status_code < 500, (field, value, response.text)
    order = (await client.post("/api/v1/work-orders", json=_order(clock, axis["g1"], unique_code("H")),
                               headers=hotline)).json()
    for action in ("return", "return-decision", "appeal", "appeal-decision"):
        for value in hostile:
            for body in (value, {"reason": value}, {"decision": value}, {"decision": "reassign", "area_code": value}):
                response = await client.post(f"/api/v1/work-orders/{order['id']}/{action}", json=body, headers=admin)
                assert response.status_code < 500, (action, body, response.text)


async def test_a_number_resent_for_another_area_is_a_conflict_that_names_nothing(client, axis, auth, clock, unique_code):
    """Found by the authorization matrix: the same external id sent for another area answered the first order
    (200, naming a record of another area). Now the caller's area comes first, then a conflict without a record."""
    admin = auth("district_admin", axis["d"])
    number = unique_code("WX")
    first = await client.post("/api/v1/work-orders", json=_order(clock, axis["g1"], number), headers=admin)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/work-orders", json=_order(clock, axis["g3"], number), headers=admin)
    body = assert_problem(again, 409, "duplicate")
    assert first.json()["id"] not in again.text and first.json()["demand_id"] not in again.text
    elsewhere = auth("community_worker", axis["c2"])  # may not read g1's order
    assert first.json()["id"] not in (await client.post("/api/v1/work-orders", json=_order(clock, axis["g1"], number),
                                                          headers=elsewhere)).text
    assert body["type"] == "urn:yizhou:problem:duplicate"
