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
