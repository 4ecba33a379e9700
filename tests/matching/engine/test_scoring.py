"""Scores of pairs: each similarity rule, weights, requirements, masks and exclusions (``engine.scoring``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching.engine import QuestionSpec, Scorer, encode_answers, explain, explained_score, prepare_mentors, score_chunk
from tests.matching.engine.helpers import one_pair_score, random_answers, random_questions

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


def test_mentor_index_refuses_other_questions():
    qs = [QuestionSpec("one", "single", "same", n_options=2)]
    other = [QuestionSpec("one", "single", "same", n_options=2, weight=2)]
    index = prepare_mentors(qs, encode_answers(qs, [{"one": 0}]))
    with pytest.raises(ValueError):
        Scorer(other, encode_answers(other, [{"one": 0}]), index)
