"""Dual evaluation (双评议): the community and the residents served rate units and members for a
period; a published evaluation goes back to the subject's own party organization."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from dual_registration.domain.errors import InvalidPeriod
from yizhou.state_machine import StateMachine

PERIOD_RE = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


class EvaluationState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DISCARDED = "discarded"


EVALUATION_MACHINE: StateMachine[EvaluationState] = StateMachine("evaluation", {
    EvaluationState.DRAFT: frozenset({EvaluationState.PUBLISHED, EvaluationState.DISCARDED}),
})


class EvaluatorKind(StrEnum):
    COMMUNITY = "community"
    RESIDENT = "resident"


@dataclass(frozen=True)
class Period:
    label: str
    starts_at: datetime  # inclusive, UTC
    ends_at: datetime    # exclusive

    @property
    def is_year(self) -> bool:
        return "-Q" not in self.label

    @property
    def year_fraction(self) -> float:
        return 1.0 if self.is_year else 0.25


def parse_period(label: str) -> Period:
    match = PERIOD_RE.match(label or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise InvalidPeriod(f"'{label}' is not a period: use a year ('2026') or a quarter ('2026-Q3').")
    year = int(match.group(1))
    if match.group(2) is None:
        return Period(label, datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC))
    quarter = int(match.group(2))
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if quarter == 4 else datetime(year, 3 * quarter + 1, 1, tzinfo=UTC)
    return Period(label, start, end)


def period_containing(instant: datetime, quarterly: bool = True) -> Period:
    instant = instant.astimezone(UTC)
    label = f"{instant.year}-Q{(instant.month - 1) // 3 + 1}" if quarterly else str(instant.year)
    return parse_period(label)


RATING_FLOORS = (("excellent", 90.0), ("good", 75.0), ("fair", 60.0), ("poor", 0.0))
RATINGS = tuple(r for r, _ in RATING_FLOORS)


def rating_of(score: float) -> str:
    for rating, floor in RATING_FLOORS:
        if score >= floor:
            return rating
    return "poor"
