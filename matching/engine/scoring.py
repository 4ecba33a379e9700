"""Scoring: ``Scorer`` turns mentee and mentor features into score blocks, with requirements and exclusions.

``score_chunk`` and ``top_candidates`` are the one-call forms.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from matching.engine.answers import AnswerMatrix, Rows, _as_row_selector, _row_ids
from matching.engine.candidates import Candidates, _block_top, _clip_scores, _RunningTop, tie_keys
from matching.engine.features import DEFAULT_MAX_LEVELS, MentorIndex, _mentee_features, _take_mentors, prepare_mentors
from matching.engine.specs import QuestionSpec

DEFAULT_CHUNK = 512
# Keeps 0/0 at 0 in the score division: the numerator is 0 whenever the denominator is.
_TINY = np.float32(1e-30)


def _csr_positions(ptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenated positions ``ptr[r]:ptr[r + 1]`` for every r in ``rows`` (vectorised)."""
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    total = int(counts.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets


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

    def for_mentors(self, mentors: np.ndarray, n_mentors: int) -> _PairExclusions:
        """The exclusions among a subset of the mentors, renumbered in its order."""
        n = len(self.ptr) - 1
        position = np.full(n_mentors, -1, dtype=np.int64)
        position[mentors] = np.arange(len(mentors))
        mentee = np.repeat(np.arange(n), np.diff(self.ptr))
        kept = position[self.cols] >= 0
        return _PairExclusions(n, len(mentors), np.column_stack([mentee[kept], position[self.cols[kept]]]))


class Scorer:
    """Scores mentees against all mentors, block by block.

    ``mentors`` is an ``AnswerMatrix`` or a prepared ``MentorIndex`` (built from the same
    questions). ``mentor_mask`` (bool, per mentor) marks the mentors available for pairing;
    ``exclusions`` lists ``(mentee, mentor)`` index pairs that must not be paired (already
    paired, declined). Masked mentors and excluded pairs score ``-inf`` like pairs that
    break a requirement; ``compatible`` tells the two apart.

    Equal scores in the best lists (``top``, ``candidates``) are ordered by
    ``mentee_keys ^ mentor_keys`` (``tie_keys`` of ``mentee_ids``/``mentor_ids``, default
    the row numbers, and ``seed``), not by row order: pass stable ids (database keys) and
    a stable seed (e.g. the programme's) for an order that does not change between calls.
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
        seed: int = 0,
        mentee_ids: Any = None,
        mentor_ids: Any = None,
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
        self.seed = seed
        self.mentee_keys = _keys(mentee_ids, self.n_mentees, seed, 0, "mentee_ids")
        self.mentor_keys = _keys(mentor_ids, self.n_mentors, seed, 1, "mentor_ids")
        # Availability becomes one more "requirement" in the single-choice count product:
        # every mentee has a 1 there, only available mentors do.
        self._req_mask_t = self.index.req_t
        self._req_mask = self.features.req
        self._n_req_mask = self.index.n_req
        if self.mentor_mask is not None and not self.mentor_mask.all():
            self._req_mask_t = np.vstack([self.index.req_t, self.mentor_mask[None, :].astype(np.float32)])
            self._req_mask = np.hstack([self.features.req, np.ones((self.n_mentees, 1), dtype=np.float32)])
            self._n_req_mask += 1

    def for_mentors(self, mentors: np.ndarray) -> Scorer:
        """The same scorer over a subset of the mentors: column ``c`` of its blocks is mentor ``mentors[c]``."""
        mentors = np.asarray(mentors, dtype=np.int64)
        sub = copy.copy(self)
        sub.index = _take_mentors(self.index, mentors)
        sub.n_mentors = len(mentors)
        sub.mentor_mask = None if self.mentor_mask is None else self.mentor_mask[mentors]
        sub.exclusions = self.exclusions.for_mentors(mentors, self.n_mentors)
        sub.mentor_keys = self.mentor_keys[mentors]
        sub._req_mask_t = np.ascontiguousarray(self._req_mask_t[:, mentors])
        return sub

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
        ``-1`` / ``-inf``. Ties are broken by the tie keys (see the class).
        """
        cands = self.candidates(k, mentor_k=0, chunk=chunk)
        return cands.indices, cands.scores

    def candidates(self, k: int, *, mentor_k: int = 0, chunk: int = DEFAULT_CHUNK) -> Candidates:
        """Both directions of the candidate graph in one pass over the score blocks.

        ``indices``/``scores``: each mentee's ``k`` best mentors (as ``top``);
        ``mentor_indices``/``mentor_scores`` (``n_mentors x mentor_k``): each mentor's
        ``mentor_k`` best mentees; ties by the tie keys in both directions. Each list is
        computed one longer than asked, for ``next_scores``/``mentor_next_scores``.
        """
        if k < 1 or mentor_k < 0:
            raise ValueError("k must be >= 1 and mentor_k >= 0")
        n, m = self.n_mentees, self.n_mentors
        out_idx = np.full((n, k + 1), -1, dtype=np.int32)
        out_sc = np.full((n, k + 1), -np.inf, dtype=np.float32)
        by_mentor = _RunningTop(m, mentor_k + 1 if mentor_k else 0, self.mentor_keys)
        if m:
            for start in range(0, n, chunk):
                block = self.scores(slice(start, min(start + chunk, n)))
                keys = self.mentee_keys[start : start + len(block)]
                idx, sc = _block_top(block, k + 1, keys, self.mentor_keys)
                out_idx[start : start + len(block)] = idx
                out_sc[start : start + len(block)] = sc
                if mentor_k:
                    by_mentor.update(block, start, keys)
        mentor_sc = _clip_scores(by_mentor.scores)
        mentor_next = mentor_sc[:, mentor_k] if mentor_k else np.full(m, np.inf, dtype=np.float32)
        return Candidates(
            np.ascontiguousarray(out_idx[:, :k]),
            np.ascontiguousarray(out_sc[:, :k]),
            np.ascontiguousarray(by_mentor.indices[:, :mentor_k].astype(np.int32)),
            np.ascontiguousarray(mentor_sc[:, :mentor_k]),
            next_scores=out_sc[:, k].copy(),
            mentor_next_scores=np.ascontiguousarray(mentor_next),
        )

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


def _keys(ids: Any, n: int, seed: int, side: int, name: str) -> np.ndarray:
    ids = np.arange(n) if ids is None else np.asarray(ids, dtype=np.int64).reshape(-1)
    if len(ids) != n:
        raise ValueError(f"{name} must hold one id per row ({n})")
    return tie_keys(ids, seed, side)


def _same_questions(a: Sequence[QuestionSpec], b: Sequence[QuestionSpec]) -> bool:
    if tuple(a) != tuple(b):
        return False
    return all(
        (qa.mapping is None) == (qb.mapping is None) and (qa.mapping is None or np.array_equal(qa.mapping, qb.mapping))
        for qa, qb in zip(a, b, strict=True)
    )


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
