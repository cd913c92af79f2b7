"""Candidate pairs without a dense distance matrix.

Offers are bucketed by (kind key, grid cell) with cells as wide as the distance cap, so a need only
looks at offers of its category (or skill) in its own cell and the eight around it. The join is a
sorted-array lookup done for the nine cell offsets at once with numpy; only the surviving pairs get
the per-pair area and time checks. A need or offer without a finite position is left out (the engine
explains such a need as unplaceable).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from project_matching.domain.matching import MatchRules, Need, Offer, area_and_time_fit, finite_point

OFFSETS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


def need_keys(need: Need) -> list[str]:
    return [f"c:{need.category}"] + ([f"s:{need.skill}"] if need.skill is not None else [])


def offer_keys(offer: Offer) -> list[str]:
    return [f"c:{c}" for c in sorted(offer.categories)] + [f"s:{s}" for s in sorted(offer.skills)]


def cell_of(x_m: float, y_m: float, size_m: int) -> tuple[int, int]:
    return int(np.floor(x_m / size_m)), int(np.floor(y_m / size_m))


def needs_area_or_time_check(needs: Iterable[Need], offers: Iterable[Offer]) -> bool:
    return any(o.serves_path != "/" or o.windows for o in offers) or any(n.window is not None for n in needs)


def candidate_pairs(needs: list[Need], offers: list[Offer], rules: MatchRules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(need index, offer index, distance in metres) of every admissible pair, sorted by need then offer."""
    empty = np.zeros(0, dtype=np.int64)
    if not needs or not offers:
        return empty, empty, empty
    size = rules.max_distance_m
    keys: dict[str, int] = {}
    n_key, n_idx = [], []
    for i, need in enumerate(needs):
        if not finite_point(need):
            continue
        for k in need_keys(need):
            n_key.append(keys.setdefault(k, len(keys)))
            n_idx.append(i)
    o_key, o_idx = [], []
    for j, offer in enumerate(offers):
        if offer.capacity <= 0 or not finite_point(offer):
            continue
        for k in offer_keys(offer):
            if k in keys:  # a key no need asks for can never match
                o_key.append(keys[k])
                o_idx.append(j)
    if not o_idx or not n_idx:
        return empty, empty, empty
    nx = np.fromiter((n.x_m for n in needs), float, len(needs))
    ny = np.fromiter((n.y_m for n in needs), float, len(needs))
    ox = np.fromiter((o.x_m for o in offers), float, len(offers))
    oy = np.fromiter((o.y_m for o in offers), float, len(offers))
    n_idx_a, o_idx_a = np.asarray(n_idx, np.int64), np.asarray(o_idx, np.int64)
    ncx, ncy = np.floor(nx[n_idx_a] / size).astype(np.int64), np.floor(ny[n_idx_a] / size).astype(np.int64)
    ocx, ocy = np.floor(ox[o_idx_a] / size).astype(np.int64), np.floor(oy[o_idx_a] / size).astype(np.int64)
    min_x, min_y = min(ncx.min(), ocx.min()) - 1, min(ncy.min(), ocy.min()) - 1
    width = int(max(ncx.max(), ocx.max()) - min_x + 2)
    height = int(max(ncy.max(), ocy.max()) - min_y + 2)

    def code(key, cx, cy):
        return (np.asarray(key, np.int64) * width + (cx - min_x)) * height + (cy - min_y)

    o_code = code(o_key, ocx, ocy)
    order = np.argsort(o_code, kind="stable")
    o_code_sorted, o_sorted = o_code[order], o_idx_a[order]
    parts_n, parts_o = [], []
    n_key_a = np.asarray(n_key, np.int64)
    for dx, dy in OFFSETS:
        wanted = code(n_key_a, ncx + dx, ncy + dy)
        lo = np.searchsorted(o_code_sorted, wanted, "left")
        hi = np.searchsorted(o_code_sorted, wanted, "right")
        counts = hi - lo
        total = int(counts.sum())
        if not total:
            continue
        starts = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(total)
        parts_n.append(np.repeat(n_idx_a, counts))
        parts_o.append(o_sorted[starts])
    if not parts_n:
        return empty, empty, empty
    pn, po = np.concatenate(parts_n), np.concatenate(parts_o)
    exact = np.hypot(nx[pn] - ox[po], ny[pn] - oy[po])
    keep = exact <= rules.max_distance_m  # the cap holds before rounding (see `refusal`)
    pn, po, dist = pn[keep], po[keep], np.rint(exact[keep]).astype(np.int64)
    # A pair found through two keys (category and skill) is one pair.
    pair_code, first = np.unique(pn * len(offers) + po, return_index=True)
    pn, po, dist = pn[first], po[first], dist[first]
    if needs_area_or_time_check(needs, offers):
        ok = np.fromiter((area_and_time_fit(needs[a], offers[b]) is None for a, b in zip(pn.tolist(), po.tolist())),
                         bool, len(pn))
        pn, po, dist = pn[ok], po[ok], dist[ok]
    if rules.rejected and len(pn):
        ok = np.fromiter(((needs[a].id, offers[b].id) not in rules.rejected for a, b in zip(pn.tolist(), po.tolist())),
                         bool, len(pn))
        pn, po, dist = pn[ok], po[ok], dist[ok]
    return pn, po, dist


def key_groups(needs: list[Need], offers: list[Offer]) -> np.ndarray:
    """A group number per need such that no need or offer has pairs in two groups: kind keys joined by
    a need or an offer that carries several (union-find over the keys, a few dozen). The groups are
    independent flow problems."""
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for keys in [need_keys(n) for n in needs] + [offer_keys(o) for o in offers]:
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
    roots: dict[str, int] = {}
    return np.fromiter((roots.setdefault(find(need_keys(n)[0]), len(roots)) for n in needs), np.int64, len(needs))


class CellIndex:
    """Items by (kind key, cell): the incremental counterpart of `candidate_pairs` for one newcomer."""

    def __init__(self, size_m: int) -> None:
        self.size_m = size_m
        self._cells: dict[tuple[str, int, int], list[int]] = defaultdict(list)

    def add(self, index: int, keys: list[str], x_m: float, y_m: float) -> None:
        if not (math.isfinite(x_m) and math.isfinite(y_m)):
            return  # no cell: it can match nothing
        cx, cy = cell_of(x_m, y_m, self.size_m)
        for key in keys:
            self._cells[(key, cx, cy)].append(index)

    def near(self, keys: list[str], x_m: float, y_m: float) -> set[int]:
        found: set[int] = set()
        if not (math.isfinite(x_m) and math.isfinite(y_m)):
            return found
        cx, cy = cell_of(x_m, y_m, self.size_m)
        for key in keys:
            for dx, dy in OFFSETS:
                found.update(self._cells.get((key, cx + dx, cy + dy), ()))
        return found


def top_candidates(need: Need, offers: list[Offer], index: CellIndex, rules: MatchRules, k: int = 10,
                   room: list[int] | None = None) -> list[tuple[int, int]]:
    """The k nearest admissible offers for one need as (offer index, distance m), nearest first;
    `room` (places left per offer) drops full ones. Only the nine cells around the need are read."""
    from project_matching.domain.matching import distance_m, refusal

    found = []
    for j in index.near(need_keys(need), need.x_m, need.y_m):
        if room is not None and room[j] <= 0:
            continue
        if refusal(need, offers[j], rules) is None:
            found.append((distance_m(need, offers[j]), j))
    found.sort()
    return [(j, d) for d, j in found[:k]]
