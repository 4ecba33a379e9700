"""Tests of the matching engine (pure numpy/OR-Tools; no database)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from matching.engine import (
    NO_COMPATIBLE_MENTOR,
    NO_MENTOR_WITH_ROOM,
    AnswerMatrix,
    QuestionSpec,
    Scorer,
    _block_top,
    _RunningTop,
    assign,
    assign_greedy,
    auto_pair,
    demand_penalty,
    encode_answers,
    explain,
    explained_score,
    prepare_mentors,
    recommend,
    score_chunk,
    top_candidates,
)

# No example database: a failure prints its falsifying example (seed and sizes) instead.
PROPERTY = settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------------------ helpers


def one_pair_score(questions, mentee: dict, mentor: dict, **kwargs) -> float:
    """The engine's score of one mentee/mentor pair given raw answer dicts."""
    scores = score_chunk(encode_answers(questions, [mentee]), encode_answers(questions, [mentor]), questions, **kwargs)
    return float(scores[0, 0])


def random_questions(rng: np.random.Generator, with_require: bool = True) -> list[QuestionSpec]:
    """A questionnaire with every rule and kind, random weights."""
    mapping = rng.random((5, 5)) < 0.3
    np.fill_diagonal(mapping, True)
    w = rng.uniform(0.5, 3.0, size=8)
    questions = [
        QuestionSpec("pick", "single", "same", weight=w[0], n_options=3),
        QuestionSpec("days", "multiple", "same", weight=w[1], n_options=4),
        QuestionSpec("topics", "multiple", "overlap", weight=w[2], n_options=5),
        QuestionSpec("stage", "single", "overlap", weight=w[3], n_options=3),
        QuestionSpec("learn", "multiple", "mapping", weight=w[4], n_options=5, mapping=mapping),
        QuestionSpec("style", "scale", "closeness", weight=w[5], value_range=4),
        QuestionSpec("age", "number", "closeness", weight=w[6], value_range=10),
        QuestionSpec("bio", "text"),
    ]
    if with_require:
        questions += [
            QuestionSpec("lang", "multiple", "require", n_options=3),
            QuestionSpec("city", "single", "require", n_options=2),
        ]
    return questions


def random_answers(rng: np.random.Generator, questions, n: int, missing: float = 0.2) -> list[dict]:
    """Raw answer dicts with some unanswered questions."""
    people = []
    for _ in range(n):
        answers: dict = {}
        for q in questions:
            if rng.random() < missing or q.kind == "text":
                continue
            if q.kind == "single":
                answers[q.key] = int(rng.integers(q.n_options))
            elif q.kind == "multiple":
                answers[q.key] = [int(x) for x in np.flatnonzero(rng.random(q.n_options) < 0.5)]
            elif q.kind == "scale":
                answers[q.key] = float(rng.integers(1, 6))
            else:
                answers[q.key] = float(rng.uniform(20, 40))
        if "city" in answers and rng.random() < 0.7:
            answers["city"] = 0  # keep most pairs compatible
        people.append(answers)
    return people


def capacity_optimum(scores: np.ndarray, capacities: np.ndarray) -> tuple[int, float]:
    """(assigned, total) of the coverage-first optimum by linear_sum_assignment on the expanded matrix."""
    big_negative = -1e7
    dense = np.where(np.isfinite(scores), scores, big_negative).astype(np.float64)
    expanded = np.repeat(dense, capacities, axis=1)
    if expanded.shape[1] == 0:
        return 0, 0.0
    rows, cols = linear_sum_assignment(expanded, maximize=True)
    chosen = expanded[rows, cols]
    real = chosen > big_negative / 2
    return int(real.sum()), float(chosen[real].sum())


def max_coverage(allowed: np.ndarray, capacities: np.ndarray) -> int:
    """Maximum number of mentees that can be assigned (bipartite matching on the capacity-expanded graph)."""
    expanded = np.repeat(allowed, capacities, axis=1)
    if expanded.size == 0:
        return 0
    matching = maximum_bipartite_matching(csr_matrix(expanded.astype(np.int8)), perm_type="column")
    return int((matching >= 0).sum())


