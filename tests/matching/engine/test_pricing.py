"""Pricing: the pairs outside the graph that could improve the flow, found without missing one (``engine.pricing``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.engine import QuestionSpec, Scorer, encode_answers
from matching.engine.arcs import _Arcs, score_points
from matching.engine.bounds import _Outside
from matching.engine.flow import _solve_flow
from matching.engine.potentials import _potentials
from matching.engine.pricing import _Pricing
from tests.matching.engine.helpers import FAMILIES, PROPERTY, family_instance


def _negative_pairs_by_brute_force(scorer, pot, caps, arcs) -> set[tuple[int, int]]:
    scores = scorer.scores()
    points = np.where(np.isfinite(scores), score_points(scores, 1000), 0).astype(np.int64)
    excess = points + pot.big_m + pot.mentor[None, :] - pot.mentee[:, None]
    negative = np.isfinite(scores) & (excess > 0) & (caps[None, :] > 0)
    negative[arcs.mentee, arcs.mentor] = False
    return {(int(i), int(j)) for i, j in zip(*np.nonzero(negative), strict=True)}


@PROPERTY
@given(
    family=st.sampled_from(FAMILIES),
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(1, 3),
    mentor_k=st.integers(0, 2),
    with_bounds=st.booleans(),
)
def test_pricing_finds_every_mentee_with_a_negative_pair(family, seed, k, mentor_k, with_bounds):
    rng = np.random.default_rng(seed)
    questions, mentee_dicts, mentor_dicts, caps = family_instance(rng, family)
    scorer = Scorer(questions, encode_answers(questions, mentee_dicts), encode_answers(questions, mentor_dicts))
    n, m = scorer.n_mentees, scorer.n_mentors
    cands = scorer.candidates(k, mentor_k=mentor_k)
    arcs = _Arcs.from_lists(cands.indices.astype(np.int64), cands.scores)
    if mentor_k:
        arcs = arcs.merged(
            _Arcs.from_mentor_lists(cands.mentor_indices, cands.mentor_scores, n_mentees=n, n_mentors=m), m
        )
    mentor_of = _solve_flow(n, caps, arcs, 1000, 0)
    pot = _potentials(n, caps, arcs, mentor_of, 1000)
    bounds = _Outside.of_lists(cands.next_scores, cands.mentor_next_scores, 1000) if with_bounds else None
    found = _Pricing(scorer, caps, 1000, per_mentee=m, outside=bounds, chunk=4).negative_pairs(pot, arcs)
    expected = _negative_pairs_by_brute_force(scorer, pot, caps, arcs)
    assert set(zip(found.mentee.tolist(), found.mentor.tolist(), strict=True)) == expected
    # Scored block by block: the same pair's float32 score may differ in its last bit.
    assert found.score == pytest.approx(scorer.scores()[found.mentee, found.mentor], abs=1e-4)


def test_pricing_keeps_each_mentees_most_negative_pairs_first():
    # One mentee sits with a 10-point mentor; three 90s and a 60 are outside the graph.
    questions = [QuestionSpec("topics", "multiple", "overlap", n_options=10)]
    mentees = encode_answers(questions, [{"topics": list(range(10))}])
    mentors = encode_answers(
        questions, [{"topics": [0]}] + [{"topics": list(range(9))}] * 3 + [{"topics": list(range(6))}]
    )
    scorer = Scorer(questions, mentees, mentors)
    arcs = _Arcs(np.array([0]), np.array([0]), np.array([10.0]))
    caps = np.ones(5, dtype=np.int64)
    pot = _potentials(1, caps, arcs, np.array([0]), 1000)
    found = _Pricing(scorer, caps, 1000, per_mentee=2).negative_pairs(pot, arcs)
    assert len(found.mentee) == 2 and set(found.mentor.tolist()) <= {1, 2, 3}  # two of the 90s, not the 60
    assert found.score.tolist() == pytest.approx([90.0, 90.0])


@PROPERTY
@given(family=st.sampled_from(FAMILIES), seed=st.integers(0, 2**32 - 1), k=st.integers(1, 2))
def test_later_rounds_that_rely_on_the_memo_and_columns_miss_no_negative_pair(family, seed, k):
    # Round after round, as the proof runs them: the flow re-solved on the grown graph,
    # new potentials, the same pricing (which now skips rows its memo clears).
    rng = np.random.default_rng(seed)
    questions, mentee_dicts, mentor_dicts, caps = family_instance(rng, family)
    scorer = Scorer(questions, encode_answers(questions, mentee_dicts), encode_answers(questions, mentor_dicts))
    n, m = scorer.n_mentees, scorer.n_mentors
    cands = scorer.candidates(k, mentor_k=1)
    arcs = _Arcs.from_lists(cands.indices.astype(np.int64), cands.scores)
    arcs = arcs.merged(_Arcs.from_mentor_lists(cands.mentor_indices, cands.mentor_scores, n_mentees=n, n_mentors=m), m)
    pricing = _Pricing(
        scorer,
        caps,
        1000,
        per_mentee=m,
        outside=_Outside.of_lists(cands.next_scores, cands.mentor_next_scores, 1000),
        chunk=4,
    )
    for _ in range(6):
        mentor_of = _solve_flow(n, caps, arcs, 1000, 0)
        pot = _potentials(n, caps, arcs, mentor_of, 1000)
        found = pricing.negative_pairs(pot, arcs)
        assert set(zip(found.mentee.tolist(), found.mentor.tolist(), strict=True)) == _negative_pairs_by_brute_force(
            scorer, pot, caps, arcs
        )
        if not len(found.mentee):
            break
        arcs = arcs.merged(
            _Arcs(found.mentee[:3], found.mentor[:3], found.score[:3]), m
        )  # a few at a time: more rounds
