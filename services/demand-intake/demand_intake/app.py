"""create_app(settings) -> the demand-intake FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from demand_intake.consumers import SUBSCRIPTIONS
from demand_intake.events import PUBLISHED_TOPICS
from demand_intake.settings import Settings
from yizhou.axis_copy import axis_copy_router, path_of
from yizhou.service_app import ServiceParts, build_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(ServiceParts(
        settings=settings or Settings(),
        title="demand-intake",
        description="Demand-intake: residents' demands from every channel, their lifecycle, deadlines, escalation up the axis, and the three rates. Every call needs a bearer token (`yizhou token`).",
        routers=[axis_copy_router],
        migrations=Path(__file__).parent / "migrations",
        area_paths=path_of,
        published_topics=PUBLISHED_TOPICS,
        subscriptions=SUBSCRIPTIONS,
    ))
