"""Hub organizations and their joint actions over HTTP: every refusal, scoping per role, the two queries."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from registry_helpers import add_organization, add_unit, assert_problem
from sqlalchemy.exc import IntegrityError

from org_registry.domain.hub import JointAction, JointActionKind, PartnerKind
from org_registry.store.hubs import HubRepository

HUBS = "/api/v1/hubs"


@pytest.fixture
async def network(client, district):
    """A subdistrict committee in S1 leading hubs; a unit and a branch in C1; a unit and a committee in S2."""
    admin = district["admin"]
    committee = await add_organization(client, admin, district["s1"], [], setup_mode="social_work_committee",
                                       kind="committee", name="North Social-work Committee")
    south = await add_organization(client, admin, district["s2"], [], setup_mode="social_work_committee",
                                   kind="committee", name="South Social-work Committee")
    u1 = await add_unit(client, admin, district["c1"], name="Elm Tech")
    u2 = await add_unit(client, admin, district["c2"], name="Oak Tech")
    branch = await add_organization(client, admin, district["c1"], [u1["id"]], parent=committee["id"],
                                    name="Elm Tech Branch")
    return {**district, "committee": committee["id"], "south": south["id"], "u1": u1["id"], "u2": u2["id"],
            "branch": branch["id"]}


def hub_body(n: dict, **over) -> dict:
    return {"name": "North Trade Union Federation", "kind": "trade_union", "area_code": n["s1"],
            "leading_organization_id": n["committee"], "member_count": 1200, "party_member_count": 150,
            "founded_on": "2003-05-01", **over}


async def add_hub(client, headers, body) -> dict:
    response = await client.post(HUBS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_hub_led_by_an_organization_and_every_refusal_of_its_creation(client, network, auth):
    n, admin = network, network["admin"]
    made = await add_hub(client, admin, hub_body(n))
    assert made["level"] == "subdistrict" and made["leading_organization_id"] == n["committee"]
    assert made["joint_action_count"] == 0 and made["area_path"].endswith(f"/{n['s1']}/")

    assert_problem(await client.post(HUBS, json=hub_body(n)), 401, "unauthenticated")
    assert_problem(await client.post(HUBS, json=hub_body(n), headers=auth("resident", n["c1"])), 403, "forbidden")
    assert_problem(await client.post(HUBS, json=hub_body(n, kind="chess_club"), headers=admin), 422, "validation")
    assert_problem(await client.post(HUBS, json=hub_body(n, member_count=-1), headers=admin), 422, "validation")
    assert_problem(await client.post(HUBS, json=hub_body(n, surplus=1), headers=admin), 422, "validation")
    assert_problem(await client.post(HUBS, json=hub_body(n, party_member_count=1201), headers=admin),
                   422, "rule-violated")
    assert_problem(await client.post(HUBS, json=hub_body(n, name="   "), headers=admin), 422, "rule-violated")
    assert_problem(await client.post(HUBS, json=hub_body(n, leading_organization_id="o-nope"), headers=admin),
                   422, "unknown-reference")
    assert_problem(await client.post(HUBS, json=hub_body(n, area_code=f"{n['code']}ZZ"), headers=admin),
                   422, "unknown-reference")
    # a subdistrict admin of S1 cannot place a hub in S2, nor have it led by S2's committee
    s1_admin = auth("subdistrict_admin", n["s1"])
    assert_problem(await client.post(HUBS, json=hub_body(n, area_code=n["s2"]), headers=s1_admin),
                   422, "unknown-reference")
    assert_problem(await client.post(HUBS, json=hub_body(n, leading_organization_id=n["south"]), headers=s1_admin),
                   422, "unknown-reference")
    # a community worker may register a community's hub led by the subdistrict committee above it
    youth = await add_hub(client, auth("community_worker", n["c1"]),
                          hub_body(n, name="Elm Youth League", kind="youth_league", area_code=n["c1"],
                                   member_count=40, party_member_count=0))
    assert youth["level"] == "community"

    dissolved = await add_organization(client, admin, n["s2"], [], setup_mode="social_work_committee",
                                       kind="committee", name="Old Committee")
    assert (await client.post(f"/api/v1/organizations/{dissolved['id']}/dissolve", json={"dissolved_on": "2020-01-01"},
                              headers=admin)).status_code == 200
    assert_problem(await client.post(HUBS, json=hub_body(n, leading_organization_id=dissolved["id"]), headers=admin),
                   409, "organization-dissolved")

    url = f"{HUBS}/{made['id']}"
    assert (await client.get(url, headers=auth("subdistrict_admin", n["s1"]))).json()["id"] == made["id"]
    assert_problem(await client.get(url, headers=auth("subdistrict_admin", n["s2"])), 404, "not-found")
    assert_problem(await client.get(url, headers=auth("community_worker", n["c1"])), 404, "not-found")
    assert_problem(await client.get(f"{HUBS}/h-unknown", headers=admin), 404, "not-found")
    assert_problem(await client.get(f"{HUBS}/bad id!", headers=admin), 422, "validation")


async def test_changing_a_hub(client, network, auth):
    n, admin = network, network["admin"]
    made = await add_hub(client, admin, hub_body(n))
    url = f"{HUBS}/{made['id']}"
    changed = await client.patch(url, json={"member_count": 1300, "party_member_count": 160}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["member_count"] == 1300
    assert_problem(await client.patch(url, json={}, headers=admin), 409, "nothing-to-change")
    assert_problem(await client.patch(url, json={"member_count": 1300}, headers=admin), 409, "nothing-to-change")
    assert_problem(await client.patch(url, json={"name": None}, headers=admin), 422, "validation")
    assert_problem(await client.patch(url, json={"member_count": 10}, headers=admin), 422, "rule-violated")
    assert_problem(await client.patch(url, json={"leading_organization_id": "o-nope"}, headers=admin),
                   422, "unknown-reference")
    assert_problem(await client.patch(url, json={"member_count": 1}, headers=auth("resident", n["s1"])),
                   403, "forbidden")
    assert_problem(await client.patch(url, json={"member_count": 1}, headers=auth("subdistrict_admin", n["s2"])),
                   404, "not-found")
    led = (await client.patch(url, json={"leading_organization_id": n["branch"]}, headers=admin)).json()
    assert led["leading_organization_id"] == n["branch"]
    gone = await add_organization(client, admin, n["s1"], [], setup_mode="commercial_building", name="Gone Committee")
    await client.post(f"/api/v1/organizations/{gone['id']}/dissolve", json={"dissolved_on": "2024-01-01"},
                      headers=admin)
    assert_problem(await client.patch(url, json={"leading_organization_id": gone["id"]}, headers=admin),
                   409, "organization-dissolved")
    assert (await client.get(url, headers=admin)).json()["leading_organization_id"] == n["branch"]


async def test_joint_actions_one_per_kind_and_pair(client, network, auth):
    n, admin = network, network["admin"]
    made = await add_hub(client, admin, hub_body(n))
    url = f"{HUBS}/{made['id']}/joint-actions"
    link = {"kind": "joint_service", "partner_kind": "unit", "partner_id": n["u1"], "started_on": "2026-03-01",
            "note": "monthly  job fair"}
    created = await client.post(url, json=link, headers=admin)
    assert created.status_code == 201, created.text
    action = created.json()
    assert action["partner_name"] == "Elm Tech" and action["partner_area_code"] == n["c1"]
    assert action["note"] == "monthly job fair"
    assert_problem(await client.post(url, json=link, headers=admin), 409, "duplicate")
    other_kind = await client.post(url, json={**link, "kind": "joint_work"}, headers=admin)
    assert other_kind.status_code == 201
    with_org = await client.post(url, json={**link, "kind": "joint_building", "partner_kind": "organization",
                                            "partner_id": n["branch"]}, headers=admin)
    assert with_org.status_code == 201 and with_org.json()["partner_name"] == "Elm Tech Branch"

    assert_problem(await client.post(url, json={**link, "kind": "joint_lunch"}, headers=admin), 422, "validation")
    assert_problem(await client.post(url, json={**link, "partner_id": "u-nope"}, headers=admin),
                   422, "unknown-reference")
    # a unit id is not an organization id
    assert_problem(await client.post(url, json={**link, "partner_kind": "organization"}, headers=admin),
                   422, "unknown-reference")
    assert_problem(await client.post(url, json={**link, "started_on": "2000-01-01"}, headers=admin),
                   422, "rule-violated")
    s1_admin = auth("subdistrict_admin", n["s1"])
    assert_problem(await client.post(url, json={**link, "partner_id": n["u2"]}, headers=s1_admin),
                   422, "unknown-reference")
    assert_problem(await client.post(url, json=link, headers=auth("resident", n["s1"])), 403, "forbidden")
    assert_problem(await client.post(url, json=link, headers=auth("subdistrict_admin", n["s2"])), 404, "not-found")
    gone = await add_organization(client, admin, n["c1"], [], setup_mode="commercial_building", name="Gone Branch")
    await client.post(f"/api/v1/organizations/{gone['id']}/dissolve", json={"dissolved_on": "2024-01-01"},
                      headers=admin)
    assert_problem(await client.post(url, json={**link, "partner_kind": "organization", "partner_id": gone["id"]},
                                     headers=admin), 409, "organization-dissolved")

    listed = (await client.get(url, headers=s1_admin)).json()
    assert sorted(a["kind"] for a in listed["items"]) == ["joint_building", "joint_service", "joint_work"]
    only = (await client.get(url, params={"partner_kind": "organization"}, headers=admin)).json()["items"]
    assert [a["partner_id"] for a in only] == [n["branch"]]
    first = (await client.get(url, params={"limit": 2}, headers=admin)).json()
    rest = (await client.get(url, params={"limit": 2, "after": first["next_cursor"]}, headers=admin)).json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert {a["id"] for a in first["items"] + rest["items"]} == {a["id"] for a in listed["items"]}
    assert (await client.get(f"{HUBS}/{made['id']}", headers=admin)).json()["joint_action_count"] == 3
    assert_problem(await client.get(url, headers=auth("subdistrict_admin", n["s2"])), 404, "not-found")


async def test_which_hubs_act_in_a_community_and_what_an_organization_leads(client, network, auth):
    n, admin = network, network["admin"]
    union = await add_hub(client, admin, hub_body(n))                                        # S1, linked to C1
    youth = await add_hub(client, admin, hub_body(n, name="Elm Youth League", kind="youth_league",
                                                  area_code=n["c1"], member_count=40, party_member_count=0))  # in C1
    women = await add_hub(client, admin, hub_body(n, name="South Women's Federation", kind="womens_federation",
                                                  area_code=n["s2"], leading_organization_id=n["south"]))  # S2
    quiet = await add_hub(client, admin, hub_body(n, name="South Volunteers' Association",
                                                  kind="other_hub_social_organization", area_code=n["s2"],
                                                  leading_organization_id=n["south"]))  # S2, links only to S2
    for hub, partner_kind, partner in [(union, "unit", n["u1"]), (women, "organization", n["branch"]),
                                       (quiet, "unit", n["u2"])]:
        response = await client.post(f"{HUBS}/{hub['id']}/joint-actions", json={
            "kind": "joint_work", "partner_kind": partner_kind, "partner_id": partner, "started_on": "2026-01-01"},
            headers=admin)
        assert response.status_code == 201, response.text

    def names(response):
        assert response.status_code == 200, response.text
        return [h["name"] for h in response.json()["items"]]

    acting = names(await client.get(HUBS, params={"acting_in": n["c1"]}, headers=admin))
    assert acting == ["Elm Youth League", "North Trade Union Federation", "South Women's Federation"]
    # a subdistrict admin sees only hubs located in its own subtree, even when they act there
    assert names(await client.get(HUBS, params={"acting_in": n["c1"]}, headers=auth("subdistrict_admin", n["s1"]))) \
        == ["Elm Youth League", "North Trade Union Federation"]
    assert names(await client.get(HUBS, params={"acting_in": n["c1"]}, headers=auth("community_worker", n["c1"]))) \
        == ["Elm Youth League"]
    assert_problem(await client.get(HUBS, params={"acting_in": n["c2"]}, headers=auth("subdistrict_admin", n["s1"])),
                   404, "not-found")
    assert_problem(await client.get(HUBS, params={"acting_in": "bad code!"}, headers=admin), 422, "validation")
    assert names(await client.get(HUBS, params={"acting_in": n["c2"]}, headers=admin)) == \
        ["South Volunteers' Association"]
    assert names(await client.get(HUBS, params={"under": n["code"], "kind": "womens_federation"}, headers=admin)) == \
        ["South Women's Federation"]
    assert names(await client.get(HUBS, params={"under": n["code"], "level": "community"}, headers=admin)) == \
        ["Elm Youth League"]
    assert names(await client.get(HUBS, params={"under": n["s2"], "q": "volunteer"}, headers=admin)) == \
        ["South Volunteers' Association"]

    pages, cursor = [], None
    while True:
        params = {"under": n["code"], "limit": 1, **({"after": cursor} if cursor else {})}
        page = (await client.get(HUBS, params=params, headers=admin)).json()
        pages += [h["id"] for h in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [youth["id"], union["id"], quiet["id"], women["id"]]
    assert_problem(await client.get(HUBS, params={"after": "not-a-cursor"}, headers=admin), 400, "bad-cursor")

    led = f"/api/v1/organizations/{n['committee']}/led-hubs"
    assert names(await client.get(led, headers=admin)) == ["Elm Youth League", "North Trade Union Federation"]
    assert names(await client.get(led, params={"kind": "trade_union"}, headers=admin)) == \
        ["North Trade Union Federation"]
    assert names(await client.get(f"/api/v1/organizations/{n['south']}/led-hubs", headers=admin)) == \
        ["South Volunteers' Association", "South Women's Federation"]
    assert names(await client.get(HUBS, params={"led_by": n["south"], "under": n["code"]}, headers=admin)) == \
        ["South Volunteers' Association", "South Women's Federation"]
    assert_problem(await client.get(led, headers=auth("subdistrict_admin", n["s2"])), 404, "not-found")
    assert_problem(await client.get("/api/v1/organizations/o-nope/led-hubs", headers=admin), 404, "not-found")
    assert_problem(await client.get(led, params={"after": "@@"}, headers=admin), 400, "bad-cursor")


async def test_the_database_refuses_a_second_link_of_one_kind_between_the_same_pair(client, db, network):
    """Two concurrent requests can both pass the domain check; the unique constraint then decides (409)."""
    n = network
    made = await add_hub(client, n["admin"], hub_body(n))
    action = JointAction(id=f"ja-{made['id']}-1", hub_id=made["id"], kind=JointActionKind.JOINT_TEAM,
                         partner_kind=PartnerKind.UNIT, partner_id=n["u1"], started_on=date(2026, 1, 1))
    async with db.unit_of_work() as uow:
        await HubRepository(uow.session).add_joint_action(action, datetime.now(UTC))
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as uow:
            second = replace(action, id=f"ja-{made['id']}-2")
            await HubRepository(uow.session).add_joint_action(second, datetime.now(UTC))
            await uow.commit()

