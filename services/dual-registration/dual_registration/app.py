"""create_app(settings) -> the dual-registration FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from dual_registration.consumers import SUBSCRIPTIONS
from dual_registration.events import PUBLISHED_TOPICS
from dual_registration.settings import Settings
from yizhou.axis_copy import axis_copy_router, path_of
from yizhou.service_app import ServiceParts, build_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(ServiceParts(
        settings=settings or Settings(),
        title="dual-registration",
        description="Dual-registration: units and in-service members register, claim posts and projects, log service and are evaluated. Every call needs a bearer token (`yizhou token`).",
        routers=[axis_copy_router],
        migrations=Path(__file__).parent / "migrations",
        area_paths=path_of,
        published_topics=PUBLISHED_TOPICS,
        subscriptions=SUBSCRIPTIONS,
    ))
