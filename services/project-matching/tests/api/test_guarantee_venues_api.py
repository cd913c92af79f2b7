"""Venues over HTTP: registration (also a matching resource of kind venue), bookings inside opening
hours, no double booking (also when overlapping requests race), cancel, close, scoping per role."""

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from guarantee_helpers import add_organization, approved_project
from matching_helpers import assert_problem
from project_matching.guarantee.domain.venues import LOCAL
from project_matching.guarantee.store.tables import venue_bookings
from yizhou.messaging_tables import outbox

HOURS = [{"weekday": d, "opens": "09:00", "closes": "21:00"} for d in range(1, 6)] + [
    {"weekday": 6, "opens": "09:00", "closes": "12:00"}]


def next_monday(weeks: int = 1) -> datetime:
    today = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 * weeks - today.weekday())


def at(day: datetime, hhmm: str) -> str:
    h, m = hhmm.split(":")
    return (day + timedelta(hours=int(h), minutes=int(m))).isoformat()


async def make_venue(client, axis, headers, owner, **over):
    body = {"name": "Party-mass service centre, hall 2", "kind": "party_mass_service_centre",
            "owner_organization_id": owner, "area_code": axis["c1"], "capacity": 40, "opening_hours": HOURS,
            "facilities": ["projector"], "categories": ["culture_sports"], **over}
    response = await client.post("/api/v1/venues", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def booking(booker, day, start, end, **over):
    return {"booker_kind": "organization", "booker_id": booker, "starts_at": at(day, start), "ends_at": at(day, end),
            "attendees": 30, "purpose": "Branch meeting", **over}


async def test_register_book_cancel_and_the_matching_resource(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    org = await add_organization(db, axis, "c1")
    venue = await make_venue(client, axis, worker, org)
    assert [i["weekday"] for i in venue["opening_hours"]] == [1, 2, 3, 4, 5, 6]
    resource = (await client.get(f"/api/v1/resources/{venue['resource_id']}", headers=worker)).json()
    assert (resource["kind"], resource["provider_kind"], resource["provider_id"], resource["capacity"]) == (
        "venue", "party_organization", org, 6)
    url = f"/api/v1/venues/{venue['id']}/bookings"
    monday = next_monday()
    first = await client.post(url, json=booking(org, monday, "14:00", "16:00"), headers=worker)
    assert first.status_code == 201, first.text
    assert first.json()["allowed_next_states"] == ["cancelled"]
    # Overlaps in every way are refused, naming the booking in the way; touching ends are fine.
    for start, end in (("13:00", "14:30"), ("15:00", "15:30"), ("15:59", "18:00"), ("13:00", "17:00")):
        conflict = assert_problem(await client.post(url, json=booking(org, monday, start, end), headers=worker), 409,
                                  "booking-conflict")
        assert conflict["conflicts"][0]["booking_id"] == first.json()["id"]
    assert (await client.post(url, json=booking(org, monday, "16:00", "17:00"), headers=worker)).status_code == 201
    assert (await client.post(url, json=booking(org, monday, "12:00", "14:00"), headers=worker)).status_code == 201
    # Opening hours (local time), capacity, the past, whole minutes.
    for bad in (booking(org, monday, "08:00", "10:00"), booking(org, monday, "20:00", "22:00"),
                booking(org, monday + timedelta(days=5), "11:00", "13:00"),
                booking(org, monday + timedelta(days=6), "10:00", "11:00"),
                booking(org, monday, "18:00", "19:00", attendees=41),
                booking(org, monday - timedelta(days=14), "10:00", "11:00"),
                booking(org, monday + timedelta(weeks=110), "10:00", "11:00"),
                {**booking(org, monday, "18:00", "19:00"), "starts_at": at(monday, "18:00").replace(":00+", ":30+")},
                booking(org, monday, "19:00", "18:00")):
        assert_problem(await client.post(url, json=bad, headers=worker), 422, "rule-violated")
    far = {**booking(org, monday, "10:00", "11:00"), "starts_at": "9999-12-31T20:00:00+00:00"}
    assert_problem(await client.post(url, json=far, headers=worker), 422, "validation")
    assert_problem(await client.get(url, params={"from": "0001-01-01T00:00:00+05:00"}, headers=worker), 422,
                   "validation")
    cancelled = await client.post(f"{url}/{first.json()['id']}/cancel", headers=worker)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = assert_problem(await client.post(f"{url}/{first.json()['id']}/cancel", headers=worker), 409,
                           "illegal-transition")
    assert again["current_state"] == "cancelled" and again["allowed_states"] == []
    assert (await client.post(url, json=booking(org, monday, "14:30", "15:30"), headers=worker)).status_code == 201
    listed = (await client.get(url, params={"state": "booked"}, headers=worker)).json()["items"]
    assert len(listed) == 3
    async with db.sessions() as session:
        types = [r.event_type for r in (await session.execute(
            select(outbox.c.event_type).where(outbox.c.aggregate_id == venue["id"]).order_by(outbox.c.id))).all()]
        registered = (await session.execute(select(outbox.c.data).where(
            outbox.c.aggregate_id == venue["resource_id"], outbox.c.event_type == "resource.registered"))).scalar_one()
    assert types == ["venue.registered", "venue.booked", "venue.booked", "venue.booked", "venue.booking_cancelled",
                     "venue.booked"]
    assert registered["kind"] == "venue" and registered["categories"] == ["culture_sports"]


async def test_concurrent_overlapping_bookings_get_exactly_one(client, axis, auth, db):
    worker = auth("community_worker", axis["c1"])
    org = await add_organization(db, axis, "c1")
    venue = await make_venue(client, axis, worker, org)
    url = f"/api/v1/venues/{venue['id']}/bookings"
    day = next_monday(2) + timedelta(days=2)
    # Eight requests, none identical, each holding 10:20-10:25: any two overlap.
    slots = [("09:00", "10:30"), ("10:00", "11:00"), ("10:15", "10:45"), ("10:20", "12:00"), ("09:30", "11:30"),
             ("10:10", "13:00"), ("09:00", "10:25"), ("10:00", "10:30")]
    answers = await asyncio.gather(*(client.post(url, json=booking(org, day, s, e), headers=worker) for s, e in slots))
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] + [409] * 7, [r.text for r in answers]
    async with db.sessions() as session:
        live = (await session.execute(select(venue_bookings).where(venue_bookings.c.venue_id == venue["id"],
                                                                   venue_bookings.c.state == "booked"))).all()
    assert len(live) == 1


async def test_projects_book_close_and_scope(client, axis, auth, db):
    worker, admin = auth("community_worker", axis["c1"]), auth("subdistrict_admin", axis["s1"])
    org = await add_organization(db, axis, "c1")
    far = await add_organization(db, axis, "c2")
    assert_problem(await client.post("/api/v1/venues", json={
        "name": "x", "kind": "other", "owner_organization_id": "org-unknown", "area_code": axis["c1"], "capacity": 5,
        "opening_hours": HOURS}, headers=worker), 422, "unknown-reference")
    assert_problem(await client.post("/api/v1/venues", json={
        "name": "x", "kind": "other", "owner_organization_id": org, "area_code": axis["c1"], "capacity": 5,
        "opening_hours": [{"weekday": 1, "opens": "09:00", "closes": "12:00"},
                          {"weekday": 1, "opens": "11:00", "closes": "13:00"}]}, headers=worker), 422, "rule-violated")
    assert_problem(await client.post("/api/v1/venues", json={
        "name": "x", "kind": "other", "owner_organization_id": org, "area_code": axis["c1"], "capacity": 5,
        "opening_hours": [{"weekday": 1, "opens": "12:00", "closes": "09:00"}]}, headers=worker), 422, "rule-violated")
    assert_problem(await client.post("/api/v1/venues", json={
        "name": "x", "kind": "other", "owner_organization_id": org, "area_code": axis["c1"], "capacity": 5,
        "opening_hours": [{"weekday": 8, "opens": "09:00", "closes": "10:00"}]}, headers=worker), 422, "validation")
    venue = await make_venue(client, axis, worker, org)
    url = f"/api/v1/venues/{venue['id']}/bookings"
    day = next_monday(3)
    pid = await approved_project(client, axis, worker, admin)
    by_project = await client.post(url, json=booking(pid, day, "09:00", "10:00", booker_kind="project"),
                                   headers=worker)
    assert by_project.status_code == 201, by_project.text
    assert_problem(await client.post(url, json=booking("nope", day, "10:00", "11:00", booker_kind="project"),
                                     headers=worker), 422, "unknown-reference")
    # A booker outside the caller's area is unknown to it.
    assert_problem(await client.post(url, json=booking(far, day, "10:00", "11:00"), headers=worker), 422,
                   "unknown-reference")
    outsider = auth("community_worker", axis["c2"])
    assert_problem(await client.get(f"/api/v1/venues/{venue['id']}", headers=outsider), 404, "not-found")
    assert_problem(await client.post(url, json=booking(far, day, "10:00", "11:00"), headers=outsider), 404, "not-found")
    assert all(v["id"] != venue["id"] for v in (await client.get("/api/v1/venues", headers=outsider)).json()["items"])
    assert_problem(await client.post("/api/v1/venues", json={
        "name": "x", "kind": "other", "owner_organization_id": org, "area_code": axis["c1"], "capacity": 5,
        "opening_hours": HOURS}, headers=auth("grid_worker", axis["g1"])), 403, "forbidden")
    assert_problem(await client.get("/api/v1/venues", headers=auth("resident", axis["g1"])), 403, "forbidden")
    changed = await client.patch(f"/api/v1/venues/{venue['id']}", json={"capacity": 80, "opening_hours": HOURS[:2]},
                                 headers=worker)
    assert changed.status_code == 200 and changed.json()["capacity"] == 80
    assert (await client.get(f"/api/v1/resources/{venue['resource_id']}", headers=worker)).json()["capacity"] == 2
    assert_problem(await client.patch(f"/api/v1/venues/{venue['id']}", json={}, headers=worker), 422, "validation")
    found = (await client.get("/api/v1/venues", params={"facility": "projector", "under": axis["c1"]},
                              headers=worker)).json()["items"]
    assert venue["id"] in {v["id"] for v in found}
    closed = await client.post(f"/api/v1/venues/{venue['id']}/close", headers=worker)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    bookings = (await client.get(url, headers=worker)).json()["items"]
    assert [b["state"] for b in bookings] == ["cancelled"]
    assert (await client.get(f"/api/v1/resources/{venue['resource_id']}", headers=worker)).json()["state"] == "withdrawn"
    assert_problem(await client.post(url, json=booking(org, day, "10:00", "11:00"), headers=worker), 409,
                   "venue-closed")
