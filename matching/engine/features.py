"""Feature encoding: the mentor side precomputed once (``MentorIndex``) and the mentees in the same feature space.

How it stays fast
-----------------
Almost every similarity is *bilinear* in a mentee-side vector and a mentor-side vector,
so the sum over all such questions is one matrix product of two concatenated feature
matrices (``mentee_features @ mentor_features.T``):

* same (single choice): ``onehot_a . onehot_b``;
* overlap: ``(a / |a|) . b``;
* mapping: ``(a / |a|) . satisfied(b)`` where ``satisfied(b)[x]`` says whether any of the
  mentor's options satisfies wish x (precomputed per mentor);
* closeness: the mentor's value is one-hot encoded over the distinct mentor values
  ("levels"), the mentee side holds ``1 - |a - level| / range`` for every level. This is
  exact; it is used while the mentors have at most ``max_levels`` distinct values (scales,
  ages, years) and falls back to an element-wise term otherwise.

Only "any common option" on multiple-choice questions (``same``, ``require``) and
closeness on many distinct values need element-wise work. The denominator is another
product (answered-flags x weights), and all single-choice requirements plus mentor
availability collapse into one more product: a pair is allowed when its count of
satisfied requirements equals the number of requirements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from matching.engine.answers import AnswerMatrix, _answered, _check_answers
from matching.engine.specs import Kind, QuestionSpec, Rule

DEFAULT_MAX_LEVELS = 64

# Stand-ins for a missing number in the element-wise closeness term: every distance
# involving them is astronomically large, so the clipped similarity is exactly 0 and no
# extra mask pass is needed. Mentee and mentor use opposite signs so two missing values
# are far apart too.
_FAR_MENTEE = np.float32(1e30)
_FAR_MENTOR = np.float32(-1e30)


@dataclass(frozen=True, eq=False)
class _Term:
    """An element-wise (non-bilinear) score term; the mentor side of it."""

    key: str
    op: Literal["any", "require_any", "closeness"]
    mentor_t: np.ndarray  # "any"/"require_any": (n_options, m) float32; "closeness": (m,) float32
    coef: np.float32  # 100 * weight ("any", "closeness"); 1 for "require_any"
    value_range: float = 0.0


@dataclass(frozen=True, eq=False)
class MentorIndex:
    """The mentor side of the scoring, precomputed once (``prepare_mentors``).

    Keep it in memory (e.g. per programme, rebuilt when mentor answers change) so that
    per-mentee recommendations only encode the mentee. Fields are float32, transposed
    (features x mentors) so they are the right operand of the matrix products.
    """

    questions: tuple[QuestionSpec, ...]
    answers: AnswerMatrix
    n_mentors: int
    lin_t: np.ndarray  # (D, m) bilinear numerator features
    ans_t: np.ndarray  # (Q, m) answered flags of the scored questions
    req_t: np.ndarray  # (R, m) one-hot answers of the single-choice requirements
    n_req: int  # number of single-choice requirements folded into req_t
    terms: tuple[_Term, ...]
    levels: Mapping[str, np.ndarray]  # closeness questions on the bilinear path: mentor value levels


def prepare_mentors(
    questions: Sequence[QuestionSpec], mentor_answers: AnswerMatrix, *, max_levels: int = DEFAULT_MAX_LEVELS
) -> MentorIndex:
    """Precompute the mentor-side feature matrices for ``questions``.

    ``max_levels``: a closeness question whose mentors give at most this many distinct
    values is scored exactly through the matrix product; above it, element-wise.
    """
    _check_answers(questions, mentor_answers)
    m = mentor_answers.n_people
    lin: list[np.ndarray] = []
    ans: list[np.ndarray] = []
    req: list[np.ndarray] = []
    terms: list[_Term] = []
    levels: dict[str, np.ndarray] = {}
    n_req = 0
    for q in questions:
        if q.rule is None:
            continue
        col = mentor_answers.columns[q.key]
        if q.is_scored:
            ans.append(_answered(q, col).astype(np.float32))
        coef = np.float32(100.0 * q.weight)
        if q.rule == Rule.REQUIRE:
            if q.kind == Kind.SINGLE:
                req.append(col.T.astype(np.float32))
                n_req += 1
            else:
                terms.append(_Term(q.key, "require_any", col.T.astype(np.float32), np.float32(1.0)))
        elif q.rule == Rule.SAME and q.kind == Kind.MULTIPLE:
            terms.append(_Term(q.key, "any", col.T.astype(np.float32), coef))
        elif q.rule in {Rule.SAME, Rule.OVERLAP}:
            lin.append(col.T.astype(np.float32))
        elif q.rule == Rule.MAPPING:
            assert q.mapping is not None
            # satisfied[x, j]: some option of mentor j satisfies wish x.
            satisfied = (q.mapping.astype(np.float32) @ col.T.astype(np.float32)) > 0
            lin.append(satisfied.astype(np.float32))
        else:  # closeness
            values = col[~np.isnan(col)]
            distinct = np.unique(values)
            if distinct.size <= max_levels:
                levels[q.key] = distinct
                # One-hot over the levels; a missing value is an all-zero column.
                onehot = (col[None, :] == distinct[:, None]).astype(np.float32)
                lin.append(onehot)
            else:
                filled = np.where(np.isnan(col), _FAR_MENTOR, col).astype(np.float32)
                terms.append(_Term(q.key, "closeness", filled, coef, q.value_range))
    return MentorIndex(
        questions=tuple(questions),
        answers=mentor_answers,
        n_mentors=m,
        lin_t=_stack(lin, m),
        ans_t=_stack(ans, m),
        req_t=_stack(req, m),
        n_req=n_req,
        terms=tuple(terms),
        levels=levels,
    )


def _take_mentors(index: MentorIndex, mentors: np.ndarray) -> MentorIndex:
    """The index of a subset of the mentors (in the given order), on the same levels and features."""
    terms = tuple(
        _Term(t.key, t.op, np.ascontiguousarray(t.mentor_t[..., mentors]), t.coef, t.value_range) for t in index.terms
    )
    return MentorIndex(
        questions=index.questions,
        answers=index.answers.take(mentors),
        n_mentors=len(mentors),
        lin_t=np.ascontiguousarray(index.lin_t[:, mentors]),
        ans_t=np.ascontiguousarray(index.ans_t[:, mentors]),
        req_t=np.ascontiguousarray(index.req_t[:, mentors]),
        n_req=index.n_req,
        terms=terms,
        levels=index.levels,
    )


@dataclass(frozen=True, eq=False)
class _MenteeFeatures:
    lin: np.ndarray  # (n, D), already multiplied by 100 * weight (and 1/|a| where needed)
    ans: np.ndarray  # (n, Q) answered flags x weight
    req: np.ndarray  # (n, R) one-hot single-choice requirement answers
    terms: tuple[np.ndarray, ...]  # per index term: (n, n_options) float32 or (n,) float32


def _mentee_features(index: MentorIndex, mentee_answers: AnswerMatrix) -> _MenteeFeatures:
    """Encode mentees in the feature space of ``index`` (same order of blocks)."""
    _check_answers(index.questions, mentee_answers)
    n = mentee_answers.n_people
    lin: list[np.ndarray] = []
    ans: list[np.ndarray] = []
    req: list[np.ndarray] = []
    terms: list[np.ndarray] = []
    term_keys = {t.key for t in index.terms}
    for q in index.questions:
        if q.rule is None:
            continue
        col = mentee_answers.columns[q.key]
        if q.is_scored:
            ans.append((_answered(q, col) * q.weight).astype(np.float32)[None, :])
        coef = 100.0 * q.weight
        if q.rule == Rule.REQUIRE:
            if q.kind == Kind.SINGLE:
                req.append(col.T.astype(np.float32))
            else:
                terms.append(col.astype(np.float32))
        elif q.rule == Rule.SAME and q.kind == Kind.MULTIPLE:
            terms.append(col.astype(np.float32) * np.float32(coef))
        elif q.rule in {Rule.SAME, Rule.OVERLAP, Rule.MAPPING}:
            # Share of the mentee's choices: scale each chosen option by 1/|a|. For a single
            # choice |a| is 1, so "same" and "overlap" coincide there.
            count = col.sum(axis=1, keepdims=True)
            lin.append((col * (coef / np.maximum(count, 1))).astype(np.float32).T)
        elif q.key in term_keys:  # closeness, element-wise
            terms.append(np.where(np.isnan(col), _FAR_MENTEE, col).astype(np.float32))
        else:  # closeness on the levels of the mentor values
            grid = index.levels[q.key]
            sim = np.clip(1.0 - np.abs(col[None, :] - grid[:, None]) / q.value_range, 0.0, 1.0)
            lin.append((np.nan_to_num(sim, nan=0.0) * coef).astype(np.float32))
    return _MenteeFeatures(
        lin=np.ascontiguousarray(_stack(lin, n).T),
        ans=np.ascontiguousarray(_stack(ans, n).T),
        req=np.ascontiguousarray(_stack(req, n).T),
        terms=tuple(terms),
    )


def _stack(blocks: list[np.ndarray], n: int) -> np.ndarray:
    """Stack (features x people) blocks into one C-contiguous float32 array."""
    if not blocks:
        return np.zeros((0, n), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(blocks), dtype=np.float32)
