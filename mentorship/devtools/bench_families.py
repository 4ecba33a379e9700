"""Quality of auto-pairing on families of instances, against the true optimum over all allowed pairs.

Each family is built outside the engine's own candidate logic and solved twice:

* by the engine, exactly as ``auto_pair`` does (``auto_pair`` for the questionnaire
  families, ``auto_pair_scorer`` with a matrix-backed ``Scorer`` for the score-matrix
  families), which proves its result optimal on every run (``Assignment.proof``);
* by OR-Tools' min-cost flow over *every* allowed pair (the dense graph, coverage
  first, then points on the same integer grid), in a child process so that its memory
  (about 2 GB at 10,000 x 2,000) does not count in the benchmark's peak.

The ratio reported is the engine's total score over the reference's, both summed from
the true (float) scores of the pairs each chose; ``exact`` says whether both reached the
same coverage and the same grid points (the objective the flow optimises).

Families (``n`` mentees, ``m`` mentors, capacity ``c`` unless said):

``uniform``        scores uniform in [0, 100): no ties
``ties``           integer scores 0 to 5 (x 20): ties everywhere
``sparse_70``      uniform, 70% of pairs forbidden by requirements
``sparse_97``      uniform, 97% forbidden
``capacities``     uniform, capacities 1 to 10
``demand``         uniform, m / 4 mentors of capacity 2: demand far above supply
``one_question``   through ``auto_pair``: one scored single-choice question, 2 options
``one_question_3`` the same with 3 options
``six_questions``  through ``auto_pair``: six single-choice questions of mixed weights
``questionnaire``  through ``auto_pair``: the benchmark's 20-question questionnaire
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.engine import (
    DEFAULT_SCORE_SCALE,
    AnswerMatrix,
    Assignment,
    QuestionSpec,
    Scorer,
    auto_pair,
    auto_pair_scorer,
    score_points,
    tie_keys,
)

FAMILIES = (
    "uniform",
    "ties",
    "sparse_70",
    "sparse_97",
    "capacities",
    "demand",
    "one_question",
    "one_question_3",
    "six_questions",
    "questionnaire",
)
_IN_PROCESS_PAIRS = 1_000_000  # smaller references run in the benchmark's own process


class MatrixScorer(Scorer):
    """A ``Scorer`` over a dense score matrix (float32, -inf = forbidden), for the score-matrix families."""

    def __init__(self, matrix: np.ndarray, seed: int = 0) -> None:
        # Not Scorer.__init__: there are no answers to encode, only the attributes the
        # candidate lists, the assignment and its proof read.
        self.matrix = matrix
        self.n_mentees, self.n_mentors = matrix.shape
        self.seed = seed
        self.mentee_keys = tie_keys(np.arange(self.n_mentees), seed, 0)
        self.mentor_keys = tie_keys(np.arange(self.n_mentors), seed, 1)

    def scores(self, rows: Any = None) -> np.ndarray:
        return np.array(self.matrix if rows is None else self.matrix[rows], dtype=np.float32)  # a copy: callers write

    def allowed(self, rows: Any = None) -> np.ndarray:
        return np.isfinite(self.scores(rows))

    compatible = allowed

    def for_mentors(self, mentors: np.ndarray) -> MatrixScorer:
        sub = MatrixScorer(self.matrix[:, mentors], self.seed)
        sub.mentee_keys, sub.mentor_keys = self.mentee_keys, self.mentor_keys[mentors]
        return sub


@dataclass
class Instance:
    """One family's instance: how the engine solves it, and the scorer the reference prices."""

    name: str
    capacities: np.ndarray
    scorer: Scorer
    solve: Callable[[], Assignment]


