"""Dual evaluation (双评议): the community and the residents served rate units and members for a
period; a published evaluation goes back to the subject's own party organization."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from dual_registration.domain.errors import InvalidPeriod
from yizhou.district_clock import DEFAULT_ZONE, period_bounds, quarter_containing, year_containing
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
    starts_at: datetime  # inclusive, UTC: midnight on the district's clock
    ends_at: datetime    # exclusive

    @property
    def is_year(self) -> bool:
        return "-Q" not in self.label

    @property
    def year_fraction(self) -> float:
        return 1.0 if self.is_year else 0.25


def parse_period(label: str, zone: tzinfo = DEFAULT_ZONE) -> Period:
    """A year ('2026') or a quarter ('2026-Q3') from midnight to midnight in the district's time zone
    `zone` (the service passes its DISTRICT_TIME_ZONE; the default is the default's)."""
    match = PERIOD_RE.match(label or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise InvalidPeriod(f"'{label}' is not a period: use a year ('2026') or a quarter ('2026-Q3').")
    return Period(label, *period_bounds(label, zone))


def period_containing(instant: datetime, quarterly: bool = True, zone: tzinfo = DEFAULT_ZONE) -> Period:
    """The quarter (or year) `instant` falls in on the district's clock."""
    return parse_period(quarter_containing(instant, zone) if quarterly else year_containing(instant, zone), zone)


RATING_FLOORS = (("excellent", 90.0), ("good", 75.0), ("fair", 60.0), ("poor", 0.0))
RATINGS = tuple(r for r, _ in RATING_FLOORS)


def rating_of(score: float) -> str:
    for rating, floor in RATING_FLOORS:
        if score >= floor:
            return rating
    return "poor"
