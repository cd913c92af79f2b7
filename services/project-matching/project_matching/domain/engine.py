"""The matching engine: an exact min-cost flow (OR-Tools `SimpleMinCostFlow`) and exact incremental
placement of a newcomer in the residual graph of the optimal flow.

Network: source -> need (capacity 1) -> offer (capacity 1, cost `rules.cost`) -> sink (capacity =
the offer's capacity), plus a zero-cost bypass source -> sink so that leaving a need unserved is
always feasible. Every need-offer cost is negative (the weight term dominates), so the optimum
serves the most weight first, then the least distance.

Incremental, and why it is exact: the residual graph of an optimal flow has no negative cycle.
- A new need adds one unit of supply; the new optimum is the old flow plus the cheapest path from
  the need to the sink (or to the source, whose shortest way on to the sink is the bypass at cost
  0: a displaced need becomes unserved), if that path is negative (successive shortest paths).
- A new offer adds one unit of capacity at a time on its arc to the sink; each unit changes the
  optimum by at most one cycle through that arc, found as the cheapest path from the sink to the
  offer, and taken if negative.
Shortest paths with negative arcs (but no negative cycles) are found by label correcting (SPFA)
over the local part of the graph it reaches. Removing needs or offers is not incremental: call
`resolve()`.

Costs are scaled per instance (`cost_scale`). A newcomer that would outgrow the scale raises it: any
scale above the largest total distance has the same optima, so the current flow stays optimal.
A newcomer is checked (id, finite position) before anything changes, so a refusal leaves the
engine as it was.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from project_matching.domain.candidates import CellIndex, candidate_pairs, need_keys, offer_keys
from project_matching.domain.matching import (Explanation, InstanceTooLarge, InvalidMatchInput, Match, MatchResult,
                                              MatchRules, Need, Offer, cost_scale, distance_m, finite_point, fits,
                                              kind_fit, refusal)

UNSERVED = -1


class SolverFailure(RuntimeError):
    pass


class CostRangeExceeded(SolverFailure):
    """OR-Tools' BAD_COST_RANGE: the costs, scaled by the node count, near its 64-bit limit."""


@dataclass(frozen=True)
class Move:
    """One change an incremental placement made: `need_id` now has `offer_id` (None: unserved)."""

    need_id: str
    offer_id: str | None


