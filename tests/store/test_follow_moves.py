"""An area move reaches every area path a service keeps of its own, not only its copy of the axis:
the rewrite on a real database, and the wiring of each service's `area.moved` subscription."""

import uuid
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, select

import demand_intake
from demand_intake.settings import Settings
from yizhou.axis_copy import FollowMoves, area_copy, area_path_columns
from yizhou.database import Database
from yizhou.envelope import ReceivedEvent
from yizhou.migrations import upgrade_to_head

places = Table("follow_moves_test", MetaData(), Column("id", String(36), primary_key=True),
               Column("area_path", String(400)), Column("serves_path", String(400)), Column("note", String(400)))


async def test_paths_under_the_moved_area_follow_it_and_no_others(make_settings):
    db = Database(make_settings(Settings).resolved_database_url)
    await upgrade_to_head(db.engine, Path(demand_intake.__file__).parent / "migrations")   # the axis copy
    async with db.engine.begin() as conn:
        await conn.run_sync(places.metadata.create_all)
    d = f"M{uuid.uuid4().hex[:6].upper()}"
    old, new = f"/{d}/{d}S1/{d}C1/", f"/{d}/{d}S2/{d}C1/"
    rows = {"grid": (f"{old}{d}G1/", f"{old}{d}G1/"), "community": (old, f"/{d}/{d}S1/"),
            "sibling": (f"/{d}/{d}S1/{d}C10/", f"/{d}/{d}S1/{d}C10/"),   # same prefix as text, another area
            "like": (f"/{d}/{d}S1/{d}C_/", f"/{d}/{d}S1/{d}C_/")}        # a LIKE wildcard in a code
    async with db.sessions() as session, session.begin():
        await session.execute(places.insert(), [{"id": f"{d}-{k}", "area_path": a, "serves_path": s, "note": old}
                                                for k, (a, s) in rows.items()])
    event = ReceivedEvent(id=str(uuid.uuid4()), type="area.moved", source="/test", subject=None, time=None,
                          data={"code": f"{d}C1", "old_parent_code": f"{d}S1", "new_parent_code": f"{d}S2",
                                "old_path": old, "new_path": new},
                          topic="yizhou.areas.v1", partition=0, offset=0, key=d)
    async with db.sessions() as session, session.begin():
        await FollowMoves(area_path_columns(places.metadata))(session, event)
    async with db.sessions() as session:
        got = {r.id.split("-")[1]: (r.area_path, r.serves_path, r.note)
               for r in await session.execute(select(places).where(places.c.id.startswith(d)))}
    await db.dispose()
    assert got == {"grid": (f"{new}{d}G1/", f"{new}{d}G1/", old),      # `note` is not a path: untouched
                   "community": (new, f"/{d}/{d}S1/", old),             # it serves the old subdistrict still
                   "sibling": rows["sibling"] + (old,), "like": rows["like"] + (old,)}


@pytest.mark.parametrize("package, expected", [
    ("project_matching", {"resources.area_path", "resources.serves_path", "projects.area_path", "venues.area_path"}),
    ("dual_registration", {"posts.area_path", "registrations.community_path", "member_copy.residence_area_path"}),
])
def test_each_service_follows_moves_in_all_its_path_columns(package, expected):
    consumers = __import__(f"{package}.consumers", fromlist=["SUBSCRIPTIONS"])
    moved = [s.handler for s in consumers.SUBSCRIPTIONS if s.event_type == "area.moved"]
    assert len(moved) == 1 and isinstance(moved[0], FollowMoves)
    followed = {f"{c.table.name}.{c.name}" for c in moved[0].columns}
    assert expected <= followed and area_copy.c.path not in moved[0].columns
