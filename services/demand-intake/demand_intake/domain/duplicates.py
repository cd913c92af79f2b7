"""Is a new demand probably one already open? Near in place, similar in text, and recent."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from rapidfuzz import fuzz, process, utils


# Place and Candidate are named tuples, not frozen dataclasses: a submit builds one of each per open
# demand of its community (hundreds), and a frozen dataclass's __init__ cost a tenth of the request.
class Place(NamedTuple):
    area_code: str
    latitude: float | None = None
    longitude: float | None = None


class Candidate(NamedTuple):
    demand_id: str
    place: Place
    description: str
    category: str
    submitted_at: datetime


@dataclass(frozen=True)
class Match:
    demand_id: str
    score: float             # text similarity, 0-100
    same_area: bool
    distance_m: float | None


@dataclass(frozen=True)
class DuplicateRules:
    max_distance_m: float = 300.0
    min_text_score: float = 60.0
    window: timedelta = timedelta(days=30)


CATEGORY_BONUS = 5.0   # added to the text score when the categories agree


def distance_m(a: Place, b: Place) -> float | None:
    """Great-circle (haversine) distance, or None when either has no point."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def text_score(a: str, b: str) -> float:
    # Chinese text has no spaces between words: plain ratio and partial ratio over characters work
    # where token-based scores do not; token_set_ratio helps for texts with words.
    a, b = utils.default_process(a), utils.default_process(b)
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_set_ratio(a, b), 0.9 * fuzz.partial_ratio(a, b))


def text_scores(description: str, texts: list[str], at_least: float = 0.0) -> list[float]:
    """`text_score(description, t)` for every t, or 0 where that is below `at_least`; each scorer runs
    over all texts in rapidfuzz's C loop, skipping the work a score below `at_least` needs: a community
    can have a few hundred open demands, and every submit compares itself with them."""
    query = utils.default_process(description)
    if not query or not texts:
        return [0.0] * len(texts)
    choices = [utils.default_process(t) for t in texts]
    scores = [0.0] * len(texts)
    for scorer, weight in ((fuzz.ratio, 1.0), (fuzz.token_set_ratio, 1.0), (fuzz.partial_ratio, 0.9)):
        # The cutoff a hair lower than asked (a weighted score is compared exactly below).
        cutoff = min(100.0, max(0.0, at_least / weight - 1e-6))
        for _, score, index in process.extract(query, choices, scorer=scorer, limit=None, score_cutoff=cutoff):
            scores[index] = max(scores[index], weight * score)   # 0 for an empty text
    return [score if score >= at_least else 0.0 for score in scores]


def find_duplicates(place: Place, description: str, category: str, now: datetime, candidates: list[Candidate],
                    rules: DuplicateRules = DuplicateRules(), limit: int = 5) -> list[Match]:
    near = []
    for c in candidates:
        if now - c.submitted_at > rules.window:
            continue
        same_area = c.place.area_code == place.area_code
        distance = distance_m(place, c.place)
        if same_area or (distance is not None and distance <= rules.max_distance_m):
            near.append((c, same_area, distance))
    matches = []
    texts = text_scores(description, [c.description for c, _, _ in near], rules.min_text_score - CATEGORY_BONUS)
    for (c, same_area, distance), text in zip(near, texts, strict=True):
        score = text + (CATEGORY_BONUS if c.category == category else 0)
        if score >= rules.min_text_score:
            matches.append(Match(c.demand_id, round(min(score, 100.0), 1), same_area,
                                 None if distance is None else round(distance, 1)))
    return sorted(matches, key=lambda m: (-m.score, m.demand_id))[:limit]
