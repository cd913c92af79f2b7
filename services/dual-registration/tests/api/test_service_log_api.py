"""The service log over HTTP: hours rules, overlap, who confirms, check-in codes (expiry and reuse),
and the ledger totals that confirmations post."""

from datetime import timedelta

import pytest


@pytest.fixture
async def member(world):
    member_id = f"m-svc-{world.district}"
    return member_id, await world.registered_member(member_id)


def session_body(world, registration_id, start, hours=2, **extra):
    return {"registration_id": registration_id, "activity": "Tutoring children of building 3", "category": "education",
            "area_code": world.grid, "started_at": start.isoformat(), "ended_at": (start + timedelta(hours=hours)).isoformat(),
            **extra}


async def test_logged_hours_count_only_once_confirmed_by_someone_else(world, member, clock, problem, outbox_events):
    member_id, reg = member
    start = clock.now() - timedelta(days=2)
    logged = await world.client.post("/api/v1/services", headers=world.member(member_id),
                                     json={**session_body(world, reg, start, hours=3), "hours": 2.5})
    assert logged.status_code == 201, logged.text
    service = logged.json()
    assert service["state"] == "logged" and service["minutes"] == 150 and service["hours"] == 2.5

    account = f"/api/v1/ledger/member/{member_id}"
    assert (await world.client.get(account, headers=world.worker)).json()["balance_minutes"] == 0
    problem(await world.client.post(f"/api/v1/services/{service['id']}/confirm", headers=world.member(member_id)),
            403, "forbidden")  # members do not confirm at all, least of all themselves
    confirmed = await world.client.post(f"/api/v1/services/{service['id']}/confirm", headers=world.worker)
    assert confirmed.status_code == 200 and confirmed.json()["decided_as"] == "community"
    problem(await world.client.post(f"/api/v1/services/{service['id']}/confirm", headers=world.worker),
            409, "illegal-transition")

    statement = (await world.client.get(account, headers=world.worker)).json()
    assert statement["balance_minutes"] == 150 and statement["balance_hours"] == 2.5
    assert [(m["side"], m["minutes"], m["service_id"]) for m in statement["movements"]] == [("credit", 150, service["id"])]
    community = (await world.client.get(f"/api/v1/ledger/community/{world.community}", headers=world.worker)).json()
    assert community["balance_minutes"] == 150 and community["movements"][0]["side"] == "debit"
    own = await world.client.get(account, headers=world.member(member_id))
    assert own.status_code == 200 and own.json()["balance_minutes"] == 150
    problem(await world.client.get(account, headers=world.member("m-other")), 403, "forbidden")
    assert [t for t, _ in await outbox_events(service["id"])] == ["service.logged", "service.confirmed"]
    [_, (_, confirmed_event)] = await outbox_events(service["id"])
    assert confirmed_event["minutes"] == 150 and "served_resident_ref" not in confirmed_event


async def test_staff_who_logged_for_a_member_cannot_confirm_it(world, member, clock, problem):
    _, reg = member
    logged = await world.client.post("/api/v1/services", headers=world.worker,
                                     json=session_body(world, reg, clock.now() - timedelta(days=5)))
    assert logged.status_code == 201, logged.text
    problem(await world.client.post(f"/api/v1/services/{logged.json()['id']}/confirm", headers=world.worker),
            403, "self-confirmation")
    other_worker = world.headers("community_worker", world.community, subject="another-worker")
    assert (await world.client.post(f"/api/v1/services/{logged.json()['id']}/confirm", headers=other_worker)).status_code == 200


