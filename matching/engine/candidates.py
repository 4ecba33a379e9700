"""Best-partner lists from score blocks: exact top-k per row, a running top per mentor, the ``Candidates`` graph."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Candidates:
    """A sparse candidate graph: mentee-side and (optionally) mentor-side best lists.

    Entries are ``-1`` / ``-inf`` where a list has fewer allowed partners than its width.
    ``next_scores[i]`` is the best score of a mentor *not* in mentee i's list (``-inf``
    when every allowed mentor is listed), ``mentor_next_scores[j]`` the same for mentor
    j's list (``+inf`` when there are no mentor lists): bounds on every pair left out.
    """

    indices: np.ndarray  # (n_mentees, k) int32 mentor indices
    scores: np.ndarray  # (n_mentees, k) float32
    mentor_indices: np.ndarray  # (n_mentors, mentor_k) int32 mentee indices
    mentor_scores: np.ndarray  # (n_mentors, mentor_k) float32
    next_scores: np.ndarray | None = None  # (n_mentees,) float32
    mentor_next_scores: np.ndarray | None = None  # (n_mentors,) float32


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, element-wise on uint64 (wrapping arithmetic): a cheap, well-mixed hash."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def tie_keys(ids: np.ndarray, seed: int = 0, side: int = 0) -> np.ndarray:
    """Pseudo-random uint32 keys of people (one per id) for breaking ties between equal scores.

    Equal scores are ordered by ``mentee_key XOR mentor_key``, highest first: for one
    mentee that is a pseudo-random order of the mentors, a different one for every
    mentee, so equally good mentors share the first places instead of the first-created
    mentor taking them all (and likewise for each mentor's mentees). ``side`` (0 mentees,
    1 mentors) keeps the two sides' keys independent when both use row numbers as ids.
    The same ``(ids, seed)`` always give the same keys, so a result can be reproduced.
    """
    salt = _mix64(np.array([seed * 2 + side], dtype=np.int64).astype(np.uint64))
    keys = _mix64(np.asarray(ids, dtype=np.int64).astype(np.uint64) ^ salt)
    return (keys >> np.uint64(32)).astype(np.uint32)


def _rotated(keys: np.ndarray) -> np.ndarray:
    """Keys with their halves swapped: the mentor lists' tie order, independent of the mentee lists'.

    With the same ``a ^ b`` in both directions, the few mentees a mentor ranks first
    would also rank that mentor first, and the mentor lists would add no new pairs.
    """
    return ((keys << np.uint32(16)) | (keys >> np.uint32(16))).astype(np.uint32)


def _best_first(values: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """An int64 sort key per entry: ascending = higher float32 value first, then higher tie key.

    The float's bits, made monotone (negative floats flip their magnitude bits), sit above
    the 32-bit tie key; the bitwise not turns "largest" into "smallest".
    """
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.int32).astype(np.int64)
    bits = np.where(bits < 0, bits ^ 0x7FFFFFFF, bits)
    return ~((bits << 32) | ties.astype(np.int64))


def _clip_scores(scores: np.ndarray) -> np.ndarray:
    """Clip real scores to [0, 100] (float32 rounding may pass 100 by a hair); keep -inf padding."""
    out = np.minimum(scores, np.float32(100))
    np.maximum(out, 0, out=out, where=out > -np.inf)
    return out


def _block_top(
    block: np.ndarray, k: int, row_keys: np.ndarray | None = None, col_keys: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k per row of a score block: int32 indices and float32 scores, best first, padded.

    Never selects -inf. Ties go to the higher ``row_keys[r] ^ col_keys[c]`` (``tie_keys``)
    when keys are given, else to the lower column index. Instead of partitioning whole
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
    # sort each row by score; a stable sort keeps ties in column order, tie keys reorder them.
    counts = np.bincount(r, minlength=rows)
    pos = np.arange(len(r)) - (np.cumsum(counts) - counts)[r]
    width = int(counts.max())
    vals = np.full((rows, width), -np.inf, dtype=np.float32)
    cols = np.full((rows, width), -1, dtype=np.int32)
    vals[r, pos] = block[r, c]
    cols[r, pos] = c
    if row_keys is None or col_keys is None:
        order = np.argsort(-vals, axis=1, kind="stable")[:, :k]
    else:
        ties = np.zeros((rows, width), dtype=np.uint32)
        ties[r, pos] = row_keys[r] ^ col_keys[c]
        order = np.argsort(_best_first(vals, ties), axis=1)[:, :k]
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

    Ties go to the higher ``mentee_key ^ mentor_key`` (``tie_keys``, halves swapped: see
    ``_rotated``); without keys, to the lower mentee index. A block only contributes the entries that beat the mentor's
    current ``width``-th best (a higher score, or the same score and a higher tie key);
    after the first block these are few, so merging them costs little compared with the
    block itself.
    """

    def __init__(self, n_mentors: int, width: int, mentor_keys: np.ndarray | None = None) -> None:
        self.width = width
        self.mentor_keys = np.zeros(n_mentors, dtype=np.uint32) if mentor_keys is None else _rotated(mentor_keys)
        self.indices = np.full((n_mentors, width), -1, dtype=np.int64)
        self.scores = np.full((n_mentors, width), -np.inf, dtype=np.float32)
        self.ties = np.zeros((n_mentors, width), dtype=np.uint32)
        self.threshold = np.full(n_mentors, -np.inf, dtype=np.float32)
        self.threshold_tie = np.zeros(n_mentors, dtype=np.uint32)

    def update(self, block: np.ndarray, start: int, mentee_keys: np.ndarray | None = None) -> None:
        """Merge the block whose first row is mentee ``start`` (``mentee_keys``: the keys of its rows)."""
        if not self.width:
            return
        if mentee_keys is None:  # lower index first: the highest key to the first mentee
            mentee_keys = (np.uint32(0xFFFFFFFF) - np.arange(start, start + len(block))).astype(np.uint32)
        else:
            mentee_keys = _rotated(mentee_keys)
        if start == 0 or not np.isfinite(self.threshold).any():
            idx, sc = _block_top(np.ascontiguousarray(block.T), self.width, self.mentor_keys, mentee_keys)
            new_mentor, slot = _nonzero_2d(idx >= 0)
            local, new_score = idx[new_mentor, slot].astype(np.int64), sc[new_mentor, slot]
        else:
            local, new_mentor = _nonzero_2d(block > self.threshold[None, :])
            tied_row, tied_mentor = _nonzero_2d(block == self.threshold[None, :])
            if tied_row.size:  # same score as the width-th best: a higher tie key still gets in
                tie = mentee_keys[tied_row] ^ self.mentor_keys[tied_mentor]
                wins = (tie > self.threshold_tie[tied_mentor]) & np.isfinite(self.threshold[tied_mentor])
                local = np.concatenate([local, tied_row[wins]])
                new_mentor = np.concatenate([new_mentor, tied_mentor[wins]])
            new_score = block[local, new_mentor]
        if not local.size:
            return
        new_tie = mentee_keys[local] ^ self.mentor_keys[new_mentor]
        self._merge(local + start, new_mentor, new_score, new_tie)

    def _merge(
        self, new_mentee: np.ndarray, new_mentor: np.ndarray, new_score: np.ndarray, new_tie: np.ndarray
    ) -> None:
        # Re-rank only the mentors that got new entries: old list + new entries, sorted by
        # (mentor, best score, higher tie key), first ``width`` per mentor kept.
        touched = np.unique(new_mentor)
        old_idx, old_sc, old_tie = self.indices[touched], self.scores[touched], self.ties[touched]
        old_row, slot = _nonzero_2d(old_idx >= 0)
        row = np.concatenate([old_row, np.searchsorted(touched, new_mentor)])
        mentee = np.concatenate([old_idx[old_row, slot], new_mentee])
        score = np.concatenate([old_sc[old_row, slot], new_score])
        tie = np.concatenate([old_tie[old_row, slot], new_tie])
        order = np.lexsort((_best_first(score, tie), row))
        row, mentee, score, tie = row[order], mentee[order], score[order], tie[order]
        rank = np.arange(len(row)) - np.searchsorted(row, row)
        keep = rank < self.width
        shape = (len(touched), self.width)
        merged_idx = np.full(shape, -1, dtype=np.int64)
        merged_sc = np.full(shape, -np.inf, dtype=np.float32)
        merged_tie = np.zeros(shape, dtype=np.uint32)
        merged_idx[row[keep], rank[keep]] = mentee[keep]
        merged_sc[row[keep], rank[keep]] = score[keep]
        merged_tie[row[keep], rank[keep]] = tie[keep]
        self.indices[touched] = merged_idx
        self.scores[touched] = merged_sc
        self.ties[touched] = merged_tie
        self.threshold[touched] = merged_sc[:, -1]
        self.threshold_tie[touched] = merged_tie[:, -1]
