"""Mentor/mentee matching engine: scoring, candidate lists, global assignment, recommendations.

Pure Python + numpy (+ OR-Tools for the assignment). Nothing here knows about Django: the
Django layer turns questionnaire answers into plain dicts, calls these functions with
integer row indices, and maps the indices back to model instances.

Pipeline
--------
1. ``QuestionSpec`` says how one question is answered (``kind``) and scored (``rule``).
2. ``encode_answers`` turns one dict of answers per person into an ``AnswerMatrix``:
   multi-hot bool arrays for choice questions, float arrays (NaN = missing) for numbers.
3. ``prepare_mentors`` precomputes the mentor side once (``MentorIndex``); ``Scorer`` adds
   the mentees and scores blocks of mentees x all mentors with a few float32 matrix
   products (``score_chunk`` is the one-call form).
4. ``top_candidates`` keeps each mentee's K best mentors (``Scorer.candidates`` also each
   mentor's L best mentees, so that unpopular mentors have candidates when places are
   tight). ``assign`` solves the capacity-constrained assignment exactly on that sparse
   candidate graph (OR-Tools max-flow-min-cost: coverage first, then total score) and,
   given the ``Scorer``, widens the graph until coverage is the maximum over *all*
   allowed pairs. ``auto_pair`` runs the whole pipeline; ``assign_greedy`` is the
   simple baseline.
5. ``recommend`` ranks mentors for one mentee, with a demand-spreading re-rank;
   ``explain`` says why a pair scores what it scores.

Score of a pair
---------------
For the scored questions (rule ``same``, ``overlap``, ``mapping`` or ``closeness``) that
*both* people answered::

    score = 100 * sum_q(w_q * sim_q) / sum_q(w_q)       (0 when no such question)

so an unanswered question neither rewards nor punishes. ``require`` questions carry no
weight: a pair without a common option (or where either side did not answer) is
excluded, which the arrays show as ``-inf``.

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

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Kind = Literal["single", "multiple", "scale", "number", "text"]
Rule = Literal["same", "overlap", "mapping", "closeness", "require"]
Rows = slice | np.ndarray | Sequence[int] | None

KINDS: frozenset[str] = frozenset({"single", "multiple", "scale", "number", "text"})
RULES: frozenset[str] = frozenset({"same", "overlap", "mapping", "closeness", "require"})
CHOICE_KINDS: frozenset[str] = frozenset({"single", "multiple"})
NUMERIC_KINDS: frozenset[str] = frozenset({"scale", "number"})
SCORED_RULES: frozenset[str] = frozenset({"same", "overlap", "mapping", "closeness"})

NO_COMPATIBLE_MENTOR = "no compatible mentor"
NO_MENTOR_WITH_ROOM = "no mentor with room"

DEFAULT_K = 20
DEFAULT_CHUNK = 512
DEFAULT_MAX_LEVELS = 64
DEFAULT_SCORE_SCALE = 1000

# Stand-ins for a missing number in the element-wise closeness term: every distance
# involving them is astronomically large, so the clipped similarity is exactly 0 and no
# extra mask pass is needed. Mentee and mentor use opposite signs so two missing values
# are far apart too.
_FAR_MENTEE = np.float32(1e30)
_FAR_MENTOR = np.float32(-1e30)
# Keeps 0/0 at 0 in the score division: the numerator is 0 whenever the denominator is.
_TINY = np.float32(1e-30)


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class QuestionSpec:
    """One questionnaire question and the rule that scores it.

    ``weight`` matters only for scored rules; ``n_options`` only for choice kinds;
    ``value_range`` (max - min, e.g. 4 for a 1-5 scale) only for ``closeness``;
    ``mapping[a, b]`` (shape ``(n_options, n_options)``) says mentee option ``a`` ("wants
    to learn X") is satisfied by mentor option ``b`` ("can teach X"), only for ``mapping``.
    Construction validates the combination and raises ``ValueError`` when it is invalid.
    """

    key: str
    kind: Kind
    rule: Rule | None = None
    weight: float = 1.0
    n_options: int = 0
    value_range: float = 0.0
    mapping: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        where = f"question {self.key!r}"
        if self.kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {self.kind!r}")
        if self.rule is not None and self.rule not in RULES:
            raise ValueError(f"{where}: unknown rule {self.rule!r}")
        if self.kind in CHOICE_KINDS and self.n_options < 1:
            raise ValueError(f"{where}: a choice question needs n_options >= 1")
        if self.rule in {"same", "overlap", "mapping", "require"} and self.kind not in CHOICE_KINDS:
            raise ValueError(f"{where}: rule {self.rule!r} needs a single or multiple choice question")
        if self.rule == "closeness":
            if self.kind not in NUMERIC_KINDS:
                raise ValueError(f"{where}: rule 'closeness' needs a scale or number question")
            if not (self.value_range > 0 and math.isfinite(self.value_range)):
                raise ValueError(f"{where}: rule 'closeness' needs a finite value_range > 0")
        if self.kind == "text" and self.rule is not None:
            raise ValueError(f"{where}: free-text questions are not scored (rule must be None)")
        if self.rule in SCORED_RULES and not (self.weight > 0 and math.isfinite(self.weight)):
            raise ValueError(f"{where}: weight must be a finite number > 0")
        if self.rule == "mapping":
            if self.mapping is None:
                raise ValueError(f"{where}: rule 'mapping' needs a mapping matrix")
            matrix = np.array(self.mapping, dtype=bool)  # a private, read-only copy
            if matrix.shape != (self.n_options, self.n_options):
                raise ValueError(f"{where}: mapping must have shape ({self.n_options}, {self.n_options})")
            matrix.setflags(write=False)
            object.__setattr__(self, "mapping", matrix)
        elif self.mapping is not None:
            raise ValueError(f"{where}: a mapping matrix only goes with rule 'mapping'")

    @property
    def is_choice(self) -> bool:
        """True for single and multiple choice questions."""
        return self.kind in CHOICE_KINDS

    @property
    def is_scored(self) -> bool:
        """True when the question adds weight to the score (require and unscored ones do not)."""
        return self.rule in SCORED_RULES


@dataclass(frozen=True, eq=False)
class AnswerMatrix:
    """The answers of one side (mentees or mentors), one row per person.

    ``columns[key]`` is a bool array ``(n_people, n_options)`` for a choice question (an
    all-False row = unanswered) or a float64 array ``(n_people,)`` for a scale/number
    question (NaN = unanswered). Free-text questions have no column. Build it with
    ``encode_answers`` or ``AnswerMatrix.from_columns``; the engine validates it against
    the questions wherever it is used.
    """

    n_people: int
    columns: Mapping[str, np.ndarray]

    @classmethod
    def from_columns(cls, questions: Sequence[QuestionSpec], columns: Mapping[str, Any], n_people: int) -> AnswerMatrix:
        """Validate and normalise raw arrays; a question without a column is unanswered by everyone."""
        normalised: dict[str, np.ndarray] = {}
        for q in questions:
            if q.kind == "text":
                continue
            if q.key in columns:
                arr = np.asarray(columns[q.key], dtype=bool if q.is_choice else np.float64)
            elif q.is_choice:
                arr = np.zeros((n_people, q.n_options), dtype=bool)
            else:
                arr = np.full(n_people, np.nan)
            normalised[q.key] = np.ascontiguousarray(arr)
        matrix = cls(n_people, normalised)
        _check_answers(questions, matrix)
        return matrix

    def take(self, rows: Rows) -> AnswerMatrix:
        """The answers of the selected people, in the given order."""
        sel = _as_row_selector(rows, self.n_people)
        columns = {key: arr[sel] for key, arr in self.columns.items()}
        n = len(range(self.n_people)[sel]) if isinstance(sel, slice) else len(sel)
        return AnswerMatrix(n, columns)

    def row(self, i: int) -> AnswerMatrix:
        """The answers of person ``i`` as a one-row matrix."""
        if not 0 <= i < self.n_people:
            raise IndexError(f"row {i} out of range for {self.n_people} people")
        return self.take(slice(i, i + 1))


def encode_answers(questions: Sequence[QuestionSpec], people_answers: Sequence[Mapping[str, Any]]) -> AnswerMatrix:
    """Encode one answers dict per person into an ``AnswerMatrix``.

    Values: an option index (single), an iterable of option indices (multiple; empty =
    unanswered), a number (scale/number; NaN = unanswered). A missing key or ``None`` means
    unanswered; keys of unknown or free-text questions are ignored. Raises ``ValueError``
    on an out-of-range option or a non-finite/non-numeric number.
    """
    _check_questions(questions)
    n = len(people_answers)
    columns: dict[str, np.ndarray] = {}
    for q in questions:
        if q.kind == "text":
            continue
        columns[q.key] = np.zeros((n, q.n_options), dtype=bool) if q.is_choice else np.full(n, np.nan)
    encoded = [q for q in questions if q.kind != "text"]
    for i, answers in enumerate(people_answers):
        for q in encoded:
            value = answers.get(q.key)
            if value is None:
                continue
            if q.kind == "single":
                columns[q.key][i, _option_index(q, value)] = True
            elif q.kind == "multiple":
                if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                    raise ValueError(f"question {q.key!r}: a multiple choice answer must be a list of option indices")
                for option in value:
                    columns[q.key][i, _option_index(q, option)] = True
            else:
                columns[q.key][i] = _number(q, value)
    return AnswerMatrix(n, columns)


def _option_index(q: QuestionSpec, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"question {q.key!r}: option must be an integer index, got {value!r}")
    if not 0 <= value < q.n_options:
        raise ValueError(f"question {q.key!r}: option {value} out of range 0..{q.n_options - 1}")
    return int(value)


def _number(q: QuestionSpec, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"question {q.key!r}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"question {q.key!r}: expected a number, got {value!r}") from None
    if math.isinf(number):
        raise ValueError(f"question {q.key!r}: expected a finite number, got {value!r}")
    return number  # NaN stays NaN = unanswered


def _check_questions(questions: Sequence[QuestionSpec]) -> None:
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise ValueError("question keys must be unique")


def _check_answers(questions: Sequence[QuestionSpec], answers: AnswerMatrix) -> None:
    """Raise ``ValueError`` unless every non-text question has a column of the right shape and dtype."""
    _check_questions(questions)
    n = answers.n_people
    for q in questions:
        if q.kind == "text":
            continue
        arr = answers.columns.get(q.key)
        if arr is None:
            raise ValueError(f"answers have no column for question {q.key!r}")
        if q.is_choice:
            if arr.dtype != np.bool_ or arr.shape != (n, q.n_options):
                raise ValueError(f"question {q.key!r}: expected a bool array of shape {(n, q.n_options)}")
            if q.kind == "single" and n and int(arr.sum(axis=1).max()) > 1:
                raise ValueError(f"question {q.key!r}: single choice rows may hold at most one option")
        elif arr.shape != (n,) or not np.issubdtype(arr.dtype, np.floating):
            raise ValueError(f"question {q.key!r}: expected a float array of shape {(n,)}")


def _as_row_selector(rows: Rows, n: int) -> slice | np.ndarray:
    if rows is None:
        return slice(0, n)
    if isinstance(rows, slice):
        return slice(*rows.indices(n))
    arr = np.asarray(rows, dtype=np.int64).reshape(-1)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise IndexError("row index out of range")
    return arr


def _row_ids(sel: slice | np.ndarray) -> np.ndarray:
    return np.arange(sel.start, sel.stop, sel.step) if isinstance(sel, slice) else sel


# ------------------------------------------------------------------- feature encoding


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
        if q.rule == "require":
            if q.kind == "single":
                req.append(col.T.astype(np.float32))
                n_req += 1
            else:
                terms.append(_Term(q.key, "require_any", col.T.astype(np.float32), np.float32(1.0)))
        elif q.rule == "same" and q.kind == "multiple":
            terms.append(_Term(q.key, "any", col.T.astype(np.float32), coef))
        elif q.rule in {"same", "overlap"}:
            lin.append(col.T.astype(np.float32))
        elif q.rule == "mapping":
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
        if q.rule == "require":
            if q.kind == "single":
                req.append(col.T.astype(np.float32))
            else:
                terms.append(col.astype(np.float32))
        elif q.rule == "same" and q.kind == "multiple":
            terms.append(col.astype(np.float32) * np.float32(coef))
        elif q.rule in {"same", "overlap", "mapping"}:
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


def _answered(q: QuestionSpec, col: np.ndarray) -> np.ndarray:
    return col.any(axis=1) if q.is_choice else ~np.isnan(col)


def _stack(blocks: list[np.ndarray], n: int) -> np.ndarray:
    """Stack (features x people) blocks into one C-contiguous float32 array."""
    if not blocks:
        return np.zeros((0, n), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(blocks), dtype=np.float32)


# ------------------------------------------------------------------------------ scoring


class _PairExclusions:
    """Excluded (mentee, mentor) pairs, stored per mentee (CSR) for block look-ups."""

    def __init__(self, n: int, m: int, pairs: Any) -> None:
        arr = np.asarray(pairs if pairs is not None else [], dtype=np.int64).reshape(-1, 2)
        if arr.size and (arr[:, 0].min() < 0 or arr[:, 0].max() >= n or arr[:, 1].min() < 0 or arr[:, 1].max() >= m):
            raise IndexError("excluded pair out of range")
        arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))]
        self.size = len(arr)
        self.ptr = np.searchsorted(arr[:, 0], np.arange(n + 1))
        self.cols = arr[:, 1]

    def locate(self, row_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(block row, mentor) of the excluded pairs among ``row_ids``; None when there are none."""
        if not self.size:
            return None
        starts = self.ptr[row_ids]
        counts = self.ptr[row_ids + 1] - starts
        total = int(counts.sum())
        if not total:
            return None
        block_rows = np.repeat(np.arange(len(row_ids)), counts)
        return block_rows, self.cols[_csr_positions(self.ptr, row_ids)]


class Scorer:
    """Scores mentees against all mentors, block by block.

    ``mentors`` is an ``AnswerMatrix`` or a prepared ``MentorIndex`` (built from the same
    questions). ``mentor_mask`` (bool, per mentor) marks the mentors available for pairing;
    ``exclusions`` lists ``(mentee, mentor)`` index pairs that must not be paired (already
    paired, declined). Masked mentors and excluded pairs score ``-inf`` like pairs that
    break a requirement; ``compatible`` tells the two apart.
    """

    def __init__(
        self,
        questions: Sequence[QuestionSpec],
        mentee_answers: AnswerMatrix,
        mentors: AnswerMatrix | MentorIndex,
        *,
        mentor_mask: np.ndarray | None = None,
        exclusions: Any = None,
        max_levels: int = DEFAULT_MAX_LEVELS,
    ) -> None:
        if isinstance(mentors, MentorIndex):
            if not _same_questions(mentors.questions, questions):
                raise ValueError("the MentorIndex was prepared for other questions")
            self.index = mentors
        else:
            self.index = prepare_mentors(questions, mentors, max_levels=max_levels)
        self.questions = self.index.questions
        self.n_mentees = mentee_answers.n_people
        self.n_mentors = self.index.n_mentors
        self.features = _mentee_features(self.index, mentee_answers)
        self.mentor_mask = None
        if mentor_mask is not None:
            mask = np.asarray(mentor_mask, dtype=bool)
            if mask.shape != (self.n_mentors,):
                raise ValueError(f"mentor_mask must have shape ({self.n_mentors},)")
            self.mentor_mask = mask
        self.exclusions = _PairExclusions(self.n_mentees, self.n_mentors, exclusions)
        # Availability becomes one more "requirement" in the single-choice count product:
        # every mentee has a 1 there, only available mentors do.
        self._req_mask_t = self.index.req_t
        self._req_mask = self.features.req
        self._n_req_mask = self.index.n_req
        if self.mentor_mask is not None and not self.mentor_mask.all():
            self._req_mask_t = np.vstack([self.index.req_t, self.mentor_mask[None, :].astype(np.float32)])
            self._req_mask = np.hstack([self.features.req, np.ones((self.n_mentees, 1), dtype=np.float32)])
            self._n_req_mask += 1

    def scores(self, rows: Rows = None) -> np.ndarray:
        """Float32 scores (rows x mentors) in [0, 100] (to float32 rounding); ``-inf`` = may not be paired."""
        sel = _as_row_selector(rows, self.n_mentees)
        f, idx = self.features, self.index
        num = f.lin[sel] @ idx.lin_t
        for term, mentee in zip(idx.terms, f.terms, strict=True):
            if term.op == "any":
                # "Any common option": the count product, capped at one (pre-scaled by coef).
                count = mentee[sel] @ term.mentor_t
                np.minimum(count, term.coef, out=count)
                num += count
            elif term.op == "closeness":
                dist = np.subtract.outer(mentee[sel], term.mentor_t)
                np.abs(dist, out=dist)
                dist *= np.float32(-term.coef / term.value_range)
                dist += term.coef
                np.maximum(dist, 0, out=dist)
                num += dist
        den = f.ans[sel] @ idx.ans_t
        np.maximum(den, _TINY, out=den)
        np.divide(num, den, out=num)
        bad = self._forbidden(sel, with_mask=True)
        if bad is not None:
            np.copyto(num, -np.inf, where=bad)
        return num

    def allowed(self, rows: Rows = None) -> np.ndarray:
        """Bool (rows x mentors): may be paired (requirements, availability, exclusions)."""
        sel = _as_row_selector(rows, self.n_mentees)
        bad = self._forbidden(sel, with_mask=True)
        n_rows = len(_row_ids(sel))
        return np.ones((n_rows, self.n_mentors), dtype=bool) if bad is None else ~bad

    def compatible(self, rows: Rows = None) -> np.ndarray:
        """Bool (rows x mentors): passes the hard requirements and is not an excluded pair.

        Ignores availability (``mentor_mask``), so it answers "is there any mentor this
        mentee could ever be paired with" for the unassigned reasons.
        """
        sel = _as_row_selector(rows, self.n_mentees)
        bad = self._forbidden(sel, with_mask=False)
        n_rows = len(_row_ids(sel))
        return np.ones((n_rows, self.n_mentors), dtype=bool) if bad is None else ~bad

    def pair_scores(self, mentees: np.ndarray, mentors: np.ndarray, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
        """Scores of the given (mentee, mentor) pairs, as float32 (``-inf`` if not allowed)."""
        mentees = np.asarray(mentees, dtype=np.int64)
        mentors = np.asarray(mentors, dtype=np.int64)
        out = np.empty(len(mentees), dtype=np.float32)
        uniq, inverse = np.unique(mentees, return_inverse=True)
        for start in range(0, len(uniq), chunk):
            block = self.scores(uniq[start : start + chunk])
            hit = (inverse >= start) & (inverse < start + chunk)
            out[hit] = block[inverse[hit] - start, mentors[hit]]
        return out

    def top(self, k: int, *, chunk: int = DEFAULT_CHUNK) -> tuple[np.ndarray, np.ndarray]:
        """Each mentee's ``k`` best allowed mentors, best first: ``(indices int32, scores float32)``.

        Shape ``(n_mentees, k)``; missing entries (fewer than ``k`` allowed mentors) are
        ``-1`` / ``-inf``. Ties are broken by the lower mentor index.
        """
        cands = self.candidates(k, mentor_k=0, chunk=chunk)
        return cands.indices, cands.scores

    def candidates(self, k: int, *, mentor_k: int = 0, chunk: int = DEFAULT_CHUNK) -> Candidates:
        """Both directions of the candidate graph in one pass over the score blocks.

        ``indices``/``scores``: each mentee's ``k`` best mentors (as ``top``);
        ``mentor_indices``/``mentor_scores`` (``n_mentors x mentor_k``): each mentor's
        ``mentor_k`` best mentees, ties to the lower mentee index.
        """
        if k < 1 or mentor_k < 0:
            raise ValueError("k must be >= 1 and mentor_k >= 0")
        n, m = self.n_mentees, self.n_mentors
        out_idx = np.full((n, k), -1, dtype=np.int32)
        out_sc = np.full((n, k), -np.inf, dtype=np.float32)
        by_mentor = _RunningTop(m, mentor_k)
        if m:
            for start in range(0, n, chunk):
                block = self.scores(slice(start, min(start + chunk, n)))
                idx, sc = _block_top(block, k)
                out_idx[start : start + len(block)] = idx
                out_sc[start : start + len(block)] = sc
                if mentor_k:
                    by_mentor.update(block, start)
        return Candidates(out_idx, out_sc, by_mentor.indices.astype(np.int32), _clip_scores(by_mentor.scores))

    def _forbidden(self, sel: slice | np.ndarray, *, with_mask: bool) -> np.ndarray | None:
        """Bool (rows x mentors) of forbidden pairs, or None when nothing is forbidden."""
        f, idx = self.features, self.index
        if with_mask:
            req, req_t, need = self._req_mask, self._req_mask_t, self._n_req_mask
        else:
            req, req_t, need = f.req, idx.req_t, idx.n_req
        bad = None
        if need:
            count = req[sel] @ req_t
            bad = count < np.float32(need - 0.5)
        for term, mentee in zip(idx.terms, f.terms, strict=True):
            if term.op == "require_any":
                missing = (mentee[sel] @ term.mentor_t) < np.float32(0.5)
                bad = missing if bad is None else np.logical_or(bad, missing, out=bad)
        hits = self.exclusions.locate(_row_ids(sel))
        if hits is not None:
            if bad is None:
                bad = np.zeros((len(_row_ids(sel)), self.n_mentors), dtype=bool)
            bad[hits] = True
        return bad


def _same_questions(a: Sequence[QuestionSpec], b: Sequence[QuestionSpec]) -> bool:
    if tuple(a) != tuple(b):
        return False
    return all(
        (qa.mapping is None) == (qb.mapping is None) and (qa.mapping is None or np.array_equal(qa.mapping, qb.mapping))
        for qa, qb in zip(a, b, strict=True)
    )


@dataclass(frozen=True, eq=False)
class Candidates:
    """A sparse candidate graph: mentee-side and (optionally) mentor-side best lists.

    Entries are ``-1`` / ``-inf`` where a list has fewer allowed partners than its width.
    """

    indices: np.ndarray  # (n_mentees, k) int32 mentor indices
    scores: np.ndarray  # (n_mentees, k) float32
    mentor_indices: np.ndarray  # (n_mentors, mentor_k) int32 mentee indices
    mentor_scores: np.ndarray  # (n_mentors, mentor_k) float32


def _clip_scores(scores: np.ndarray) -> np.ndarray:
    """Clip real scores to [0, 100] (float32 rounding may pass 100 by a hair); keep -inf padding."""
    out = np.minimum(scores, np.float32(100))
    np.maximum(out, 0, out=out, where=out > -np.inf)
    return out


def _block_top(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k per row of a score block: int32 indices and float32 scores, best first, padded.

    Never selects -inf; ties go to the lower column index. Instead of partitioning whole
    rows, it partitions a strided quarter of the columns: the k-th best value among any
    subset is a lower bound of the row's k-th best, so every entry at or above it is a
    superset of the top k (about 4k entries), which is then sorted exactly. Partitioning
    is the dominant cost of candidate generation, so this roughly halves it.
    """
    rows, m = block.shape
    out_idx = np.full((rows, k), -1, dtype=np.int32)
    out_sc = np.full((rows, k), -np.inf, dtype=np.float32)
    lowest = np.float32(np.finfo(np.float32).min)  # ">= lowest" excludes -inf
    if k >= m:
        thr = np.full(rows, lowest, dtype=np.float32)
    else:
        sample = block[:, :: max(1, m // max(4 * k, m // 4))] if m >= 16 * k else block
        width = sample.shape[1]
        if width > k:
            thr = np.partition(sample, width - k, axis=1)[:, width - k]
        else:
            thr = np.full(rows, lowest, dtype=np.float32)
        np.maximum(thr, lowest, out=thr)
    r, c = _nonzero_2d(block >= thr[:, None])
    if not r.size:
        return out_idx, out_sc
    # Compact the survivors into a small dense array (row-major, columns ascending) and
    # sort each row by score; a stable sort keeps ties in column order.
    counts = np.bincount(r, minlength=rows)
    pos = np.arange(len(r)) - (np.cumsum(counts) - counts)[r]
    width = int(counts.max())
    vals = np.full((rows, width), -np.inf, dtype=np.float32)
    cols = np.full((rows, width), -1, dtype=np.int32)
    vals[r, pos] = block[r, c]
    cols[r, pos] = c
    order = np.argsort(-vals, axis=1, kind="stable")[:, :k]
    take = min(k, width)
    out_idx[:, :take] = np.take_along_axis(cols, order, axis=1)
    out_sc[:, :take] = _clip_scores(np.take_along_axis(vals, order, axis=1))
    return out_idx, out_sc


def _nonzero_2d(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-D mask; via ``flatnonzero`` because 2-D nonzero is ~5x slower."""
    if mask.shape[1] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rows, cols = np.divmod(np.flatnonzero(mask), mask.shape[1])
    return rows, cols


class _RunningTop:
    """Each mentor's ``width`` best mentees over a stream of (mentees x mentors) blocks.

    A block only contributes the entries that beat the mentor's current ``width``-th best
    (strictly, so earlier = lower mentee index wins ties); after the first block these are
    few, so merging them costs little compared with the block itself.
    """

    def __init__(self, n_mentors: int, width: int) -> None:
        self.width = width
        self.indices = np.full((n_mentors, width), -1, dtype=np.int64)
        self.scores = np.full((n_mentors, width), -np.inf, dtype=np.float32)
        self.threshold = np.full(n_mentors, -np.inf, dtype=np.float32)

    def update(self, block: np.ndarray, start: int) -> None:
        """Merge the block whose first row is mentee ``start``."""
        if not self.width:
            return
        if start == 0 or not np.isfinite(self.threshold).any():
            idx, sc = _block_top(np.ascontiguousarray(block.T), self.width)
            new_mentor, slot = _nonzero_2d(idx >= 0)
            new_mentee, new_score = idx[new_mentor, slot].astype(np.int64) + start, sc[new_mentor, slot]
        else:
            new_mentee, new_mentor = _nonzero_2d(block > self.threshold[None, :])
            new_score = block[new_mentee, new_mentor]
            new_mentee = new_mentee + start
        if not new_mentee.size:
            return
        # Re-rank only the mentors that got new entries: old list + new entries, sorted by
        # (mentor, best score, lower mentee index), first ``width`` per mentor kept.
        touched = np.unique(new_mentor)
        old_idx, old_sc = self.indices[touched], self.scores[touched]
        old_row, slot = _nonzero_2d(old_idx >= 0)
        row = np.concatenate([old_row, np.searchsorted(touched, new_mentor)])
        mentee = np.concatenate([old_idx[old_row, slot], new_mentee])
        score = np.concatenate([old_sc[old_row, slot], new_score])
        order = np.lexsort((mentee, -score, row))
        row, mentee, score = row[order], mentee[order], score[order]
        rank = np.arange(len(row)) - np.searchsorted(row, row)
        keep = rank < self.width
        merged_idx = np.full((len(touched), self.width), -1, dtype=np.int64)
        merged_sc = np.full((len(touched), self.width), -np.inf, dtype=np.float32)
        merged_idx[row[keep], rank[keep]] = mentee[keep]
        merged_sc[row[keep], rank[keep]] = score[keep]
        self.indices[touched] = merged_idx
        self.scores[touched] = merged_sc
        self.threshold[touched] = merged_sc[:, -1]


def score_chunk(
    mentee_answers: AnswerMatrix,
    mentor_answers: AnswerMatrix | MentorIndex,
    questions: Sequence[QuestionSpec],
    rows: Rows = None,
    *,
    mentor_mask: np.ndarray | None = None,
    exclusions: Any = None,
) -> np.ndarray:
    """Scores of the selected mentees (default: all) x all mentors, float32, ``-inf`` = excluded."""
    scorer = Scorer(questions, mentee_answers, mentor_answers, mentor_mask=mentor_mask, exclusions=exclusions)
    return scorer.scores(rows)


def top_candidates(
    mentee_answers: AnswerMatrix,
    mentor_answers: AnswerMatrix | MentorIndex,
    questions: Sequence[QuestionSpec],
    k: int,
    *,
    chunk: int = DEFAULT_CHUNK,
    mentor_mask: np.ndarray | None = None,
    exclusions: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each mentee's ``k`` best allowed mentors: ``(indices int32 [n, k], scores float32 [n, k])``.

    Best first; excluded pairs are never candidates; padding is ``-1`` / ``-inf``. Memory is
    ``chunk x n_mentors`` floats at a time.
    """
    scorer = Scorer(questions, mentee_answers, mentor_answers, mentor_mask=mentor_mask, exclusions=exclusions)
    return scorer.top(k, chunk=chunk)


# --------------------------------------------------------------------------- assignment


@dataclass(frozen=True, eq=False)
class Assignment:
    """A pairing of mentees to mentors.

    ``mentor[i]`` is mentee i's mentor index or -1; ``score[i]`` its score (NaN when
    unassigned); ``total`` the sum of the assigned scores; ``unassigned_reason`` maps each
    unassigned mentee to ``NO_COMPATIBLE_MENTOR`` or ``NO_MENTOR_WITH_ROOM``.
    """

    mentor: np.ndarray
    score: np.ndarray
    total: float
    unassigned_reason: dict[int, str]

    @property
    def n_assigned(self) -> int:
        """How many mentees got a mentor."""
        return int((self.mentor >= 0).sum())

    def pairs(self) -> list[tuple[int, int, float]]:
        """The assigned ``(mentee, mentor, score)`` triples, in mentee order."""
        rows = np.flatnonzero(self.mentor >= 0)
        return [(int(i), int(self.mentor[i]), float(self.score[i])) for i in rows]


@dataclass(frozen=True, eq=False)
class _Arcs:
    """Candidate (mentee, mentor, score) arcs, unique per pair."""

    mentee: np.ndarray
    mentor: np.ndarray
    score: np.ndarray

    @classmethod
    def from_lists(cls, indices: np.ndarray, scores: np.ndarray) -> _Arcs:
        r, c = _nonzero_2d(indices >= 0)
        mentor = indices[r, c].astype(np.int64)
        # Keep the first (leftmost) entry of a pair listed twice.
        _, first = np.unique(r * (int(indices.max(initial=0)) + 1) + mentor, return_index=True)
        first.sort()
        return cls(r[first].astype(np.int64), mentor[first], scores[r, c][first].astype(np.float64))

    @classmethod
    def from_mentor_lists(cls, indices: np.ndarray, scores: np.ndarray, *, n_mentees: int, n_mentors: int) -> _Arcs:
        idx = np.asarray(indices, dtype=np.int64)
        sc = np.asarray(scores, dtype=np.float64)
        if idx.ndim != 2 or idx.shape != sc.shape or idx.shape[0] != n_mentors:
            raise ValueError("mentor_candidates must be two (n_mentors, L) arrays")
        if idx.size and (idx.max() >= n_mentees or idx.min() < -1):
            raise ValueError("mentor candidate index out of range")
        r, c = _nonzero_2d(idx >= 0)
        _check_scores(sc[r, c])
        return cls(idx[r, c], r.astype(np.int64), sc[r, c])

    def merged(self, other: _Arcs, n_mentors: int) -> _Arcs:
        mentee = np.concatenate([self.mentee, other.mentee])
        mentor = np.concatenate([self.mentor, other.mentor])
        score = np.concatenate([self.score, other.score])
        _, first = np.unique(mentee * n_mentors + mentor, return_index=True)
        return _Arcs(mentee[first], mentor[first], score[first])


def _check_scores(scores: np.ndarray) -> None:
    """Real candidates need a score in [0, 100] (the solver's costs are ``100 - score``)."""
    if not np.isfinite(scores).all() or (scores.size and (scores.min() < 0 or scores.max() > 100.001)):
        raise ValueError("every real candidate needs a finite score in [0, 100]")


def _check_candidates(
    candidate_indices: np.ndarray, candidate_scores: np.ndarray, capacities: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    idx = np.asarray(candidate_indices)
    sc = np.asarray(candidate_scores, dtype=np.float64)
    cap = np.asarray(capacities)
    if idx.ndim != 2 or idx.shape != sc.shape:
        raise ValueError("candidate_indices and candidate_scores must be 2-D arrays of the same shape")
    if cap.ndim != 1 or (cap.size and (cap.min() < 0 or not np.issubdtype(cap.dtype, np.integer))):
        raise ValueError("capacities must be a 1-D array of non-negative integers")
    idx = idx.astype(np.int64)
    if idx.size and (idx.max() >= len(cap) or idx.min() < -1):
        raise ValueError("candidate index out of range")
    if cap.size == 0:
        cap = cap.astype(np.int64)
    valid = idx >= 0
    _check_scores(sc[valid])
    idx = np.where(valid, idx, -1)
    return idx, sc, cap.astype(np.int64)


def assign(
    candidate_indices: np.ndarray,
    candidate_scores: np.ndarray,
    capacities: np.ndarray,
    *,
    mentor_candidates: tuple[np.ndarray, np.ndarray] | None = None,
    scorer: Scorer | None = None,
    widen_k: int | None = None,
    score_scale: int = DEFAULT_SCORE_SCALE,
) -> Assignment:
    """The best global assignment on the candidate graph, coverage first.

    The graph: each mentee's candidate mentors (``candidate_indices``/``candidate_scores``,
    ``n_mentees x k``, -1 = none) plus, optionally, each mentor's candidate mentees
    (``mentor_candidates``: two ``n_mentors x L`` arrays of mentee indices and scores).

    Solved as a min-cost flow with OR-Tools: each mentee node has one unit to send, each
    candidate arc carries it to a mentor at cost ``score_scale * (100 - score)``, each
    mentor passes at most ``capacities[j]`` units to the sink. ``SimpleMinCostFlow``'s
    ``solve_max_flow_with_min_cost`` maximises the flow first (= number of assigned
    mentees) and then minimises cost (= maximises the total score, up to the rounding of
    ``score_scale``, default 0.001 points) among maximum flows. That is exactly "coverage
    first" without a big-M unassigned arc (which made the cost-scaling solver about two
    times slower here), and it always has a solution: a mentee whose unit finds no path
    stays unassigned.

    With a ``scorer`` (the ``Scorer`` the candidates came from) coverage is guaranteed
    over *all* allowed pairs, not just the candidates: if mentees are left unassigned while
    some mentor has room, an augmenting-path search over the full allowed graph (computed
    lazily, row by row) finds a maximum-cardinality assignment; its arcs, plus each
    unassigned mentee's ``widen_k`` (default: the candidate width) best mentors among those
    with room, join the graph and the flow is solved once more. Without a scorer, coverage
    is the best possible within the candidates.

    Unassigned reasons: ``NO_COMPATIBLE_MENTOR`` when no mentor passes the hard
    requirements and exclusions (with a scorer; without one: when the mentee has no
    candidate at all, which for ``top_candidates`` output means the same), else
    ``NO_MENTOR_WITH_ROOM``. Never builds a mentees x capacity matrix.
    """
    idx, sc, cap = _check_candidates(candidate_indices, candidate_scores, capacities)
    n, m = idx.shape[0], len(cap)
    if scorer is not None and (scorer.n_mentees, scorer.n_mentors) != (n, m):
        raise ValueError("the scorer does not match the candidate lists")
    arcs = _Arcs.from_lists(idx, sc)
    if mentor_candidates is not None:
        arcs = arcs.merged(_Arcs.from_mentor_lists(*mentor_candidates, n_mentees=n, n_mentors=m), m)
    mentor_of = _solve_flow(n, cap, arcs, score_scale)
    if scorer is not None:
        extra = _coverage_arcs(scorer, mentor_of, cap, arcs, widen_k or max(idx.shape[1], 1))
        if extra is not None:
            arcs = arcs.merged(extra, m)
            mentor_of = _solve_flow(n, cap, arcs, score_scale)
    return _result(mentor_of, arcs, scorer, m)


def _solve_flow(n: int, cap: np.ndarray, arcs: _Arcs, score_scale: int) -> np.ndarray:
    """Max-flow-min-cost on the arcs; returns the mentor index per mentee (-1 = unassigned)."""
    from ortools.graph.python import min_cost_flow  # imported here: only assignment needs it

    m = len(cap)
    usable = cap[arcs.mentor] > 0
    mentee, mentor = arcs.mentee[usable], arcs.mentor[usable]
    cost = np.rint(score_scale * (100.0 - np.clip(arcs.score[usable], 0.0, 100.0))).astype(np.int64)
    sink = n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    real = flow.add_arcs_with_capacity_and_unit_cost(mentee, n + mentor, np.ones(len(mentee), dtype=np.int64), cost)
    flow.add_arcs_with_capacity_and_unit_cost(n + np.arange(m), np.full(m, sink), cap, np.zeros(m, dtype=np.int64))
    supplies = np.zeros(n + m + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    flow.set_nodes_supplies(np.arange(n + m + 1), supplies)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    mentor_of = np.full(n, -1, dtype=np.int64)
    used = flow.flows(real) > 0
    mentor_of[mentee[used]] = mentor[used]
    return mentor_of


def _coverage_arcs(scorer: Scorer, mentor_of: np.ndarray, cap: np.ndarray, arcs: _Arcs, widen_k: int) -> _Arcs | None:
    """Arcs that let the next solve reach maximum coverage, or None if it is reached already."""
    m = scorer.n_mentors
    unassigned = np.flatnonzero(mentor_of < 0)
    room = cap - np.bincount(mentor_of[mentor_of >= 0], minlength=m)
    if not unassigned.size or room.sum() <= 0:
        return None
    work = mentor_of.copy()
    if not _augment(scorer, work, cap, unassigned):
        return None
    # Each unassigned mentee's best mentors with room give the solver good ways to cover
    # it; the arcs of the maximum-cardinality assignment guarantee that coverage.
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    scores_out: list[np.ndarray] = []
    for start in range(0, len(unassigned), DEFAULT_CHUNK):
        rows = unassigned[start : start + DEFAULT_CHUNK]
        block = scorer.scores(rows)
        block[:, room <= 0] = -np.inf
        idx, sc = _block_top(block, widen_k)
        r, c = _nonzero_2d(idx >= 0)
        rows_out.append(rows[r])
        cols_out.append(idx[r, c].astype(np.int64))
        scores_out.append(sc[r, c].astype(np.float64))
    widened = _Arcs(np.concatenate(rows_out), np.concatenate(cols_out), np.concatenate(scores_out))
    pairs = np.flatnonzero(work >= 0)
    key = pairs * m + work[pairs]
    known = np.isin(key, arcs.mentee * m + arcs.mentor) | np.isin(key, widened.mentee * m + widened.mentor)
    new = pairs[~known]
    # Only the pairs that moved along augmenting paths need scoring; typically a few.
    moved = _Arcs(new, work[new], scorer.pair_scores(new, work[new]).astype(np.float64))
    return widened.merged(moved, m)


def _augment(scorer: Scorer, mentor_of: np.ndarray, cap: np.ndarray, starts: np.ndarray) -> bool:
    """Grow ``mentor_of`` in place to a maximum-cardinality assignment over all allowed pairs.

    Kuhn's augmenting paths, breadth first: from an unassigned mentee go to any allowed
    mentor; a mentor with room ends the path, a full one leads on to the mentees assigned
    to it, who may move. Allowed rows are computed lazily and kept bit-packed. After a
    failed search the visited marks are kept (nothing reachable from them can succeed
    until the assignment changes), so failures cost little. Returns True if it grew.
    """
    n, m = scorer.n_mentees, scorer.n_mentors
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=m)
    packed = np.zeros((n, (m + 7) // 8), dtype=np.uint8)
    have = np.zeros(n, dtype=bool)

    def fetch(rows: np.ndarray) -> None:
        rows = rows[~have[rows]]
        for s in range(0, len(rows), DEFAULT_CHUNK):
            part = rows[s : s + DEFAULT_CHUNK]
            packed[part] = np.packbits(scorer.allowed(part), axis=1)
        have[rows] = True

    def neighbours(i: int) -> np.ndarray:
        return np.flatnonzero(np.unpackbits(packed[i], count=m))

    fetch(starts)
    grew = False
    seen_mentor = np.zeros(m, dtype=bool)
    seen_mentee = np.zeros(n, dtype=bool)
    via = np.full(m, -1, dtype=np.int64)  # mentee from which a mentor was reached
    members_dirty = True
    order = ptr = np.zeros(0, dtype=np.int64)
    for u in starts:
        if mentor_of[u] >= 0 or seen_mentee[u]:
            continue
        seen_mentee[u] = True
        queue = deque([int(u)])
        found = -1
        while queue and found < 0:
            i = queue.popleft()
            nb = neighbours(i)
            new = nb[~seen_mentor[nb]]
            if not new.size:
                continue
            seen_mentor[new] = True
            via[new] = i
            free = new[load[new] < cap[new]]
            if free.size:
                found = int(free[0])
                break
            if members_dirty:  # who sits with which mentor, as CSR
                order = np.argsort(mentor_of, kind="stable")
                ptr = np.searchsorted(mentor_of[order], np.arange(m + 1))
                members_dirty = False
            nxt = order[_csr_positions(ptr, new)]
            nxt = nxt[~seen_mentee[nxt]]
            if nxt.size:
                seen_mentee[nxt] = True
                fetch(nxt)
                queue.extend(nxt.tolist())
        if found < 0:
            continue
        grew = True
        j = found
        load[j] += 1
        while True:  # walk the path back, moving each mentee one mentor along it
            i = int(via[j])
            previous = int(mentor_of[i])
            mentor_of[i] = j
            if previous < 0:
                break
            j = previous
        members_dirty = True
        seen_mentor[:] = False
        seen_mentee[:] = False
    return grew


def _csr_positions(ptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenated positions ``ptr[r]:ptr[r + 1]`` for every r in ``rows`` (vectorised)."""
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    total = int(counts.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets


def _result(mentor_of: np.ndarray, arcs: _Arcs, scorer: Scorer | None, m: int) -> Assignment:
    """Package an assignment: scores from the arcs, reasons for the unassigned."""
    n = len(mentor_of)
    score = np.full(n, np.nan, dtype=np.float64)
    assigned = np.flatnonzero(mentor_of >= 0)
    if assigned.size:
        key = arcs.mentee * m + arcs.mentor
        order = np.argsort(key)
        pos = order[np.searchsorted(key[order], assigned * m + mentor_of[assigned])]
        score[assigned] = arcs.score[pos]
    has_arc = np.zeros(n, dtype=bool)
    has_arc[arcs.mentee] = True
    reasons = _reasons(np.flatnonzero(mentor_of < 0), has_arc, scorer)
    return Assignment(
        mentor=mentor_of.astype(np.int32),
        score=score.astype(np.float32),
        total=float(np.nansum(score)) if assigned.size else 0.0,
        unassigned_reason=reasons,
    )


def _reasons(unassigned: np.ndarray, has_arc: np.ndarray, scorer: Scorer | None) -> dict[int, str]:
    reasons: dict[int, str] = {}
    if scorer is None:
        for i in unassigned:
            reasons[int(i)] = NO_MENTOR_WITH_ROOM if has_arc[i] else NO_COMPATIBLE_MENTOR
        return reasons
    for s in range(0, len(unassigned), DEFAULT_CHUNK):
        rows = unassigned[s : s + DEFAULT_CHUNK]
        any_compatible = scorer.compatible(rows).any(axis=1)
        for i, ok in zip(rows, any_compatible, strict=True):
            reasons[int(i)] = NO_MENTOR_WITH_ROOM if ok else NO_COMPATIBLE_MENTOR
    return reasons


def assign_greedy(candidate_indices: np.ndarray, candidate_scores: np.ndarray, capacities: np.ndarray) -> Assignment:
    """Baseline: take candidate pairs in descending score order while the mentee is free and the mentor has room.

    Ties go to the lower mentee, then the lower mentor index. Reasons as in ``assign``
    without a scorer.
    """
    idx, sc, cap = _check_candidates(candidate_indices, candidate_scores, capacities)
    n, m = idx.shape[0], len(cap)
    arcs = _Arcs.from_lists(idx, sc)
    order = np.lexsort((arcs.mentor, arcs.mentee, -arcs.score))
    mentor_of = np.full(n, -1, dtype=np.int64)
    room = cap.copy()
    free_mentees, free_places = n, int(room.sum())
    for i, j in zip(arcs.mentee[order].tolist(), arcs.mentor[order].tolist(), strict=True):
        if mentor_of[i] < 0 and room[j] > 0:
            mentor_of[i] = j
            room[j] -= 1
            free_mentees -= 1
            free_places -= 1
            if not free_mentees or not free_places:
                break
    return _result(mentor_of, arcs, None, m)


def auto_pair(
    mentee_answers: AnswerMatrix,
    mentor_answers: AnswerMatrix | MentorIndex,
    questions: Sequence[QuestionSpec],
    capacities: np.ndarray,
    *,
    k: int = DEFAULT_K,
    mentor_k: int | None = None,
    mentor_mask: np.ndarray | None = None,
    exclusions: Any = None,
    chunk: int = DEFAULT_CHUNK,
    score_scale: int = DEFAULT_SCORE_SCALE,
) -> Assignment:
    """Pair mentees with mentors: candidates, then ``assign`` with the coverage fallback.

    ``capacities[j]`` is mentor j's number of free places; mentors with 0 (or masked out)
    are never candidates. The candidate graph is each mentee's ``k`` best mentors plus each
    mentor's ``mentor_k`` best mentees (default ``2 * max(capacities)``, at most 20). With
    k=20 the total score was within 0.01% of the true optimum on the benchmark's tight
    instances (every place needed); raise ``k`` to get closer, lower it to go faster.
    Coverage is always the maximum possible. Memory stays ``chunk x n_mentors`` floats
    plus ``O((n_mentees * k + n_mentors * mentor_k))`` for the graph.
    """
    cap = np.asarray(capacities)
    mask = cap > 0 if mentor_mask is None else np.asarray(mentor_mask, dtype=bool) & (cap > 0)
    scorer = Scorer(questions, mentee_answers, mentor_answers, mentor_mask=mask, exclusions=exclusions)
    if mentor_k is None:
        mentor_k = int(min(2 * cap.max(initial=0), 20))
    cands = scorer.candidates(k, mentor_k=mentor_k, chunk=chunk)
    mentor_lists = (cands.mentor_indices, cands.mentor_scores) if mentor_k else None
    return assign(
        cands.indices, cands.scores, cap, mentor_candidates=mentor_lists, scorer=scorer, score_scale=score_scale
    )


# ----------------------------------------------------------------------- recommendations

DEFAULT_DEMAND_PENALTY = 10.0


@dataclass(frozen=True, eq=False)
class Recommendation:
    """Mentors to show one mentee, in display order.

    ``scores`` are the true match scores (show these); ``penalties`` the points that were
    subtracted for ordering only (``rank_key = score - penalty``).
    """

    mentors: np.ndarray  # int32
    scores: np.ndarray  # float32
    penalties: np.ndarray  # float32


def demand_penalty(
    mentor_free_places: np.ndarray, mentor_demand: np.ndarray, strength: float = DEFAULT_DEMAND_PENALTY
) -> np.ndarray:
    """Ranking penalty in score points: ``strength * log2(max(1, (demand + 1) / free_places))``.

    ``demand + 1`` is how many mentees would compete for the mentor's places if this
    mentee asked too, so a mentor is penalised only once competition exceeds one mentee
    per free place, and then by ``strength`` points per doubling (default: 1 free place
    and 1 pending request -> -10, 3 pending -> -20, 7 pending -> -30). Mentors with no
    free place get the penalty of one place (``recommend`` leaves them out anyway).
    """
    free = np.maximum(np.asarray(mentor_free_places, dtype=np.float64), 1.0)
    demand = np.maximum(np.asarray(mentor_demand, dtype=np.float64), 0.0)
    return (strength * np.log2(np.maximum((demand + 1.0) / free, 1.0))).astype(np.float32)


def recommend(
    mentee: AnswerMatrix | Mapping[str, Any],
    mentor_answers: AnswerMatrix | MentorIndex,
    questions: Sequence[QuestionSpec],
    n: int = 5,
    mentor_free_places: np.ndarray | None = None,
    mentor_demand: np.ndarray | None = None,
    *,
    mentor_mask: np.ndarray | None = None,
    exclude_mentors: Iterable[int] = (),
    penalty_strength: float = DEFAULT_DEMAND_PENALTY,
) -> Recommendation:
    """Up to ``n`` mentors for one mentee, ordered by ``score - demand_penalty``.

    Left out: masked mentors, mentors with no free place (when ``mentor_free_places`` is
    given), ``exclude_mentors`` (declined, already paired) and pairs that break a hard
    requirement. Demand spreading: ``mentor_demand[j]`` is how many mentees currently
    compete for mentor j (pending requests, plus, if tracked, the mentees who currently
    have j in their displayed list, e.g. weighted 0.5; not this mentee's own request).
    A mentor whose score beats an unpenalised alternative by ``d`` points keeps ranking
    above it only while ``demand + 1 <= free_places * 2 ** (d / penalty_strength)``;
    ``mentor_demand`` needs ``mentor_free_places``. As the Django layer
    updates the demand, a mentor with one free place drops out of further mentees' top
    lists instead of being everyone's first choice. The score shown stays the true score;
    only the order changes. Ties: higher true score, then lower index. Pass a prepared
    ``MentorIndex`` so that only the mentee is encoded per call (~1 ms for 2,000 mentors).
    """
    if isinstance(mentee, Mapping):
        mentee = encode_answers(questions, [mentee])
    if mentee.n_people != 1:
        raise ValueError("recommend() takes the answers of exactly one mentee")
    m = mentor_answers.n_mentors if isinstance(mentor_answers, MentorIndex) else mentor_answers.n_people
    mask = np.ones(m, dtype=bool) if mentor_mask is None else np.asarray(mentor_mask, dtype=bool).copy()
    penalty = np.zeros(m, dtype=np.float32)
    if mentor_demand is not None and mentor_free_places is None:
        raise ValueError("mentor_demand is relative to mentor_free_places: pass both")
    if mentor_free_places is not None:
        free = np.asarray(mentor_free_places)
        mask &= free > 0
        if mentor_demand is not None:
            penalty = demand_penalty(free, mentor_demand, penalty_strength)
    excluded = [(0, int(j)) for j in exclude_mentors]
    scorer = Scorer(questions, mentee, mentor_answers, mentor_mask=mask, exclusions=excluded)
    score = scorer.scores(slice(0, 1))[0]
    valid = np.flatnonzero(np.isfinite(score))
    key = score[valid] - penalty[valid]
    top = valid[np.lexsort((valid, -score[valid], -key))[:n]]
    return Recommendation(
        mentors=top.astype(np.int32),
        scores=np.clip(score[top], 0, 100).astype(np.float32),
        penalties=penalty[top],
    )


# ---------------------------------------------------------------------------- explain


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
        if q.rule == "require":
            common = tuple(int(x) for x in np.flatnonzero(a & b))
            raw.append((q, both, None, common, None, not common))
        elif not both:
            raw.append((q, False, None, (), None, False))
        elif q.rule == "closeness":
            sim = min(1.0, max(0.0, 1.0 - abs(float(a) - float(b)) / q.value_range))
            raw.append((q, True, sim, (), (float(a), float(b)), False))
        elif q.rule == "mapping":
            assert q.mapping is not None
            pairs = tuple(
                (int(x), int(y)) for x, y in zip(*np.nonzero(q.mapping & a[:, None] & b[None, :]), strict=True)
            )
            satisfied = len({x for x, _ in pairs})
            raw.append((q, True, satisfied / int(a.sum()), pairs, None, False))
        else:
            common = tuple(int(x) for x in np.flatnonzero(a & b))
            if q.rule == "same":
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
