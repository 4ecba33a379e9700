"""The candidate graph as unique (mentee, mentor, score) arcs, and the validation of candidate lists."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.engine.candidates import _nonzero_2d

# Grid steps per score point of the flow's integer objective (0.001 points).
DEFAULT_SCORE_SCALE = 1000


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


def score_points(scores: np.ndarray, score_scale: int = DEFAULT_SCORE_SCALE) -> np.ndarray:
    """Scores in [0, 100] on the flow's integer grid (``score_scale`` steps per point), as float32; -inf stays.

    Always computed in float32 from the float32 score, so an arc of the graph and the
    pricing of the same pair agree to the last bit.
    """
    out = np.minimum(np.asarray(scores, dtype=np.float32), np.float32(100))
    np.maximum(out, 0, out=out, where=out > -np.inf)
    out *= np.float32(score_scale)
    return np.rint(out, out=out)


def _check_scores(scores: np.ndarray) -> None:
    """Real candidates need a score in [0, 100] (the solver's costs are ``100 - score``)."""
    if not np.isfinite(scores).all() or (scores.size and (scores.min() < 0 or scores.max() > 100.001)):
        raise ValueError("every real candidate needs a finite score in [0, 100]")


def _check_candidates(
    candidate_indices: np.ndarray, candidate_scores: np.ndarray, capacities: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    idx = np.asarray(candidate_indices)
    sc = np.asarray(candidate_scores, dtype=np.float64)
    if idx.ndim != 2 or idx.shape != sc.shape:
        raise ValueError("candidate_indices and candidate_scores must be 2-D arrays of the same shape")
    cap = _check_capacities(capacities)
    idx = idx.astype(np.int64)
    if idx.size and (idx.max() >= len(cap) or idx.min() < -1):
        raise ValueError("candidate index out of range")
    valid = idx >= 0
    _check_scores(sc[valid])
    idx = np.where(valid, idx, -1)
    return idx, sc, cap


def _check_capacities(capacities: np.ndarray) -> np.ndarray:
    """Capacities as int64, or ``ValueError`` unless they are a 1-D array of non-negative integers."""
    cap = np.asarray(capacities)
    if cap.ndim != 1 or (cap.size and (cap.min() < 0 or not np.issubdtype(cap.dtype, np.integer))):
        raise ValueError("capacities must be a 1-D array of non-negative integers")
    return cap.astype(np.int64)
