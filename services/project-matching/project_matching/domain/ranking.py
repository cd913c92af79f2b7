"""Ranking what a member may claim (posts, projects) so claimants spread out.

Plain popularity sends everyone to the same few projects while others get nobody. In the spirit of
VolunteerMatch's published SmartSort, an option's score is the member's fit times the marginal
value of one more claimant there: the first claimant of a project is worth the most, each further
one less (1 / (1 + claimed)), and a project whose places are all taken is worth almost nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A full option stays listed (the member may still want it) but sinks below every open one.
FULL_FACTOR = 0.01


@dataclass(frozen=True)
class Claimant:
    skills: frozenset[str]
    categories: frozenset[str]
    x_m: float
    y_m: float


@dataclass(frozen=True)
class ClaimOption:
    id: str
    category: str
    skills: frozenset[str]
    x_m: float
    y_m: float
    places: int
    claimed: int


@dataclass(frozen=True)
class RankedOption:
    id: str
    score: float
    fit: float
    congestion: float
    reason: str


def fit(claimant: Claimant, option: ClaimOption, max_distance_m: float) -> float:
    """0..1: what the member brings to this option, nearer being better."""
    wanted = option.skills & claimant.skills
    kind = 1.0 if wanted or option.category in claimant.categories else 0.4 if not option.skills else 0.2
    distance = math.hypot(claimant.x_m - option.x_m, claimant.y_m - option.y_m)
    nearness = max(0.0, 1.0 - distance / (2 * max_distance_m))
    return round(kind * (0.5 + 0.5 * nearness), 6)


def congestion(option: ClaimOption) -> float:
    """The marginal value of one more claimant: 1 for the first, 1/2 for the second, ...; ~0 when full."""
    if option.claimed >= option.places:
        return FULL_FACTOR
    return 1.0 / (1 + option.claimed)


def rank(claimant: Claimant, options: list[ClaimOption], max_distance_m: float = 3000) -> list[RankedOption]:
    ranked = []
    for option in options:
        f, c = fit(claimant, option, max_distance_m), congestion(option)
        open_places = max(0, option.places - option.claimed)
        reason = (f"fit {f:.2f}; {option.claimed} claimant(s) for {option.places} place(s), "
                  + ("no one yet: your claim counts most" if option.claimed == 0
                     else f"{open_places} place(s) open" if open_places else "full"))
        ranked.append(RankedOption(option.id, round(f * c, 6), f, c, reason))
    return sorted(ranked, key=lambda r: (-r.score, -r.fit, r.id))
