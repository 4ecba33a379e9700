"""Dual potentials of the flow: feasible on every residual arc, None when the flow can improve (``potentials``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from matching.engine import Scorer, encode_answers
from matching.engine.arcs import _Arcs, score_points
from matching.engine.flow import _solve_flow
from matching.engine.potentials import _potentials, _relaxed
from tests.matching.engine.helpers import FAMILIES, PROPERTY, family_instance


def _residual_reduced_costs(pot, cap, arcs, mentor_of) -> np.ndarray:
    """The reduced cost of every arc of the flow's residual graph, written out arc by arc."""
    big_m, d_i, d_j = pot.big_m, pot.mentee, pot.mentor
    usable = cap[arcs.mentor] > 0
    i, j = arcs.mentee[usable], arcs.mentor[usable]
    worth = big_m + score_points(arcs.score[usable], 1000).astype(np.int64)
    used = mentor_of[i] == j
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=len(cap))
    paired = mentor_of >= 0
    return np.concatenate(
        [
            (d_i[i] - worth - d_j[j])[~used],  # mentee -> mentor, an unused pair
            (d_j[j] + worth - d_i[i])[used],  # mentor -> its mentee
            -d_i[~paired],  # root -> unpaired mentee
            d_i[paired],  # paired mentee -> root
            -d_j[load > 0],  # root -> mentor with mentees
            d_j[load < cap],  # mentor with room -> root
        ]
    )


def _graph(rng, family, k):
    questions, mentee_dicts, mentor_dicts, caps = family_instance(rng, family)
    scorer = Scorer(questions, encode_answers(questions, mentee_dicts), encode_answers(questions, mentor_dicts))
    idx, sc = scorer.top(k)
    return len(mentee_dicts), caps.astype(np.int64), _Arcs.from_lists(idx.astype(np.int64), sc), scorer


@PROPERTY
@given(family=st.sampled_from(FAMILIES), seed=st.integers(0, 2**32 - 1), k=st.integers(1, 4))
def test_potentials_of_an_optimal_flow_are_feasible_on_every_residual_arc(family, seed, k):
    n, caps, arcs, _ = _graph(np.random.default_rng(seed), family, k)
    mentor_of = _solve_flow(n, caps, arcs, 1000, seed % 7)
    pot = _potentials(n, caps, arcs, mentor_of, 1000)
    assert pot is not None
    assert (_residual_reduced_costs(pot, caps, arcs, mentor_of) >= 0).all()


def test_a_flow_that_can_improve_has_no_potentials():
    # Mentee 0 sits with mentor 0 (10 points) while mentor 1 (90) has room.
    arcs = _Arcs(np.array([0, 0]), np.array([0, 1]), np.array([10.0, 90.0]))
    assert _potentials(1, np.array([1, 1]), arcs, np.array([0]), 1000) is None
    # Mentee 1 is left out although mentor 1 has room for it.
    arcs = _Arcs(np.array([0, 1]), np.array([0, 1]), np.array([50.0, 50.0]))
    assert _potentials(2, np.array([1, 1]), arcs, np.array([0, -1]), 1000) is None


@PROPERTY
@given(family=st.sampled_from(FAMILIES), seed=st.integers(0, 2**32 - 1))
def test_relaxed_potentials_after_new_arcs_are_feasible_or_show_an_improvement(family, seed):
    rng = np.random.default_rng(seed)
    n, caps, arcs, scorer = _graph(rng, family, 1)
    mentor_of = _solve_flow(n, caps, arcs, 1000, 0)
    pot = _potentials(n, caps, arcs, mentor_of, 1000)
    wide_idx, wide_sc = scorer.top(3)
    wider = _Arcs.from_lists(wide_idx.astype(np.int64), wide_sc)
    grown = arcs.merged(wider, len(caps))
    relaxed = _relaxed(pot, n, caps, grown, mentor_of, wider.mentee, 1000, len(caps) + 2)
    better = _solve_flow(n, caps, grown, 1000, 0)

    def value(assignment):
        paired = np.flatnonzero(assignment >= 0)
        key = grown.mentee * len(caps) + grown.mentor
        points = score_points(grown.score[np.isin(key, paired * len(caps) + assignment[paired])], 1000).sum()
        return len(paired), int(points)

    if relaxed is None:
        assert value(better) > value(mentor_of)  # the new arcs improve the flow
    else:
        assert (_residual_reduced_costs(relaxed, caps, grown, mentor_of) >= 0).all()
        assert value(better) == value(mentor_of)
