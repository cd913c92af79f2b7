"""What a screen needs from one list call: each demand's deadlines, which of them it missed, its
assignee's id and name, and how many people are behind it; `/overdue` names the deadlines missed.
The list's queries stay bounded: a page of demands costs the same few statements as a page of one."""

from datetime import timedelta

from sqlalchemy import event

from demand_helpers import demand_body, make_unit
from demand_intake.use_cases.deadlines import sweep_overdue
from yizhou_platform.testing import eventually


async def submit(client, headers, area, **kw) -> str:
    response = await client.post("/api/v1/demands", json=demand_body(area, **kw), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["demand"]["id"]


async def test_list_items_carry_deadlines_breaches_and_the_assignee(client, axis, auth, db, clock):
    worker = auth("grid_worker", axis["g1"])
    late = await submit(client, worker, axis["g1"], urgency="emergency", description="燃气泄漏，急需处理")
    on_time = await submit(client, worker, axis["g1"], description="楼道灯不亮")
    detail = (await client.get(f"/api/v1/demands/{late}", headers=worker)).json()
    due = {d["kind"]: d["due_at"] for d in detail["deadlines"]}
    clock.advance(timedelta(hours=3))      # past the emergency's 2 h to respond, before the normal one's 24 h
    await sweep_overdue(db, clock)
    water = await make_unit(db, axis["d"], "区水务局")
    for step, body in (("accept", None), ("assign", {"unit_id": water})):
        assert (await client.post(f"/api/v1/demands/{late}/{step}", json=body, headers=worker)).status_code == 200
    page = (await client.get("/api/v1/demands", params={"area_code": axis["g1"], "limit": 500}, headers=worker)).json()
    items = {item["id"]: item for item in page["items"]}
    item = items[late]
    assert item["breached"] == ["respond"]
    assert item["respond_due_at"] is None and item["resolve_due_at"] == due["resolve"]   # responded: no longer due
    assert (item["assignee"], item["assignee_unit_id"], item["assignee_unit_name"]) == ("区水务局", water, "区水务局")
    assert item["people_count"] == 1
    fresh = items[on_time]
    assert fresh["breached"] == [] and fresh["respond_due_at"] and fresh["assignee_unit_name"] is None
    # The detail carries the same standing.
    detail = (await client.get(f"/api/v1/demands/{late}", headers=worker)).json()
    assert (detail["breached"], detail["assignee_unit_name"]) == (["respond"], "区水务局")

    async def named_in_overdue():
        listed = (await client.get("/api/v1/overdue", params={"under": axis["g1"]}, headers=worker)).json()
        found = [i for i in listed["items"] if i["demand_id"] == late]
        assert found and found[0]["breached"] == ["respond"], listed
        assert on_time not in [i["demand_id"] for i in listed["items"]]
        return found[0]

    found = await eventually(named_in_overdue, timeout_s=30)
    assert found["people_count"] == 1


async def test_a_breach_the_sweeper_has_not_seen_yet_shows_on_the_list(client, axis, auth, clock):
    worker = auth("grid_worker", axis["g2"])
    demand_id = await submit(client, worker, axis["g2"], urgency="emergency", description="电梯困人")
    clock.advance(timedelta(hours=2, minutes=1))   # past due; no sweep ran
    page = (await client.get("/api/v1/demands", params={"area_code": axis["g2"], "limit": 500}, headers=worker)).json()
    (item,) = [i for i in page["items"] if i["id"] == demand_id]
    assert item["breached"] == ["respond"]


async def test_a_page_costs_the_same_statements_whatever_its_size(client, axis, auth, db):
    worker = auth("grid_worker", axis["g3"])
    unit = await make_unit(db, axis["d"], "区城管委")
    engine = db.engine.sync_engine
    for description in ("路灯不亮", "井盖丢失", "垃圾满溢", "树枝折断"):
        demand_id = await submit(client, worker, axis["g3"], description=description)
        assert (await client.post(f"/api/v1/demands/{demand_id}/accept", headers=worker)).status_code == 200
        assign = await client.post(f"/api/v1/demands/{demand_id}/assign", json={"unit_id": unit}, headers=worker)
        assert assign.status_code == 200, assign.text

    async def statements(limit: int) -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = await client.get("/api/v1/demands", params={"area_code": axis["g3"], "limit": limit},
                                        headers=worker)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200 and len(response.json()["items"]) == limit
        return len([s for s in seen if "demand_deadlines" in s or "unit_copy" in s])

    assert await statements(1) == await statements(4) == 2
