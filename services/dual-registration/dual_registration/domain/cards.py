"""Quarterly and yearly service cards per member and per unit: hours, services, ratings and the
thresholds met (a member's 50 hours a year; a unit's committed hours of its pairing agreement)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dual_registration.domain.evaluation import RATINGS, Period, rating_of

MEMBER_HOURS_PER_YEAR = 50.0
GOOD_STANDING_RATINGS = frozenset({"excellent", "good"})


@dataclass(frozen=True)
class Threshold:
    name: str
    required: float
    actual: float

    @property
    def met(self) -> bool:
        return self.actual >= self.required


@dataclass(frozen=True)
class Card:
    subject_kind: str
    subject_id: str
    organization_id: str | None
    community_code: str | None
    period: str
    hours: float
    services: int
    claims_held: int
    rating_counts: dict[str, int]
    average_score: float | None
    community_rating: str | None
    thresholds: list[Threshold] = field(default_factory=list)

    @property
    def all_thresholds_met(self) -> bool:
        return all(t.met for t in self.thresholds)


def build_card(*, subject_kind: str, subject_id: str, organization_id: str | None, community_code: str | None,
               period: Period, minutes: int, services: int, claims_held: int, scores: list[float],
               community_scores: list[float], committed_hours_per_year: float | None) -> Card:
    hours = round(minutes / 60, 2)
    counts = {r: 0 for r in RATINGS}
    for score in scores:
        counts[rating_of(score)] += 1
    average = round(sum(scores) / len(scores), 1) if scores else None
    community_rating = rating_of(sum(community_scores) / len(community_scores)) if community_scores else None
    yearly = MEMBER_HOURS_PER_YEAR if subject_kind == "member" else (committed_hours_per_year or 0.0)
    thresholds = [Threshold("service_hours", round(yearly * period.year_fraction, 2), hours)]
    if community_rating is not None:
        thresholds.append(Threshold("community_rating_good_or_better", 1.0,
                                    1.0 if community_rating in GOOD_STANDING_RATINGS else 0.0))
    return Card(subject_kind=subject_kind, subject_id=subject_id, organization_id=organization_id,
                community_code=community_code, period=period.label, hours=hours, services=services,
                claims_held=claims_held, rating_counts=counts, average_score=average,
                community_rating=community_rating, thresholds=thresholds)