async def test_the_resident_served_confirms_or_disputes(world, member, clock, problem):
    member_id, reg = member
    start = clock.now() - timedelta(days=8)
    logged = (await world.client.post("/api/v1/services", headers=world.member(member_id),
                                      json=session_body(world, reg, start, served_resident_ref="resident-77"))).json()
    stranger = world.headers("resident", world.community, subject="resident-99")
    problem(await world.client.post(f"/api/v1/services/{logged['id']}/confirm", headers=stranger), 404, "not-found")
    served = world.headers("resident", world.community, subject="resident-77")
    seen = (await world.client.get("/api/v1/services", headers=served)).json()["items"]
    assert [s["id"] for s in seen] == [logged["id"]]
    confirmed = await world.client.post(f"/api/v1/services/{logged['id']}/confirm", headers=served)
    assert confirmed.json()["decided_as"] == "resident"

    disputed = (await world.client.post("/api/v1/services", headers=world.member(member_id),
                                        json=session_body(world, reg, start + timedelta(hours=5),
                                                          served_resident_ref="resident-77"))).json()
    rejected = await world.client.post(f"/api/v1/services/{disputed['id']}/reject", headers=served,
                                       json={"note": "did not happen"})
    assert rejected.json()["state"] == "rejected"
    statement = (await world.client.get(f"/api/v1/ledger/member/{member_id}", headers=world.worker)).json()
    assert statement["balance_minutes"] == 120  # the disputed session never counted


@pytest.mark.parametrize("hours,ends_after", [(0, 2), (-1, 2), (3, 2), (None, 0), (None, -1), (None, 25), (1e308, 2)])
async def test_hours_must_be_positive_and_fit(world, member, clock, problem, hours, ends_after):
    _, reg = member
    start = clock.now() - timedelta(days=3)
    body = {**session_body(world, reg, start), "ended_at": (start + timedelta(hours=ends_after)).isoformat(), "hours": hours}
    problem(await world.client.post("/api/v1/services", headers=world.worker, json=body), 422, "invalid-hours")


async def test_no_future_or_naive_times_and_no_foreign_areas(world, member, clock, problem):
    _, reg = member
    problem(await world.client.post("/api/v1/services", headers=world.worker,
                                    json=session_body(world, reg, clock.now() + timedelta(hours=1))), 422, "invalid-hours")
    naive = {**session_body(world, reg, clock.now() - timedelta(days=1)), "started_at": "2026-02-01T09:00:00"}
    problem(await world.client.post("/api/v1/services", headers=world.worker, json=naive), 422, "validation")
    elsewhere = {**session_body(world, reg, clock.now() - timedelta(days=1)), "area_code": world.other_community}
    problem(await world.client.post("/api/v1/services", headers=world.worker, json=elsewhere), 422, "unknown-reference")


async def test_no_overlapping_sessions_for_one_member(world, member, clock, problem):
    member_id, reg = member
    start = clock.now() - timedelta(days=10)
    first = await world.client.post("/api/v1/services", headers=world.member(member_id), json=session_body(world, reg, start))
    assert first.status_code == 201
    for offset in (0, 1, -1):
        problem(await world.client.post("/api/v1/services", headers=world.member(member_id),
                                        json=session_body(world, reg, start + timedelta(hours=offset))),
                409, "overlapping-session")
    back_to_back = await world.client.post("/api/v1/services", headers=world.member(member_id),
                                           json=session_body(world, reg, start + timedelta(hours=2)))
    assert back_to_back.status_code == 201
    # A rejected session frees its time.
    await world.client.post(f"/api/v1/services/{first.json()['id']}/reject", headers=world.worker)
    assert (await world.client.post("/api/v1/services", headers=world.member(member_id),
                                    json=session_body(world, reg, start, hours=1))).status_code == 201


