"""create_app(settings) -> the demand-intake FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from demand_intake.api.callbacks import router as callbacks_router
from demand_intake.api.demands import router as demands_router
from demand_intake.api.guards import RejectNulCharacters
from demand_intake.api.meetings import router as meetings_router
from demand_intake.api.open311 import router as open311_router
from demand_intake.api.rankings import router as rankings_router
from demand_intake.api.rates import router as rates_router
from demand_intake.api.work_orders import router as work_orders_router
from demand_intake.consumers import subscriptions
from demand_intake.events import PUBLISHED_TOPICS
from demand_intake.metrics import demand_gauges
from demand_intake import labels as _labels  # noqa: F401  (registers the service's enum labels: GET /api/v1/labels)
from demand_intake.settings import Settings
from demand_intake.use_cases.deadlines import sweeper
from yizhou.axis_copy import path_of
from yizhou.axis_copy_routes import axis_copy_router
from yizhou.clock import Clock, SystemClock
from yizhou.service_app import ServiceParts, build_app


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """`clock` is the system clock except in tests, which move time by hand (`yizhou.clock.ManualClock`)."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    app = build_app(ServiceParts(
        settings=settings,
        title="demand-intake",
        description="Residents' demands from every channel, their lifecycle with deadlines, escalation up the axis "
                    "and the subdistrict's whistle, duplicates and 'me too', the three rates, deliberation meetings, "
                    "and an Open311 GeoReport v2 facade. Every call needs a bearer token (`yizhou token`), except "
                    "Open311 discovery and services.",
        routers=[demands_router, callbacks_router, rates_router, rankings_router, meetings_router, open311_router, axis_copy_router, work_orders_router],
        migrations=Path(__file__).parent / "migrations",
        area_paths=path_of,
        published_topics=PUBLISHED_TOPICS,
        subscriptions=subscriptions(clock, settings.district_zone),
        background=[demand_gauges, *([sweeper(clock, settings.sweep_interval_s)] if settings.sweeper_enabled else [])],
        clock=clock,
    ))
    app.add_middleware(RejectNulCharacters)
    return app
