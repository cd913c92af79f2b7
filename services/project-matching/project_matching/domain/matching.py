"""What the matching engine works on: needs (demands, or posts of a project) and offers (resources),
the rules that decide which pairs may match, the lexicographic objective and its explanation.

Objective, lexicographic: first the largest total weight of needs served (a need's weight comes from
its household: elderly living alone, disabled and low-income households weigh more), then the least
total distance among those assignments. One integer cost per pair carries both:
`distance_m - BIG * weight`, with BIG larger than any possible total distance, so a min-cost flow over
these costs is the lexicographic optimum. BIG comes from the instance (`cost_scale`): a fixed one either
breaks the order on big instances or overflows the solver's 64-bit cost arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

PRIORITY_HOUSEHOLDS = ("elderly_alone", "disabled", "low_income", "other")
MAX_WEIGHT = 1000
# OR-Tools scales every cost by nodes + 1 and refuses (BAD_COST_RANGE) when the scaled costs or its node
# potentials near 2^63: measured, from C * (nodes + 1) of about 2^61 on district instances. 2^58 leaves a
# factor 8; the engine halves the scale if the solver still refuses.
COST_LIMIT = 1 << 58


class InvalidMatchInput(ValueError):
    """A need, offer or instance the engine refuses before it changes anything."""


class InstanceTooLarge(InvalidMatchInput):
    """No cost scale both keeps the weight term dominant and fits the solver's 64-bit costs."""


@dataclass(frozen=True)
class PriorityWeights:
    """Integer weight of serving one need, by household; configurable per matching round."""

    normal: int = 10
    elderly_alone: int = 30
    disabled: int = 30
    low_income: int = 20
    other: int = 15

    def __post_init__(self) -> None:
        for name in ("normal", *PRIORITY_HOUSEHOLDS):
            value = getattr(self, name)
            if not isinstance(value, int) or not 1 <= value <= MAX_WEIGHT:
                raise ValueError(f"weight '{name}' must be an integer from 1 to {MAX_WEIGHT}")

    def of(self, household: str | None) -> int:
        return getattr(self, household) if household in PRIORITY_HOUSEHOLDS else self.normal


@dataclass(frozen=True)
class Window:
    """A half-open time interval [starts_at, ends_at)."""

    starts_at: datetime
    ends_at: datetime

    def overlaps(self, other: Window) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


@dataclass(frozen=True)
class Need:
    """A demand (or a project post) waiting for one unit of some offer's capacity.

    Coordinates are metres on a local plane (see `geo.py`); `area_path` is where the need is."""

    id: str
    category: str
    x_m: float
    y_m: float
    area_path: str = "/"
    household: str | None = None
    skill: str | None = None
    window: Window | None = None


@dataclass(frozen=True)
class Offer:
    """A resource with room for `capacity` needs; it serves needs inside `serves_path` (an area subtree)
    during its availability `windows` (none: any time)."""

    id: str
    categories: frozenset[str]
    x_m: float
    y_m: float
    capacity: int
    serves_path: str = "/"
    skills: frozenset[str] = frozenset()
    windows: tuple[Window, ...] = ()


@dataclass(frozen=True)
class MatchRules:
    max_distance_m: int = 2000
    weights: PriorityWeights = field(default_factory=PriorityWeights)
    # (need id, offer id) pairs staff rejected: never proposed again.
    rejected: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        if not 1 <= self.max_distance_m <= 200_000:
            raise ValueError("max_distance_m must be from 1 to 200000")

    @property
    def max_weight(self) -> int:
        return max(self.weights.of(h) for h in (None, *PRIORITY_HOUSEHOLDS))


def cost_scale(rules: MatchRules, n_needs: int, n_offers: int) -> int:
    """BIG for an instance: the largest scale whose costs (at most BIG * max weight) times the network's
    nodes + 1 stay below `COST_LIMIT`. It must exceed the largest total distance, n_needs * cap (each
    match is at most the cap), for the weight term to dominate; the surplus is headroom for incremental
    arrivals (`fits`). At the API's limits (50 km, weight 1000) that holds to about 50,000 needs
    with as many offers (at 2 km and the default weights, about 1.5 million)."""
    nodes = n_needs + n_offers + 2
    big = COST_LIMIT // (rules.max_weight * (nodes + 1))
    if not fits(big, rules, n_needs):
        raise InstanceTooLarge(f"{n_needs} needs and {n_offers} offers at a {rules.max_distance_m} m cap and a "
                               f"weight up to {rules.max_weight} exceed the solver's 64-bit cost range")
    return big


def fits(big: int, rules: MatchRules, n_needs: int) -> bool:
    """Whether BIG still dominates every total distance of `n_needs` needs."""
    return big > n_needs * rules.max_distance_m


def finite_point(item: Need | Offer) -> bool:
    return math.isfinite(item.x_m) and math.isfinite(item.y_m)


def exact_distance_m(need: Need, offer: Offer) -> float:
    return math.hypot(need.x_m - offer.x_m, need.y_m - offer.y_m)


def distance_m(need: Need, offer: Offer) -> int:
    return round(exact_distance_m(need, offer))


def kind_fit(need: Need, offer: Offer) -> str | None:
    """How the offer fits the need's kind ('category ...' or 'skill ...'), or None."""
    if need.category in offer.categories:
        return f"category {need.category}"
    if need.skill is not None and need.skill in offer.skills:
        return f"skill {need.skill}"
    return None


def area_and_time_fit(need: Need, offer: Offer) -> str | None:
    """Why the area or time rules refuse the pair, or None when they allow it."""
    if not need.area_path.startswith(offer.serves_path):
        return f"serves {offer.serves_path} only"
    if offer.windows and need.window is not None and not any(w.overlaps(need.window) for w in offer.windows):
        return "not available in the needed window"
    return None


def refusal(need: Need, offer: Offer, rules: MatchRules) -> str | None:
    """The one definition of an admissible pair (capacity aside): None when the pair may match."""
    if offer.capacity <= 0:
        return "no capacity"
    if kind_fit(need, offer) is None:
        return "different category and skill"
    if (need.id, offer.id) in rules.rejected:
        return "rejected before"
    if not finite_point(need) or not finite_point(offer):
        return "no usable position"
    # The cap holds on the exact distance: 2,000.5 m is over a 2,000 m cap although it rounds to 2,000.
    distance = exact_distance_m(need, offer)
    if distance > rules.max_distance_m:
        return f"{distance:.1f} m away, over the {rules.max_distance_m} m cap"
    return area_and_time_fit(need, offer)


@dataclass(frozen=True)
class Match:
    need_id: str
    offer_id: str
    distance_m: int


@dataclass(frozen=True)
class MatchResult:
    matches: list[Match]
    unserved: list[str]
    served_weight: int
    total_distance_m: int

    @property
    def served(self) -> int:
        return len(self.matches)

    @property
    def km_per_served(self) -> float:
        return self.total_distance_m / 1000 / self.served if self.matches else 0.0


@dataclass(frozen=True)
class Explanation:
    """Why a need got the offer it got (or none): enough for a reviewer to accept or reject."""

    need_id: str
    offer_id: str | None
    distance_m: int | None
    fit: str | None
    weight: int
    capacity: int | None
    capacity_used: int | None
    capacity_left: int | None
    candidates: int
    nearer_candidates: int
    summary: str

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}
