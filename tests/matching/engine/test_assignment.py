"""The global assignment: optimality, coverage first, reasons, greedy, auto_pair (``engine.assignment``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.engine import (
    NO_COMPATIBLE_MENTOR,
    NO_MENTOR_WITH_ROOM,
    QuestionSpec,
    Scorer,
    assign,
    assign_greedy,
    auto_pair,
    encode_answers,
    recommend,
)
from matching.engine.candidates import _block_top
from tests.matching.engine.helpers import (
    PROPERTY,
    capacity_optimum,
    check_assignment,
    max_coverage,
    points_optimum,
    random_answers,
    random_questions,
)

# ------------------------------------------------------------------------- assignment


def test_assign_hand_made_instance_is_optimal():
    # Mentor A has 2 places, B one. Mentee 2 can only go to A.
    # Greedy: 0->A (95), 1->A (90), then 2 finds A full: 185 and one unassigned.
    # Optimal: 1->A, 2->A, 0->B: 90 + 85 + 90 = 265, everyone assigned.
    idx = np.array([[0, 1], [0, 1], [0, -1]])
    sc = np.array([[95.0, 90.0], [90.0, 20.0], [85.0, -np.inf]])
    caps = np.array([2, 1])
    result = assign(idx, sc, caps)
    assert result.mentor.tolist() == [1, 0, 0]
    assert result.total == pytest.approx(265.0)
    assert result.score.tolist() == pytest.approx([90.0, 90.0, 85.0])
    greedy = assign_greedy(idx, sc, caps)
    assert greedy.mentor.tolist() == [0, 0, -1]
    assert greedy.total == pytest.approx(185.0)
    assert greedy.unassigned_reason == {2: NO_MENTOR_WITH_ROOM}


def test_assign_puts_coverage_before_score():
    # Pairing 0->A alone scores 100; covering both (1->A, 0->B) scores only 50.
    idx = np.array([[0, 1], [0, -1]])
    sc = np.array([[100.0, 0.0], [50.0, -np.inf]])
    result = assign(idx, sc, np.array([1, 1]))
    assert result.mentor.tolist() == [1, 0]
    assert result.total == pytest.approx(50.0)


def test_assign_without_candidates_reports_no_compatible_mentor():
    idx = np.array([[0], [-1]])
    sc = np.array([[70.0], [-np.inf]])
    result = assign(idx, sc, np.array([1]))
    assert result.mentor.tolist() == [0, -1]
    assert math.isnan(result.score[1])
    assert result.unassigned_reason == {1: NO_COMPATIBLE_MENTOR}


@pytest.mark.parametrize("seed", range(6))
def test_assign_with_all_mentors_as_candidates_equals_linear_sum_assignment(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(5, 40)), int(rng.integers(1, 12))
    scores = rng.integers(0, 100_000, size=(n, m)) / 1000  # multiples of 0.001: no rounding in the solver
    scores[rng.random((n, m)) < 0.25] = -np.inf
    caps = rng.integers(0, 5, size=m)
    idx, sc = _block_top(scores.astype(np.float32), m)
    result = assign(idx, sc, caps)
    best_count, best_total = capacity_optimum(scores, caps)
    check_assignment(result, scores, caps)
    assert result.n_assigned == best_count
    assert result.total == pytest.approx(best_total, abs=1e-3)


@pytest.mark.parametrize("seed", range(3))
def test_auto_pair_with_short_lists_is_the_optimum(seed):
    rng = np.random.default_rng(seed)
    qs = random_questions(rng)
    mentees = encode_answers(qs, random_answers(rng, qs, 300, missing=0.1))
    mentors = encode_answers(qs, random_answers(rng, qs, 60, missing=0.1))
    caps = np.full(60, 5)
    scores = Scorer(qs, mentees, mentors).scores()
    best_count, best_points = points_optimum(scores, caps)
    for k in (3, 10, 60):  # the width changes the speed, never the result's value
        result = auto_pair(mentees, mentors, qs, caps, k=k)
        check_assignment(result, scores, caps)
        assert (result.n_assigned, result.proof.points) == (best_count, best_points)
        assert result.optimal


def test_assign_fallback_uses_mentors_outside_full_top_k_lists():
    qs = [QuestionSpec("topics", "multiple", "overlap", n_options=4)]
    mentees = encode_answers(qs, [{"topics": [0, 1, 2, 3]}] * 4)
    mentors = encode_answers(qs, [{"topics": [0, 1, 2, 3]}, {"topics": [0, 1, 2]}, {"topics": [0]}, {"topics": [1]}])
    caps = np.ones(4, dtype=np.int64)
    scorer = Scorer(qs, mentees, mentors)
    idx, sc = scorer.top(1)  # every mentee's only candidate is mentor 0
    assert (idx[:, 0] == 0).all()
    assert assign(idx, sc, caps).n_assigned == 1  # within the candidates only one fits
    result = assign(idx, sc, caps, scorer=scorer)
    assert sorted(result.mentor.tolist()) == [0, 1, 2, 3]
    assert result.total == pytest.approx(100 + 75 + 25 + 25)


def test_assign_fallback_moves_an_assigned_mentee_along_an_augmenting_path():
    # Mentee 0 (u) speaks only language 0, so it can only have mentor 0 (X). Mentee 1 (v) speaks
    # both; X is its top (and only) candidate. X has one place: the flow gives it to v.
    # Only moving v to mentor 1 (Y, language 1) lets u be paired: u -> X -> v -> Y.
    qs = [
        QuestionSpec("lang", "multiple", "require", n_options=2),
        QuestionSpec("industry", "single", "same", n_options=3),
    ]
    mentees = encode_answers(qs, [{"lang": [0], "industry": 2}, {"lang": [0, 1], "industry": 0}])
    mentors = encode_answers(qs, [{"lang": [0], "industry": 0}, {"lang": [1], "industry": 1}])
    caps = np.array([1, 1])
    scorer = Scorer(qs, mentees, mentors)
    idx, sc = scorer.top(1)
    assert idx[:, 0].tolist() == [0, 0]
    assert assign(idx, sc, caps).mentor.tolist() == [-1, 0]
    result = assign(idx, sc, caps, scorer=scorer)
    assert result.mentor.tolist() == [0, 1]
    assert result.unassigned_reason == {}


def test_unassigned_reasons_tell_incompatible_from_full():
    qs = [QuestionSpec("lang", "single", "require", n_options=3), QuestionSpec("x", "single", "same", n_options=2)]
    mentees = encode_answers(
        qs,
        [
            {"lang": 0, "x": 1},  # gets mentor 0 (score 100)
            {"lang": 0, "x": 0},  # compatible with mentor 0, who is full
            {"lang": 2},  # no mentor speaks language 2
            {"x": 1},  # did not answer the requirement
            {"lang": 1},  # mentor 1 speaks it but has no free place
        ],
    )
    mentors = encode_answers(qs, [{"lang": 0, "x": 1}, {"lang": 1}])
    result = auto_pair(mentees, mentors, qs, np.array([1, 0]))
    assert result.mentor.tolist() == [0, -1, -1, -1, -1]
    assert result.unassigned_reason == {
        1: NO_MENTOR_WITH_ROOM,
        2: NO_COMPATIBLE_MENTOR,
        3: NO_COMPATIBLE_MENTOR,
        4: NO_MENTOR_WITH_ROOM,
    }


def test_auto_pair_skips_masked_full_and_excluded_mentors():
    qs = [QuestionSpec("industry", "single", "same", n_options=3)]
    mentees = encode_answers(qs, [{"industry": 0}, {"industry": 0}])
    mentors = encode_answers(qs, [{"industry": 0}, {"industry": 0}, {"industry": 0}, {"industry": 1}])
    result = auto_pair(
        mentees,
        mentors,
        qs,
        np.array([1, 0, 1, 1]),
        mentor_mask=np.array([True, True, False, True]),
        exclusions=[(0, 0)],
    )
    assert result.mentor.tolist() == [3, 0]
    assert result.score.tolist() == pytest.approx([0.0, 100.0])


def test_assign_greedy_takes_pairs_in_descending_score_order():
    idx = np.array([[0, 1], [0, 1], [1, 0]])
    sc = np.array([[80.0, 70.0], [90.0, 60.0], [65.0, 10.0]])
    result = assign_greedy(idx, sc, np.array([1, 1]))
    assert result.mentor.tolist() == [1, 0, -1]  # 1->0 (90), then 0->1 (70); mentee 2 finds both full
    assert result.total == pytest.approx(160.0)


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 14),
    m=st.integers(1, 6),
    k=st.integers(1, 3),
    mentor_k=st.integers(0, 2),
)
def test_auto_pair_respects_capacities_requirements_and_maximum_coverage(seed, n, m, k, mentor_k):
    rng = np.random.default_rng(seed)
    qs = random_questions(rng)
    mentees = encode_answers(qs, random_answers(rng, qs, n))
    mentors = encode_answers(qs, random_answers(rng, qs, m))
    caps = rng.integers(0, 4, size=m)
    result = auto_pair(mentees, mentors, qs, caps, k=k, mentor_k=mentor_k)
    scores = Scorer(qs, mentees, mentors).scores()
    check_assignment(result, scores, caps)
    assert result.n_assigned == max_coverage(np.isfinite(scores), caps)


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    groups=st.lists(st.tuples(st.integers(0, 6), st.integers(1, 3)), min_size=1, max_size=3),
)
def test_auto_pair_assigns_everyone_when_every_language_group_has_room(seed, groups):
    # With a single-choice language requirement, compatibility splits into language groups;
    # when each group's mentors have at least as many places as it has mentees, all are paired.
    rng = np.random.default_rng(seed)
    qs = [QuestionSpec("lang", "single", "require", n_options=3)] + random_questions(rng, with_require=False)
    mentee_dicts, mentor_dicts, caps = [], [], []
    for lang, (n_mentees, n_mentors) in enumerate(groups):
        for answers in random_answers(rng, qs, n_mentees):
            mentee_dicts.append({**answers, "lang": lang})
        places = rng.multinomial(n_mentees, np.ones(n_mentors) / n_mentors) + rng.integers(0, 2, size=n_mentors)
        for answers, place in zip(random_answers(rng, qs, n_mentors), places, strict=True):
            mentor_dicts.append({**answers, "lang": lang})
            caps.append(int(place))
    if not mentee_dicts:
        return
    result = auto_pair(encode_answers(qs, mentee_dicts), encode_answers(qs, mentor_dicts), qs, np.array(caps), k=1)
    assert result.n_assigned == len(mentee_dicts)
    assert result.unassigned_reason == {}


def test_auto_pair_and_recommend_handle_empty_sides():
    qs = [QuestionSpec("x", "single", "same", n_options=2)]
    nobody, one = encode_answers(qs, []), encode_answers(qs, [{"x": 0}])
    assert auto_pair(nobody, one, qs, np.array([1])).mentor.tolist() == []
    lonely = auto_pair(one, nobody, qs, np.zeros(0, dtype=np.int64))
    assert lonely.mentor.tolist() == [-1] and lonely.unassigned_reason == {0: NO_COMPATIBLE_MENTOR}
    assert recommend({"x": 0}, nobody, qs, 5).mentors.tolist() == []
    assert auto_pair(one, one, qs, np.array([1])).pairs() == [(0, 0, 100.0)]