async def test_checkin_codes_are_one_time_and_expire(world, member, clock, problem):
    member_id, _ = member
    starts = clock.now() + timedelta(hours=1)
    issued = await world.client.post("/api/v1/checkin-codes", headers=world.worker, json={
        "area_code": world.community, "activity": "Little red caps patrol", "category": "public_safety",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(), "count": 3})
    assert issued.status_code == 201, issued.text
    codes = issued.json()["codes"]
    assert len({c["code"] for c in codes}) == 3
    assert codes[0]["qr_payload"].startswith("yizhou://checkin?code=" + codes[0]["code"])

    checked = await world.client.post("/api/v1/checkins", headers=world.member(member_id),
                                      json={"qr_payload": codes[0]["qr_payload"]})
    assert checked.status_code == 201, checked.text
    service = checked.json()
    assert service["checkin_code"] == codes[0]["code"] and service["minutes"] == 120 and service["state"] == "logged"
    other = f"m-chk-{world.district}"
    await world.registered_member(other)
    problem(await world.client.post("/api/v1/checkins", headers=world.member(other), json={"code": codes[0]["code"]}),
            409, "checkin-code-used")
    # Typed codes are forgiving about case and dashes.
    typed = codes[1]["code"].lower()
    assert (await world.client.post("/api/v1/checkins", headers=world.member(other),
                                    json={"code": f"{typed[:4]}-{typed[4:]}"})).status_code == 201
    # The community confirms only after the event.
    problem(await world.client.post(f"/api/v1/services/{service['id']}/confirm", headers=world.worker),
            409, "service-not-over")

    clock.advance(timedelta(hours=3, minutes=1))
    third = f"m-late-{world.district}"
    await world.registered_member(third)
    problem(await world.client.post("/api/v1/checkins", headers=world.member(third), json={"code": codes[2]["code"]}),
            410, "checkin-code-expired")
    assert (await world.client.post(f"/api/v1/services/{service['id']}/confirm", headers=world.worker)).status_code == 200

    problem(await world.client.post("/api/v1/checkins", headers=world.member(third), json={"code": "ZZZZZZZZZZ"}),
            404, "not-found")
    problem(await world.client.post("/api/v1/checkins", headers=world.member(third), json={"code": "short"}),
            422, "rule-violated")
    problem(await world.client.post("/api/v1/checkins", headers=world.member(third), json={}), 422, "validation")
    problem(await world.client.post("/api/v1/checkins", headers=world.member(third),
                                    json={"qr_payload": "https://example.com/?code=1234567890"}), 422, "rule-violated")


async def test_only_community_staff_issue_codes_for_their_community(world, clock, problem):
    starts = clock.now() + timedelta(hours=1)
    body = {"area_code": world.community, "activity": "x", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat()}
    problem(await world.client.post("/api/v1/checkin-codes", headers=world.member("m-q"), json=body), 403, "forbidden")
    far = world.headers("community_worker", world.far_community)
    problem(await world.client.post("/api/v1/checkin-codes", headers=far, json=body), 422, "unknown-reference")
    past = {**body, "expires_at": (clock.now() - timedelta(minutes=1)).isoformat()}
    problem(await world.client.post("/api/v1/checkin-codes", headers=world.worker, json=past), 422, "rule-violated")
    problem(await world.client.post("/api/v1/checkin-codes", headers=world.worker, json={**body, "count": 0}),
            422, "validation")


async def test_odd_inputs_get_a_4xx_not_a_500(world, member, clock, problem):
    member_id, reg = member
    start = clock.now() - timedelta(days=20)
    problem(await world.client.get("/api/v1/services", headers=world.worker, params={"from": "2026-01-01T00:00:00"}),
            422, "validation")
    problem(await world.client.get(f"/api/v1/ledger/member/{member_id}", headers=world.worker,
                                   params={"to": "2026-01-01T00:00:00"}), 422, "validation")
    assert (await world.client.get("/api/v1/services", headers=world.worker,
                                   params={"from": "2026-01-01T00:00:00Z"})).status_code == 200
    nan = '{"registration_id": "%s", "activity": "x", "area_code": "%s", "started_at": "%s", "ended_at": "%s", "hours": NaN}' % (
        reg, world.grid, start.isoformat(), (start + timedelta(hours=1)).isoformat())
    problem(await world.client.post("/api/v1/services", headers={**world.worker, "content-type": "application/json"},
                                    content=nan), 422, "validation")
    problem(await world.client.get("/api/v1/ledger/member/nobody", headers=world.worker), 404, "not-found")
    problem(await world.client.get("/api/v1/ledger/bank/x", headers=world.worker), 422, "validation")


