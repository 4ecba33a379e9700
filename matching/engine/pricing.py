"""Pricing: which allowed pairs outside the candidate graph have a negative reduced cost against the flow's potentials.

A pair (i, j) outside the graph would enter the residual graph as the arc mentee ->
mentor, with reduced cost ``d(i) - d(j) - M - points(i, j)``. Pricing looks for pairs
where that is negative, over every allowed pair, one block of mentees x all mentors at
a time (never the dense matrix). A mentee is scored only if a bound says it may have
such a pair: every pair left out of the lists scores at most ``min(best left out of
the mentee's list, best left out of the mentor's list)`` (``_Outside``), and
``_suspects`` compares that bound with the potentials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.engine.arcs import _Arcs, _points
from matching.engine.candidates import _nonzero_2d
from matching.engine.potentials import _Potentials
from matching.engine.scoring import DEFAULT_CHUNK, Scorer, _csr_positions

# Float32 potentials (in score points) stay exact enough below this size; above it the
# pre-test runs in float64 (not seen in practice: potentials are prices of ~100 points).
_FLOAT32_SAFE_POINTS = 256.0
# Margin of the float32 pre-test, in score points: far above its rounding error and far
# below the half grid step it guards.
_PRETEST_MARGIN = 2e-4
_FAR = 1e6  # "always" / "never" offsets for the coverage part, in score points


def _no_arcs() -> _Arcs:
    return _Arcs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))


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
    """Upper bounds on the points of the allowed pairs outside the graph, per mentee and per mentor (-1: none).

    From the candidate lists (the best score each left out) or measured on a full
    pricing pass; the graph only grows, so they stay bounds, and each pass tightens the
    bounds of the mentees it scored (arrays updated in place).
    """

    mentee: np.ndarray  # int64
    mentor: np.ndarray

    @classmethod
    def of_lists(cls, next_scores: np.ndarray, mentor_next_scores: np.ndarray, score_scale: int) -> _Outside:
        return cls(_bound_points(next_scores, score_scale), _bound_points(mentor_next_scores, score_scale))


def _suspects(split: _Split, outside: _Outside, cap: np.ndarray) -> np.ndarray:
    """Mentees that may have a negative pair outside the graph; the others provably have none.

    A pair outside the graph scores at most ``U = min(outside.mentee[i], outside.mentor[j])``.
    An unreached mentee's pair is negative only with an unreached mentor and when
    ``points > B(i) - B(j)``, so it is safe when ``max_j (U + B(j)) <= B(i)``; that maximum
    over all mentors comes from one sort of the mentors by their bound. A reached mentee
    is suspect if any unreached mentor has an allowed pair outside the graph at all
    (that pair would be negative), and otherwise by the same test over reached mentors.
    """
    open_mentor = (outside.mentor >= 0) & (cap > 0)
    row_bound = outside.mentee
    suspect = np.zeros(len(row_bound), dtype=bool)
    for reached in (False, True):
        group = open_mentor & (split.reached_mentor == reached)
        best = _max_bounded_gain(row_bound, outside.mentor[group], split.b_mentor[group])
        suspect |= (split.reached_mentee == reached) & (best > split.b_mentee)
    other = open_mentor & ~split.reached_mentor
    if other.any():
        suspect |= split.reached_mentee & (row_bound >= 0)
    return suspect & (row_bound >= 0)


def _max_bounded_gain(x: np.ndarray, bound: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``max_j (min(x[i], bound[j]) + b[j])`` for every i (int64; very negative when there is no j)."""
    lowest = np.iinfo(np.int64).min // 4
    if not len(bound):
        return np.full(len(x), lowest, dtype=np.int64)
    order = np.argsort(bound, kind="stable")
    bound, b = bound[order], b[order]
    # Mentors with bound >= x give x + b (the largest b among them); the others bound + b.
    suffix_b = np.maximum.accumulate(b[::-1])[::-1]
    prefix_sum = np.concatenate([[lowest], np.maximum.accumulate(bound + b)])
    pos = np.searchsorted(bound, x, side="left")
    high = np.where(pos < len(bound), x + suffix_b[np.minimum(pos, len(bound) - 1)], lowest)
    return np.maximum(high, prefix_sum[pos])


