"""ETag on reads, If-Match on every PATCH/PUT (yizhou.conditional_writes): for every PATCH and PUT operation
of the four live documents, a GET gives an ETag, a write with it succeeds (and answers the new one), and a
write with the old one is 412 `precondition-failed`; a write without If-Match is still applied. Plus the
helper on its own: the validator, RFC 9110's comparison, and two writers holding one ETag."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from starlette.responses import Response

from org_registry.domain.member import with_check_digit
from project_matching.guarantee.store.tables import organization_copy
from yizhou.axis_copy import area_copy
from yizhou.conditional_writes import ConditionalWrite, PreconditionFailed, etag_of, matches
from yizhou.database import Database
from yizhou.errors import problem_type
from yizhou_platform.launcher import SERVICES
from yizhou_platform.testing import serve, service_app

PROBLEM = "application/problem+json"
WRITES = ("patch", "put")


class Case:
    """One write operation: where its resource is read, where it is written, and a body that changes it."""

    def __init__(self, template: str, method: str, read: str, write: str, body: dict) -> None:
        self.template, self.method, self.read, self.write, self.body = template, method, read, write, body


async def _seed_axis(client, code: str) -> dict[str, str]:
    """District > subdistrict > community in a service's read copy of the axis."""
    now = datetime.now(UTC)
    tree = [(code, "district", None), (f"{code}S1", "subdistrict", code), (f"{code}C1", "community", f"{code}S1")]
    paths: dict[str, str] = {}
    async with client.app_state.db.sessions() as session, session.begin():
        for area, level, parent in tree:
            paths[area] = (paths[parent] if parent else "/") + area + "/"
            await session.execute(area_copy.insert().values(code=area, name=area, level=level, parent_code=parent,
                                                            path=paths[area], retired=False, updated_at=now))
    return {"d": code, "s1": f"{code}S1", "c1": f"{code}C1"}


async def _created(client, path: str, body: dict, headers: dict) -> dict:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def org_registry_cases(client, code: str, admin: dict) -> list[Case]:
    tree = [{"code": code, "name": "District", "level": "district"},
            {"code": f"{code}S1", "name": "North", "level": "subdistrict", "parent_code": code},
            {"code": f"{code}C1", "name": "Elm", "level": "community", "parent_code": f"{code}S1"}]
    for area in tree:
        await _created(client, "/api/v1/areas", area, admin)
    c1 = f"{code}C1"
    unit = await _created(client, "/api/v1/units", {"name": "Elm Tech", "kind": "non_public_enterprise",
                                                    "size_class": "large", "area_code": c1, "headcount": 100,
                                                    "members_among_staff": 0}, admin)
    branch = await _created(client, "/api/v1/organizations", {
        "name": "Elm Tech Branch", "kind": "branch", "setup_mode": "single_unit", "area_code": c1,
        "parent_organization_id": None, "covered_unit_ids": [unit["id"]], "founded_on": "2008-07-01"}, admin)
    committee = await _created(client, "/api/v1/organizations", {
        "name": "North Committee", "kind": "committee", "setup_mode": "social_work_committee",
        "area_code": f"{code}S1", "parent_organization_id": None, "covered_unit_ids": [], "founded_on": "2008-07-01"},
        admin)
    member = await _created(client, "/api/v1/members", {
        "name": "王建国", "phone": "13912345678", "id_number": with_check_digit("11010519800101234"),
        "organization_id": branch["id"], "residence_area_code": c1, "skills": ["first aid"], "in_service": True,
        "joined_on": "2005-07-01"}, admin)
    hub = await _created(client, "/api/v1/hubs", {
        "name": "North Trade Union Federation", "kind": "trade_union", "area_code": f"{code}S1",
        "leading_organization_id": committee["id"], "member_count": 1200, "party_member_count": 150,
        "founded_on": "2003-05-01"}, admin)
    return [Case("/api/v1/areas/{code}", "patch", f"/api/v1/areas/{c1}", f"/api/v1/areas/{c1}", {"name": "Elm East"}),
            Case("/api/v1/units/{unit_id}", "patch", f"/api/v1/units/{unit['id']}", f"/api/v1/units/{unit['id']}",
                 {"headcount": 350}),
            Case("/api/v1/organizations/{organization_id}", "patch", f"/api/v1/organizations/{branch['id']}",
                 f"/api/v1/organizations/{branch['id']}", {"name": "Elm Tech Party Branch"}),
            Case("/api/v1/members/{member_id}", "patch", f"/api/v1/members/{member['id']}",
                 f"/api/v1/members/{member['id']}", {"phone": "13800001111"}),
            Case("/api/v1/hubs/{hub_id}", "patch", f"/api/v1/hubs/{hub['id']}", f"/api/v1/hubs/{hub['id']}",
                 {"member_count": 1300})]


async def demand_intake_cases(client, code: str, admin: dict) -> list[Case]:
    axis = await _seed_axis(client, code)
    meeting = await _created(client, "/api/v1/meetings", {"area_code": axis["c1"], "title": "共商共治议事会",
                                                          "scheduled_at": "2026-01-20T06:00:00Z"}, admin)
    url = f"/api/v1/meetings/{meeting['id']}"
    return [Case("/api/v1/meetings/{meeting_id}", "patch", url, url, {"minutes": "议定如下……"})]


