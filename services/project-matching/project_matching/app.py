"""create_app(settings) -> the project-matching FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from project_matching.api.matching import router as matching_router
from project_matching.api.projects import router as projects_router
from project_matching.api.resources import router as resources_router
from project_matching.consumers import SUBSCRIPTIONS
from project_matching.guarantee.api.assessment import router as assessment_router
from project_matching.guarantee.api.funds import router as funds_router
from project_matching.guarantee.api.venues import router as venues_router
from project_matching.events import PUBLISHED_TOPICS
from project_matching import labels as _labels  # noqa: F401  (registers the service's enum labels: GET /api/v1/labels)
from project_matching.settings import Settings
from yizhou.axis_copy import path_of
from yizhou.axis_copy_routes import axis_copy_router
from yizhou.service_app import ServiceParts, build_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(ServiceParts(
        settings=settings or Settings(),
        title="project-matching",
        description="The lists of demands, resources and projects; the five-step project lifecycle with budgets; "
                    "the matching engine (exact min-cost flow); the guarantee network (activity funds, venues, "
                    "responsibility assessment). Every call needs a bearer token (`yizhou token`).",
        routers=[axis_copy_router, resources_router, projects_router, matching_router, funds_router,
                 venues_router, assessment_router],
        migrations=Path(__file__).parent / "migrations",
        area_paths=path_of,
        published_topics=PUBLISHED_TOPICS,
        subscriptions=SUBSCRIPTIONS,
    ))
