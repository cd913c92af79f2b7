"""The dashboard's demand gauges come from the rates read model (fed through the broker)."""

from prometheus_client import REGISTRY
from sqlalchemy import select

from demand_helpers import demand_body
from demand_intake.metrics import refresh_demand_gauges
from demand_intake.store.tables import DemandFactRow
from yizhou_platform.testing import eventually


async def test_gauges_follow_the_read_model(client, db, axis, auth):
    staff = auth("community_worker", axis["c1"])
    created = await client.post("/api/v1/demands", json=demand_body(axis["g1"]), headers=staff)
    assert created.status_code == 201, created.text
    demand_id = created.json()["demand"]["id"]

    async def in_read_model():
        async with db.sessions() as session:
            return (await session.execute(select(DemandFactRow.state).where(DemandFactRow.demand_id == demand_id))).scalar()

    await eventually(in_read_model, timeout_s=60)
    async with db.sessions() as session:
        submitted = len((await session.execute(select(DemandFactRow.demand_id).where(DemandFactRow.state == "submitted"))).all())
    await refresh_demand_gauges(db)
    assert REGISTRY.get_sample_value("demands_by_state", {"state": "submitted"}) == submitted >= 1
    assert REGISTRY.get_sample_value("demands_overdue") is not None
    text = (await client.get("/metrics")).text
    assert 'demand_rate{rate="response"}' in text and "demands_by_state" in text
