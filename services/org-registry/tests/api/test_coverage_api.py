"""Coverage figures against a small district counted by hand (see the table in the test)."""

from datetime import datetime

from registry_helpers import add_organization, add_unit, assert_problem


async def test_coverage_matches_the_hand_count(client, district, auth):
    admin, c1, c2 = district["admin"], district["c1"], district["c2"]
    #  unit  area kind/size      members  organization              own  covered  with members
    #  L1    C1   npe large      5        own single-unit           yes  yes      yes
    #  L2    C1   npe large      0        joint with L3             no   yes      no
    #  L3    C2   npe large      2        joint with L2             no   yes      yes
    #  L4    C1   npe large      0        none                      no   no       no
    #  L5    C1   npe large      1        own, but dissolved        no   no       yes
    #  SM1   C2   npe small      0        commercial building only  no   yes      no
    #  SC1   C2   school         3        own single-unit           yes  yes      yes
    #  SC2   C2   school         0        none                      no   no       no
    u = {}
    for key, area, size, members in [("L1", c1, "large", 5), ("L2", c1, "large", 0), ("L3", c2, "large", 2),
                                     ("L4", c1, "large", 0), ("L5", c1, "large", 1), ("SM1", c2, "small", 0)]:
        u[key] = (await add_unit(client, admin, area, name=key, size_class=size, members_among_staff=members))["id"]
    for key, members in [("SC1", 3), ("SC2", 0)]:
        u[key] = (await add_unit(client, admin, c2, name=key, kind="school", size_class=None, members_among_staff=members))["id"]
    await add_organization(client, admin, c1, [u["L1"]], name="L1 Branch")
    await add_organization(client, admin, c1, [u["L2"], u["L3"]], setup_mode="joint", name="Joint Branch")
    gone = await add_organization(client, admin, c1, [u["L5"]], name="L5 Branch")
    dissolved = await client.post(f"/api/v1/organizations/{gone['id']}/dissolve", json={"dissolved_on": "2025-12-31"},
                                  headers=admin)
    assert dissolved.status_code == 200
    await add_organization(client, admin, c2, [u["SM1"]], setup_mode="commercial_building", name="Tower", kind="committee")
    await add_organization(client, admin, c2, [u["SC1"]], setup_mode="private_school_general_branch", name="SC1 General",
                           kind="general_branch")
    await add_organization(client, admin, c2, [u["SC1"]], name="SC1 Branch")

    report = (await client.get("/api/v1/coverage", headers=admin)).json()
    assert report["area_code"] == district["code"]
    rows = {(r["kind"], r["size_class"]): r for r in report["rows"]}
    figures = {k: (r["units"], r["with_own_organization"], r["covered"], r["with_members"],
                   r["own_organization_share"], r["covered_share"], r["with_members_share"]) for k, r in rows.items()}
    assert figures == {
        ("non_public_enterprise", "large"): (5, 1, 3, 3, 20.0, 60.0, 60.0),
        ("non_public_enterprise", "small"): (1, 0, 1, 0, 0.0, 100.0, 0.0),
        ("school", None): (2, 1, 1, 1, 50.0, 50.0, 50.0),
    }
    t = report["total"]
    assert (t["kind"], t["units"], t["with_own_organization"], t["covered"], t["with_members"]) == ("all", 8, 2, 5, 4)
    assert (t["own_organization_share"], t["covered_share"], t["with_members_share"]) == (25.0, 62.5, 50.0)
    first_as_of = datetime.fromisoformat(report["as_of"])

    north = (await client.get("/api/v1/coverage", params={"under": district["s1"]}, headers=admin)).json()
    assert [(r["kind"], r["units"], r["with_own_organization"], r["covered"], r["with_members"]) for r in north["rows"]] \
        == [("non_public_enterprise", 4, 1, 2, 2)]
    schools = (await client.get("/api/v1/coverage", params={"kind": "school"}, headers=admin)).json()
    assert [r["kind"] for r in schools["rows"]] == ["school"] and schools["total"]["units"] == 2
    large = (await client.get("/api/v1/coverage", params={"size_class": "large"}, headers=admin)).json()
    assert large["total"]["covered_share"] == 60.0

    # A community worker's figures are their community's; other areas are not found.
    south = (await client.get("/api/v1/coverage", headers=auth("community_worker", c2))).json()
    assert south["area_code"] == c2 and south["total"]["units"] == 4
    assert_problem(await client.get("/api/v1/coverage", params={"under": c1}, headers=auth("community_worker", c2)),
                   404, "not-found")

    # Figures follow the data: covering L4 raises the large enterprises' covered share to 4 of 5.
    await add_organization(client, admin, c1, [u["L4"]], name="L4 Branch")
    later = (await client.get("/api/v1/coverage", params={"kind": "non_public_enterprise", "size_class": "large"},
                              headers=admin)).json()
    assert (later["total"]["covered"], later["total"]["covered_share"], later["total"]["own_organization_share"]) == \
        (4, 80.0, 40.0)
    assert datetime.fromisoformat(later["as_of"]) >= first_as_of


async def test_empty_area_has_no_shares(client, district):
    report = (await client.get("/api/v1/coverage", params={"under": district["g1"]}, headers=district["admin"])).json()
    assert report["rows"] == [] and report["total"]["units"] == 0 and report["total"]["covered_share"] is None