def check_assignment(result, scores: np.ndarray, capacities: np.ndarray) -> None:
    """Capacities respected, every pair allowed, reported scores and total consistent."""
    assigned = np.flatnonzero(result.mentor >= 0)
    load = np.bincount(result.mentor[assigned], minlength=len(capacities))
    assert (load <= capacities).all()
    assert np.isfinite(scores[assigned, result.mentor[assigned]]).all()
    np.testing.assert_allclose(result.score[assigned], scores[assigned, result.mentor[assigned]], atol=1e-3)
    assert result.total == pytest.approx(float(scores[assigned, result.mentor[assigned]].sum()), abs=1e-2)
    assert set(result.unassigned_reason) == set(np.flatnonzero(result.mentor < 0).tolist())


# ---------------------------------------------------------------------- similarity rules


def test_same_single_scores_full_for_same_option_and_zero_otherwise():
    qs = [QuestionSpec("industry", "single", "same", n_options=4)]
    assert one_pair_score(qs, {"industry": 2}, {"industry": 2}) == pytest.approx(100.0)
    assert one_pair_score(qs, {"industry": 2}, {"industry": 3}) == pytest.approx(0.0)


def test_same_multiple_scores_full_for_any_common_option():
    qs = [QuestionSpec("days", "multiple", "same", n_options=7)]
    assert one_pair_score(qs, {"days": [0, 1, 2]}, {"days": [2, 6]}) == pytest.approx(100.0)
    assert one_pair_score(qs, {"days": [0, 1]}, {"days": [5, 6]}) == pytest.approx(0.0)


def test_overlap_is_share_of_mentee_choices_the_mentor_has():
    qs = [QuestionSpec("interests", "multiple", "overlap", n_options=6)]
    assert one_pair_score(qs, {"interests": [0, 1, 2, 3]}, {"interests": [1, 3, 5]}) == pytest.approx(50.0)
    # Not symmetric: from the mentor's side 2 of 3 choices are shared.
    assert one_pair_score(qs, {"interests": [1, 3, 5]}, {"interests": [0, 1, 2, 3]}) == pytest.approx(200 / 3)


def test_mapping_is_share_of_wishes_some_mentor_option_satisfies():
    mapping = np.eye(4, dtype=bool)
    mapping[2, 3] = True  # wish 2 is also satisfied by mentor option 3
    qs = [QuestionSpec("learn", "multiple", "mapping", n_options=4, mapping=mapping)]
    assert one_pair_score(qs, {"learn": [0, 2]}, {"learn": [3]}) == pytest.approx(50.0)
    assert one_pair_score(qs, {"learn": [0, 2]}, {"learn": [0, 3]}) == pytest.approx(100.0)
    assert one_pair_score(qs, {"learn": [0, 1]}, {"learn": [2, 3]}) == pytest.approx(0.0)


def test_closeness_is_one_minus_distance_over_range_clipped():
    qs = [QuestionSpec("hours", "number", "closeness", value_range=10)]
    assert one_pair_score(qs, {"hours": 4}, {"hours": 7}) == pytest.approx(70.0)
    assert one_pair_score(qs, {"hours": 4}, {"hours": 30}) == pytest.approx(0.0)
    assert one_pair_score(qs, {"hours": 5.5}, {"hours": 5.5}) == pytest.approx(100.0)


