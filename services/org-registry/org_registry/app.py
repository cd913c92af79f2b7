"""create_app(settings) -> the org-registry FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.api.areas import router as areas_router
from org_registry.api.coordination import bodies as bodies_router
from org_registry.api.coordination import platforms as platforms_router
from org_registry.api.coverage import router as coverage_router
from org_registry.api.hubs import led as led_hubs_router
from org_registry.api.instructors import router as instructors_router
from org_registry.api.leading_core import router as leading_core_router
from org_registry.api.pairings import router as pairings_router
from org_registry.api.hubs import router as hubs_router
from org_registry.api.members import router as members_router
from org_registry.api.organizations import router as organizations_router
from org_registry.api.sheets import router as sheets_router
from org_registry.api.tokens import router as tokens_router
from org_registry.api.units import router as units_router
from org_registry.consumers import SUBSCRIPTIONS
from org_registry.events import PUBLISHED_TOPICS
from org_registry.public_notice.consumers import alongside as with_public_notice
from org_registry.public_notice.pages import router as public_notice_router
from org_registry import labels as _labels  # noqa: F401  (registers the service's enum labels: GET /api/v1/labels)
from org_registry.settings import Settings
from org_registry.store.areas import AreaRepository
from yizhou.service_app import ServiceParts, build_app
from yizhou.webhooks.config import WebhookConfig
from yizhou.webhooks.delivery import delivery_log_rules, dispatch_webhooks
from yizhou.webhooks.intake import webhook_subscriptions
from yizhou.webhooks.router import router as webhooks_router


async def area_paths(session: AsyncSession, code: str) -> str | None:
    return await AreaRepository(session).path_of(code)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return build_app(ServiceParts(
        settings=settings,
        title="org-registry",
        description="The area axis (district > subdistrict > community > grid) and who is where on it: units, "
                    "party organizations, members, coverage, coordination bodies, hub organizations. "
                    "Every call needs a bearer token (`yizhou token --role district_admin --area CY`).",
        routers=[areas_router, units_router, organizations_router, members_router, coverage_router,
                 sheets_router, bodies_router, platforms_router, hubs_router, led_hubs_router, webhooks_router,
                 tokens_router, leading_core_router, public_notice_router, instructors_router,
                 pairings_router],
        migrations=Path(__file__).parent / "migrations",
        area_paths=area_paths,
        published_topics=PUBLISHED_TOPICS,
        # The public notice folds the same partner events as the webhook bridge, in the same transaction.
        subscriptions=[*SUBSCRIPTIONS,
                       *with_public_notice(webhook_subscriptions(WebhookConfig.from_settings(settings)))],
        background=[dispatch_webhooks],
        retained=delivery_log_rules,
    ))
