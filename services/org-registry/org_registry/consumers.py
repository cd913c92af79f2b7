"""Events org-registry reads. It is the source of the axis, units, organizations and members; it reads
dual-registration's `evaluation.published` to show dual-evaluation results under the subject's own
party organization (双评议: the result goes back to the unit's or member's organization)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from org_registry.public_notice import consumers as notice
from org_registry.store.tables import organization_evaluations
from org_registry.use_cases import evaluations
from yizhou.consumer import Subscription, UnprocessableEvent
from yizhou.envelope import ReceivedEvent
from yizhou.events import topic_name

log = logging.getLogger(__name__)

EVALUATIONS_TOPIC = topic_name("evaluations")


class EvaluationFacts(BaseModel):
    """Our tolerant reader of `evaluation.published`: only what the organization's page shows."""

    model_config = ConfigDict(extra="ignore")

    evaluation_id: str = Field(min_length=1, max_length=64)
    subject_kind: Literal["unit", "member"]
    subject_id: str = Field(min_length=1, max_length=64)
    organization_id: str | None = None
    community_code: str = Field(max_length=32)
    period: str = Field(pattern=r"^\d{4}(-Q[1-4])?$")
    score: float = Field(ge=0, le=100)
    rating: Literal["excellent", "good", "fair", "poor"]
    published_at: datetime | None = None


async def on_evaluation_published(session: AsyncSession, event: ReceivedEvent) -> None:
    facts = EvaluationFacts.model_validate(event.data)  # a broken payload goes to the dead letters
    if facts.organization_id is None:
        log.info("evaluation %s has no receiving organization; nothing to show", facts.evaluation_id)
        return
    if not await evaluations.receive(session, facts, datetime.now(UTC)):
        # organizations are ours: an unknown id can never apply
        raise UnprocessableEvent(f"evaluation {facts.evaluation_id} names unknown organization {facts.organization_id}")


SUBSCRIPTIONS: list[Subscription] = [
    Subscription(EVALUATIONS_TOPIC, "evaluation.published", on_evaluation_published),
]

# Tables built only from events: `yizhou rebuild org-registry` clears and replays them: the evaluations,
# and the public notice (the app runs its handlers joined to the webhook bridge's; a rebuild alone).
READ_MODELS = [organization_evaluations, *notice.READ_MODELS]
REPLAYED_SUBSCRIPTIONS: list[Subscription] = [*SUBSCRIPTIONS, *notice.SUBSCRIPTIONS]