def test_closeness_level_and_elementwise_paths_agree():
    rng = np.random.default_rng(3)
    qs = [
        QuestionSpec("style", "scale", "closeness", weight=2, value_range=4),
        QuestionSpec("age", "number", "closeness", weight=1, value_range=15),
    ]
    mentees = encode_answers(qs, random_answers(rng, qs, 30))
    mentors = encode_answers(qs, random_answers(rng, qs, 12))
    exact = Scorer(qs, mentees, prepare_mentors(qs, mentors)).scores()
    elementwise = Scorer(qs, mentees, prepare_mentors(qs, mentors, max_levels=0)).scores()
    assert prepare_mentors(qs, mentors).terms == ()  # both on the matrix-product path
    assert len(prepare_mentors(qs, mentors, max_levels=0).terms) == 2
    np.testing.assert_allclose(exact, elementwise, atol=1e-3)


def test_total_score_is_weighted_mean_over_questions_both_answered():
    qs = [
        QuestionSpec("industry", "single", "same", weight=3, n_options=4),
        QuestionSpec("style", "scale", "closeness", weight=1, value_range=4),
        QuestionSpec("region", "single", "same", weight=2, n_options=4),
    ]
    mentee = {"industry": 1, "style": 3, "region": 0}
    # industry 1.0 (w3), style 0.5 (w1), region 0 (w2): 100 * (3 + 0.5) / 6
    assert one_pair_score(qs, mentee, {"industry": 1, "style": 5, "region": 2}) == pytest.approx(350 / 6, abs=1e-4)
    # The mentor left region unanswered: it neither rewards nor punishes.
    assert one_pair_score(qs, mentee, {"industry": 1, "style": 5}) == pytest.approx(350 / 4, abs=1e-4)
    # The mentee left industry unanswered.
    assert one_pair_score(qs, {"style": 3, "region": 0}, {"industry": 1, "style": 5, "region": 2}) == pytest.approx(
        50 / 3, abs=1e-4
    )


def test_score_is_zero_when_no_scored_question_is_answered_by_both():
    qs = [QuestionSpec("industry", "single", "same", n_options=4), QuestionSpec("bio", "text")]
    assert one_pair_score(qs, {"industry": 1, "bio": "hello"}, {}) == 0.0
    assert one_pair_score(qs, {}, {}) == 0.0


def test_require_excludes_pairs_without_common_option():
    qs = [
        QuestionSpec("lang", "multiple", "require", n_options=3),
        QuestionSpec("city", "single", "require", n_options=2),
        QuestionSpec("industry", "single", "same", n_options=4),
    ]
    both = {"lang": [0, 2], "city": 1, "industry": 3}
    assert one_pair_score(qs, both, {"lang": [2], "city": 1, "industry": 3}) == pytest.approx(100.0)
    assert one_pair_score(qs, both, {"lang": [1], "city": 1, "industry": 3}) == -math.inf
    assert one_pair_score(qs, both, {"lang": [0], "city": 0, "industry": 3}) == -math.inf


def test_require_unanswered_by_either_side_excludes():
    qs = [
        QuestionSpec("lang", "multiple", "require", n_options=3),
        QuestionSpec("city", "single", "require", n_options=2),
    ]
    assert one_pair_score(qs, {"lang": [0], "city": 0}, {"lang": [0], "city": 0}) == 0.0  # allowed, nothing scored
    assert one_pair_score(qs, {"city": 0}, {"lang": [0], "city": 0}) == -math.inf
    assert one_pair_score(qs, {"lang": [0], "city": 0}, {"lang": [0]}) == -math.inf


def test_require_carries_no_weight():
    qs = [
        QuestionSpec("lang", "multiple", "require", n_options=3),
        QuestionSpec("region", "single", "same", n_options=3),
    ]
    assert one_pair_score(qs, {"lang": [0], "region": 1}, {"lang": [0, 1], "region": 1}) == pytest.approx(100.0)


