"""Responsibility assessment (责任考核): a yearly scorecard of an area or of a party organization.

Each input is a figure on 0-100 points with a configurable weight; the score is the weighted sum.
An input with nothing to measure (no demands, no registrations...) is left out and the remaining
weights are scaled up to sum to 1 again, so an area is not marked down for what it never had; the
scorecard lists every input with its value, source, configured and effective weight and its
contribution, so the score can be recomputed by hand from the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from project_matching.guarantee.domain.errors import WeightRuleViolation

AREA, ORGANIZATION = "area", "organization"
SUBJECT_KINDS = (AREA, ORGANIZATION)
MEMBER_HOURS_PER_YEAR = 50  # dual-registration's yearly threshold for a member (docs/services/dual-registration.md)


@dataclass(frozen=True)
class InputSpec:
    code: str
    applies_to: frozenset[str]
    source: str
    definition: str


_BOTH = frozenset(SUBJECT_KINDS)
_AREA = frozenset({AREA})
INPUTS: dict[str, InputSpec] = {s.code: s for s in (
    InputSpec("response_rate", _AREA, "demand-intake: demand.* events (yizhou.demands.v1)",
              "demands responded to (accepted or rejected) before a respond-deadline breach / demands whose response "
              "is settled; population: demands in the subtree submitted in the year, less withdrawn and merged"),
    InputSpec("resolution_rate", _AREA, "demand-intake: demand.* events (yizhou.demands.v1)",
              "demands now resolved or closed / the population less rejected demands"),
    InputSpec("satisfaction_rate", _AREA, "demand-intake: demand.closed / demand.reopened feedback",
              "demands whose latest feedback is satisfied or basically_satisfied / demands with feedback"),
    InputSpec("evaluation_score", _BOTH, "dual-registration: evaluation.published (yizhou.evaluations.v1)",
              "mean score of the year's published evaluations (year or quarters) of units and members registered in "
              "the subtree (area) or belonging to the organization"),
    InputSpec("unit_registration_rate", _BOTH, "org-registry: unit.* (yizhou.units.v1); dual-registration: "
              "unit.registered", "units registered with a community by the year's end / units located in the subtree "
              "(area) or covered by the organization that have a party organization"),
    InputSpec("member_registration_rate", _BOTH, "org-registry: member.* (yizhou.members.v1); dual-registration: "
              "member.registered, member.transferred", "active in-service members registered by the year's end / "
              "active in-service members living in the subtree (area) or belonging to the organization"),
    InputSpec("hours_threshold_rate", _BOTH, "dual-registration: service.confirmed (yizhou.services.v1) and "
              "registrations", f"registrants who served their yearly hours (a member {MEMBER_HOURS_PER_YEAR} h, a unit "
              "its agreement's hours_per_year), confirmed services started in the year / registrants"),
    InputSpec("coverage_rate", _AREA, "org-registry: unit.* organization_id (yizhou.units.v1)",
              "units located in the subtree covered by a party organization / units located in the subtree"),
    InputSpec("projects_delivered_rate", _AREA, "project-matching: its own projects",
              "projects of the subtree opened in the year and completed or evaluated / those approved or later"),
)}

DEFAULT_WEIGHTS: dict[str, dict[str, Decimal]] = {
    AREA: {"response_rate": Decimal("0.15"), "resolution_rate": Decimal("0.15"), "satisfaction_rate": Decimal("0.15"),
           "evaluation_score": Decimal("0.10"), "unit_registration_rate": Decimal("0.10"),
           "member_registration_rate": Decimal("0.10"), "hours_threshold_rate": Decimal("0.10"),
           "coverage_rate": Decimal("0.05"), "projects_delivered_rate": Decimal("0.10")},
    ORGANIZATION: {"evaluation_score": Decimal("0.40"), "unit_registration_rate": Decimal("0.20"),
                   "member_registration_rate": Decimal("0.20"), "hours_threshold_rate": Decimal("0.20")},
}


def applicable(subject_kind: str) -> list[str]:
    return [code for code, spec in INPUTS.items() if subject_kind in spec.applies_to]


def check_weights(subject_kind: str, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """Known, applicable inputs; each weight 0-1; the weights sum to exactly 1. Missing inputs weigh 0."""
    if subject_kind not in SUBJECT_KINDS:
        raise WeightRuleViolation(f"Subject kind '{subject_kind}' is not one of {', '.join(SUBJECT_KINDS)}.")
    allowed = applicable(subject_kind)
    wrong = [code for code in weights if code not in allowed]
    if wrong:
        raise WeightRuleViolation(f"Inputs {', '.join(sorted(wrong))} do not apply to a {subject_kind} scorecard; "
                                  f"allowed: {', '.join(allowed)}.")
    if any(w < 0 or w > 1 for w in weights.values()):
        raise WeightRuleViolation("Each weight lies between 0 and 1.")
    total = sum(weights.values(), Decimal(0))
    if total != 1:
        raise WeightRuleViolation(f"The weights sum to {total}, not 1.")
    return {code: weights.get(code, Decimal(0)) for code in allowed}


@dataclass(frozen=True)
class Measure:
    """A figure before weighting: a ratio (numerator / denominator) or a mean, as points 0-100."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None


def ratio(numerator: int | float, denominator: int | float) -> Measure:
    if not denominator:
        return Measure(None, numerator, denominator)
    return Measure(100 * numerator / denominator, numerator, denominator)


def mean(values: list[float]) -> Measure:
    if not values:
        return Measure(None, 0, 0)
    return Measure(sum(values) / len(values), sum(values), len(values))


@dataclass(frozen=True)
class Line:
    code: str
    value: float | None
    weight: float
    effective_weight: float
    contribution: float
    source: str
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class Scorecard:
    score: float
    grade: str
    lines: tuple[Line, ...]


def grade_of(score: float, measured: bool) -> str:
    if not measured:
        return "not_assessed"
    return "excellent" if score >= 90 else "good" if score >= 75 else "fair" if score >= 60 else "poor"


def score(subject_kind: str, weights: dict[str, Decimal], measures: dict[str, Measure]) -> Scorecard:
    codes = applicable(subject_kind)
    measured = {c: float(weights.get(c, 0)) for c in codes
                if measures.get(c) is not None and measures[c].value is not None and weights.get(c, 0) > 0}
    total_weight = sum(measured.values())
    lines = []
    for code in codes:
        m = measures.get(code) or Measure(None)
        weight = float(weights.get(code, 0))
        effective = measured[code] / total_weight if code in measured else 0.0
        contribution = effective * m.value if code in measured else 0.0
        lines.append(Line(code, None if m.value is None else round(m.value, 4), weight, round(effective, 6),
                          round(contribution, 4), INPUTS[code].source, m.numerator, m.denominator))
    total = round(min(100.0, max(0.0, sum(line.contribution for line in lines))), 2)
    return Scorecard(total, grade_of(total, bool(measured)), tuple(lines))
