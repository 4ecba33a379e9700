"""The min-cost flow on the candidate graph: coverage first, then points, ties by the seed (``engine.flow``)."""

from __future__ import annotations

import numpy as np

from matching.engine.arcs import _Arcs
from matching.engine.flow import _solve_flow


def _all_pairs(scores: np.ndarray) -> _Arcs:
    n, m = scores.shape
    return _Arcs(np.repeat(np.arange(n), m), np.tile(np.arange(m), n), scores.ravel().astype(np.float64))


def test_flow_pairs_the_most_mentees_then_the_most_points():
    # Alone, mentee 0 would take mentor 0 (100); pairing both needs 0 -> 1 and 1 -> 0.
    arcs = _Arcs(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([100.0, 0.0, 50.0]))
    assert _solve_flow(2, np.array([1, 1]), arcs, 1000, None).tolist() == [1, 0]


def test_flow_without_a_seed_keeps_index_order_and_with_seeds_spreads_ties():
    scores = np.full((1, 6), 50.0)  # one mentee, six equally good mentors
    caps = np.ones(6, dtype=np.int64)
    arcs = _all_pairs(scores)
    assert {int(_solve_flow(1, caps, arcs, 1000, None)[0]) for _ in range(3)} == {
        int(_solve_flow(1, caps, arcs, 1000, None)[0])
    }
    chosen = {int(_solve_flow(1, caps, arcs, 1000, seed)[0]) for seed in range(40)}
    assert len(chosen) >= 4


def test_flow_ignores_mentors_without_places():
    arcs = _Arcs(np.array([0, 0]), np.array([0, 1]), np.array([100.0, 10.0]))
    assert _solve_flow(1, np.array([0, 1]), arcs, 1000, 3).tolist() == [1]
