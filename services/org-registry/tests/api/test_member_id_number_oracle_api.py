"""An ID number is unique in the registry, but checking a sheet is no way to ask whether someone is a
party member outside your area: a dry run judges only what the caller may see, and a real run refuses
a number held elsewhere only when the sheet would otherwise be written, with a reason that says
neither where nor whose, and leaves a trace for the district."""

import logging

from registry_helpers import add_member, add_organization, add_unit, assert_problem, id_number

CSV = {"content-type": "text/csv"}
HEADER = ["id", "name", "phone", "id_number", "organization_id", "work_unit_id", "residence_area_code", "skills",
          "in_service", "joined_on", "left_on"]


def _sheet(rows: list[list]) -> bytes:
    return ("\n".join(",".join(HEADER if r is None else map(str, r)) for r in [None, *rows]) + "\n").encode()


def _row(member_id: str, number: str, org: str, area: str, phone: str = "") -> list:
    return [member_id, "张三", phone, number, org, "", area, "", "yes", "2010-07-01", ""]


async def _two_subdistricts(client, district, auth):
    """A member of an organization in C2 (subdistrict S2), and a community worker of C1 (S1) with an
    organization of their own."""
    admin = district["admin"]
    elsewhere = await add_organization(client, admin, district["c2"], [(await add_unit(client, admin, district["c2"]))["id"]])
    taken = id_number()
    other = await add_member(client, admin, elsewhere["id"], district["c2"], id_number=taken)
    here = await add_organization(client, admin, district["c1"], [(await add_unit(client, admin, district["c1"]))["id"]])
    return taken, other, here, auth("community_worker", district["c1"])


async def _count(client, headers, org: str) -> int:
    listed = await client.get("/api/v1/members", params={"organization_id": org}, headers=headers)
    return len(listed.json()["items"])


async def test_a_dry_run_answers_alike_for_a_number_held_in_another_subdistrict_and_a_fresh_one(client, district, auth):
    taken, _, here, worker = await _two_subdistricts(client, district, auth)
    d, c1 = district["code"], district["c1"]
    reports = []
    for n, number in enumerate((taken, id_number())):
        dry = await client.post("/api/v1/imports/members", params={"dry_run": "true"},
                                content=_sheet([_row(f"{d}-dry{n}", number, here["id"], c1)]), headers={**worker, **CSV})
        assert dry.status_code == 200, dry.text
        reports.append(dry.json())
    assert reports[0] == reports[1] == {"kind": "members", "dry_run": True, "rows": 1, "bad_rows": 0, "written": 0,
                                        "errors": []}
    # A real run that fails anyway (a bad phone in another row) is no probe either: it names only that row.
    probe = _sheet([_row(f"{d}-p1", taken, here["id"], c1), _row(f"{d}-p2", id_number(), here["id"], c1, phone="123")])
    failed = assert_problem(await client.post("/api/v1/imports/members", params={"dry_run": "false"}, content=probe,
                                              headers={**worker, **CSV}), 422, "import-rejected")
    assert [(e["row"], e["column"]) for e in failed["errors"]] == [(3, "phone")]
    assert await _count(client, worker, here["id"]) == 0


async def test_a_real_run_refuses_a_number_held_elsewhere_without_saying_where_or_whose(client, district, auth, caplog):
    taken, other, here, worker = await _two_subdistricts(client, district, auth)
    d, c1 = district["code"], district["c1"]
    sheet = _sheet([_row(f"{d}-r1", id_number(), here["id"], c1), _row(f"{d}-r2", taken, here["id"], c1)])
    with caplog.at_level(logging.WARNING):
        refused = assert_problem(await client.post("/api/v1/imports/members", params={"dry_run": "false"}, content=sheet,
                                                   headers={**worker, **CSV}), 422, "import-rejected")
    assert [(e["row"], e["column"]) for e in refused["errors"]] == [(3, "id_number")]
    reason = refused["errors"][0]["reason"].lower()
    for secret in (other["id"], district["c2"], district["s2"], taken, "member", "exist", "another"):
        assert secret.lower() not in reason, reason
    assert refused["written"] == 0 and await _count(client, worker, here["id"]) == 0
    # The refusal is traced (who, how many rows), without the number.
    traces = [r for r in caplog.records if "outside the caller's area" in r.getMessage()]
    assert traces and all(taken not in r.getMessage() for r in traces)
    # Uniqueness holds for the district too: the number is still held once.
    assert (await client.get(f"/api/v1/members/{other['id']}", headers=district["admin"])).json()["id_number"] == taken


async def test_a_number_held_in_the_callers_own_area_is_named_in_the_dry_run(client, district, auth):
    _, _, here, worker = await _two_subdistricts(client, district, auth)
    d, c1 = district["code"], district["c1"]
    mine = await add_member(client, district["admin"], here["id"], c1)
    number = (await client.get(f"/api/v1/members/{mine['id']}", headers=worker)).json()["id_number"]
    dry = (await client.post("/api/v1/imports/members", params={"dry_run": "true"},
                             content=_sheet([_row(f"{d}-again", number, here["id"], c1)]), headers={**worker, **CSV})).json()
    assert [(e["row"], e["column"]) for e in dry["errors"]] == [(2, "id_number")]
    assert mine["id"] in dry["errors"][0]["reason"]


async def test_a_single_create_refused_for_a_number_held_elsewhere_is_traced(client, district, auth, caplog):
    taken, other, here, worker = await _two_subdistricts(client, district, auth)
    body = {"name": "张三", "id_number": taken, "organization_id": here["id"], "residence_area_code": district["c1"],
            "joined_on": "2010-01-01"}
    with caplog.at_level(logging.WARNING):
        refused = assert_problem(await client.post("/api/v1/members", json=body, headers=worker), 409, "duplicate")
    assert other["id"] not in str(refused) and district["c2"] not in str(refused)
    traces = [r for r in caplog.records if "outside the caller's area" in r.getMessage()]
    assert traces and all(taken not in r.getMessage() for r in traces)
    # A bad reference is answered first: a request that would not be written learns nothing of the number.
    assert_problem(await client.post("/api/v1/members", json={**body, "residence_area_code": "NOWHERE"}, headers=worker),
                   422, "unknown-reference")
    # Changing a member's number to one held elsewhere: the same answer and trace.
    mine = await add_member(client, district["admin"], here["id"], district["c1"])
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert_problem(await client.patch(f"/api/v1/members/{mine['id']}", json={"id_number": taken}, headers=worker),
                       409, "duplicate")
    assert [r for r in caplog.records if "outside the caller's area" in r.getMessage()]
