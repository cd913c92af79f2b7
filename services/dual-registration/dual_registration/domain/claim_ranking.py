"""Ranking what a member may claim (posts, projects) so claimants spread out.

Plain popularity sends everyone to the same few projects while others get nobody. In the spirit of
VolunteerMatch's published SmartSort, an option's score is the member's fit times the marginal
value of one more claimant there: the first claimant of an option is worth the most, each further
one less (1 / (1 + claimed)), and an option whose places are all taken is worth almost nothing.
Fit is what the member brings (their skills' categories against the option's) and how near it is on
the axis (the same grid, the same community): the platform keeps areas, not doorsteps, of members.
"""

from __future__ import annotations

from dataclasses import dataclass

# A full option stays listed (the member may still want it) but sinks below every open one.
FULL_FACTOR = 0.01


@dataclass(frozen=True)
class Claimant:
    categories: frozenset[str]
    area_path: str          # where the member lives (a grid or community path)


@dataclass(frozen=True)
class ClaimOption:
    id: str
    kind: str               # post, project
    category: str | None    # a project's service category; posts have none
    area_path: str
    places: int | None      # None: as many as come (a project)
    claimed: int            # pending and approved claims


@dataclass(frozen=True)
class RankedOption:
    option: ClaimOption
    score: float
    fit: float
    congestion: float
    reason: str


def nearness(claimant: Claimant, option: ClaimOption) -> float:
    """1 in the member's own area or under it, less the further up the axis the two only meet."""
    if option.area_path.startswith(claimant.area_path) or claimant.area_path.startswith(option.area_path):
        return 1.0
    mine, theirs = claimant.area_path.strip("/").split("/"), option.area_path.strip("/").split("/")
    shared = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
    return round(shared / max(len(mine), 1), 6)


def fit(claimant: Claimant, option: ClaimOption) -> float:
    """0..1: what the member brings to this option, nearer being better."""
    kind = 1.0 if option.category is None or option.category in claimant.categories else 0.4
    return round(kind * (0.5 + 0.5 * nearness(claimant, option)), 6)


def congestion(option: ClaimOption) -> float:
    """The marginal value of one more claimant: 1 for the first, 1/2 for the second, ...; ~0 when full."""
    if option.places is not None and option.claimed >= option.places:
        return FULL_FACTOR
    return 1.0 / (1 + option.claimed)


def _reason(option: ClaimOption, f: float) -> str:
    places = "open places" if option.places is None else f"{option.places} place(s)"
    tail = ("no one yet: your claim counts most" if option.claimed == 0
            else "full" if option.places is not None and option.claimed >= option.places
            else f"{option.claimed} claimant(s) so far")
    return f"fit {f:.2f}; {places}, {tail}"


def rank(claimant: Claimant, options: list[ClaimOption]) -> list[RankedOption]:
    ranked = []
    for option in options:
        f, c = fit(claimant, option), congestion(option)
        ranked.append(RankedOption(option, round(f * c, 6), f, c, _reason(option, f)))
    return sorted(ranked, key=lambda r: (-r.score, -r.fit, r.option.id))