async def test_a_resident_confirms_only_in_their_community_and_only_so_much_of_one_member(world, member, clock, problem):
    """The fabrication of issue 19: a member logs hours "for" an account they control, which confirms
    them. A resident account confirms only service in the community it lives in, and at most 4 hours of
    one member's service in 30 days; the community's staff confirm the rest."""
    member_id, reg = member
    start = clock.now() - timedelta(days=6)

    async def log(at, served):
        return (await world.client.post("/api/v1/services", headers=world.member(member_id),
                                        json=session_body(world, reg, at, served_resident_ref=served))).json()["id"]

    elsewhere = await log(start, "resident-elsewhere")
    outsider = world.headers("resident", world.other_community, subject="resident-elsewhere")
    problem(await world.client.post(f"/api/v1/services/{elsewhere}/confirm", headers=outsider), 404, "not-found")

    served = world.headers("resident", world.community, subject="resident-55")
    sessions = [await log(start + timedelta(hours=3 * n), "resident-55") for n in (1, 2, 3)]
    for service_id in sessions[:2]:  # 2 h + 2 h: up to the 4 hours one resident may confirm
        confirmed = await world.client.post(f"/api/v1/services/{service_id}/confirm", headers=served)
        assert confirmed.status_code == 200, confirmed.text
    body = problem(await world.client.post(f"/api/v1/services/{sessions[2]}/confirm", headers=served), 409,
                   "resident-confirmation-cap")
    assert "240" in body["detail"]
    by_staff = await world.client.post(f"/api/v1/services/{sessions[2]}/confirm", headers=world.worker)
    assert by_staff.status_code == 200 and by_staff.json()["decided_as"] == "community"
    statement = (await world.client.get(f"/api/v1/ledger/member/{member_id}", headers=world.worker)).json()
    assert statement["balance_minutes"] == 360


async def test_a_residents_odd_confirmations_are_flagged_for_the_community_only(world, member, clock, problem):
    """Under the cap one session at a time, an account a member controls still shows a pattern: the same
    resident confirming the same provider again and again, or confirming for many providers in a week. The
    community sees those confirmations flagged (they count meanwhile); the member and resident do not."""
    member_id, reg = member
    start = clock.now() - timedelta(days=5)
    served = world.headers("resident", world.community, subject="resident-77")
    ids = []
    for n in range(3):
        logged = await world.client.post("/api/v1/services", headers=world.member(member_id), json=session_body(
            world, reg, start + timedelta(hours=2 * n), hours=1, served_resident_ref="resident-77"))
        ids.append(logged.json()["id"])
        confirmed = await world.client.post(f"/api/v1/services/{ids[-1]}/confirm", headers=served)
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["review_flags"] is None  # the resident never sees the community's flags
    seen = {i: (await world.client.get(f"/api/v1/services/{i}", headers=world.worker)).json()["review_flags"]
            for i in ids}
    assert seen == {ids[0]: None, ids[1]: None, ids[2]: ["repeated-pair"]}
    flagged = (await world.client.get("/api/v1/services", params={"flagged": "true"}, headers=world.worker)).json()
    assert [s["id"] for s in flagged["items"]] == [ids[2]]
    own = (await world.client.get(f"/api/v1/services/{ids[2]}", headers=world.member(member_id))).json()
    assert own["review_flags"] is None
    problem(await world.client.get("/api/v1/services", params={"flagged": "true"}, headers=world.member(member_id)),
            403, "forbidden")
    statement = (await world.client.get(f"/api/v1/ledger/member/{member_id}", headers=world.worker)).json()
    assert statement["balance_minutes"] == 180  # flagged hours still count until the community decides
