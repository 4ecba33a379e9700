"""Maximum coverage over all allowed pairs: augmenting paths, and the arcs that let the flow reach it."""

from __future__ import annotations

from collections import deque

import numpy as np

from matching.engine.arcs import _Arcs
from matching.engine.candidates import _block_top, _nonzero_2d
from matching.engine.scoring import DEFAULT_CHUNK, Scorer, _csr_positions


def _coverage_arcs(
    scorer: Scorer, mentor_of: np.ndarray, cap: np.ndarray, arcs: _Arcs, widen_k: int, seed: int | None = None
) -> _Arcs | None:
    """Arcs that let the next solve reach maximum coverage, or None if it is reached already.

    With a ``seed`` the augmenting paths start from the unassigned mentees in a shuffled
    order, so the arcs they bring do not favour the first-created mentees.
    """
    m = scorer.n_mentors
    unassigned = np.flatnonzero(mentor_of < 0)
    room = cap - np.bincount(mentor_of[mentor_of >= 0], minlength=m)
    if not unassigned.size or room.sum() <= 0:
        return None
    work = mentor_of.copy()
    starts = unassigned if seed is None else np.random.default_rng(seed).permutation(unassigned)
    if not _augment(scorer, work, cap, starts):
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
        idx, sc = _block_top(block, widen_k, scorer.mentee_keys[rows], scorer.mentor_keys)
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
