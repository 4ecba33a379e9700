"""Benchmark of the matching engine on synthetic questionnaire data.

Run from the project root: ``python -m mentorship.devtools.bench_engine`` prints one JSON line
(``--help`` for the sizes; ``--families none`` skips the quality families, e.g. at 50,000 x
10,000 where the dense reference would not fit in memory).

It measures the whole automatic pairing (``auto_pair``) on the big instance, its proof
(``optimal``, ``proof_rounds``, ``pairs_added``), recommendations, the peak memory, and
the quality on every family of ``bench_families`` against OR-Tools over all allowed
pairs (``quality_by_family``, by default at 10,000 x 2,000).

The data imitates a real programme: people belong to latent interest clusters that
shape their choices, a "languages spoken" multiple choice is a hard requirement (most
people speak one of three languages, a few only a rare one), a learn -> teach question
maps mentee wishes to mentor skills, plus single/multiple choice, 1-5 scales, integer
numbers and unscored free text; about 5% of answers are missing.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
import zlib
from typing import Any

import numpy as np

from matching.engine import DEFAULT_K, AnswerMatrix, QuestionSpec, Scorer, auto_pair, prepare_mentors, recommend
from mentorship.devtools.bench_families import FAMILIES, quality_by_family

N_CLUSTERS = 8
MISSING_RATE = 0.05
LANGUAGE_RATES = np.array([0.8, 0.35, 0.2, 0.04, 0.03, 0.02])  # share of people speaking each language


def make_questions(n_questions: int = 20, seed: int = 0) -> list[QuestionSpec]:
    """The benchmark questionnaire: the 20 base questions, cut or extended (extra scales) to ``n_questions``."""
    rng = np.random.default_rng(seed)
    topics = 12
    mapping = np.eye(topics, dtype=bool)
    for a in rng.choice(topics, size=4, replace=False):  # a few related skills also satisfy a wish
        mapping[a, (a + 1) % topics] = True
    base = [
        QuestionSpec("languages", "multiple", "require", n_options=len(LANGUAGE_RATES)),
        QuestionSpec("learn_teach", "multiple", "mapping", weight=3.0, n_options=topics, mapping=mapping),
        QuestionSpec("industry", "single", "same", weight=2.0, n_options=8),
        QuestionSpec("region", "single", "same", weight=1.0, n_options=6),
        QuestionSpec("career_stage", "single", "same", weight=1.0, n_options=4),
        QuestionSpec("meeting_format", "single", "same", weight=0.5, n_options=3),
        QuestionSpec("interests", "multiple", "overlap", weight=2.0, n_options=15),
        QuestionSpec("goals", "multiple", "overlap", weight=1.5, n_options=8),
        QuestionSpec("skills", "multiple", "overlap", weight=1.0, n_options=12),
        QuestionSpec("available_days", "multiple", "same", weight=1.0, n_options=7),
        QuestionSpec("communication", "scale", "closeness", weight=1.0, value_range=4),
        QuestionSpec("formality", "scale", "closeness", weight=0.5, value_range=4),
        QuestionSpec("pace", "scale", "closeness", weight=0.5, value_range=4),
        QuestionSpec("structure", "scale", "closeness", weight=0.5, value_range=4),
        QuestionSpec("directness", "scale", "closeness", weight=0.5, value_range=4),
        QuestionSpec("age", "number", "closeness", weight=0.5, value_range=45),
        QuestionSpec("years_experience", "number", "closeness", weight=0.5, value_range=40),
        QuestionSpec("hours_per_month", "number", "closeness", weight=1.0, value_range=19),
        QuestionSpec("bio", "text"),
        QuestionSpec("expectations", "text"),
    ]
    questions = base[:n_questions]
    for extra in range(len(base), n_questions):
        questions.append(QuestionSpec(f"scale_{extra}", "scale", "closeness", weight=0.5, value_range=4))
    return questions


def make_answers(questions: list[QuestionSpec], n: int, side: str, rng: np.random.Generator) -> AnswerMatrix:
    """Synthetic answers for ``n`` people of one side ("mentee" or "mentor")."""
    cluster = rng.integers(0, N_CLUSTERS, size=n)
    columns: dict[str, np.ndarray] = {}
    for q in questions:
        # Per question: each cluster prefers some options (seeded by the key, shared by both sides).
        qrng = np.random.default_rng(zlib.crc32(q.key.encode()))
        if q.key == "languages":
            col = rng.random((n, q.n_options)) < LANGUAGE_RATES
            nobody = ~col.any(axis=1)
            col[nobody, rng.choice(q.n_options, size=int(nobody.sum()), p=LANGUAGE_RATES / LANGUAGE_RATES.sum())] = True
            col[rng.random(n) < 0.005] = False  # a few never filled it in
            columns[q.key] = col
            continue
        if q.kind in ("single", "multiple"):
            prefs = qrng.dirichlet(np.full(q.n_options, 0.6), size=N_CLUSTERS)
            p = 0.7 * prefs[cluster] + 0.3 / q.n_options
            if q.kind == "single":
                picks = np.full(n, 1)
            else:
                mean = 1.5 if (q.key == "learn_teach" and side == "mentee") else 2.5
                picks = np.clip(1 + rng.poisson(mean - 1, size=n), 1, q.n_options)
            # Gumbel top-k: each person picks `picks` distinct options weighted by p.
            keys = np.log(p) + rng.gumbel(size=p.shape)
            rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
            col = rank < picks[:, None]
        elif q.kind == "scale":
            centre = qrng.uniform(1.5, 4.5, size=N_CLUSTERS)[cluster]
            col = np.clip(np.rint(centre + rng.normal(0, 0.9, size=n)), 1, 5).astype(np.float64)
        elif q.kind == "number":
            lo, hi = _NUMBER_RANGES[q.key][side]
            col = rng.integers(lo, hi + 1, size=n).astype(np.float64)
        else:
            continue
        missing = rng.random(n) < MISSING_RATE
        if col.dtype == bool:
            col[missing] = False
        else:
            col[missing] = np.nan
        columns[q.key] = col
    return AnswerMatrix.from_columns(questions, columns, n)


_NUMBER_RANGES = {
    "age": {"mentee": (20, 40), "mentor": (28, 66)},
    "years_experience": {"mentee": (0, 15), "mentor": (5, 40)},
    "hours_per_month": {"mentee": (1, 20), "mentor": (1, 20)},
}


def _row_dict(questions: list[QuestionSpec], answers: AnswerMatrix, i: int) -> dict[str, Any]:
    """One person's answers back as the dict the Django layer would pass."""
    out: dict[str, Any] = {}
    for q in questions:
        if q.kind == "text":
            continue
        value = answers.columns[q.key][i]
        if q.kind == "single" and value.any():
            out[q.key] = int(np.flatnonzero(value)[0])
        elif q.kind == "multiple" and value.any():
            out[q.key] = [int(x) for x in np.flatnonzero(value)]
        elif q.kind in ("scale", "number") and not np.isnan(value):
            out[q.key] = float(value)
    return out


