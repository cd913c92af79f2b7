"""The duplicate candidates of a submission: open demands of its community's subtree since a moment,
and none outside it (not a sibling whose code starts the same). On SQLite the query reads the
community's rows through the area path index, not every open demand of the district."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from demand_intake.domain.demand import Channel, Demand, Resident, State, Urgency
from demand_intake.store.demands import DemandRepository


def demand(path: str, at: datetime, state: State = State.SUBMITTED) -> Demand:
    code = path.strip("/").split("/")[-1]
    return Demand(id=str(uuid.uuid4()), channel=Channel.HOTLINE, category="elderly_care",
                  urgency=Urgency.NORMAL, description="楼道灯坏了", area_code=code, area_path=path, area_level="grid",
                  resident=Resident(anonymous=True), entered_by="t", entered_by_role="district_admin",
                  submitted_at=at, updated_at=at, state=state)


async def test_candidates_are_the_open_recent_demands_of_the_community_subtree(db, unique_code):
    d = unique_code("Q")
    community = f"/{d}/{d}01/{d}01001/"
    now = datetime.now(UTC).replace(microsecond=0)
    inside = [demand(community, now - timedelta(days=1)), demand(f"{community}{d}0100101/", now - timedelta(hours=1)),
              demand(community, now - timedelta(days=2), State.ACCEPTED)]
    outside = [demand(f"/{d}/{d}01/{d}010010/", now), demand(f"/{d}/{d}01/{d}01001A/", now),  # siblings, same start
               demand(f"/{d}/{d}01/{d}01002/", now), demand(f"/{d}/{d}01/", now),
               demand(community, now - timedelta(days=40)),  # before the window
               demand(community, now, State.CLOSED), demand(community, now - timedelta(minutes=1), State.MERGED)]
    async with db.sessions() as session, session.begin():
        repo = DemandRepository(session)
        for one in inside + outside:
            await repo.add(one)

    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "FROM demands" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with db.sessions() as session:
            repo = DemandRepository(session)
            found = await repo.duplicate_candidates(community, now - timedelta(days=30))
            without = await repo.duplicate_candidates(community, now - timedelta(days=30), exclude_id=inside[0].id)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert [c.demand_id for c in found] == [inside[1].id, inside[0].id, inside[2].id]  # newest first
    assert [c.demand_id for c in without] == [inside[1].id, inside[2].id]
    assert found[1].place.area_code == f"{d}01001" and found[1].description == "楼道灯坏了"
    assert len(statements) == 2
    # LIKE's wildcards in a path are literal characters: `_` matches only `_`.
    wild = demand(f"/{d}/{d}01/{d}_%/", now)
    async with db.sessions() as session, session.begin():
        repo = DemandRepository(session)
        await repo.add(wild)
        await repo.add(demand(f"/{d}/{d}01/{d}XY/", now))
    async with db.sessions() as session:
        found_wild = await DemandRepository(session).duplicate_candidates(f"/{d}/{d}01/{d}_%/", now - timedelta(days=1))
    assert [c.demand_id for c in found_wild] == [wild.id]
    if db.engine.dialect.name == "sqlite":
        async with db.engine.connect() as conn:
            for statement, parameters in statements:
                plan = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)).all()
                assert "USING INDEX ix_demands_area_path" in str(plan), plan