async def project_matching_cases(client, code: str, admin: dict) -> list[Case]:
    axis = await _seed_axis(client, code)
    resource = await _created(client, "/api/v1/resources", {
        "kind": "service", "title": "Home visits", "provider_kind": "service_alliance", "provider_id": "alliance-7",
        "area_code": axis["c1"], "categories": ["elderly_care"], "capacity": 1}, admin)
    project = await _created(client, "/api/v1/projects", {"title": "Visits for elderly living alone",
                                                          "area_code": axis["c1"], "category": "elderly_care"}, admin)
    place = f"/api/v1/area-places/{axis['c1']}"
    # No place yet: a PUT without If-Match sets it (a missing If-Match is accepted), then it has an ETag.
    first = await client.put(place, json={"latitude": 39.92, "longitude": 116.48}, headers=admin)
    assert first.status_code == 204 and first.headers["etag"], first.text
    owner = f"org-{code.lower()}"
    async with client.app_state.db.sessions() as session, session.begin():
        await session.execute(organization_copy.insert().values(
            organization_id=owner, name="Community branch", kind="branch", area_code=axis["c1"],
            area_path=f"/{code}/{axis['s1']}/{axis['c1']}/", parent_organization_id=None, dissolved=False,
            updated_at=datetime.now(UTC)))
    hours = [{"weekday": d, "opens": "09:00", "closes": "21:00"} for d in range(1, 6)]
    venue = await _created(client, "/api/v1/venues", {
        "name": "Party-mass service centre, hall 2", "kind": "party_mass_service_centre", "owner_organization_id": owner,
        "area_code": axis["c1"], "capacity": 40, "opening_hours": hours, "facilities": ["projector"],
        "categories": ["culture_sports"]}, admin)
    weights = "/api/v1/assessment/weights/2026/organization"
    design = {"goals": ["Weekly visits"], "linked_demand_ids": [], "beneficiaries_planned": 30,
              "budget_lines": [{"item": "Visits", "amount_yuan": "10000.00", "funding_source": "government_purchase"}],
              "milestones": [{"title": "Team formed", "weight": 25}, {"title": "Visits done", "weight": 75}]}
    return [Case("/api/v1/resources/{resource_id}", "patch", f"/api/v1/resources/{resource['id']}",
                 f"/api/v1/resources/{resource['id']}", {"capacity": 12}),
            Case("/api/v1/area-places/{code}", "put", place, place, {"latitude": 39.93, "longitude": 116.49}),
            Case("/api/v1/projects/{project_id}/design", "put", f"/api/v1/projects/{project['id']}",
                 f"/api/v1/projects/{project['id']}/design", design),
            Case("/api/v1/venues/{venue_id}", "patch", f"/api/v1/venues/{venue['id']}", f"/api/v1/venues/{venue['id']}",
                 {"capacity": 80}),
            Case("/api/v1/assessment/weights/{year}/{subject_kind}", "put", weights, weights,
                 {"weights": {"evaluation_score": "0.55", "unit_registration_rate": "0.15",
                              "member_registration_rate": "0.15", "hours_threshold_rate": "0.15"}})]


async def dual_registration_cases(client, code: str, admin: dict) -> list[Case]:
    return []  # no PATCH or PUT today: the coverage check below fails when one appears without a case


CASES: dict[str, Callable[..., Awaitable[list[Case]]]] = {
    "org-registry": org_registry_cases, "demand-intake": demand_intake_cases,
    "project-matching": project_matching_cases, "dual-registration": dual_registration_cases}


def _assert_precondition_failed(response) -> None:
    assert response.status_code == 412, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"] == problem_type("precondition-failed")