def test_mentor_mask_and_pair_exclusions_score_minus_inf():
    qs = [QuestionSpec("industry", "single", "same", n_options=3)]
    mentees = encode_answers(qs, [{"industry": 0}, {"industry": 1}])
    mentors = encode_answers(qs, [{"industry": 0}, {"industry": 1}, {"industry": 1}])
    scores = score_chunk(mentees, mentors, qs, mentor_mask=np.array([True, False, True]), exclusions=[(1, 2)])
    assert scores.tolist() == [[100.0, -math.inf, 0.0], [0.0, -math.inf, -math.inf]]
    scorer = Scorer(qs, mentees, mentors, mentor_mask=np.array([True, False, True]), exclusions=[(1, 2)])
    assert scorer.compatible().tolist() == [[True, True, True], [True, True, False]]  # mask ignored


def test_scores_match_per_pair_reference_on_random_answers():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        qs = random_questions(rng)
        mentee_dicts, mentor_dicts = random_answers(rng, qs, 25), random_answers(rng, qs, 9)
        for max_levels in (64, 0):
            index = prepare_mentors(qs, encode_answers(qs, mentor_dicts), max_levels=max_levels)
            scores = Scorer(qs, encode_answers(qs, mentee_dicts), index).scores()
            reference = np.array([[explained_score(explain(a, b, qs)) for b in mentor_dicts] for a in mentee_dicts])
            assert (np.isinf(scores) == np.isinf(reference)).all()
            finite = np.isfinite(reference)
            np.testing.assert_allclose(scores[finite], reference[finite], atol=1e-3)


# ------------------------------------------------------------------------ data model


def test_encode_answers_builds_multi_hot_and_nan():
    qs = [
        QuestionSpec("one", "single", "same", n_options=3),
        QuestionSpec("many", "multiple", "overlap", n_options=3),
        QuestionSpec("num", "number", "closeness", value_range=5),
        QuestionSpec("bio", "text"),
    ]
    answers = encode_answers(qs, [{"one": 2, "many": [0, 2], "num": 4, "bio": "x"}, {"many": [], "num": None}])
    assert answers.columns["one"].tolist() == [[False, False, True], [False, False, False]]
    assert answers.columns["many"].tolist() == [[True, False, True], [False, False, False]]
    assert answers.columns["num"][0] == 4.0 and math.isnan(answers.columns["num"][1])
    assert "bio" not in answers.columns
    assert answers.row(1).n_people == 1 and answers.take([1, 0]).columns["one"][1, 2]


@pytest.mark.parametrize(
    "bad",
    [{"one": 3}, {"one": -1}, {"one": True}, {"one": "2"}, {"many": 1}, {"many": [5]}, {"num": "x"}, {"num": math.inf}],
)
def test_encode_answers_rejects_invalid_values(bad):
    qs = [
        QuestionSpec("one", "single", "same", n_options=3),
        QuestionSpec("many", "multiple", "overlap", n_options=3),
        QuestionSpec("num", "number", "closeness", value_range=5),
    ]
    with pytest.raises(ValueError):
        encode_answers(qs, [bad])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"key": "a", "kind": "text", "rule": "same"},
        {"key": "a", "kind": "scale", "rule": "same"},
        {"key": "a", "kind": "single", "rule": "closeness", "n_options": 2},
        {"key": "a", "kind": "scale", "rule": "closeness"},  # no value_range
        {"key": "a", "kind": "single", "rule": "same"},  # no options
        {"key": "a", "kind": "single", "rule": "same", "n_options": 2, "weight": 0},
        {"key": "a", "kind": "multiple", "rule": "mapping", "n_options": 2},  # no mapping
        {"key": "a", "kind": "multiple", "rule": "mapping", "n_options": 2, "mapping": np.eye(3, dtype=bool)},
        {"key": "a", "kind": "nope"},
    ],
)
def test_question_spec_rejects_invalid_combinations(kwargs):
    with pytest.raises(ValueError):
        QuestionSpec(**kwargs)


def test_answer_matrix_from_columns_rejects_two_options_on_single_choice():
    qs = [QuestionSpec("one", "single", "same", n_options=2)]
    with pytest.raises(ValueError):
        AnswerMatrix.from_columns(qs, {"one": [[True, True]]}, 1)


