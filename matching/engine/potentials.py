"""Dual potentials of the flow: shortest distances in its residual graph, from scratch or updated after new arcs.

"Coverage first, then points" is one min-cost circulation in which pairing mentee i
with mentor j earns ``M + points(i, j)``, ``M`` above any total of points (``_big_m``).
The residual graph of a flow has the arcs: root -> unpaired mentee and paired mentee ->
root (cost 0); mentee -> mentor for each unused graph arc (cost ``-(M + points)``);
mentor -> each of its mentees (cost ``M + points``); root -> mentor and mentor with room
-> root (cost 0). The flow is optimal on its graph exactly when this has no negative
cycle, and then the shortest distances ``d`` from the root are feasible potentials:
``cost(u, v) + d(u) - d(v) >= 0`` on every residual arc.

An unpaired mentee is entered only from the root (``d = 0``) and a paired one only from
its mentor (``d = d(mentor) + M + points``), so only the mentors' distances need
relaxing: a label-correcting Bellman-Ford, frontier by frontier, along
mentor -> its mentees -> their other arcs -> mentors.

Every mentor starts at 0 (the root reaches the mentors who have mentees; for one
without mentees, "0" adds a zero-cost cycle through its free places, which changes
nothing): so starting labels are upper bounds, and old distances stay upper bounds
when arcs are added to the same flow, which lets ``_relaxed`` update them from the new
arcs alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.engine.arcs import _Arcs, score_points
from matching.engine.scoring import _csr_positions


def _big_m(n: int, m: int, score_scale: int) -> int:
    """The worth of one paired mentee: a power of two above 4 x the points of any path or assignment."""
    bound = 4 * 100 * score_scale * (n + m + 1)
    return 1 << int(bound).bit_length()


@dataclass(frozen=True, eq=False)
class _Potentials:
    """Feasible potentials of the residual graph (int64), and how many passes they took to settle."""

    mentee: np.ndarray
    mentor: np.ndarray
    big_m: int
    passes: int


class _Residual:
    """The residual graph of one flow on one set of arcs, in the arrays the relaxation walks."""

    def __init__(self, n: int, cap: np.ndarray, arcs: _Arcs, mentor_of: np.ndarray, score_scale: int) -> None:
        m = len(cap)
        self.n, self.m = n, m
        self.big_m = _big_m(n, m, score_scale)
        self.mentor_of = mentor_of
        usable = cap[arcs.mentor] > 0
        mentee, mentor = arcs.mentee[usable], arcs.mentor[usable]
        points = score_points(arcs.score[usable], score_scale).astype(np.int64)
        self.paired = mentor_of >= 0
        matched = self.paired[mentee] & (mentor_of[mentee] == mentor)
        self.match_cost = np.zeros(n, dtype=np.int64)  # M + points of each paired mentee's pair
        self.match_cost[mentee[matched]] = points[matched] + self.big_m
        # Unused arcs by mentee (CSR), with their cost -(M + points) negated: "gain".
        free = np.flatnonzero(~matched)
        free = free[np.argsort(mentee[free], kind="stable")]
        self.arc_ptr = np.searchsorted(mentee[free], np.arange(n + 1))
        self.arc_mentor = mentor[free]
        self.arc_gain = points[free] + self.big_m
        # Each mentor's mentees (CSR).
        members = np.flatnonzero(self.paired)
        self.members = members[np.argsort(mentor_of[members], kind="stable")]
        self.member_ptr = np.searchsorted(mentor_of[self.members], np.arange(m + 1))
        self.room = np.diff(self.member_ptr) < cap

    def from_scratch(self, max_passes: int | None = None) -> _Potentials | None:
        """Shortest distances from the root; None if they have not settled within ``max_passes``."""
        d_mentor = np.zeros(self.m, dtype=np.int64)
        d_mentee = np.zeros(self.n, dtype=np.int64)
        paired = np.flatnonzero(self.paired)
        d_mentee[paired] = d_mentor[self.mentor_of[paired]] + self.match_cost[paired]
        limit = self.n + self.m + 2 if max_passes is None else max_passes
        return self.relax(d_mentee, d_mentor, np.arange(self.n), limit)

    def relax(
        self, d_mentee: np.ndarray, d_mentor: np.ndarray, frontier: np.ndarray, max_passes: int
    ) -> _Potentials | None:
        """Lower the labels (upper bounds, changed in place) from the ``frontier`` mentees until they settle.

        Without a negative cycle they settle within ``m + 1`` passes (a shortest path
        passes each mentor at most once). A negative cycle gives None: through the root,
        it shows as a label below the root's 0 where an arc leads back to the root (a
        mentor with room, a paired mentee); elsewhere, as labels still falling after
        ``max_passes`` (or ``max_passes`` was too small, which only costs a re-solve).
        """
        ptr, counts = self.arc_ptr, np.diff(self.arc_ptr)
        for passes in range(1, max_passes + 1):
            pos = _csr_positions(ptr, frontier)
            target = self.arc_mentor[pos]
            value = np.repeat(d_mentee[frontier], counts[frontier]) - self.arc_gain[pos]
            better = value < d_mentor[target]
            if not better.any():
                return _Potentials(d_mentee, d_mentor, self.big_m, passes)
            target, value = target[better], value[better]
            np.minimum.at(d_mentor, target, value)
            changed = np.unique(target)
            if (d_mentor[changed[self.room[changed]]] < 0).any():
                return None  # an augmenting path: an unpaired mentee can reach a free place
            frontier = self.members[_csr_positions(self.member_ptr, changed)]
            d_mentee[frontier] = d_mentor[self.mentor_of[frontier]] + self.match_cost[frontier]
            if (d_mentee[frontier] < 0).any():
                return None  # unpairing a mentee along a cycle gains points
        return None


def _potentials(n: int, cap: np.ndarray, arcs: _Arcs, mentor_of: np.ndarray, score_scale: int) -> _Potentials | None:
    """Feasible potentials of an optimal flow on ``arcs`` (None: a negative cycle, so the flow was not optimal)."""
    return _Residual(n, cap, arcs, mentor_of, score_scale).from_scratch()


def _relaxed(
    previous: _Potentials,
    n: int,
    cap: np.ndarray,
    arcs: _Arcs,
    mentor_of: np.ndarray,
    new_mentees: np.ndarray,
    score_scale: int,
    max_passes: int,
) -> _Potentials | None:
    """Potentials after adding arcs to the *same* flow, from the old ones; None if a negative cycle appears.

    The old distances are upper bounds of the new ones (more arcs, shorter paths), so
    relaxing from the new arcs' mentees is enough. None (no settling within
    ``max_passes``) means the new arcs can improve the flow, which must be solved again.
    """
    residual = _Residual(n, cap, arcs, mentor_of, score_scale)
    return residual.relax(previous.mentee.copy(), previous.mentor.copy(), np.unique(new_mentees), max_passes)
