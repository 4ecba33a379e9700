"""Helpers the engine tests share: random questionnaires and answers, reference optima, assignment checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from matching.engine import QuestionSpec, encode_answers, score_chunk

# No example database: a failure prints its falsifying example (seed and sizes) instead.
PROPERTY = settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


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


def points_optimum(scores: np.ndarray, capacities: np.ndarray, score_scale: int = 1000) -> tuple[int, int]:
    """(assigned, points) of the coverage-first optimum of the scores on the flow's integer grid."""
    from matching.engine.arcs import score_points

    points = score_points(scores, score_scale).astype(np.float64)
    assigned, total = capacity_optimum(np.where(np.isfinite(scores), points, -np.inf), capacities)
    return assigned, int(round(total))


FAMILIES = ("uniform", "ties", "one_question", "sparse", "capacities", "demand")


def family_instance(
    rng: np.random.Generator, family: str
) -> tuple[list[QuestionSpec], list[dict], list[dict], np.ndarray]:
    """A small instance of one family of the benchmark: (questions, mentee answers, mentor answers, capacities).

    ``uniform``: every rule, random weights, scores nearly all distinct; ``ties``: two to
    five equally weighted two-option questions (scores 0, 20, ..., 100: ties everywhere);
    ``one_question``: one scored single choice with 2 or 3 options; ``sparse``: a
    single-choice requirement with up to 30 options (most pairs forbidden); ``capacities``:
    1 to 10 places; ``demand``: far more mentees than places.
    """
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 12))
    caps = rng.integers(0, 6, size=m)
    if family == "uniform":
        questions = random_questions(rng)
        return questions, random_answers(rng, questions, n), random_answers(rng, questions, m), caps
    if family == "ties":
        questions = [QuestionSpec(f"q{i}", "single", "same", n_options=2) for i in range(int(rng.integers(2, 6)))]
    elif family == "one_question":
        questions = [QuestionSpec("track", "single", "same", n_options=int(rng.integers(2, 4)))]
    elif family == "sparse":
        questions = [
            QuestionSpec("city", "single", "require", n_options=int(rng.integers(3, 31))),
            QuestionSpec("track", "single", "same", n_options=3),
        ]
    elif family == "capacities":
        questions = random_questions(rng, with_require=False)
        caps = rng.integers(1, 11, size=m)
        return questions, random_answers(rng, questions, n), random_answers(rng, questions, m), caps
    else:  # demand
        questions = [
            QuestionSpec("track", "single", "same", n_options=2),
            QuestionSpec("x", "single", "same", n_options=3),
        ]
        n, m = int(rng.integers(20, 40)), int(rng.integers(1, 5))
        caps = rng.integers(1, 3, size=m)

    def people(count: int) -> list[dict]:
        return [{q.key: int(rng.integers(q.n_options)) for q in questions} for _ in range(count)]

    return questions, people(n), people(m), caps
