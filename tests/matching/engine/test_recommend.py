"""Recommendations for one mentee and the demand penalty (``engine.recommend``)."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import QuestionSpec, Scorer, demand_penalty, encode_answers, prepare_mentors, recommend
from tests.matching.engine.helpers import random_answers, random_questions

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
    assert rec.mentors[0] == 2 and rec.mentors[1] in (3, 4)  # 3 and 4 tie at 80
    assert rec.scores.tolist() == pytest.approx([90, 80])


def test_recommend_orders_equally_good_mentors_differently_for_each_mentee_and_stably():
    qs = [QuestionSpec("track", "single", "same", n_options=2)]
    index = prepare_mentors(qs, encode_answers(qs, [{"track": 0}] * 12))  # twelve equally good mentors
    ids = list(range(500, 512))
    firsts = {
        int(recommend({"track": 0}, index, qs, 1, seed=9, mentee_id=m, mentor_ids=ids).mentors[0]) for m in range(40)
    }
    assert len(firsts) >= 8  # index order would show mentor 0 first to everyone
    again = [
        recommend({"track": 0}, index, qs, 5, seed=9, mentee_id=3, mentor_ids=ids).mentors.tolist() for _ in range(2)
    ]
    assert again[0] == again[1]


def test_recommend_breaks_ties_as_scorer_top_does_for_the_same_people():
    qs = [QuestionSpec("track", "single", "same", n_options=2)]
    mentors = encode_answers(qs, [{"track": i % 2} for i in range(10)])
    ids = [40 + i for i in range(10)]
    rec = recommend({"track": 0}, mentors, qs, 5, seed=2, mentee_id=77, mentor_ids=ids)
    scorer = Scorer(qs, encode_answers(qs, [{"track": 0}]), mentors, seed=2, mentee_ids=[77], mentor_ids=ids)
    assert rec.mentors.tolist() == scorer.top(5)[0][0].tolist()


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
