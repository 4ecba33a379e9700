"""Bounds on the pairs outside the graph, and the potentials split into coverage and score parts (for ``pricing``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.engine.arcs import score_points
from matching.engine.potentials import _Potentials

_LOWEST = np.iinfo(np.int64).min // 4


@dataclass(frozen=True, eq=False)
class _Split:
    """Potentials split into the coverage part (a multiple of ``M``) and the score part ``B``.

    Coverage: a mentee is *reached* (part 0, else 1) and a mentor is reached (part -1,
    else 0) when an alternating path leads to it from an unpaired mentee.
    """

    reached_mentee: np.ndarray
    reached_mentor: np.ndarray
    b_mentee: np.ndarray  # int64 points
    b_mentor: np.ndarray

    @classmethod
    def of(cls, pot: _Potentials) -> _Split:
        big_m = pot.big_m
        a_mentee = np.floor_divide(pot.mentee + big_m // 2, big_m)
        a_mentor = np.floor_divide(pot.mentor + big_m // 2, big_m)
        return cls(a_mentee == 0, a_mentor == -1, pot.mentee - a_mentee * big_m, pot.mentor - a_mentor * big_m)


@dataclass(frozen=True, eq=False)
class _Outside:
    """Upper bounds on the points of the allowed pairs outside the graph, per mentee and mentor (-1: none).

    From the candidate lists (the best score each left out) or measured on a full
    pricing pass; the graph only grows, so they stay bounds, and each pass tightens the
    bounds of the mentees whose rows it scored (arrays updated in place).
    """

    mentee: np.ndarray  # int64
    mentor: np.ndarray

    @classmethod
    def of_lists(cls, next_scores: np.ndarray, mentor_next_scores: np.ndarray, score_scale: int) -> _Outside:
        return cls(_bound_points(next_scores, score_scale), _bound_points(mentor_next_scores, score_scale))


def _bound_points(best: np.ndarray, score_scale: int) -> np.ndarray:
    """Bounds in points: -1 where there is no pair (-inf), the top of the grid for +inf."""
    points = score_points(np.minimum(best, np.float32(100)), score_scale)
    return np.where(np.isfinite(best) | (best > 0), points, -1).astype(np.int64)


def _suspects(split: _Split, outside: _Outside, open_mentor: np.ndarray) -> np.ndarray:
    """Mentees that may have a negative pair with one of the ``open_mentor`` outside the graph; the others have none.

    Such a pair scores at most ``U = min(outside.mentee[i], outside.mentor[j])``. An
    unreached mentee's pair is negative only with an unreached mentor and when ``points >
    B(i) - B(j)``, so it is safe when ``max_j (U + B(j)) <= B(i)``; that maximum over the
    mentors comes from one sort of them by their bound. A reached mentee is suspect if any
    open unreached mentor exists (that pair would be negative whatever its score), and
    otherwise by the same test over reached mentors.
    """
    row_bound = outside.mentee
    suspect = np.zeros(len(row_bound), dtype=bool)
    for reached in (False, True):
        group = open_mentor & (split.reached_mentor == reached)
        best = _max_bounded_gain(row_bound, outside.mentor[group], split.b_mentor[group])
        suspect |= (split.reached_mentee == reached) & (best > split.b_mentee)
    if (open_mentor & ~split.reached_mentor).any():
        suspect |= split.reached_mentee
    return suspect & (row_bound >= 0)


def _max_bounded_gain(x: np.ndarray, bound: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``max_j (min(x[i], bound[j]) + b[j])`` for every i (int64; very negative when there is no j)."""
    if not len(bound):
        return np.full(len(x), _LOWEST, dtype=np.int64)
    order = np.argsort(bound, kind="stable")
    bound, b = bound[order], b[order]
    # Mentors with bound >= x give x + b (the largest b among them); the others bound + b.
    suffix_b = np.maximum.accumulate(b[::-1])[::-1]
    prefix_sum = np.concatenate([[_LOWEST], np.maximum.accumulate(bound + b)])
    pos = np.searchsorted(bound, x, side="left")
    high = np.where(pos < len(bound), x + suffix_b[np.minimum(pos, len(bound) - 1)], _LOWEST)
    return np.maximum(high, prefix_sum[pos])