def build(name: str, n: int, m: int, capacity: int, seed: int) -> Instance:
    """The instance of family ``name`` with ``n`` mentees and ``m`` mentors."""
    rng = np.random.default_rng([seed, FAMILIES.index(name)])
    caps = np.full(m, capacity, dtype=np.int64)
    if name in ("uniform", "ties", "sparse_70", "sparse_97", "capacities", "demand"):
        if name == "demand":
            m = max(1, m // 4)
            caps = np.full(m, 2, dtype=np.int64)
        if name == "capacities":
            caps = rng.integers(1, 11, size=m)
        matrix = (rng.integers(0, 6, size=(n, m)) * 20).astype(np.float32) if name == "ties" else _uniform(rng, n, m)
        forbidden = {"sparse_70": 0.7, "sparse_97": 0.97}.get(name)
        if forbidden:
            matrix[rng.random((n, m), dtype=np.float32) < forbidden] = -np.inf
        scorer = MatrixScorer(matrix, seed)
        return Instance(name, caps, scorer, lambda: auto_pair_scorer(scorer, caps))
    questions, mentees, mentors = _questionnaire(name, n, m, seed, rng)
    scorer = Scorer(questions, mentees, mentors, mentor_mask=caps > 0, seed=seed)
    return Instance(name, caps, scorer, lambda: auto_pair(mentees, mentors, questions, caps, seed=seed))


def _uniform(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    return (rng.random((n, m), dtype=np.float32) * np.float32(100)).astype(np.float32)


def _questionnaire(
    name: str, n: int, m: int, seed: int, rng: np.random.Generator
) -> tuple[list[QuestionSpec], AnswerMatrix, AnswerMatrix]:
    if name == "questionnaire":
        from mentorship.devtools.bench_engine import make_answers, make_questions

        questions = make_questions(20, seed)
        return questions, make_answers(questions, n, "mentee", rng), make_answers(questions, m, "mentor", rng)
    if name.startswith("one_question"):
        shapes = [(3 if name == "one_question_3" else 2, 1)]
    else:  # six_questions
        shapes = [(2, 1), (3, 2), (4, 1), (3, 3), (2, 1), (5, 2)]
    questions = [QuestionSpec(f"q{i}", "single", "same", n_options=o, weight=w) for i, (o, w) in enumerate(shapes)]

    def side(count: int) -> AnswerMatrix:
        columns = {q.key: np.eye(q.n_options, dtype=bool)[rng.integers(0, q.n_options, count)] for q in questions}
        return AnswerMatrix.from_columns(questions, columns, count)

    return questions, side(n), side(m)


# ------------------------------------------------------------------- the reference


def reference_optimum(scorer: Scorer, capacities: np.ndarray, score_scale: int = DEFAULT_SCORE_SCALE) -> dict:
    """OR-Tools' max-flow-min-cost over every allowed pair: coverage, points and total score of the optimum."""
    from ortools.graph.python import min_cost_flow

    n, m = scorer.n_mentees, scorer.n_mentors
    started = time.perf_counter()
    flow = min_cost_flow.SimpleMinCostFlow()
    blocks = []
    for start in range(0, n, 512):
        scores = scorer.scores(slice(start, min(start + 512, n)))
        rows, cols = np.nonzero(np.isfinite(scores) & (capacities[None, :] > 0))
        points = score_points(scores[rows, cols], score_scale).astype(np.int64)
        first = flow.add_arcs_with_capacity_and_unit_cost(
            rows + start, n + cols, np.ones(len(rows), dtype=np.int64), 100 * score_scale - points
        )
        blocks.append((first if np.ndim(first) else np.asarray([first]), scores[rows, cols], points))
    flow.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m), np.full(m, n + m), capacities.astype(np.int64), np.zeros(m, dtype=np.int64)
    )
    supplies = np.zeros(n + m + 1, dtype=np.int64)
    supplies[:n], supplies[n + m] = 1, -n
    flow.set_nodes_supplies(np.arange(n + m + 1), supplies)
    if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
        raise RuntimeError("the reference flow failed")
    assigned = total_points = 0
    total = 0.0
    for arcs, scores, points in blocks:
        used = flow.flows(arcs) > 0 if len(arcs) else np.zeros(0, dtype=bool)
        assigned += int(used.sum())
        total_points += int(points[used].sum())
        total += float(scores[used].astype(np.float64).sum())
    return {
        "assigned": assigned,
        "points": total_points,
        "total": total,
        "arcs": int(flow.num_arcs()) - m,
        "seconds": round(time.perf_counter() - started, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _in_child(scorer: Scorer, capacities: np.ndarray) -> dict:
    """The reference in a forked process (its memory stays out of the parent's peak)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def work() -> None:
        send.send(reference_optimum(scorer, capacities))

    child = context.Process(target=work)
    child.start()
    result = receive.recv()
    child.join()
    return result


def reference(scorer: Scorer, capacities: np.ndarray) -> dict:
    """``reference_optimum``, in a child process for big instances."""
    if scorer.n_mentees * scorer.n_mentors > _IN_PROCESS_PAIRS:
        return _in_child(scorer, capacities)
    return reference_optimum(scorer, capacities)


def measure(name: str, n: int, m: int, capacity: int, seed: int) -> dict:
    """One family: the engine's proven result against the reference optimum."""
    instance = build(name, n, m, capacity, seed)
    started = time.perf_counter()
    result = instance.solve()
    seconds = time.perf_counter() - started
    scorer = instance.scorer
    best = reference(scorer, instance.capacities)
    proof = result.proof
    assert proof is not None
    return {
        "size": [scorer.n_mentees, scorer.n_mentors],
        "ratio": round(result.total / best["total"], 6) if best["total"] else 1.0,
        "exact": result.n_assigned == best["assigned"] and proof.points == best["points"],
        "optimal": proof.optimal,
        "engine_total": round(result.total, 3),
        "reference_total": round(best["total"], 3),
        "assigned": result.n_assigned,
        "rounds": proof.rounds,
        "pairs_added": proof.pairs_added,
        "engine_s": round(seconds, 3),
        "reference_s": best["seconds"],
        "reference_arcs": best["arcs"],
    }


def quality_by_family(
    n: int, m: int, capacity: int = 5, seed: int = 0, families: tuple[str, ...] = FAMILIES
) -> dict[str, Any]:
    """``quality_by_family`` (family -> ratio), ``exact``/``optimal`` (all families) and the details per family."""
    details = {name: measure(name, n, m, capacity, seed) for name in families}
    return {
        "quality_by_family": {name: d["ratio"] for name, d in details.items()},
        "quality_exact": all(d["exact"] for d in details.values()),
        "quality_optimal": all(d["optimal"] for d in details.values()),
        "families": details,
    }