def test_mentor_index_refuses_other_questions():
    qs = [QuestionSpec("one", "single", "same", n_options=2)]
    other = [QuestionSpec("one", "single", "same", n_options=2, weight=2)]
    index = prepare_mentors(qs, encode_answers(qs, [{"one": 0}]))
    with pytest.raises(ValueError):
        Scorer(other, encode_answers(other, [{"one": 0}]), index)


# -------------------------------------------------------------------------- candidates


def test_top_candidates_are_best_first_with_lower_index_ties_and_padding():
    qs = [
        QuestionSpec("lang", "single", "require", n_options=2),
        QuestionSpec("topics", "multiple", "overlap", n_options=4),
    ]
    mentees = encode_answers(qs, [{"lang": 0, "topics": [0, 1, 2, 3]}, {"lang": 1, "topics": [0]}])
    mentors = encode_answers(
        qs,
        [
            {"lang": 0, "topics": [0]},  # 25
            {"lang": 0, "topics": [0, 1, 2]},  # 75
            {"lang": 0, "topics": [1]},  # 25
            {"lang": 0, "topics": [0, 1, 2, 3]},  # 100
            {"lang": 1, "topics": [0]},  # only mentee 1 may pair
        ],
    )
    idx, sc = top_candidates(mentees, mentors, qs, 3)
    assert idx[0].tolist() == [3, 1, 0]
    assert sc[0].tolist() == pytest.approx([100, 75, 25])
    assert idx[1].tolist() == [4, -1, -1]
    assert sc[1, 0] == pytest.approx(100) and np.isneginf(sc[1, 1:]).all()


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 40),
    cols=st.integers(1, 300),
    k=st.integers(1, 30),
    levels=st.integers(1, 50),
)
def test_block_top_equals_full_sort(seed, rows, cols, k, levels):
    rng = np.random.default_rng(seed)
    block = rng.integers(0, levels, size=(rows, cols)).astype(np.float32)  # many ties
    block[rng.random((rows, cols)) < 0.3] = -np.inf
    idx, sc = _block_top(block, k)
    for r in range(rows):
        order = sorted((c for c in range(cols) if block[r, c] > -np.inf), key=lambda c: (-block[r, c], c))[:k]
        assert idx[r, : len(order)].tolist() == order
        assert (idx[r, len(order) :] == -1).all()
        assert sc[r, : len(order)].tolist() == block[r, order].tolist()


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), m=st.integers(1, 8), width=st.integers(1, 6))
def test_running_top_equals_full_column_sort(seed, n, m, width):
    rng = np.random.default_rng(seed)
    full = rng.integers(0, 6, size=(n, m)).astype(np.float32)
    full[rng.random((n, m)) < 0.3] = -np.inf
    running = _RunningTop(m, width)
    for start in range(0, n, 7):
        running.update(full[start : start + 7], start)
    for j in range(m):
        order = sorted((i for i in range(n) if full[i, j] > -np.inf), key=lambda i: (-full[i, j], i))[:width]
        assert running.indices[j, : len(order)].tolist() == order
        assert (running.indices[j, len(order) :] == -1).all()


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
def test_auto_pair_with_top_k_is_near_optimal(seed):
    rng = np.random.default_rng(seed)
    qs = random_questions(rng)
    mentees = encode_answers(qs, random_answers(rng, qs, 300, missing=0.1))
    mentors = encode_answers(qs, random_answers(rng, qs, 60, missing=0.1))
    caps = np.full(60, 5)
    scores = Scorer(qs, mentees, mentors).scores()
    best_count, best_total = capacity_optimum(scores, caps)
    result = auto_pair(mentees, mentors, qs, caps, k=10)
    check_assignment(result, scores, caps)
    assert result.n_assigned == best_count
    assert result.total >= 0.999 * best_total
    full = auto_pair(mentees, mentors, qs, caps, k=60)
    assert full.total == pytest.approx(best_total, abs=0.001 * 300)  # equal up to 0.001-point rounding


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


