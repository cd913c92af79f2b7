"""Duplicate candidates are no oracle: a caller is offered only demands they may read, and a caller who
may not see a demand's personal data learns only that a similar one is open and can be joined ("me
too"), decided on what they may read (the scrubbed text, the point rounded as the demand shows it)."""

import json

from demand_helpers import demand_body

LEAK_DESCRIPTION = "3号楼水管爆裂，楼道积水，联系电话13911112222"
# Hidden point of the demand; shown to those who may not see it rounded to (39.90, 116.45), ~690 m away.
HIDDEN = {"latitude": 39.9049, "longitude": 116.4549}
PUBLISHED = {"latitude": 39.90, "longitude": 116.45}


def _resident(token, area: str, subject: str) -> dict:
    return {"Authorization": f"Bearer {token('resident', area, subject=subject)}"}


async def _file(client, headers, area: str, **over) -> dict:
    body = demand_body(area, category="utilities", description=LEAK_DESCRIPTION, **{**HIDDEN, **over})
    response = await client.post("/api/v1/demands", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_resident_is_offered_nothing_of_a_demand_in_another_grid(client, axis, auth, token):
    hidden = (await _file(client, auth("grid_worker", axis["g2"]), axis["g2"]))["demand"]
    resident = _resident(token, axis["g1"], "probe-other-grid")
    assert (await client.get(f"/api/v1/demands/{hidden['id']}", headers=resident)).status_code == 404  # the premise
    probe = demand_body(axis["g1"], channel="online", category="utilities", description=LEAK_DESCRIPTION, **HIDDEN)
    check = await client.post("/api/v1/demands/duplicate-check", json=probe, headers=resident)
    assert check.status_code == 200, check.text
    assert check.json() == []
    submitted = await client.post("/api/v1/demands", json=probe, headers=resident)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["possible_duplicates"] == []
    assert hidden["id"] not in check.text + submitted.text
    # Staff of the community keep what they had: id, score, area and exact distance.
    staff = (await client.post("/api/v1/demands/duplicate-check", json=probe,
                               headers=auth("community_worker", axis["c1"]))).json()
    match = next(d for d in staff if d["demand_id"] == hidden["id"])
    assert match["kind"] == "match" and match["score"] >= 60 and match["same_area"] is False
    assert match["distance_m"] == 0.0


async def test_a_resident_learns_only_that_a_readable_similar_demand_can_be_joined(client, axis, auth, token):
    demand = (await _file(client, auth("grid_worker", axis["g1"]), axis["g1"]))["demand"]
    resident = _resident(token, axis["g1"], "probe-same-grid")
    answers = []
    for guess in ("13911112222", "13900000000", "18600001111"):  # the hidden phone, and two wrong guesses
        probe = demand_body(axis["g1"], channel="online", category="utilities",
                            description=f"3号楼水管爆裂，楼道积水，联系电话{guess}", **HIDDEN)
        check = await client.post("/api/v1/demands/duplicate-check", json=probe, headers=resident)
        assert check.status_code == 200, check.text
        answers.append(check.json())
    mine = [d for d in answers[0] if d["demand_id"] == demand["id"]]
    assert mine == [{"kind": "similar", "demand_id": demand["id"], "me_too": f"/api/v1/demands/{demand['id']}/me-too"}]
    assert answers[1] == answers[0] and answers[2] == answers[0]  # the guess changes nothing
    assert "13911112222" not in json.dumps(answers)
    # Submitting and listing a demand's duplicates answer the same way; the offered "me too" works.
    submitted = (await client.post("/api/v1/demands", json=probe, headers=resident)).json()
    offered = [d for d in submitted["possible_duplicates"] if d["demand_id"] == demand["id"]]
    assert offered == mine
    listed = (await client.get(f"/api/v1/demands/{submitted['demand']['id']}/duplicates", headers=resident)).json()
    assert [d for d in listed if d["demand_id"] == demand["id"]] == mine
    joined = await client.post(mine[0]["me_too"], headers=resident)
    assert joined.status_code == 200 and joined.json()["counted_now"] is True
    # The grid's staff see the same candidate in full.
    staff = (await client.get(f"/api/v1/demands/{submitted['demand']['id']}/duplicates",
                              headers=auth("grid_worker", axis["g1"]))).json()
    full = next(d for d in staff if d["demand_id"] == demand["id"])
    assert set(full) == {"kind", "demand_id", "score", "same_area", "distance_m"} and full["kind"] == "match"


async def test_a_residents_answer_follows_the_published_point_not_the_hidden_one(client, axis, auth, token):
    """A resident of the community is offered its grids' open demands to join ("me too"), never shown
    them; what the duplicate check offers follows the published (rounded) point, so probing around the
    exact point (within 300 m or not) tells them no more than the rounded one does."""
    demand = (await _file(client, auth("grid_worker", axis["g2"]), axis["g2"]))["demand"]
    resident = _resident(token, axis["c1"], "probe-community")
    assert (await client.get(f"/api/v1/demands/{demand['id']}", headers=resident)).status_code == 404
    shown = (await client.get(f"/api/v1/demands/{demand['id']}", headers=auth("party_member", axis["c1"]))).json()
    assert (shown["place"]["latitude"], shown["place"]["longitude"]) == (PUBLISHED["latitude"], PUBLISHED["longitude"])

    async def offered(headers, point) -> list[str]:
        probe = demand_body(axis["c1"], channel="online", category="utilities", description=LEAK_DESCRIPTION, **point)
        response = await client.post("/api/v1/demands/duplicate-check", json=probe, headers=headers)
        assert response.status_code == 200, response.text
        return [d["demand_id"] for d in response.json()]

    assert demand["id"] not in await offered(resident, HIDDEN)
    assert demand["id"] in await offered(resident, PUBLISHED)
    staff = auth("community_worker", axis["c1"])
    assert demand["id"] in await offered(staff, HIDDEN)
    assert demand["id"] not in await offered(staff, PUBLISHED)
