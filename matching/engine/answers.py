"""One side's answers as arrays (``AnswerMatrix``): encoding answer dicts, and validating them against the questions."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.engine.specs import Kind, QuestionSpec

Rows = slice | np.ndarray | Sequence[int] | None


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
            if q.kind == Kind.TEXT:
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
        if q.kind == Kind.TEXT:
            continue
        columns[q.key] = np.zeros((n, q.n_options), dtype=bool) if q.is_choice else np.full(n, np.nan)
    encoded = [q for q in questions if q.kind != Kind.TEXT]
    for i, answers in enumerate(people_answers):
        for q in encoded:
            value = answers.get(q.key)
            if value is None:
                continue
            if q.kind == Kind.SINGLE:
                columns[q.key][i, _option_index(q, value)] = True
            elif q.kind == Kind.MULTIPLE:
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
        if q.kind == Kind.TEXT:
            continue
        arr = answers.columns.get(q.key)
        if arr is None:
            raise ValueError(f"answers have no column for question {q.key!r}")
        if q.is_choice:
            if arr.dtype != np.bool_ or arr.shape != (n, q.n_options):
                raise ValueError(f"question {q.key!r}: expected a bool array of shape {(n, q.n_options)}")
            if q.kind == Kind.SINGLE and n and int(arr.sum(axis=1).max()) > 1:
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


def _answered(q: QuestionSpec, col: np.ndarray) -> np.ndarray:
    return col.any(axis=1) if q.is_choice else ~np.isnan(col)
