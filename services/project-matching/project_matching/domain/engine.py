"""The matching engine: an exact min-cost flow (OR-Tools `SimpleMinCostFlow`) and exact incremental
placement of a newcomer in the residual graph of the optimal flow.

Network: source -> need (capacity 1) -> offer (capacity 1, cost `rules.cost`) -> sink (capacity =
the offer's capacity), plus a zero-cost bypass source -> sink so that leaving a need unserved is
always feasible. Every need-offer cost is negative (the weight term dominates), so the optimum
serves the most weight first, then the least distance.

Incremental, and why it is exact: the residual graph of an optimal flow has no negative cycle.
The source and the sink are one node here, the hub (a zero-cost return arc sink -> source adds no
negative cycle: in an optimal flow no residual source -> sink path costs less than the bypass's 0).
The full solve runs one network per group of kind keys that no pair crosses (`key_groups`).
- A new need adds one unit of room on hub -> need; the new optimum is the old flow plus the cheapest
  cycle through that arc, if it is negative: a path need -> offer -> need ... ending at an offer
  with room, or at a served need that is let go (successive shortest paths).
- A new offer adds one unit of room at a time on offer -> hub; each unit changes the optimum by at
  most the cheapest cycle through it, searched backwards from the offer, and taken if negative.
Local, because the search is Dijkstra on reduced costs from the optimal duals (node potentials under
which every residual arc costs >= 0), stopping when the hub is settled: it touches only the nodes
nearer than the answer. The duals are computed once per solve (`_duals`, Bellman-Ford) and kept
feasible after each search with pi' = pi + min(dist, D): only settled nodes are written, the rest
move together through one offset. Removing needs or offers is not incremental: call `resolve()`.

Costs are scaled per instance (`cost_scale`). A newcomer that would outgrow the scale raises it: any
scale above the largest total distance has the same optima, so the current flow stays optimal.
A newcomer is checked (id, finite position) before anything changes, so a refusal leaves the
engine as it was.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from project_matching.domain.candidates import CellIndex, candidate_pairs, key_groups, need_keys, offer_keys
from project_matching.domain.matching import (Explanation, InstanceTooLarge, InvalidMatchInput, Match, MatchResult,
                                              MatchRules, Need, Offer, cost_scale, distance_m, finite_point, fits,
                                              kind_fit, refusal)

UNSERVED = -1
HUB = -1  # the residual graph's source and sink as one node (see the module's docstring)


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


def solve_by_group(pair_need: np.ndarray, pair_offer: np.ndarray, pair_cost: np.ndarray, capacities: np.ndarray,
                   group: np.ndarray) -> np.ndarray:
    """`solve_flow` on each group of pairs alone: groups share no need and no offer, so their optima are
    independent, and the solver's time grows faster than its size (100k x 100k at 1 km: 35 s by category
    against 106 s in one network). Returns the mask of the pairs that carry flow."""
    chosen = np.zeros(len(pair_need), dtype=bool)
    order = np.argsort(group, kind="stable")
    for part in np.split(order, np.flatnonzero(np.diff(group[order])) + 1):
        if not len(part):
            continue
        needs, need_at = np.unique(pair_need[part], return_inverse=True)
        offers, offer_at = np.unique(pair_offer[part], return_inverse=True)
        chosen[part] = solve_flow(len(needs), len(offers), need_at, offer_at, pair_cost[part], capacities[offers])
    return chosen


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
        self._potential: list[int] | None = None  # duals of the optimal flow, per node (see `_duals`)
        self._hub_potential = 0
        self._shift = 0
        self.last_settled = 0  # nodes the last incremental search settled (the bench reports it)

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
        groups = key_groups(self.needs, self.offers)[pn] if len(pn) else pn
        while True:
            try:
                chosen = solve_by_group(pn, po, dist - big * weights[pn], capacities, groups)
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
        self._potential = None
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
            self._potential = None  # every cost changed: the duals are computed again from the flow

    def _assign(self, i: int, j: int) -> None:
        old = self.assigned[i]
        if old != UNSERVED:
            self._members[old].discard(i)
            self.load[old] -= 1
        self.assigned[i] = j
        if j != UNSERVED:
            self._members[j].add(i)
            self.load[j] += 1

    # Nodes of the residual graph as ints: need i is 2i, offer j is 2j + 1, the hub is HUB.

    def _duals(self) -> list[int]:
        """Node potentials (stored minus `_shift`) under which every residual arc of the current optimal
        flow has a non-negative reduced cost: shortest distances from a virtual root, by Bellman-Ford
        over the whole graph once per solve (numpy, only the arcs of nodes that changed each pass)."""
        if self._potential is None:
            adjacency, _ = self._graph()
            n, m = len(self.needs), len(self.offers)
            hub = 2 * max(n, m) + 2
            tails, heads, costs = [], [], []
            for i, row in enumerate(adjacency):
                j_of = self.assigned[i]
                for j, d in row.items():
                    c = self._cost(i, d)
                    if j == j_of:
                        tails.append(2 * j + 1), heads.append(2 * i), costs.append(-c)
                    else:
                        tails.append(2 * i), heads.append(2 * j + 1), costs.append(c)
                tails.append(hub if j_of == UNSERVED else 2 * i), heads.append(2 * i if j_of == UNSERVED else hub)
                costs.append(0)
            for j, offer in enumerate(self.offers):
                if self.load[j] < max(0, offer.capacity):
                    tails.append(2 * j + 1), heads.append(hub), costs.append(0)
                if self.load[j] > 0:
                    tails.append(hub), heads.append(2 * j + 1), costs.append(0)
            potential = _shortest_from_virtual_root(hub + 1, np.asarray(tails, np.int64), np.asarray(heads, np.int64),
                                                    np.asarray(costs, np.int64))
            self._potential = potential[:hub].tolist()
            self._hub_potential = int(potential[hub])
            self._shift = 0
        return self._potential

    def _pi(self, v: int) -> int:
        return (self._hub_potential if v == HUB else self._potential[v]) + self._shift

    def _set_pi(self, v: int, value: int) -> None:
        if v == HUB:
            self._hub_potential = value - self._shift
        else:
            while len(self._potential) <= v:
                self._potential.append(0)
            self._potential[v] = value - self._shift

    def _forward_arcs(self, v: int):
        """Residual arcs out of v as (head, cost)."""
        if v & 1 == 0:
            i = v >> 1
            mine = self.assigned[i]
            for j, d in self._adjacency[i].items():
                if j != mine:
                    yield 2 * j + 1, self._cost(i, d)
            if mine != UNSERVED:
                yield HUB, 0  # this need lets its offer go and becomes unserved
        else:
            j = v >> 1
            for i in self._members[j]:
                yield 2 * i, -self._cost(i, self._adjacency[i][j])
            if self.load[j] < self.offers[j].capacity:
                yield HUB, 0  # room left

    def _backward_arcs(self, v: int):
        """Residual arcs into v as (tail, cost)."""
        if v & 1 == 0:
            i = v >> 1
            j = self.assigned[i]
            if j == UNSERVED:
                yield HUB, 0  # an unserved need gets served
            else:
                yield 2 * j + 1, -self._cost(i, self._adjacency[i][j])
        else:
            j = v >> 1
            for i, d in self._reverse[j].items():
                if self.assigned[i] != j:
                    yield 2 * i, self._cost(i, d)
            if self.load[j] > 0:
                # This offer gives up one need. For the new offer itself this is the trivial cycle (cost 0):
                # kept, so that when no cycle improves, its duals end equal to the hub's, as both its arcs
                # to and from the hub (places used and left) require.
                yield HUB, 0

    def _search(self, start: int, forward: bool) -> tuple[list[int] | None, int]:
        """Dijkstra on reduced costs from `start` to the hub, stopping when the hub is settled: only the
        nodes nearer than the hub are touched. Returns (path from start to the hub without it, or None
        when no negative cycle through the newcomer exists) and the nodes settled; updates the potentials
        so that they stay feasible for the flow after the path is applied (the caller applies it)."""
        settled: dict[int, int] = {}
        back: dict[int, int] = {}
        best = {start: 0}
        heap = [(0, start)]
        arcs = self._forward_arcs if forward else self._backward_arcs
        while heap:
            d, v = heapq.heappop(heap)
            if v in settled:
                continue
            settled[v] = d
            if v == HUB:
                break
            pv = self._pi(v)
            for w, c in arcs(v):
                if w in settled:
                    continue
                rc = c + pv - self._pi(w) if forward else c + self._pi(w) - pv
                if rc < 0:
                    raise SolverFailure(f"negative reduced cost {rc}: the potentials lost feasibility")
                nd = d + rc
                known = best.get(w)
                if known is None or nd < known:
                    best[w], back[w] = nd, v
                    heapq.heappush(heap, (nd, w))
        self.last_settled = len(settled)
        reached = HUB in settled
        pi_start, pi_hub = self._pi(start), self._pi(HUB)
        if reached:
            limit = settled[HUB]
            # The real cost of the cycle hub -> start -> ... -> hub (or its mirror for a new offer).
            cycle = limit - pi_start + pi_hub if forward else limit - pi_hub + pi_start
            improves = cycle < 0
        else:
            # Nothing beyond the settled nodes: any bound above them keeps every arc feasible, including
            # the newcomer's unused arc to or from the hub.
            limit = max(max(settled.values()), pi_start - pi_hub if forward else pi_hub - pi_start, 0)
            improves = False
        # pi' = pi + min(dist, limit) forward (pi - min(...) backward): unsettled nodes move by the limit
        # through `_shift`, so the update costs only the settled nodes.
        sign = 1 if forward else -1
        for v, d in settled.items():
            if v == HUB:
                self._hub_potential += sign * (d - limit)
            else:
                self._potential[v] += sign * (d - limit)
        self._shift += sign * limit
        if not improves:
            return None, len(settled)
        path, v = [], back[HUB]
        while True:
            path.append(v)
            if v == start:
                break
            v = back[v]
        return (path[::-1] if forward else path), len(settled)

    def add_need(self, need: Need) -> list[Move]:
        """Places a new need exactly; returns every need whose offer changed (the newcomer first)."""
        self._check_newcomer(need, self._need_index, "need")
        adjacency, reverse = self._graph()
        self._duals()
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
        # The newcomer's potential makes its own arcs' reduced costs non-negative.
        self._set_pi(2 * i, max((self._pi(2 * j + 1) - self._cost(i, d) for j, d in adjacency[i].items()),
                                default=self._pi(HUB)))
        path, _ = self._search(2 * i, forward=True)
        if path is None:
            return [Move(need.id, None)]
        moves = []
        for k in range(0, len(path), 2):  # need, offer, need, offer, ... ; a final need is let go
            n = path[k] >> 1
            j = path[k + 1] >> 1 if k + 1 < len(path) else UNSERVED
            self._assign(n, j)
            moves.append(Move(self.needs[n].id, None if j == UNSERVED else self.offers[j].id))
        return moves

    def add_offer(self, offer: Offer) -> list[Move]:
        """Adds a new offer exactly, one unit of its capacity at a time; returns the needs that moved."""
        self._check_newcomer(offer, self._offer_index, "offer")
        adjacency, reverse = self._graph()
        self._duals()
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
        self._set_pi(2 * j + 1, min((self._pi(2 * i) + self._cost(i, d) for i, d in reverse[j].items()),
                                    default=self._pi(HUB)))
        moves: dict[str, str | None] = {}
        for _ in range(max(0, offer.capacity)):
            # One more unit of room: the cheapest cycle hub -> ... -> new offer -> hub, searched backwards.
            path, _ = self._search(2 * j + 1, forward=False)
            if path is None:
                break
            for k, v in enumerate(path):  # [offer or need, ..., need, new offer]: a need takes the next offer
                if v & 1 == 0:
                    n, o = v >> 1, path[k + 1] >> 1
                    self._assign(n, o)
                    moves[self.needs[n].id] = self.offers[o].id
        return [Move(n, o) for n, o in moves.items()]

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


def _shortest_from_virtual_root(n_nodes: int, tails: np.ndarray, heads: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Shortest distances from a virtual root joined to every node at cost 0 (so all are <= 0): feasible
    potentials when the graph has no negative cycle. Bellman-Ford, each pass relaxing only the arcs
    out of nodes whose distance changed in the pass before."""
    order = np.argsort(tails, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    starts = np.searchsorted(tails, np.arange(n_nodes + 1))
    dist = np.zeros(n_nodes, np.int64)
    active = np.unique(tails)
    for _ in range(n_nodes + 1):
        if not len(active):
            return dist
        lo, counts = starts[active], starts[active + 1] - starts[active]
        total = int(counts.sum())
        arcs = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(total)
        relaxed = dist.copy()
        np.minimum.at(relaxed, heads[arcs], dist[tails[arcs]] + costs[arcs])
        active = np.nonzero(relaxed < dist)[0]
        dist = relaxed
    raise SolverFailure("the residual graph has a negative cycle: the flow was not optimal")