def _passed(response) -> bool:
    """The precondition held: written, or refused only because the same body changes nothing now."""
    return 200 <= response.status_code < 300 or (
        response.status_code == 409 and response.json()["type"] == problem_type("nothing-to-change"))


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_every_write_takes_if_match_and_refuses_a_stale_one(service, make_settings, unique_code, auth):
    create_app, settings_class = service_app(service)
    code = unique_code("E")
    admin = auth("district_admin", code)
    async with serve(create_app(make_settings(settings_class))) as client:
        doc = (await client.get("/openapi.json")).json()
        writes = {(path, method) for path, item in doc["paths"].items() for method in item if method in WRITES}
        cases = await CASES[service](client, code, admin)
        assert {(c.template, c.method) for c in cases} == writes
        for case in cases:
            where = f"{case.method.upper()} {case.template}"
            operation = doc["paths"][case.template][case.method]
            assert any(p["in"] == "header" and p["name"].lower() == "if-match" for p in operation["parameters"]), where
            assert PROBLEM in operation["responses"]["412"]["content"], where
            read = await client.get(case.read, headers=admin)
            assert read.status_code == 200, f"{where}: {read.text}"
            old = read.headers["etag"]
            assert old.startswith('"') and old.endswith('"'), where
            written = await client.request(case.method, case.write, json=case.body,
                                           headers={**admin, "If-Match": old})
            assert 200 <= written.status_code < 300, f"{where}: {written.text}"
            new = (await client.get(case.read, headers=admin)).headers["etag"]
            assert new != old and written.headers["etag"] == new, where
            _assert_precondition_failed(await client.request(case.method, case.write, json=case.body,
                                                             headers={**admin, "If-Match": old}))
            assert (await client.get(case.read, headers=admin)).headers["etag"] == new, f"{where}: a refused write wrote"
            # A list of tags with the current one, and `*`, match; a weak tag never does (strong comparison).
            listed = await client.request(case.method, case.write, json=case.body,
                                          headers={**admin, "If-Match": f'{old}, {new}'})
            assert _passed(listed), f"{where}: {listed.text}"
            current = (await client.get(case.read, headers=admin)).headers["etag"]
            _assert_precondition_failed(await client.request(case.method, case.write, json=case.body,
                                                             headers={**admin, "If-Match": f"W/{current}"}))
            starred = await client.request(case.method, case.write, json=case.body, headers={**admin, "If-Match": "*"})
            assert _passed(starred), f"{where}: {starred.text}"
            unconditional = await client.request(case.method, case.write, json=case.body, headers=admin)
            assert _passed(unconditional), f"{where}: {unconditional.text}"


async def test_a_write_to_a_place_not_set_yet_refuses_any_if_match(make_settings, unique_code, auth):
    create_app, settings_class = service_app("project-matching")
    code = unique_code("E")
    admin = auth("district_admin", code)
    async with serve(create_app(make_settings(settings_class))) as client:
        axis = await _seed_axis(client, code)
        place = f"/api/v1/area-places/{axis['s1']}"
        assert (await client.get(place, headers=admin)).status_code == 404
        for tag in ('"0123"', "*"):
            _assert_precondition_failed(await client.put(place, json={"latitude": 39.9, "longitude": 116.4},
                                                         headers={**admin, "If-Match": tag}))
        assert (await client.get(place, headers=admin)).status_code == 404


# The helper on its own.

def test_the_etag_is_a_strong_hash_of_the_canonical_representation():
    assert etag_of({"b": 1, "a": [1, "二"]}) == etag_of({"a": [1, "二"], "b": 1})
    assert etag_of({"a": 1}) != etag_of({"a": 2})
    assert etag_of({"a": 1}).startswith('"') and not etag_of({"a": 1}).startswith("W/")


def test_if_match_compares_strongly_as_rfc_9110_says():
    tag = etag_of({"a": 1})
    assert matches(None, tag) and matches(None, None)        # no header: the write goes ahead
    assert matches(tag, tag) and matches(f'"x", {tag}', tag) and matches("*", tag)
    assert not matches(f"W/{tag}", tag) and not matches('"x"', tag) and not matches("", tag)
    assert not matches("*", None) and not matches(tag, None)  # nothing there: no representation matches


async def test_without_if_match_nothing_is_read_and_nothing_is_refused():
    loaded = []

    async def load() -> dict:
        loaded.append(1)
        return {"a": 1}

    write = ConditionalWrite(None, "/x", None)  # type: ignore[arg-type]  # no database is touched
    await write.check(load())
    assert loaded == []


async def test_two_writers_holding_one_etag_cannot_both_pass(make_settings, unique_code):
    # The service's own database (SQLite here, PostgreSQL in CI) and two concurrent conditional writes of
    # one row: the second waits for the first's lock, then reads what the first committed, and is refused.
    create_app, settings_class = service_app("project-matching")
    table = f"counter_{unique_code('t').lower()}"
    async with serve(create_app(make_settings(settings_class))) as client:
        db: Database = client.app_state.db
        async with db.engine.begin() as conn:
            await conn.execute(text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"))
            await conn.execute(text(f"INSERT INTO {table} VALUES (1, 0)"))
        try:
            assert await _race(db, table) == ["written", "refused"]
        finally:
            async with db.engine.begin() as conn:
                await conn.execute(text(f"DROP TABLE {table}"))


async def _race(db: Database, table: str) -> list[str]:
    async def read(database) -> dict:
        async with database.sessions() as session:
            return {"value": (await session.execute(text(f"SELECT value FROM {table} WHERE id = 1"))).scalar_one()}

    seen = etag_of(await read(db))
    first_holds_the_lock = asyncio.Event()

    async def writer(first: bool) -> str:
        if not first:
            await first_holds_the_lock.wait()
        write = ConditionalWrite(db, f"/{table}/1", seen)
        try:
            await write.check(read(write.database))
            if first:
                first_holds_the_lock.set()
                await asyncio.sleep(0.3)
            async with write.database.unit_of_work() as uow:
                await uow.session.execute(text(f"UPDATE {table} SET value = value + 1 WHERE id = 1"))
                await uow.commit()
            await write.commit(Response(), None)
            return "written"
        except PreconditionFailed:
            return "refused"
        finally:
            await write.close()

    results = await asyncio.gather(writer(True), writer(False))
    assert await read(db) == {"value": 1}
    return results
