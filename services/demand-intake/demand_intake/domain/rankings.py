"""The composite score of an area (the district's weights over the scored rates), the monthly ranking of
subdistricts or communities by it with the areas under remediation (治理类街乡), and each month's problem
(每月一题: an area's most recurring categories)."""

from __future__ import annotations

from dataclasses import dataclass

from demand_intake.domain.rates import Counts, Rates

RATE_NAMES = ("response", "resolution", "satisfaction")
DEFAULT_WEIGHTS = "response=0.2,resolution=0.4,satisfaction=0.4"
DEFAULT_REMEDIATION = "bottom=3"


class BadRankingSetting(ValueError):
    """RATE_WEIGHTS or RANKING_REMEDIATION that cannot be read: the service refuses to start."""


def parse_weights(text: str) -> dict[str, float]:
    """`response=0.2,resolution=0.4,satisfaction=0.4`: each of the three rates once, weights >= 0 and not
    all 0. They are used as shares of their sum, so `1,2,2` weighs as `0.2,0.4,0.4`."""
    weights: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in RATE_NAMES or name in weights:
            raise BadRankingSetting(f"RATE_WEIGHTS names {', '.join(RATE_NAMES)} once each, not '{name}'.")
        try:
            weights[name] = float(value)
        except ValueError:
            raise BadRankingSetting(f"RATE_WEIGHTS: '{value}' is not a number.") from None
        if not 0 <= weights[name] <= 1000:
            raise BadRankingSetting(f"RATE_WEIGHTS: {name} weighs between 0 and 1000.")
    if set(weights) != set(RATE_NAMES) or sum(weights.values()) == 0:
        raise BadRankingSetting(f"RATE_WEIGHTS weighs each of {', '.join(RATE_NAMES)}, not all 0.")
    return weights


@dataclass(frozen=True)
class Remediation:
    """Which ranked areas are under remediation: the `bottom` N (ties with the Nth included), or those
    scoring `below` a score (0-100)."""

    bottom: int | None = None
    below: float | None = None

    def flags(self, score: float, scores: list[float]) -> bool:
        if self.below is not None:
            return score < self.below
        return sum(1 for s in scores if s < score) < (self.bottom or 0)


def parse_remediation(text: str) -> Remediation:
    kind, _, value = text.strip().partition("=")
    try:
        if kind == "bottom" and int(value) >= 0:
            return Remediation(bottom=int(value))
        if kind == "below" and 0 <= float(value) <= 100:
            return Remediation(below=float(value))
    except ValueError:
        pass
    raise BadRankingSetting(f"RANKING_REMEDIATION is bottom=N or below=S (0-100), not '{text}'.")


def composite_score(rates: Rates, weights: dict[str, float]) -> float | None:
    """0-100: the weighted mean of the scored rates (response, resident-judged resolution and
    satisfaction). A rate without a denominator yet leaves its weight out (the others share it); none
    at all is no score."""
    values = {"response": rates.response_rate, "resolution": rates.resolution_rate,
              "satisfaction": rates.satisfaction_rate}
    present = {name: v for name, v in values.items() if v is not None and weights[name] > 0}
    total = sum(weights[name] for name in present)
    if not present or total == 0:
        return None
    return round(100 * sum(weights[name] * v for name, v in present.items()) / total, 2)


@dataclass(frozen=True)
class Ranked:
    area_code: str
    score: float | None
    rank: int | None             # 1 = best; areas tied share a rank; no score, no rank
    under_remediation: bool


def rank(scores: dict[str, float | None], remediation: Remediation) -> list[Ranked]:
    """Best first (ties by area code); areas without a score after the ranked ones, unranked and not
    under remediation (nothing residents said to judge them by)."""
    scored = sorted(((code, s) for code, s in scores.items() if s is not None), key=lambda cs: (-cs[1], cs[0]))
    values = [s for _, s in scored]
    out = [Ranked(code, s, 1 + sum(1 for v in values if v > s), remediation.flags(s, values)) for code, s in scored]
    return out + [Ranked(code, None, None, False) for code in sorted(c for c, s in scores.items() if s is None)]


def top_categories(counts: dict[str, Counts], top: int) -> list[tuple[str, int]]:
    """An area's most recurring categories of a month: demands submitted (imports left out), most first,
    ties by category code; categories with none are not problems."""
    ranked = sorted(((c, n.submitted) for c, n in counts.items() if n.submitted > 0), key=lambda cn: (-cn[1], cn[0]))
    return ranked[:top]
