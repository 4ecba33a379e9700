"""The min-cost flow on the candidate graph (OR-Tools): coverage first, then the most points."""

from __future__ import annotations

import numpy as np

from matching.engine.arcs import _Arcs, score_points


def _solve_flow(n: int, cap: np.ndarray, arcs: _Arcs, score_scale: int, seed: int | None) -> np.ndarray:
    """Max-flow-min-cost on the arcs; returns the mentor index per mentee (-1 = unassigned).

    Each mentee node sends one unit along a candidate arc to a mentor (cost ``100 *
    score_scale - points``), each mentor passes at most ``cap[j]`` units to the sink.
    ``solve_max_flow_with_min_cost`` maximises the flow (paired mentees) and then
    minimises the cost (maximises the points) among maximum flows.

    Which of several equally good flows the solver returns depends on the order of nodes
    and arcs. With a ``seed`` both are shuffled by a permutation drawn from it, so ties go
    neither to the first-created mentees nor to the first-created mentors; ``None`` keeps
    the index order.
    """
    from ortools.graph.python import min_cost_flow  # imported here: only the assignment needs it

    m = len(cap)
    usable = np.flatnonzero(cap[arcs.mentor] > 0)
    mentee_node, mentor_node = np.arange(n), np.arange(m)
    if seed is not None:
        rng = np.random.default_rng(seed)
        mentee_node, mentor_node = rng.permutation(n), rng.permutation(m)
        usable = usable[rng.permutation(len(usable))]
    mentee, mentor = arcs.mentee[usable], arcs.mentor[usable]
    cost = 100 * score_scale - score_points(arcs.score[usable], score_scale).astype(np.int64)
    step = int(np.gcd.reduce(cost)) if len(cost) else 1
    if step > 1:  # coarse scores: the same optimum with a smaller cost range, which the solver's scaling likes
        cost //= step
    sink = n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    real = flow.add_arcs_with_capacity_and_unit_cost(
        mentee_node[mentee], n + mentor_node[mentor], np.ones(len(mentee), dtype=np.int64), cost
    )
    flow.add_arcs_with_capacity_and_unit_cost(n + mentor_node, np.full(m, sink), cap, np.zeros(m, dtype=np.int64))
    supplies = np.zeros(n + m + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    flow.set_nodes_supplies(np.arange(n + m + 1), supplies)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    mentor_of = np.full(n, -1, dtype=np.int64)
    used = flow.flows(real) > 0
    mentor_of[mentee[used]] = mentor[used]
    return mentor_of
