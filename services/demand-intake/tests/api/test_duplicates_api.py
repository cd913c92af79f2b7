"""Duplicates on submit (near, similar, recent), staff merge, and residents' "me too"."""

from demand_helpers import assert_problem, demand_body


async def test_a_similar_nearby_demand_is_offered_as_a_duplicate_and_merged(client, axis, auth, token):
    worker = auth("grid_worker", axis["g1"])
    first = (await client.post("/api/v1/demands", json=demand_body(axis["g1"], category="utilities",
                                                                    description="3号楼水管爆裂，楼道积水"),
                               headers=worker)).json()["demand"]
    check = await client.post("/api/v1/demands/duplicate-check",
                              json=demand_body(axis["g2"], category="utilities", description="3号楼水管爆裂了，楼道里都是水",
                                               latitude=39.9088, longitude=116.4606), headers=auth("community_worker", axis["c1"]))
    assert [d["demand_id"] for d in check.json()] == [first["id"]]
    assert check.json()[0]["same_area"] is False and check.json()[0]["distance_m"] < 50
    unrelated = await client.post("/api/v1/demands/duplicate-check",
                                  json=demand_body(axis["g1"], description="广场舞音响太吵"), headers=worker)
    assert unrelated.json() == []
    second = (await client.post("/api/v1/demands", json=demand_body(axis["g1"], category="utilities",
                                                                     description="3号楼水管爆裂，楼道积水严重"),
                                headers=worker)).json()
    assert [d["demand_id"] for d in second["possible_duplicates"]] == [first["id"]]
    listed = (await client.get(f"/api/v1/demands/{second['demand']['id']}/duplicates", headers=worker)).json()
    assert [d["demand_id"] for d in listed] == [first["id"]]
    assert_problem(await client.post(f"/api/v1/demands/{second['demand']['id']}/merge",
                                     json={"into_demand_id": first["id"]}, headers=auth("resident", axis["g1"])),
                   403, "forbidden")
    merged = await client.post(f"/api/v1/demands/{second['demand']['id']}/merge", json={"into_demand_id": first["id"]},
                               headers=worker)
    assert merged.status_code == 200 and merged.json()["me_too_count"] == 1
    gone = (await client.get(f"/api/v1/demands/{second['demand']['id']}", headers=worker)).json()
    assert gone["state"] == "merged" and gone["merged_into"] == first["id"]
    assert_problem(await client.post(f"/api/v1/demands/{first['id']}/merge", json={"into_demand_id": first["id"]},
                                     headers=worker), 422, "demand-rule")


async def test_me_too_counts_each_person_once_on_open_demands(client, axis, auth, token):
    worker = auth("grid_worker", axis["g3"])
    demand_id = (await client.post("/api/v1/demands", json=demand_body(axis["g3"], description="小区门口路面塌陷"),
                                   headers=worker)).json()["demand"]["id"]
    neighbours = [{"Authorization": f"Bearer {token('resident', axis['g3'], subject=f'neighbour-{i}')}"} for i in range(3)]
    counts = []
    for headers in neighbours + neighbours[:1]:
        response = await client.post(f"/api/v1/demands/{demand_id}/me-too", headers=headers)
        assert response.status_code == 200, response.text
        counts.append((response.json()["me_too_count"], response.json()["counted_now"]))
    assert counts == [(1, True), (2, True), (3, True), (3, False)]
    assert_problem(await client.post(f"/api/v1/demands/{demand_id}/me-too", headers=auth("resident", axis["g1"])),
                   404, "not-found")
    assert (await client.post(f"/api/v1/demands/{demand_id}/withdraw", headers=worker)).status_code == 200
    assert_problem(await client.post(f"/api/v1/demands/{demand_id}/me-too", headers=neighbours[1]), 422, "demand-rule")


async def test_the_people_behind_a_demand_include_its_resident_and_a_merge_counts_each_once(client, axis, auth, token):
    def resident(name: str) -> dict:
        return {"Authorization": f"Bearer {token('resident', axis['g2'], subject=name + '-' + axis['d'])}"}

    a, b, c = resident("a"), resident("b"), resident("c")
    keep = (await client.post("/api/v1/demands", json=demand_body(axis["g2"], channel="online", description="小区电梯经常停运"),
                              headers=a)).json()["demand"]
    assert (keep["me_too_count"], keep["people_count"]) == (0, 1)
    joined = (await client.post(f"/api/v1/demands/{keep['id']}/me-too", headers=b)).json()
    assert (joined["me_too_count"], joined["people_count"]) == (1, 2)   # a and b: two people
    dup = (await client.post("/api/v1/demands", json=demand_body(axis["g2"], channel="online", description="电梯又停了"),
                             headers=c)).json()["demand"]
    for headers in (a, b):   # the same two say "me too" on the duplicate as well
        assert (await client.post(f"/api/v1/demands/{dup['id']}/me-too", headers=headers)).json()["counted_now"] is True
    worker = auth("grid_worker", axis["g2"])
    merged = await client.post(f"/api/v1/demands/{dup['id']}/merge", json={"into_demand_id": keep["id"]}, headers=worker)
    assert merged.status_code == 200, merged.text
    assert (merged.json()["me_too_count"], merged.json()["people_count"]) == (2, 3)   # a, b and c, each once
    # c is behind it already (through the duplicate): a "me too" now is no second voice.
    again = (await client.post(f"/api/v1/demands/{keep['id']}/me-too", headers=c)).json()
    assert (again["people_count"], again["counted_now"]) == (3, False)
    listed = (await client.get("/api/v1/demands", params={"area_code": axis["g2"]}, headers=worker)).json()["items"]
    assert [i["people_count"] for i in listed if i["id"] == keep["id"]] == [3]