def _violations(
    scorer: Scorer,
    pot: _Potentials,
    cap: np.ndarray,
    arcs: _Arcs,
    score_scale: int,
    per_mentee: int,
    outside: _Outside | None,
    chunk: int = DEFAULT_CHUNK,
) -> tuple[_Arcs, _Outside, int]:
    """The allowed pairs outside the graph with a negative reduced cost, at most ``per_mentee`` per mentee.

    Returns them, the bounds ``_Outside`` (measured on this pass when not given, else
    tightened for the mentees scored) and how many mentees were scored: only the
    ``_suspects`` when there are bounds, everyone otherwise. Within a block the graph's
    own pairs are set to -inf first. A pair is negative when ``excess = points + M * (1 +
    A(j) - A(i)) + B(j) - B(i) > 0``: always for a reached mentee and an unreached mentor,
    never for the reverse, else when ``points > B(i) - B(j)``. A float32 pre-test on the
    block, with a margin far below the grid step, finds the few candidates, which are
    checked exactly in integers.
    """
    n, m = scorer.n_mentees, scorer.n_mentors
    split = _Split.of(pot)
    scale = float(score_scale)
    largest = max(np.abs(split.b_mentee).max(initial=0), np.abs(split.b_mentor).max(initial=0)) / scale
    dtype = np.float32 if largest <= _FLOAT32_SAFE_POINTS else np.float64
    # A candidate when score + offset(j) >= threshold(i), all in points.
    base = split.b_mentor / scale
    offsets = {
        True: np.where(split.reached_mentor, base, base + _FAR).astype(dtype),
        False: np.where(split.reached_mentor, base - _FAR, base).astype(dtype),
    }
    for offset in offsets.values():
        offset[cap <= 0] = -np.inf  # a mentor without places takes nobody
    threshold = ((split.b_mentee + 0.5) / scale - _PRETEST_MARGIN).astype(dtype)
    measuring = outside is None
    if outside is None:
        outside = _Outside(np.full(n, -1, dtype=np.int64), np.full(m, -1, dtype=np.int64))
        to_price = np.arange(n)
    else:
        to_price = np.flatnonzero(_suspects(split, outside, cap))
    graph = _ByMentee(arcs, n)
    found: list[_Arcs] = []
    for reached, offset in offsets.items():
        group = to_price[split.reached_mentee[to_price] == reached]
        for start in range(0, len(group), chunk):
            rows = group[start : start + chunk]
            block = scorer.scores(rows)
            graph.hide(block, rows)
            outside.mentee[rows] = _bound_points(block.max(axis=1, initial=-np.inf), score_scale)
            if measuring:
                column_best = _bound_points(block.max(axis=0, initial=-np.inf), score_scale)
                np.maximum(outside.mentor, column_best, out=outside.mentor)
            test = np.add(block.astype(dtype, copy=False), offset[None, :])
            r, c = _nonzero_2d(test >= threshold[rows][:, None])
            if r.size:
                found.append(_most_negative(scorer, pot, rows[r], c, block[r, c], score_scale, per_mentee, cap))
    if not found:
        return _no_arcs(), outside, len(to_price)
    mentee, mentor, score = (
        np.concatenate([getattr(f, name) for f in found]) for name in ("mentee", "mentor", "score")
    )
    new = _most_negative(scorer, pot, mentee, mentor, score.astype(np.float32), score_scale, per_mentee, cap)
    return new, outside, len(to_price)


def _bound_points(best: np.ndarray, score_scale: int) -> np.ndarray:
    """Bounds in points: -1 where there is no pair (-inf), the top of the grid for +inf."""
    points = _points(np.minimum(best, np.float32(100)), score_scale)
    return np.where(np.isfinite(best) | (best > 0), points, -1).astype(np.int64)


class _ByMentee:
    """The graph's arcs grouped by mentee, to hide them in score blocks."""

    def __init__(self, arcs: _Arcs, n: int) -> None:
        order = np.argsort(arcs.mentee, kind="stable")
        self.mentor = arcs.mentor[order]
        self.ptr = np.searchsorted(arcs.mentee[order], np.arange(n + 1))

    def hide(self, block: np.ndarray, rows: np.ndarray) -> None:
        counts = self.ptr[rows + 1] - self.ptr[rows]
        block[np.repeat(np.arange(len(rows)), counts), self.mentor[_csr_positions(self.ptr, rows)]] = -np.inf


def _most_negative(
    scorer: Scorer,
    pot: _Potentials,
    mentee: np.ndarray,
    mentor: np.ndarray,
    score: np.ndarray,
    score_scale: int,
    per_mentee: int,
    cap: np.ndarray,
) -> _Arcs:
    """The exact check of the pre-test's candidates; each mentee's ``per_mentee`` most negative pairs.

    Equally negative pairs are taken in the tie keys' order, so that they spread over the
    mentors instead of going to the first ones.
    """
    mentor = mentor.astype(np.int64)
    excess = _points(score, score_scale).astype(np.int64) + pot.big_m + pot.mentor[mentor] - pot.mentee[mentee]
    keep = (excess > 0) & np.isfinite(score) & (cap[mentor] > 0)
    mentee, mentor, score, excess = mentee[keep], mentor[keep], score[keep], excess[keep]
    tie = scorer.mentee_keys[mentee] ^ scorer.mentor_keys[mentor]
    order = np.lexsort((~tie, -excess, mentee))
    mentee, mentor, score = mentee[order], mentor[order], score[order]
    rank = np.arange(len(mentee)) - np.searchsorted(mentee, mentee)
    first = rank < per_mentee
    return _Arcs(mentee[first], mentor[first], score[first].astype(np.float64))
