"""The inner loop: org-registry's use cases called directly, as the API calls them, on a database of
their own (a SQLite file per module, migrated once) with a clock the test moves. No app, no broker,
no relay: the outbox rows a use case records are what it published. The API, flow and failure
suites run the same code over HTTP, Kafka and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import org_registry
from org_registry.domain.organization import OrganizationKind, SetupMode
from org_registry.domain.unit import SizeClass, UnitKind
from org_registry.use_cases import areas, organizations, tokens, units
from yizhou.auth import AreaScope, Caller, Role
from yizhou.axis_events import Level
from yizhou.clock import ManualClock
from yizhou.database import Database
from yizhou.errors import (ApplicationError, AreaRetired, Duplicate, Forbidden, Invalid, NotFound, OutOfScope,
                           UnknownReference)
from yizhou.messaging_tables import outbox
from yizhou.migrations import upgrade_to_head


@pytest.fixture(scope="module")
async def db(tmp_path_factory):
    database = Database(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('use-cases') / 'org_registry.db'}")
    await upgrade_to_head(database.engine, Path(org_registry.__file__).parent / "migrations")
    yield database
    await database.dispose()


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


def scope_of(axis, role: str, area_key: str, subject: str | None = None) -> AreaScope:
    code = axis[area_key]
    return AreaScope(Caller(subject=subject or f"{role}@{code}", role=Role(role), area=code), axis["paths"][code])


@pytest.fixture
async def axis(db, unique_code):
    """District D > S1, S2 > C1 (S1), C2 (S2) > G1 (C1), made through the use cases themselves: the
    district by its admin's bootstrap, the rest by that admin."""
    d = unique_code("D")
    await areas.create_area(db, None, code=d, name="Test District", level=Level.DISTRICT, parent_code=None,
                            bootstrap_role=Role.DISTRICT_ADMIN)
    axis = {"d": d, "paths": {d: f"/{d}/"}}
    admin = scope_of(axis, "district_admin", "d")
    for key, level, parent_key in [("s1", Level.SUBDISTRICT, "d"), ("s2", Level.SUBDISTRICT, "d"),
                                   ("c1", Level.COMMUNITY, "s1"), ("c2", Level.COMMUNITY, "s2"),
                                   ("g1", Level.GRID, "c1")]:
        code = f"{d}{key.upper()}"
        area = await areas.create_area(db, admin, code=code, name=f"Area {code}", level=level,
                                       parent_code=axis[parent_key])
        axis[key] = code
        axis["paths"][code] = area.path
    return axis


async def recorded(db, aggregate_id: str) -> list[tuple[str, str]]:
    """(event_type, subject) of the aggregate's own events, in order (partner views left out)."""
    async with db.sessions() as session:
        rows = await session.execute(select(outbox.c.event_type, outbox.c.subject).where(
            outbox.c.aggregate_id == aggregate_id, ~outbox.c.event_type.startswith("partner.")).order_by(outbox.c.id))
        return [tuple(row) for row in rows]


async def add_unit(db, scope: AreaScope, area_code: str, **over):
    fields = dict(name="  Elm   Logistics ", kind=UnitKind.NON_PUBLIC_ENTERPRISE, size_class=SizeClass.LARGE,
                  area_code=area_code, headcount=120, members_among_staff=4)
    return await units.create_unit(db, scope, **{**fields, **over})


async def test_an_area_is_created_under_its_parent_and_published(db, axis):
    d = axis["d"]
    assert axis["paths"][axis["g1"]] == f"/{d}/{d}S1/{d}C1/{d}G1/"
    # The axis is one aggregate per district: every area.created is keyed by the district, in order.
    assert await recorded(db, d) == [("area.created", code) for code in
                                     (d, f"{d}S1", f"{d}S2", f"{d}C1", f"{d}C2", f"{d}G1")]
    subdistrict_admin = scope_of(axis, "subdistrict_admin", "s1")
    grid = await areas.create_area(db, subdistrict_admin, code=f"{d}G2", name="  Elm   Grid 2 ", level=Level.GRID,
                                   parent_code=axis["c1"])
    assert grid.path == f"/{d}/{d}S1/{d}C1/{d}G2/" and grid.name == "Elm Grid 2"
    assert (await areas.get_area(db, subdistrict_admin, f"{d}G2")).parent_code == axis["c1"]
    assert [a.code for a in await areas.ancestors(db, subdistrict_admin, f"{d}G2")] == [d, f"{d}S1", f"{d}C1"]
    assert (await recorded(db, d))[-1] == ("area.created", f"{d}G2")