# ------------------------------------------------------------------- recommendations


def _topic_instance():
    qs = [QuestionSpec("topics", "multiple", "overlap", n_options=10)]
    mentee = {"topics": list(range(10))}
    # Mentor 0 is the star (100), then 90, 90, 80, 80, 70.
    mentors = encode_answers(qs, [{"topics": list(range(t))} for t in (10, 9, 9, 8, 8, 7)])
    return qs, mentee, prepare_mentors(qs, mentors)


def test_recommend_orders_by_score_and_leaves_out_unavailable_mentors():
    qs, mentee, index = _topic_instance()
    free = np.array([1, 0, 2, 2, 2, 2])
    rec = recommend(mentee, index, qs, 3, free, mentor_mask=np.array([True, True, True, False, True, True]))
    assert rec.mentors.tolist() == [0, 2, 4]  # 1 has no free place, 3 is masked
    assert rec.scores.tolist() == pytest.approx([100, 90, 80])
    rec = recommend(mentee, index, qs, 2, free, exclude_mentors=[0])
    assert rec.mentors.tolist() == [2, 3]


def test_demand_penalty_is_log2_of_competition_per_free_place():
    penalty = demand_penalty(np.array([1, 1, 1, 3, 3, 0]), np.array([0, 1, 7, 2, 5, 0]), strength=10)
    assert penalty.tolist() == pytest.approx([0, 10, 30, 0, 10, 0])


def test_recommend_demand_penalty_reorders_but_shows_true_scores():
    qs, mentee, index = _topic_instance()
    free = np.array([1, 3, 3, 3, 3, 3])
    calm = recommend(mentee, index, qs, 3, free, np.zeros(6))
    assert calm.mentors.tolist() == [0, 1, 2]
    busy = recommend(mentee, index, qs, 3, free, np.array([3, 0, 0, 0, 0, 0]))  # 4 competing for 1 place: -20
    assert busy.mentors.tolist() == [1, 2, 0]  # the star (key 80) ties mentor 3 (80) on key and wins on score
    assert busy.scores.tolist() == pytest.approx([90, 90, 100])
    assert busy.penalties.tolist() == pytest.approx([0, 0, 20])


def test_recommend_spreads_a_one_place_mentor_over_successive_mentees():
    # 30 identical mentees look at their top match one after another; each view counts as demand.
    qs, mentee, index = _topic_instance()
    free = np.array([1, 5, 5, 5, 5, 5])
    demand = np.zeros(6)
    shown_first = []
    for _ in range(30):
        rec = recommend(mentee, index, qs, 1, free, demand)
        shown_first.append(int(rec.mentors[0]))
        demand[rec.mentors[0]] += 1
    # The star (100) has 1 place, mentors 1 and 2 (90) have 5. The star leads while its
    # penalty 10 * log2(d0 + 1) stays within 10 points plus theirs, 10 * log2((d + 1) / 5):
    # (d0 + 1) <= 2 * (d + 1) / 5. So it is first for the first two mentees, then the
    # 90-point mentors take over, and it comes back only as their demand grows: 4 of 30 views.
    assert shown_first[:2] == [0, 0]
    assert shown_first[2:7] == [1, 1, 1, 1, 1]
    assert shown_first.count(0) == 4
    without_spreading = [int(recommend(mentee, index, qs, 1, free).mentors[0]) for _ in range(3)]
    assert without_spreading == [0, 0, 0]


def test_recommend_with_prepared_index_matches_fresh_answers():
    rng = np.random.default_rng(7)
    qs = random_questions(rng)
    mentor_dicts = random_answers(rng, qs, 40)
    mentors = encode_answers(qs, mentor_dicts)
    mentee = random_answers(rng, qs, 1, missing=0.0)[0]
    a = recommend(mentee, mentors, qs, 5)
    b = recommend(mentee, prepare_mentors(qs, mentors), qs, 5)
    assert a.mentors.tolist() == b.mentors.tolist()
    full = Scorer(qs, encode_answers(qs, [mentee]), mentors).scores()[0]
    assert a.scores.tolist() == pytest.approx(np.sort(full[np.isfinite(full)])[::-1][: len(a.scores)].tolist())


