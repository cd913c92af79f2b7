"""create_app(settings) -> the dual-registration FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from dual_registration.api.claim_options import router as claim_options_router
from dual_registration.api.claims import router as claims_router
from dual_registration.api.directory import router as directory_router
from dual_registration.api.evaluations import router as evaluations_router
from dual_registration.api.pledges import router as pledges_router
from dual_registration.api.posts import router as posts_router
from dual_registration.api.registrations import router as registrations_router
from dual_registration.api.services import router as services_router
from dual_registration.consumers import SUBSCRIPTIONS
from dual_registration.events import PUBLISHED_TOPICS
from dual_registration import labels as _labels  # noqa: F401  (registers the service's enum labels: GET /api/v1/labels)
from dual_registration.settings import Settings
from yizhou.axis_copy import path_of
from yizhou.axis_copy_routes import axis_copy_router
from yizhou.clock import Clock, SystemClock
from yizhou.service_app import ServiceParts, build_app

ROUTERS = [axis_copy_router, directory_router, registrations_router, posts_router, claims_router, services_router,
           evaluations_router, pledges_router, claim_options_router]


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    app = build_app(ServiceParts(
        settings=settings or Settings(),
        title="dual-registration",
        description="Dual registration, dual service, dual evaluation (双报到、双服务、双评议): units and in-service "
                    "members register with communities, claim posts and projects, log service hours that the "
                    "community confirms, and are evaluated. Every call needs a bearer token (`yizhou token`).",
        routers=ROUTERS,
        migrations=Path(__file__).parent / "migrations",
        area_paths=path_of,
        published_topics=PUBLISHED_TOPICS,
        subscriptions=SUBSCRIPTIONS,
        clock=clock or SystemClock(),  # tests pass a ManualClock to move time (code expiry)
    ))
    return app
