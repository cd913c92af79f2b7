"""dual-registration's evaluation events on `yizhou.evaluations.v1` (key: the evaluation id).

The community and the residents served rate units and members; a published evaluation goes back
to the subject's own party organization (org-registry shows it under the organization). The
evaluator's comment and identity stay in dual-registration.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from yizhou.events import EventData, topic_name

EVALUATIONS_TOPIC = topic_name("evaluations")

Rating = Literal["excellent", "good", "fair", "poor"]
PERIOD_PATTERN = r"^\d{4}(-Q[1-4])?$"


class EvaluationPublished(EventData):
    event_type: ClassVar[str] = "evaluation.published"
    topic: ClassVar[str] = EVALUATIONS_TOPIC

    evaluation_id: str
    subject_kind: Literal["unit", "member"]
    subject_id: str
    organization_id: str | None = Field(description="The subject's own party organization, which receives it")
    community_code: str
    community_path: str
    period: str = Field(pattern=PERIOD_PATTERN, description="A quarter ('2026-Q3') or a year ('2026')")
    score: float = Field(ge=0, le=100)
    rating: Rating
    evaluator_kind: Literal["community", "resident"]
    published_at: datetime


EVALUATION_EVENTS: list[type[EventData]] = [EvaluationPublished]