# ----------------------------------------------------------------------------- explain


def test_explain_known_pair():
    mapping = np.eye(6, dtype=bool)
    mapping[4, 5] = True
    qs = [
        QuestionSpec("lang", "multiple", "require", n_options=3),
        QuestionSpec("industry", "single", "same", weight=2, n_options=3),
        QuestionSpec("interests", "multiple", "overlap", weight=1, n_options=6),
        QuestionSpec("learn_teach", "multiple", "mapping", weight=3, n_options=6, mapping=mapping),
        QuestionSpec("communication", "scale", "closeness", weight=1, value_range=4),
        QuestionSpec("region", "single", "same", weight=5, n_options=3),
        QuestionSpec("bio", "text"),
    ]
    mentee = {"lang": [0, 2], "industry": 1, "interests": [0, 1, 2, 3], "learn_teach": [0, 4], "communication": 2}
    mentor = {
        "lang": [2],
        "industry": 1,
        "interests": [1, 3, 5],
        "learn_teach": [0, 5],
        "communication": 5,
        "region": 0,
    }
    reasons = {r.key: r for r in explain(mentee, mentor, qs)}
    assert list(reasons) == ["lang", "industry", "interests", "learn_teach", "communication", "region"]
    assert reasons["lang"].matched == (2,) and not reasons["lang"].excluded and reasons["lang"].contribution == 0
    assert reasons["industry"].similarity == 1.0 and reasons["industry"].matched == (1,)
    assert reasons["interests"].similarity == 0.5 and reasons["interests"].matched == (1, 3)
    assert reasons["learn_teach"].similarity == 1.0 and reasons["learn_teach"].matched == ((0, 0), (4, 5))
    assert reasons["communication"].similarity == 0.25 and reasons["communication"].values == (2.0, 5.0)
    assert not reasons["region"].answered_both and reasons["region"].contribution == 0  # mentee skipped it
    # Weights of the questions both answered: 2 + 1 + 3 + 1 = 7.
    assert reasons["industry"].contribution == pytest.approx(200 / 7)
    assert reasons["learn_teach"].contribution == pytest.approx(300 / 7)
    assert explained_score(list(reasons.values())) == pytest.approx(575 / 7)
    assert one_pair_score(qs, mentee, mentor) == pytest.approx(575 / 7, abs=1e-4)


def test_explain_flags_the_requirement_that_excludes():
    qs = [QuestionSpec("lang", "multiple", "require", n_options=3), QuestionSpec("x", "single", "same", n_options=2)]
    reasons = explain({"lang": [0], "x": 1}, {"lang": [1], "x": 1}, qs)
    assert reasons[0].excluded and reasons[0].matched == ()
    assert explained_score(reasons) == -math.inf
    answers = encode_answers(qs, [{"lang": [0], "x": 1}, {"lang": [0], "x": 0}])
    assert not any(r.excluded for r in explain(answers.row(0), answers.row(1), qs))


def test_auto_pair_and_recommend_handle_empty_sides():
    qs = [QuestionSpec("x", "single", "same", n_options=2)]
    nobody, one = encode_answers(qs, []), encode_answers(qs, [{"x": 0}])
    assert auto_pair(nobody, one, qs, np.array([1])).mentor.tolist() == []
    lonely = auto_pair(one, nobody, qs, np.zeros(0, dtype=np.int64))
    assert lonely.mentor.tolist() == [-1] and lonely.unassigned_reason == {0: NO_COMPATIBLE_MENTOR}
    assert recommend({"x": 0}, nobody, qs, 5).mentors.tolist() == []
    assert auto_pair(one, one, qs, np.array([1])).pairs() == [(0, 0, 100.0)]
