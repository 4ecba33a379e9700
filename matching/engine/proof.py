"""The proof of optimality: price every allowed pair against the flow's dual potentials, add the negative ones, repeat.

Why a proof is needed
---------------------
The flow is solved on a sparse candidate graph, so it is optimal *on that graph*. With
coarse questionnaires many pairs tie, and a graph built from each side's best lists can
miss pairs the optimum needs. Linear-programming duality says exactly which pairs can
matter, without solving the dense problem.

The certificate
---------------
"Coverage first, then points" is one min-cost circulation (``potentials``): pairing
mentee i with mentor j earns ``M + points(i, j)``, with ``M`` above any total of
points, so one more paired mentee outweighs any score. For an optimal flow on the graph,
the shortest distances ``d`` in its residual graph are feasible dual potentials. A pair
outside the graph would add the arc mentee -> mentor with reduced cost ``d(i) - d(j) - M
- points(i, j)``. If that is >= 0 for *every* allowed pair (``pricing``), ``d`` is a
feasible dual of the whole problem with the flow's own value, so by weak duality no
assignment over all allowed pairs does better: neither more mentees paired nor, at that
coverage, more points. Otherwise the negative pairs join the graph (column generation).
If the flow stays optimal with them (the potentials settle again without a negative
cycle), the next pricing uses the new potentials at once; else the flow is solved again.
Each round adds pairs never added before, so it ends.

What is proven
--------------
The objective proven is the one the flow optimises: the sum of the assigned scores on
the grid of ``score_scale`` steps per point (``arcs.score_points``, by default 0.001 points).
Scores are float32 weighted shares, so two scores that are equal as fractions can differ
in their last float bit; on the grid they are equal unless they sit within a rounding
error of a half step. The total of the true scores is therefore within half a step per
pair of the grid total, and no other assignment's true total exceeds it by more than
one step per pair (0.001 points per mentee: 10 points on 10,000 mentees at worst, in
practice far less, as rounding errors cancel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.engine.arcs import _Arcs, score_points
from matching.engine.bounds import _Outside
from matching.engine.flow import _solve_flow
from matching.engine.potentials import _potentials, _relaxed
from matching.engine.pricing import _Pricing
from matching.engine.scoring import Scorer


@dataclass(frozen=True)
class Proof:
    """What a run proved about its assignment.

    ``optimal``: no allowed pair, inside or outside the candidate graph, can pair more
    mentees or, at that coverage, add ``points``. ``rounds``: pricing rounds over all
    allowed pairs (the last one found nothing). ``pairs_added``: pairs they added to the
    graph. ``solves``: how many of those rounds needed the flow solved again.
    ``points``: the objective, the assigned scores on the grid of ``score_scale`` steps
    per point, summed (``points / score_scale`` is the total on that grid).
    """

    optimal: bool
    rounds: int
    pairs_added: int
    solves: int
    points: int
    score_scale: int


def _assigned_points(arcs: _Arcs, mentor_of: np.ndarray, n_mentors: int, score_scale: int) -> int:
    """The flow's objective: the grid points of the assigned pairs, summed."""
    key = arcs.mentee * n_mentors + arcs.mentor
    paired = np.flatnonzero(mentor_of >= 0)
    chosen = np.isin(key, paired * n_mentors + mentor_of[paired])
    return int(score_points(arcs.score[chosen], score_scale).astype(np.int64).sum())


def _optimise(
    scorer: Scorer,
    cap: np.ndarray,
    arcs: _Arcs,
    mentor_of: np.ndarray,
    *,
    score_scale: int,
    seed: int | None,
    max_rounds: int,
    per_mentee: int,
    list_bounds: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[_Arcs, np.ndarray, Proof]:
    """Price, add the negative pairs, re-optimise, until no allowed pair is negative (or ``max_rounds``).

    ``mentor_of`` must be optimal on ``arcs``. ``list_bounds``: the best score left out
    of each mentee's and each mentor's list, when ``arcs`` hold exact best lists
    (``Candidates.next_scores``, ``mentor_next_scores``); they spare the scoring of
    mentees who provably have no negative pair. Without them the first round scores
    everyone and measures such bounds. Returns the final graph, assignment and
    ``Proof``; ``optimal`` is False only when the rounds ran out (or the potentials did
    not settle, which an optimal flow rules out), and then says so.
    """
    n, m = scorer.n_mentees, scorer.n_mentors
    outside = None if list_bounds is None else _Outside.of_lists(*list_bounds, score_scale)
    pricing = _Pricing(scorer, cap, score_scale, per_mentee, outside)
    added = solves = rounds = 0
    potentials = _potentials(n, cap, arcs, mentor_of, score_scale)
    while potentials is not None and rounds < max_rounds:
        rounds += 1
        new = pricing.negative_pairs(potentials, arcs)
        if not len(new.mentee):
            points = _assigned_points(arcs, mentor_of, m, score_scale)
            return arcs, mentor_of, Proof(True, rounds, added, solves, points, score_scale)
        arcs = arcs.merged(new, m)
        added += len(new.mentee)
        # A few passes more than the last settling took: longer means a negative cycle
        # (the new pairs improve the flow), or at worst a re-solve that was not needed.
        previous = potentials
        potentials = _relaxed(previous, n, cap, arcs, mentor_of, new.mentee, score_scale, 2 * previous.passes + 20)
        if potentials is None:
            mentor_of = _solve_flow(n, cap, arcs, score_scale, seed)
            solves += 1
            potentials = _potentials(n, cap, arcs, mentor_of, score_scale)
    points = _assigned_points(arcs, mentor_of, m, score_scale)
    return arcs, mentor_of, Proof(False, rounds, added, solves, points, score_scale)