def answer_rows(questions: list[QuestionSpec], answers: AnswerMatrix) -> list[dict[str, Any]]:
    """Every person's answers as the dicts the Django layer passes to the engine (option indices, numbers)."""
    return [_row_dict(questions, answers, i) for i in range(answers.n_people)]


def run_benchmark(
    mentees: int = 10000,
    mentors: int = 2000,
    questions: int = 20,
    capacity: int = 5,
    seed: int = 0,
    *,
    quality_mentees: int = 10000,
    quality_mentors: int = 2000,
    families: tuple[str, ...] = FAMILIES,
    recommend_samples: int = 200,
) -> dict[str, Any]:
    """Run the benchmark and return its measurements (see the module docstring for the data)."""
    rng = np.random.default_rng(seed)
    qs = make_questions(questions, seed)
    result: dict[str, Any] = {"mentees": mentees, "mentors": mentors, "questions": len(qs), "capacity": capacity}
    b_mentees = make_answers(qs, mentees, "mentee", rng)
    b_mentors = make_answers(qs, mentors, "mentor", rng)
    caps = np.full(mentors, capacity, dtype=np.int64)
    _measure_autopair(result, qs, b_mentees, b_mentors, caps)
    _measure_recommendations(result, qs, b_mentees, b_mentors, capacity, rng, recommend_samples)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if families:
        gc.collect()
        result["quality_instance"] = [quality_mentees, quality_mentors]
        result |= quality_by_family(quality_mentees, quality_mentors, capacity, seed, families)
        result["peak_rss_with_quality_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def _measure_autopair(result: dict, qs: list[QuestionSpec], mentees: AnswerMatrix, mentors: AnswerMatrix, caps) -> None:
    """The whole automatic pairing, three times (median), then where the time goes."""
    runs = []
    for _ in range(3):
        gc.collect()
        start = time.perf_counter()
        big = auto_pair(mentees, mentors, qs, caps)
        runs.append(time.perf_counter() - start)
    result["autopair_compute_s"] = round(float(np.median(runs)), 3)  # median of 3 runs
    result["autopair_runs_s"] = [round(t, 3) for t in runs]
    proof = big.proof
    assert proof is not None
    result |= {
        "optimal": proof.optimal,
        "proof_rounds": proof.rounds,
        "pairs_added": proof.pairs_added,
        "proof_solves": proof.solves,
    }
    # Where the time goes: scoring + candidate lists, then the flow, coverage and proof.
    start = time.perf_counter()
    scorer = Scorer(qs, mentees, mentors, mentor_mask=caps > 0)
    scorer.candidates(DEFAULT_K, mentor_k=min(2 * int(caps.max(initial=0)), 20))
    result["candidates_s"] = round(time.perf_counter() - start, 3)
    result["assign_s"] = round(result["autopair_compute_s"] - result["candidates_s"], 3)
    result["unassigned"] = len(big.unassigned_reason)
    reasons = list(big.unassigned_reason.values())
    result["unassigned_reasons"] = {r: reasons.count(r) for r in sorted(set(reasons))}
    result["mean_score"] = round(float(np.nanmean(big.score)), 3)
    result["total_score"] = round(big.total, 3)


def _measure_recommendations(
    result: dict,
    qs: list[QuestionSpec],
    mentees: AnswerMatrix,
    mentors: AnswerMatrix,
    capacity: int,
    rng: np.random.Generator,
    samples: int,
) -> None:
    """One mentee against all mentors, mentor side prepared once: the 95th percentile."""
    index = prepare_mentors(qs, mentors)
    free = rng.integers(0, capacity + 1, size=mentors.n_people)
    demand = rng.poisson(2.0, size=mentors.n_people)
    sample = rng.choice(mentees.n_people, size=min(samples, mentees.n_people), replace=False)
    dicts = [_row_dict(qs, mentees, int(i)) for i in sample]
    recommend(dicts[0], index, qs, 5, free, demand)  # warm-up
    times = []
    for answers in dicts:
        t0 = time.perf_counter()
        recommend(answers, index, qs, 5, free, demand)
        times.append(time.perf_counter() - t0)
    result["recommend_p95_ms"] = round(float(np.percentile(times, 95)) * 1000, 3)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the matching engine; prints one JSON line.")
    parser.add_argument("--mentees", type=int, default=10000)
    parser.add_argument("--mentors", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quality-mentees", type=int, default=10000)
    parser.add_argument("--quality-mentors", type=int, default=2000)
    parser.add_argument("--families", default="all", help="comma-separated families, 'all' or 'none'")
    args = parser.parse_args(argv)
    print(
        json.dumps(
            run_benchmark(
                args.mentees,
                args.mentors,
                args.questions,
                args.capacity,
                args.seed,
                quality_mentees=args.quality_mentees,
                quality_mentors=args.quality_mentors,
                families=parse_families(args.families),
            )
        )
    )


def parse_families(text: str) -> tuple[str, ...]:
    """``all``, ``none`` or a comma-separated list of ``bench_families.FAMILIES``."""
    if text == "all":
        return FAMILIES
    if text == "none":
        return ()
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(set(names) - set(FAMILIES))
    if unknown:
        raise ValueError(f"unknown families {unknown}; known: {', '.join(FAMILIES)}")
    return names


if __name__ == "__main__":
    main()