def solve_flow(n_needs: int, n_offers: int, pair_need: np.ndarray, pair_offer: np.ndarray, pair_cost: np.ndarray,
               capacities: np.ndarray) -> np.ndarray:
    """Solves the network; returns a boolean mask of the pairs that carry flow."""
    if len(pair_need) == 0:
        return np.zeros(0, dtype=bool)
    source, sink = 0, 1
    need_node = 2 + np.arange(n_needs, dtype=np.int64)
    offer_node = 2 + n_needs + np.arange(n_offers, dtype=np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        need_node[pair_need], offer_node[pair_offer], np.ones(len(pair_need), np.int64), pair_cost.astype(np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n_needs, source, np.int64), need_node,
                                              np.ones(n_needs, np.int64), np.zeros(n_needs, np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(offer_node, np.full(n_offers, sink, np.int64),
                                              capacities.astype(np.int64), np.zeros(n_offers, np.int64))
    flow.add_arc_with_capacity_and_unit_cost(source, sink, n_needs, 0)
    flow.set_node_supply(source, n_needs)
    flow.set_node_supply(sink, -n_needs)
    status = flow.solve()
    if status == flow.BAD_COST_RANGE:
        raise CostRangeExceeded(f"min-cost flow ended with status {status}")
    if status != flow.OPTIMAL:
        raise SolverFailure(f"min-cost flow ended with status {status}")
    return flow.flows(pair_arcs) > 0


class MatchingEngine:
    """Holds one optimal assignment and keeps it optimal as needs and offers arrive."""

    def __init__(self, rules: MatchRules | None = None) -> None:
        self.rules = rules or MatchRules()
        self.needs: list[Need] = []
        self.offers: list[Offer] = []
        self.assigned: list[int] = []     # per need: offer index or UNSERVED
        self.load: list[int] = []         # per offer: needs assigned
        self._adjacency: list[dict[int, int]] | None = None   # per need: offer -> distance
        self._reverse: list[dict[int, int]] | None = None     # per offer: need -> distance
        self._members: list[set[int]] = []
        self._need_cells: CellIndex | None = None
        self._offer_cells: CellIndex | None = None
        self._pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._need_index: dict[str, int] = {}
        self._offer_index: dict[str, int] = {}
        self._big = cost_scale(self.rules, 0, 0)

    # --- full solve -------------------------------------------------------------------------------

    def solve(self, needs: list[Need], offers: list[Offer]) -> MatchResult:
        need_index = {n.id: i for i, n in enumerate(needs)}
        offer_index = {o.id: j for j, o in enumerate(offers)}
        if len(need_index) != len(needs) or len(offer_index) != len(offers):
            raise InvalidMatchInput("need and offer ids must be unique")
        big = cost_scale(self.rules, len(needs), len(offers))
        self.needs, self.offers = list(needs), list(offers)
        self._need_index, self._offer_index, self._big = need_index, offer_index, big
        pn, po, dist = candidate_pairs(self.needs, self.offers, self.rules)
        weights = np.fromiter((self.rules.weights.of(n.household) for n in self.needs), np.int64, len(self.needs))
        capacities = np.fromiter((max(0, o.capacity) for o in self.offers), np.int64, len(self.offers))
        while True:
            try:
                chosen = solve_flow(len(self.needs), len(self.offers), pn, po, dist - big * weights[pn], capacities)
                break
            except CostRangeExceeded:
                # The margin below the solver's limit is measured, not proven: a smaller scale that still
                # dominates every total distance gives the same optimum.
                big //= 2
                if not fits(big, self.rules, len(self.needs)):
                    raise InstanceTooLarge(f"{len(self.needs)} needs and {len(self.offers)} offers exceed the "
                                           "solver's 64-bit cost range") from None
        self._big = big
        assigned = np.full(len(self.needs), UNSERVED, np.int64)
        assigned[pn[chosen]] = po[chosen]
        self.assigned = assigned.tolist()
        self.load = np.bincount(po[chosen], minlength=len(self.offers)).tolist() if len(self.offers) else []
        self._pairs = (pn, po, dist)
        self._adjacency = self._reverse = None
        self._need_cells = self._offer_cells = None
        return self.result()

    def resolve(self) -> MatchResult:
        """A full re-solve of the current needs and offers (after removals or rule changes)."""
        return self.solve(self.needs, self.offers)

    def result(self) -> MatchResult:
        matches, unserved, weight, total = [], [], 0, 0
        for i, j in enumerate(self.assigned):
            need = self.needs[i]
            if j == UNSERVED:
                unserved.append(need.id)
                continue
            d = distance_m(need, self.offers[j])
            matches.append(Match(need.id, self.offers[j].id, d))
            weight += self.rules.weights.of(need.household)
            total += d
        return MatchResult(matches=matches, unserved=unserved, served_weight=weight, total_distance_m=total)

    # --- incremental ------------------------------------------------------------------------------

    def _graph(self) -> tuple[list[dict[int, int]], list[dict[int, int]]]:
        """Adjacency for the residual searches, built on first use from the solve's pairs."""
        if self._adjacency is None or self._reverse is None:
            adjacency: list[dict[int, int]] = [{} for _ in self.needs]
            reverse: list[dict[int, int]] = [{} for _ in self.offers]
            if self._pairs is not None:
                for i, j, d in zip(*(a.tolist() for a in self._pairs)):
                    adjacency[i][j] = d
                    reverse[j][i] = d
            self._adjacency, self._reverse = adjacency, reverse
            self._members = [set() for _ in self.offers]
            for i, j in enumerate(self.assigned):
                if j != UNSERVED:
                    self._members[j].add(i)
            size = self.rules.max_distance_m
            self._need_cells, self._offer_cells = CellIndex(size), CellIndex(size)
            for i, n in enumerate(self.needs):
                self._need_cells.add(i, need_keys(n), n.x_m, n.y_m)
            for j, o in enumerate(self.offers):
                self._offer_cells.add(j, offer_keys(o), o.x_m, o.y_m)
        return self._adjacency, self._reverse

    def _cost(self, i: int, d: int) -> int:
        return d - self._big * self.rules.weights.of(self.needs[i].household)

    def _check_newcomer(self, item: Need | Offer, index: dict[str, int], kind: str) -> None:
        if item.id in index:
            raise InvalidMatchInput(f"{kind} '{item.id}' is already placed")
        if not finite_point(item):
            raise InvalidMatchInput(f"{kind} '{item.id}' has no finite position ({item.x_m}, {item.y_m})")
        if not fits(self._big, self.rules, len(self.needs) + 1):
            self._big = 2 * (len(self.needs) + 1) * self.rules.max_distance_m + 1  # see the module's docstring

    def _assign(self, i: int, j: int) -> None:
        old = self.assigned[i]
        if old != UNSERVED:
            self._members[old].discard(i)
            self.load[old] -= 1
        self.assigned[i] = j
        if j != UNSERVED:
            self._members[j].add(i)
            self.load[j] += 1

    def add_need(self, need: Need) -> list[Move]:
        """Places a new need exactly; returns every need whose offer changed (the newcomer first)."""
        self._check_newcomer(need, self._need_index, "need")
        adjacency, reverse = self._graph()
        i = len(self.needs)
        self._need_index[need.id] = i
        self.needs.append(need)
        self.assigned.append(UNSERVED)
        near = self._offer_cells.near(need_keys(need), need.x_m, need.y_m)
        adjacency.append({})
        for j in sorted(near):
            if refusal(need, self.offers[j], self.rules) is None:
                d = distance_m(need, self.offers[j])
                adjacency[i][j] = d
                reverse[j][i] = d
        self._need_cells.add(i, need_keys(need), need.x_m, need.y_m)
        path = self._cheapest_from_need(i)
        moves = [Move(need.id, None)]
        if path is not None:
            moves = self._apply_from_need(path)
        return moves

    def _cheapest_from_need(self, start: int) -> list[tuple[str, int]] | None:
        """SPFA from a new need to the sink (an offer with room) or the source (a need let go)."""
        adjacency, _ = self._graph()

        def expand(node: tuple[str, int], here: int):
            if node[0] == "n":
                i = node[1]
                ends = i != start  # this need becomes unserved: via the source and bypass
                return ends, [(("o", j), here + self._cost(i, d)) for j, d in adjacency[i].items() if self.assigned[i] != j]
            j = node[1]
            ends = self.load[j] < self.offers[j].capacity
            return ends, [(("n", m), here - self._cost(m, adjacency[m][j])) for m in self._members[j]]

        path = _cheapest_path(("n", start), expand)
        return None if path is None else path[::-1]

    def _apply_from_need(self, path: list[tuple[str, int]]) -> list[Move]:
        """path = need, offer, need, offer, ... ; each need takes the offer after it; a final need is let go."""
        moves = []
        for k in range(0, len(path), 2):
            i = path[k][1]
            j = path[k + 1][1] if k + 1 < len(path) else UNSERVED
            self._assign(i, j)
            moves.append(Move(self.needs[i].id, None if j == UNSERVED else self.offers[j].id))
        return moves

    def add_offer(self, offer: Offer) -> list[Move]:
        """Adds a new offer exactly, one unit of its capacity at a time; returns the needs that moved."""
        self._check_newcomer(offer, self._offer_index, "offer")
        adjacency, reverse = self._graph()
        j = len(self.offers)
        self._offer_index[offer.id] = j
        self.offers.append(offer)
        self.load.append(0)
        self._members.append(set())
        reverse.append({})
        for i in sorted(self._need_cells.near(offer_keys(offer), offer.x_m, offer.y_m)):
            if refusal(self.needs[i], offer, self.rules) is None:
                d = distance_m(self.needs[i], offer)
                adjacency[i][j] = d
                reverse[j][i] = d
        self._offer_cells.add(j, offer_keys(offer), offer.x_m, offer.y_m)
        moves: dict[str, str | None] = {}
        for _ in range(max(0, offer.capacity)):
            path = self._cheapest_into_offer(j)
            if path is None:
                break
            for move in self._apply_into_offer(path):
                moves[move.need_id] = move.offer_id
        return [Move(n, o) for n, o in moves.items()]

    def _cheapest_into_offer(self, target: int) -> list[tuple[str, int]] | None:
        """SPFA backwards from the new offer: the cheapest cycle sink -> ... -> offer -> sink."""
        _, reverse = self._graph()

        def expand(node: tuple[str, int], here: int):
            if node[0] == "o":
                j = node[1]
                ends = j != target and self.load[j] > 0  # this offer gives up one need
                return ends, [(("n", i), here + self._cost(i, d)) for i, d in reverse[j].items() if self.assigned[i] != j]
            i = node[1]
            j = self.assigned[i]
            if j == UNSERVED:
                return True, []  # an unserved need gets served
            if j == target:
                return False, []
            return False, [(("o", j), here - self._cost(i, reverse[j][i]))]

        return _cheapest_path(("o", target), expand)  # from the far end towards the new offer

    def _apply_into_offer(self, path: list[tuple[str, int]]) -> list[Move]:
        """path = [offer or need, ..., need, new offer]: each need takes the offer after it in the path."""
        moves = []
        for k, node in enumerate(path):
            if node[0] == "n":
                j = path[k + 1][1]
                self._assign(node[1], j)
                moves.append(Move(self.needs[node[1]].id, self.offers[j].id))
        return moves

    # --- explanations -----------------------------------------------------------------------------

    def explain(self, need_id: str) -> Explanation:
        i = self._need_index.get(need_id)  # a lookup, not a scan: explaining every need stays linear
        if i is None:
            raise KeyError(need_id)
        adjacency, _ = self._graph()
        need, j = self.needs[i], self.assigned[i]
        weight = self.rules.weights.of(need.household)
        candidates = adjacency[i]
        if j == UNSERVED:
            if not finite_point(need):
                summary = "No usable position (the coordinates are not finite numbers): not matched."
            elif not candidates:
                summary = (f"No resource for {need.category} within {self.rules.max_distance_m} m that serves this "
                           "area in the period.")
            else:
                summary = (f"{len(candidates)} candidate resource(s), all full with needs of equal or higher "
                           "priority or that only they can serve.")
            return Explanation(need.id, None, None, None, weight, None, None, None, len(candidates), 0, summary)
        offer, d = self.offers[j], candidates[j]
        nearer = sum(1 for other in candidates.values() if other < d)
        left = offer.capacity - self.load[j]
        summary = (f"{d / 1000:.2f} km away; fits by {kind_fit(need, offer)}; {self.load[j]} of {offer.capacity} "
                   f"place(s) used, {left} left" + (f"; {nearer} nearer candidate(s) were needed by others"
                                                    if nearer else "; the nearest candidate"))
        return Explanation(need.id, offer.id, d, kind_fit(need, offer), weight, offer.capacity, self.load[j], left,
                           len(candidates), nearer, summary)

    def explanations(self) -> dict[str, Explanation]:
        return {n.id: self.explain(n.id) for n in self.needs}


def _cheapest_path(start: tuple[str, int], expand) -> list[tuple[str, int]] | None:
    """Label-correcting shortest path (SPFA: residual costs may be negative) from `start`; `expand(node,
    label)` says whether the node may end the path and gives its (next node, label) steps. Returns the
    path from the cheapest negative-cost end back to `start`, or None when no end improves on zero."""
    label: dict[tuple[str, int], int] = {start: 0}
    back: dict[tuple[str, int], tuple[str, int]] = {}
    best, best_end = 0, None
    queue, queued = deque([start]), {start}
    while queue:
        node = queue.popleft()
        queued.discard(node)
        here = label[node]
        ends, steps = expand(node, here)
        if ends and here < best:
            best, best_end = here, node
        for nxt, value in steps:
            known = label.get(nxt)
            if known is None or value < known:  # no sentinel: labels may exceed any fixed bound
                label[nxt], back[nxt] = value, node
                if nxt not in queued:
                    queue.append(nxt)
                    queued.add(nxt)
    if best_end is None:
        return None
    path = [best_end]
    while path[-1] != start:
        path.append(back[path[-1]])
    return path
