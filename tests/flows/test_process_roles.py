"""A service split in two kinds of process, as Compose deploys it (PROCESS_ROLE): API processes only
serve requests and write the outbox; the worker process publishes, consumes and runs the background
tasks. Shown on demand-intake, whose submits reach its rates read model only through the broker."""

import gc
from datetime import UTC, datetime

from sqlalchemy import select

from demand_intake.app import create_app
from demand_intake.settings import Settings
from demand_intake.store.tables import DemandFactRow
from yizhou.axis_copy import area_copy
from yizhou.messaging_tables import outbox
from yizhou_platform.testing import eventually, serve

BODY = {"channel": "hotline", "category": "public_space", "urgency": "normal", "description": "路灯不亮"}


async def published_at(db, demand_id: str):
    async with db.sessions() as session:
        rows = (await session.execute(select(outbox.c.published_at).where(
            outbox.c.aggregate_id == demand_id, outbox.c.event_type == "demand.submitted"))).all()
    assert rows, "no outbox row for the demand"
    return rows[0].published_at


async def has_fact(db, demand_id: str) -> bool:
    async with db.sessions() as session:
        return await session.get(DemandFactRow, demand_id) is not None


async def test_the_worker_publishes_and_applies_what_the_api_process_writes(make_settings, auth, unique_code):
    community = unique_code("PR")
    admin = auth("district_admin", community)
    # On PostgreSQL the worker polls only every 10 minutes: it must learn of the API's commits from the
    # outbox trigger's notification. (SQLite has none; there it polls as configured for the tests.)
    api_settings = make_settings(Settings, process_role="api", sweeper_enabled=False)
    is_postgres = api_settings.resolved_database_url.startswith("postgresql")
    worker_settings = make_settings(Settings, process_role="worker", sweeper_enabled=False,
                                    **({"relay_idle_poll_s": 600.0} if is_postgres else {}))
    async with serve(create_app(api_settings)) as api:
        db = api.app_state.db
        async with db.sessions() as session, session.begin():
            await session.execute(area_copy.insert().values(code=community, name=community, level="community",
                                                            parent_code=None, path=f"/{community}/", retired=False,
                                                            updated_at=datetime.now(UTC)))
        assert (await api.get("/readyz")).json()["checks"] == {"database": "ok"}   # no broker check

        first = await api.post("/api/v1/demands", json={**BODY, "area_code": community}, headers=admin)
        assert first.status_code == 201, first.text
        first_id = first.json()["demand"]["id"]
        assert api.app_state.messaging.relay is None and api.app_state.messaging.consumer is None
        assert await published_at(db, first_id) is None   # written, waiting in the outbox

        async with serve(create_app(worker_settings)) as worker:
            # The worker catches up on what was written before it started ...
            async def first_applied():
                return await published_at(db, first_id) is not None and await has_fact(db, first_id)

            await eventually(first_applied, timeout_s=60)

            # ... and then follows the API process's commits as they come (on PostgreSQL: notified).
            body = {**BODY, "area_code": community, "description": "井盖缺失"}
            second = await api.post("/api/v1/demands", json=body, headers=admin)
            assert second.status_code == 201, second.text
            second_id = second.json()["demand"]["id"]

            async def second_published():
                return await published_at(db, second_id) is not None

            await eventually(second_published, timeout_s=10)
            await eventually(lambda: has_fact(db, second_id), timeout_s=30)

            # The worker serves health and metrics, not the API.
            assert (await worker.get("/healthz")).status_code == 200
            assert (await worker.get("/metrics")).status_code == 200
            refused = await worker.post("/api/v1/demands", json={**BODY, "area_code": community}, headers=admin)
            assert refused.status_code == 404
            assert (await worker.get("/openapi.json")).json()["info"]["title"] == "demand-intake (worker)"
            assert set((await worker.get("/readyz")).json()["checks"]) == {"database", "broker"}


async def test_an_api_process_stays_ready_while_the_broker_is_away(make_settings):
    # Its writes wait in the outbox, so a broker outage must not take it out of the load balancer;
    # a process that publishes or consumes is not ready without the broker.
    nowhere = "127.0.0.1:9"
    api = make_settings(Settings, process_role="api", kafka_bootstrap_servers=nowhere, sweeper_enabled=False)
    whole = make_settings(Settings, kafka_bootstrap_servers=nowhere, sweeper_enabled=False)
    async with serve(create_app(api)) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
    async with serve(create_app(whole)) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["broker"] == "down"


async def test_a_serving_app_keeps_its_startup_objects_out_of_the_cycle_collector(make_settings):
    settings = make_settings(Settings, process_role="api", sweeper_enabled=False)
    async with serve(create_app(settings)):
        assert gc.get_freeze_count() > 10_000   # modules, routes, models, schemas: frozen after startup
    assert gc.get_freeze_count() == 0           # and given back when the app stops
