"""The proven optimum: auto_pair against scipy's optimum on every family, the proof it records (``engine.proof``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import AnswerMatrix, QuestionSpec, Scorer, assign, auto_pair, encode_answers
from tests.matching.engine.helpers import (
    FAMILIES,
    PROPERTY,
    capacity_optimum,
    check_assignment,
    family_instance,
    points_optimum,
)


def _points_of(result, scores: np.ndarray) -> int:
    from matching.engine.arcs import score_points

    rows = np.flatnonzero(result.mentor >= 0)
    return int(score_points(scores[rows, result.mentor[rows]], 1000).astype(np.int64).sum())


@settings(PROPERTY, max_examples=300)  # the guarantee itself: many draws, a few ms each
@given(
    family=st.sampled_from(FAMILIES),
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(1, 3),
    mentor_k=st.integers(0, 2),
    tie_seed=st.integers(0, 1000),
)
def test_auto_pair_equals_the_optimum_on_every_family(family, seed, k, mentor_k, tie_seed):
    rng = np.random.default_rng(seed)
    questions, mentee_dicts, mentor_dicts, caps = family_instance(rng, family)
    mentees, mentors = encode_answers(questions, mentee_dicts), encode_answers(questions, mentor_dicts)
    result = auto_pair(mentees, mentors, questions, caps, k=k, mentor_k=mentor_k, seed=tie_seed)
    scores = Scorer(questions, mentees, mentors).scores()
    check_assignment(result, scores, caps)
    best_count, best_points = points_optimum(scores, caps)
    assert result.n_assigned == best_count
    assert _points_of(result, scores) == best_points == result.proof.points
    assert result.optimal and result.proof.optimal
    _, best_total = capacity_optimum(scores, caps)
    assert result.total >= best_total - 0.001 * len(mentee_dicts)  # the grid's rounding, at most


@PROPERTY
@given(family=st.sampled_from(FAMILIES), seed=st.integers(0, 2**32 - 1), k=st.integers(1, 2))
def test_assign_with_a_scorer_proves_the_optimum_from_any_candidate_lists(family, seed, k):
    # Lists that are not the best ones (a random allowed mentor each): the first pricing
    # pass has no bounds to rely on and scores everyone.
    rng = np.random.default_rng(seed)
    questions, mentee_dicts, mentor_dicts, caps = family_instance(rng, family)
    mentees, mentors = encode_answers(questions, mentee_dicts), encode_answers(questions, mentor_dicts)
    scorer = Scorer(questions, mentees, mentors)
    scores = scorer.scores()
    idx = np.full((len(mentee_dicts), k), -1)
    sc = np.full((len(mentee_dicts), k), -np.inf)
    for i, row in enumerate(scores):
        allowed = np.flatnonzero(np.isfinite(row))
        picked = rng.permutation(allowed)[:k]
        idx[i, : len(picked)], sc[i, : len(picked)] = picked, np.clip(row[picked], 0, 100)
    result = assign(idx, sc, caps, scorer=scorer)
    best_count, best_points = points_optimum(scores, caps)
    assert (result.n_assigned, _points_of(result, scores)) == (best_count, best_points)
    assert result.optimal


def _one_question(rng: np.random.Generator, n: int, m: int, options: int) -> tuple:
    questions = [QuestionSpec("track", "single", "same", n_options=options)]
    mentees = AnswerMatrix.from_columns(
        questions, {"track": np.eye(options, dtype=bool)[rng.integers(0, options, n)]}, n
    )
    mentors = AnswerMatrix.from_columns(
        questions, {"track": np.eye(options, dtype=bool)[rng.integers(0, options, m)]}, m
    )
    return questions, mentees, mentors


@pytest.mark.parametrize("options", [2, 3])
def test_auto_pair_with_one_scored_single_choice_question_is_the_optimum(options):
    # Every score is 0 or 100, so every mentee ties with hundreds of mentors: the case
    # where index-ordered candidate lists piled onto the first mentors and reached 54-61%.
    rng = np.random.default_rng(options)
    questions, mentees, mentors = _one_question(rng, 400, 80, options)
    caps = np.full(80, 5)
    result = auto_pair(mentees, mentors, questions, caps)
    scores = Scorer(questions, mentees, mentors).scores()
    check_assignment(result, scores, caps)
    track_of_mentee = mentees.columns["track"].argmax(axis=1)
    places = np.bincount(mentors.columns["track"].argmax(axis=1), minlength=options) * 5
    same_track = np.minimum(np.bincount(track_of_mentee, minlength=options), places).sum()
    assert result.n_assigned == 400
    assert result.total == pytest.approx(100.0 * same_track)  # everyone who can have their track has it
    assert result.optimal


def test_the_proof_records_the_pairs_it_added_and_the_rounds():
    # One candidate per mentee and no mentor lists: the graph alone cannot reach the optimum.
    rng = np.random.default_rng(5)
    questions, mentees, mentors = _one_question(rng, 60, 12, 2)
    result = auto_pair(mentees, mentors, questions, np.full(12, 5), k=1, mentor_k=0)
    scores = Scorer(questions, mentees, mentors).scores()
    proof = result.proof
    assert proof.optimal and proof.pairs_added > 0 and proof.rounds >= 2
    assert proof.points == points_optimum(scores, np.full(12, 5))[1]
    assert proof.score_scale == 1000 and proof.points == round(result.total * 1000)


def test_a_run_out_of_rounds_says_it_is_not_proven():
    rng = np.random.default_rng(5)
    questions, mentees, mentors = _one_question(rng, 60, 12, 2)
    caps = np.full(12, 5)
    full = auto_pair(mentees, mentors, questions, caps, k=1, mentor_k=0)
    assert full.proof.rounds >= 2  # so one round is not enough
    cut = auto_pair(mentees, mentors, questions, caps, k=1, mentor_k=0, max_rounds=1)
    assert not cut.optimal and cut.proof.rounds == 1
    assert cut.n_assigned == full.n_assigned  # coverage is the maximum even so


def test_without_a_scorer_nothing_is_claimed():
    result = assign(np.array([[0]]), np.array([[50.0]]), np.array([1]))
    assert result.proof is None and not result.optimal


# ----------------------------------------------------------------------------- fairness


def _identical(n_mentees: int, n_mentors: int) -> tuple:
    questions = [QuestionSpec("track", "single", "same", n_options=2)]
    return (
        questions,
        encode_answers(questions, [{"track": 0}] * n_mentees),
        encode_answers(questions, [{"track": 0}] * n_mentors),
    )


def test_equally_good_mentees_get_equal_chances_not_the_first_created():
    # Ten identical mentees, one place: every pairing is equally good.
    questions, mentees, mentors = _identical(10, 1)
    chosen = [
        int(np.flatnonzero(auto_pair(mentees, mentors, questions, np.array([1]), seed=s).mentor >= 0)[0])
        for s in range(300)
    ]
    counts = np.bincount(chosen, minlength=10)
    assert counts.min() >= 10 and counts.max() <= 60  # 30 each on average
    assert counts[0] <= 60


def test_equally_good_mentors_get_equal_chances_not_the_first_created():
    questions, mentees, mentors = _identical(1, 10)
    chosen = [
        int(auto_pair(mentees, mentors, questions, np.ones(10, dtype=np.int64), seed=s).mentor[0]) for s in range(300)
    ]
    counts = np.bincount(chosen, minlength=10)
    assert counts.min() >= 10 and counts.max() <= 60


def test_the_same_seed_gives_the_same_pairing():
    questions, mentees, mentors = _identical(30, 8)
    caps = np.full(8, 2)
    first = auto_pair(mentees, mentors, questions, caps, seed=7)
    assert auto_pair(mentees, mentors, questions, caps, seed=7).mentor.tolist() == first.mentor.tolist()
    assert first.seed == 7
    others = {tuple(auto_pair(mentees, mentors, questions, caps, seed=s).mentor.tolist()) for s in range(8)}
    assert len(others) > 1
