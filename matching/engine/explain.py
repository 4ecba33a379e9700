"""Why a pair scores what it scores: one ``Reason`` per question, computed directly from the two answer rows."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.engine.answers import AnswerMatrix, _answered, _check_answers, encode_answers
from matching.engine.specs import QuestionSpec, Rule


@dataclass(frozen=True)
class Reason:
    """Why one question adds what it adds to a pair's score.

    ``similarity`` is in [0, 1] (None for requirements and for questions not answered by
    both); ``contribution`` is the points it adds to the 0-100 score (contributions sum to
    the score); ``matched`` holds the common option indices, or for ``mapping`` the
    ``(wish, mentor option)`` pairs that satisfy a wish; ``values`` the two numbers for
    ``closeness``; ``excluded`` is True when this requirement excludes the pair.
    """

    key: str
    rule: str
    answered_both: bool
    similarity: float | None
    weight: float
    contribution: float
    matched: tuple[Any, ...] = ()
    values: tuple[float, float] | None = None
    excluded: bool = False


def explain(
    mentee_row: AnswerMatrix | Mapping[str, Any],
    mentor_row: AnswerMatrix | Mapping[str, Any],
    questions: Sequence[QuestionSpec],
) -> list[Reason]:
    """One ``Reason`` per scored or requirement question (free text is skipped), in question order.

    Takes one-row answer matrices (``AnswerMatrix.row(i)``) or raw answer dicts. The pair
    is excluded iff some reason has ``excluded=True``; otherwise
    ``sum(r.contribution for r in reasons)`` equals the engine's score (float32 aside).
    """
    a_side = encode_answers(questions, [mentee_row]) if isinstance(mentee_row, Mapping) else mentee_row
    b_side = encode_answers(questions, [mentor_row]) if isinstance(mentor_row, Mapping) else mentor_row
    if a_side.n_people != 1 or b_side.n_people != 1:
        raise ValueError("explain() takes one mentee row and one mentor row")
    _check_answers(questions, a_side)
    _check_answers(questions, b_side)
    raw: list[tuple[QuestionSpec, bool, float | None, tuple[Any, ...], tuple[float, float] | None, bool]] = []
    for q in questions:
        if q.rule is None:
            continue
        a, b = a_side.columns[q.key][0], b_side.columns[q.key][0]
        both = bool(_answered(q, a[None])[0] and _answered(q, b[None])[0])
        if q.rule == Rule.REQUIRE:
            common = tuple(int(x) for x in np.flatnonzero(a & b))
            raw.append((q, both, None, common, None, not common))
        elif not both:
            raw.append((q, False, None, (), None, False))
        elif q.rule == Rule.CLOSENESS:
            sim = min(1.0, max(0.0, 1.0 - abs(float(a) - float(b)) / q.value_range))
            raw.append((q, True, sim, (), (float(a), float(b)), False))
        elif q.rule == Rule.MAPPING:
            assert q.mapping is not None
            pairs = tuple(
                (int(x), int(y)) for x, y in zip(*np.nonzero(q.mapping & a[:, None] & b[None, :]), strict=True)
            )
            satisfied = len({x for x, _ in pairs})
            raw.append((q, True, satisfied / int(a.sum()), pairs, None, False))
        else:
            common = tuple(int(x) for x in np.flatnonzero(a & b))
            if q.rule == Rule.SAME:
                sim = 1.0 if common else 0.0
            else:
                sim = len(common) / int(a.sum())
            raw.append((q, True, sim, common, None, False))
    total_weight = sum(q.weight for q, both, *_ in raw if both and q.is_scored)
    reasons = []
    for q, both, sim, matched, values, excluded in raw:
        scored = q.is_scored
        contribution = 100.0 * q.weight * sim / total_weight if scored and sim is not None else 0.0
        reasons.append(
            Reason(
                key=q.key,
                rule=str(q.rule),
                answered_both=both,
                similarity=sim,
                weight=q.weight if scored else 0.0,
                contribution=contribution,
                matched=matched,
                values=values,
                excluded=excluded,
            )
        )
    return reasons


def explained_score(reasons: Sequence[Reason]) -> float:
    """The pair's score from its reasons: ``-inf`` if a requirement excludes it, else the sum of contributions."""
    if any(r.excluded for r in reasons):
        return -math.inf
    return sum(r.contribution for r in reasons)