async def test_the_axis_refuses_duplicates_wrong_levels_and_parents_out_of_scope(db, axis):
    d, admin = axis["d"], scope_of(axis, "district_admin", "d")
    before = await recorded(db, d)
    with pytest.raises(Duplicate):
        await areas.create_area(db, admin, code=axis["c1"], name="Again", level=Level.COMMUNITY,
                                parent_code=axis["s1"])
    with pytest.raises(ApplicationError) as wrong:  # a grid hangs under a community, not a subdistrict
        await areas.create_area(db, admin, code=f"{d}G9", name="Misplaced", level=Level.GRID, parent_code=axis["s1"])
    assert wrong.value.slug == "wrong-level" and wrong.value.status == 422
    north = scope_of(axis, "subdistrict_admin", "s1")
    with pytest.raises(UnknownReference) as outside:  # S2 exists, but not in the north's subtree
        await areas.create_area(db, north, code=f"{d}C9", name="Elsewhere", level=Level.COMMUNITY,
                                parent_code=axis["s2"])
    assert outside.value.extensions["errors"][0]["field"] == "parent_code"
    with pytest.raises(Forbidden):  # a community worker keeps the registry, not the axis
        await areas.create_area(db, scope_of(axis, "community_worker", "c1"), code=f"{d}G8", name="Nope",
                                level=Level.GRID, parent_code=axis["c1"])
    with pytest.raises(OutOfScope):  # an editor's own area is changed from the level above
        await areas.rename_area(db, north, axis["s1"], "Renamed North")
    assert await recorded(db, d) == before  # nothing refused was published
    with pytest.raises(NotFound):
        await areas.get_area(db, north, f"{d}G9")


async def test_a_unit_is_registered_in_scope_and_refused_outside_it(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    unit = await add_unit(db, worker, axis["g1"], credit_code="91110105ma01abcd2x")
    assert unit.unit.name == "Elm Logistics" and unit.unit.credit_code == "91110105MA01ABCD2X"
    assert unit.area_path == axis["paths"][axis["g1"]]
    assert await recorded(db, unit.unit.id) == [("unit.created", unit.unit.id)]
    with pytest.raises(UnknownReference) as outside:  # C2 is another subdistrict's community
        await add_unit(db, worker, axis["c2"])
    assert outside.value.extensions["errors"][0]["field"] == "area_code"
    with pytest.raises(Duplicate):
        await add_unit(db, worker, axis["c1"], credit_code="91110105MA01ABCD2X")
    with pytest.raises(Forbidden):  # a grid worker reads the registry, does not write it
        await add_unit(db, scope_of(axis, "grid_worker", "g1"), axis["g1"])
    with pytest.raises(ApplicationError) as rule:  # an enterprise states its size class
        await add_unit(db, worker, axis["g1"], size_class=None)
    assert rule.value.slug == "rule-violated"
    with pytest.raises(NotFound):  # another community's staff do not see the unit at all
        await units.get_unit(db, scope_of(axis, "community_worker", "c2"), unit.unit.id)


async def test_a_retired_area_takes_no_new_units_and_a_parent_waits_for_its_children(db, axis):
    admin = scope_of(axis, "district_admin", "d")
    with pytest.raises(ApplicationError) as busy:  # C1 still has its grid
        await areas.retire_area(db, admin, axis["c1"])
    assert busy.value.slug == "has-active-children"
    retired = await areas.retire_area(db, admin, axis["g1"])
    assert retired.retired
    assert (await recorded(db, axis["d"]))[-1] == ("area.retired", axis["g1"])
    with pytest.raises(AreaRetired):
        await add_unit(db, scope_of(axis, "community_worker", "c1"), axis["g1"])
    assert (await areas.retire_area(db, admin, axis["c1"])).retired  # its only child is gone now


async def test_a_unit_has_one_basic_party_organization(db, axis):
    worker = scope_of(axis, "community_worker", "c1")
    unit_id = (await add_unit(db, worker, axis["g1"])).unit.id
    branch = await organizations.create_organization(
        db, worker, name="Elm Logistics Branch", kind=OrganizationKind.BRANCH, setup_mode=SetupMode.SINGLE_UNIT,
        area_code=axis["g1"], parent_id=None, covered_unit_ids=[unit_id], founded_on=date(2008, 7, 1))
    assert branch.organization.covered_unit_ids == (unit_id,)
    # The unit's event says who covers it now.
    assert [event for event, _ in await recorded(db, unit_id)] == ["unit.created", "unit.updated"]
    assert (await units.get_unit(db, worker, unit_id)).organization_id == branch.organization.id
    with pytest.raises(ApplicationError) as taken:
        await organizations.create_organization(
            db, worker, name="Second Branch", kind=OrganizationKind.BRANCH, setup_mode=SetupMode.SINGLE_UNIT,
            area_code=axis["g1"], parent_id=None, covered_unit_ids=[unit_id], founded_on=date(2010, 7, 1))
    assert taken.value.slug == "unit-already-covered" and taken.value.status == 409


async def test_a_revocation_lasts_as_long_as_a_token_could_by_the_clock(db, axis, clock):
    admin = scope_of(axis, "district_admin", "d")
    event = await tokens.revoke(db, admin, clock, 3600, "jti-stolen", expires_at=None)
    assert event.revoked_at == clock.now() and event.expires_at == clock.now() + timedelta(hours=1)
    longer = await tokens.revoke(db, admin, clock, 3600, "jti-long", expires_at=clock.now() + timedelta(days=9))
    assert longer.expires_at == clock.now() + timedelta(hours=1)  # never beyond the longest lifetime
    assert [e for e, _ in await recorded(db, "jti-stolen")] == ["token.revoked"]
    clock.advance(timedelta(hours=2))
    with pytest.raises(Invalid):  # that token's own expiry has passed by the clock
        await tokens.revoke(db, admin, clock, 3600, "jti-old", expires_at=clock.now() - timedelta(minutes=1))
    with pytest.raises(Forbidden):
        await tokens.revoke(db, scope_of(axis, "subdistrict_admin", "s1"), clock, 3600, "jti-x", expires_at=None)
