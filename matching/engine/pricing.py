"""Pricing: which allowed pairs outside the candidate graph have a negative reduced cost against the flow's potentials.

A pair (i, j) outside the graph would enter the residual graph as the arc mentee ->
mentor, with reduced cost ``d(i) - d(j) - M - points(i, j)``; its *excess* is minus
that. ``_Pricing`` finds the pairs with a positive excess, over every allowed pair, one
block of scores at a time (never the dense matrix), and scores as little as it can
while missing none. Every allowed pair outside the graph is covered by one of:

* a *row* bound: a pair left out of the lists scores at most ``min(best left out of the
  mentee's list, best left out of the mentor's list)`` (``bounds._Outside``), which with
  the potentials clears most mentees (``bounds._suspects``);
* a *memo* of an earlier round: when a mentee's row was scored, its pairs within a
  margin of a positive excess were kept; every other pair's excess was below minus the
  margin, and the potentials' drift since then says whether it still is;
* *columns*: a few mentors (low prices, or potentials that moved) would keep almost
  every mentee in doubt, so their columns are scored for every mentee instead
  (``_Pricing._plan`` picks how many, for the fewest scores);
* the rest: the rows of the mentees still in doubt are scored against every mentor.
"""

from __future__ import annotations

import numpy as np

from matching.engine.arcs import _Arcs, score_points
from matching.engine.bounds import _LOWEST, _bound_points, _Outside, _Split, _suspects
from matching.engine.candidates import _nonzero_2d
from matching.engine.potentials import _Potentials
from matching.engine.scoring import DEFAULT_CHUNK, Scorer, _csr_positions

# Float32 potentials (in score points) stay exact enough below this size; above it the
# pre-test runs in float64 (not seen in practice: potentials are prices of ~100 points).
_FLOAT32_SAFE_POINTS = 256.0
# Margin of the float32 pre-test, in score points: far above its rounding error and far
# below the half grid step it guards.
_PRETEST_MARGIN = 2e-4
_FAR = 1e6  # "always" / "never" offsets for the coverage part, in score points
_MEMO_MARGIN = 5.0  # points: a scored row keeps its pairs within this of a positive excess...
_MEMO_WIDTH = 64  # ...if there are at most this many; else it is scored again next round


def _no_arcs() -> _Arcs:
    return _Arcs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))


def _concat(parts: list[_Arcs]) -> _Arcs:
    if not parts:
        return _no_arcs()
    return _Arcs(*(np.concatenate([getattr(p, name) for p in parts]) for name in ("mentee", "mentor", "score")))


class _ByMentee:
    """The graph's arcs grouped by mentee, to hide them in score blocks and look pairs up."""

    def __init__(self, arcs: _Arcs, n: int, m: int) -> None:
        order = np.argsort(arcs.mentee, kind="stable")
        self.mentor = arcs.mentor[order]
        self.ptr = np.searchsorted(arcs.mentee[order], np.arange(n + 1))
        self.m = m
        self.keys = np.sort(arcs.mentee * m + arcs.mentor)

    def contains(self, mentee: np.ndarray, mentor: np.ndarray) -> np.ndarray:
        """Whether each (mentee, mentor) pair is an arc of the graph."""
        if not len(self.keys):
            return np.zeros(len(mentee), dtype=bool)
        key = mentee * self.m + mentor
        return self.keys[np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)] == key

    def hide(self, block: np.ndarray, rows: np.ndarray, column_of: np.ndarray | None = None) -> None:
        """Set the graph's pairs in a block (rows x all mentors, or x the mentors of ``column_of``) to -inf."""
        counts = self.ptr[rows + 1] - self.ptr[rows]
        row = np.repeat(np.arange(len(rows)), counts)
        col = self.mentor[_csr_positions(self.ptr, rows)]
        if column_of is not None:
            col = column_of[col]
            row, col = row[col >= 0], col[col >= 0]
        block[row, col] = -np.inf


class _Round:
    """One round's potentials as tests: the float32 pre-test on score blocks and the exact check."""

    def __init__(self, scorer: Scorer, pot: _Potentials, cap: np.ndarray, score_scale: int, per_mentee: int) -> None:
        self.scorer, self.pot, self.cap = scorer, pot, cap
        self.score_scale, self.per_mentee = score_scale, per_mentee
        self.split = split = _Split.of(pot)
        scale = float(score_scale)
        largest = max(np.abs(split.b_mentee).max(initial=0), np.abs(split.b_mentor).max(initial=0)) / scale
        self.dtype = np.float32 if largest <= _FLOAT32_SAFE_POINTS else np.float64
        # A candidate when score + offset(j) >= threshold(i), in points; the offset depends
        # on whether the mentee is reached (a reached mentee's pair with an unreached
        # mentor is always negative, an unreached one's with a reached mentor never).
        base = split.b_mentor / scale
        self.offsets = {
            True: np.where(split.reached_mentor, base, base + _FAR).astype(self.dtype),
            False: np.where(split.reached_mentor, base - _FAR, base).astype(self.dtype),
        }
        for offset in self.offsets.values():
            offset[cap <= 0] = -np.inf  # a mentor without places takes nobody
        self.threshold = ((split.b_mentee + 0.5) / scale - _PRETEST_MARGIN).astype(self.dtype)

    def block(
        self, block: np.ndarray, rows: np.ndarray, mentors: np.ndarray | None = None, near: float | None = None
    ) -> tuple[_Arcs, _Arcs | None]:
        """The negative pairs of a block of scores (graph pairs hidden); ``mentors``: its columns (default all).

        With ``near`` (points), also the pairs whose excess is within ``near`` of positive,
        for the memo (at most ``_MEMO_WIDTH + 1`` per row): every other pair's excess is
        below ``1 - near * score_scale``.
        """
        negative, close = [], []
        reached = self.split.reached_mentee[rows]
        for status in (True, False):
            part = np.flatnonzero(reached == status)
            if not part.size:
                continue
            whole = len(part) == len(rows)  # the usual case: no copy of the block
            sub = block if whole else block[part]
            offset = self.offsets[status] if mentors is None else self.offsets[status][mentors]
            test = np.add(sub.astype(self.dtype, copy=False), offset[None, :])
            threshold = self.threshold[rows[part]]
            r, c = _nonzero_2d(test >= (threshold - (near or 0))[:, None])
            if not r.size:
                continue
            mentee, mentor, score = rows[part][r], (c if mentors is None else mentors[c]), sub[r, c]
            if near is not None:  # at most one more than the memo keeps: enough to tell it is too many
                few = np.arange(len(r)) - np.searchsorted(r, r) <= _MEMO_WIDTH
                close.append(_Arcs(mentee[few], mentor[few].astype(np.int64), score[few].astype(np.float64)))
            hit = test[r, c] >= threshold[r]
            negative.append(self.exact(mentee[hit], mentor[hit], score[hit]))
        return _concat(negative), (_concat(close) if near is not None else None)

    def exact(self, mentee: np.ndarray, mentor: np.ndarray, score: np.ndarray) -> _Arcs:
        """The exact check of candidate pairs; each mentee's ``per_mentee`` most negative ones.

        Equally negative pairs are taken in the tie keys' order, so that they spread over
        the mentors instead of going to the first ones.
        """
        pot, scorer = self.pot, self.scorer
        mentor = mentor.astype(np.int64)
        score = score.astype(np.float32)
        excess = (
            score_points(score, self.score_scale).astype(np.int64) + pot.big_m + pot.mentor[mentor] - pot.mentee[mentee]
        )
        keep = (excess > 0) & np.isfinite(score) & (self.cap[mentor] > 0)
        mentee, mentor, score, excess = mentee[keep], mentor[keep], score[keep], excess[keep]
        tie = scorer.mentee_keys[mentee] ^ scorer.mentor_keys[mentor]
        order = np.lexsort((~tie, -excess, mentee))
        mentee, mentor, score = mentee[order], mentor[order], score[order]
        rank = np.arange(len(mentee)) - np.searchsorted(mentee, mentee)
        first = rank < self.per_mentee
        return _Arcs(mentee[first], mentor[first], score[first].astype(np.float64))


class _Memo:
    """What earlier rounds learnt about the rows they scored: near pairs, and a bound on every other pair's excess."""

    def __init__(self, n: int) -> None:
        self.round_of = np.full(n, -1, dtype=np.int64)  # the round that last scored the row
        self.rest = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)  # excess bound, in that round's potentials
        self.near = _no_arcs()
        self.near_round = np.zeros(0, dtype=np.int64)
        self.snapshots: list[_Potentials] = []

    def record(self, rows: np.ndarray, near: _Arcs, round_number: int, score_scale: int) -> None:
        """Rows scored in ``round_number`` with their near pairs; a row with too many keeps none and no bound."""
        counts = np.bincount(np.searchsorted(rows, near.mentee), minlength=len(rows)) if len(rows) else np.zeros(0)
        kept_rows = rows[counts <= _MEMO_WIDTH]
        self.round_of[rows] = round_number
        self.rest[rows] = np.iinfo(np.int64).max
        self.rest[kept_rows] = 1 - int(_MEMO_MARGIN * score_scale)
        keep = np.isin(near.mentee, kept_rows)
        self.near = _concat([self.near, _Arcs(near.mentee[keep], near.mentor[keep], near.score[keep])])
        self.near_round = np.concatenate([self.near_round, np.full(int(keep.sum()), round_number)])

    def current_near(self) -> _Arcs:
        """The near pairs of each row's latest scoring (older ones are dropped)."""
        valid = self.near_round == self.round_of[self.near.mentee]
        self.near = _Arcs(self.near.mentee[valid], self.near.mentor[valid], self.near.score[valid])
        self.near_round = self.near_round[valid]
        return self.near

    def doubtful(self, pot: _Potentials, open_mentor: np.ndarray) -> np.ndarray:
        """Rows whose memo no longer proves that their pairs beyond the near ones (with open mentors) are not negative.

        An excess changes by ``drift(j) - drift(i)`` when the potentials drift; rows
        never scored, or kept without a bound, are doubtful.
        """
        doubtful = self.rest == np.iinfo(np.int64).max
        for number, old in enumerate(self.snapshots):
            rows = np.flatnonzero((self.round_of == number) & ~doubtful)
            if not rows.size:
                continue
            drift = pot.mentor[open_mentor] - old.mentor[open_mentor]
            worst = int(drift.max(initial=_LOWEST))
            doubtful[rows] = self.rest[rows] + worst - (pot.mentee[rows] - old.mentee[rows]) > 0
        return doubtful


class _Pricing:
    """The pricing of every allowed pair outside the graph, round after round (see the module)."""

    def __init__(
        self,
        scorer: Scorer,
        cap: np.ndarray,
        score_scale: int,
        per_mentee: int,
        outside: _Outside | None = None,
        chunk: int = DEFAULT_CHUNK,
    ) -> None:
        self.scorer, self.cap, self.score_scale, self.per_mentee = scorer, cap, score_scale, per_mentee
        self.outside, self.chunk = outside, chunk
        self.memo = _Memo(scorer.n_mentees)
        self.scored = 0  # scores computed over all rounds

    def negative_pairs(self, pot: _Potentials, arcs: _Arcs) -> _Arcs:
        """Every allowed pair outside ``arcs`` with a positive excess, at most ``per_mentee`` per mentee."""
        n, m = self.scorer.n_mentees, self.scorer.n_mentors
        now = _Round(self.scorer, pot, self.cap, self.score_scale, self.per_mentee)
        graph = _ByMentee(arcs, n, m)
        if self.outside is None:  # no bounds yet: score everyone, and measure them
            columns, rows = np.zeros(0, dtype=np.int64), np.arange(n)
        else:
            columns, rows = self._plan(now.split, pot)
        found = [self._known(now, graph, rows)]
        found.append(self._rows(now, graph, rows))
        if columns.size:
            found.append(self._columns(now, graph, np.setdiff1d(np.arange(n), rows, assume_unique=True), columns))
        self.memo.snapshots.append(pot)
        new = _concat(found)
        return now.exact(new.mentee, new.mentor, new.score)

    def _known(self, now: _Round, graph: _ByMentee, rows: np.ndarray) -> _Arcs:
        """The memo's near pairs of the rows not scored again, priced without scoring."""
        rescored = np.zeros(self.scorer.n_mentees, dtype=bool)
        rescored[rows] = True
        known = self.memo.current_near()
        keep = ~rescored[known.mentee] & ~graph.contains(known.mentee, known.mentor)
        return now.exact(known.mentee[keep], known.mentor[keep], known.score[keep])

    def _rows(self, now: _Round, graph: _ByMentee, rows: np.ndarray) -> _Arcs:
        """Score whole rows: their negative pairs; tighter row bounds and a memo for each."""
        measuring = self.outside is None
        outside = self.outside or _Outside(np.full(len(now.split.b_mentee), -1), np.full(len(self.cap), -1))
        found, near_all = [], []
        for start in range(0, len(rows), self.chunk):
            part = rows[start : start + self.chunk]
            block = self.scorer.scores(part)
            graph.hide(block, part)
            measured = _bound_points(block.max(axis=1, initial=-np.inf), self.score_scale)
            outside.mentee[part] = measured if measuring else np.minimum(outside.mentee[part], measured)
            if measuring:
                column_best = _bound_points(block.max(axis=0, initial=-np.inf), self.score_scale)
                np.maximum(outside.mentor, column_best, out=outside.mentor)
            negative, near = now.block(block, part, near=_MEMO_MARGIN)
            found.append(negative)
            near_all.append(near)
        self.outside = outside
        near = _concat(near_all)
        self.memo.record(rows, near, len(self.memo.snapshots), self.score_scale)
        self.scored += len(rows) * self.scorer.n_mentors
        return _concat(found)

    def _columns(self, now: _Round, graph: _ByMentee, rows: np.ndarray, columns: np.ndarray) -> _Arcs:
        """Score the given mentors' columns for the given rows: their negative pairs."""
        by_columns = self.scorer.for_mentors(columns)
        column_of = np.full(self.scorer.n_mentors, -1, dtype=np.int64)
        column_of[columns] = np.arange(len(columns))
        found = []
        for start in range(0, len(rows), 8 * self.chunk):
            part = rows[start : start + 8 * self.chunk]
            block = by_columns.scores(part)
            graph.hide(block, part, column_of)
            found.append(now.block(block, part, columns)[0])
        self.scored += len(rows) * len(columns)
        return _concat(found)

    def _plan(self, split: _Split, pot: _Potentials) -> tuple[np.ndarray, np.ndarray]:
        """(mentors to score by column for every mentee, mentees to score by row), for the fewest scores.

        A row needs scoring when neither the list bounds nor its memo clear it against
        the mentors not taken as columns. Columns are taken among the mentors that could
        give the most (bound plus score potential) and those whose potentials drifted the
        most: none, then 16, 32, ... of each, up to half the mentors.
        """
        outside, n, m = self.outside, self.scorer.n_mentees, self.scorer.n_mentors
        assert outside is not None
        open_mentor = (outside.mentor >= 0) & (self.cap > 0)
        top = np.minimum(outside.mentor, outside.mentee.max(initial=0)) + split.b_mentor
        by_gain = np.argsort(-np.where(open_mentor, top, _LOWEST), kind="stable")
        drift = np.full(m, _LOWEST, dtype=np.int64)
        for old in self.memo.snapshots:
            np.maximum(drift, pot.mentor - old.mentor, out=drift)
        by_drift = np.argsort(-np.where(open_mentor, drift, _LOWEST), kind="stable")
        best: tuple[int, np.ndarray, np.ndarray] | None = None
        width = 0
        while width <= m // 2:
            columns = np.union1d(by_gain[:width], by_drift[:width]).astype(np.int64)
            columns = columns[open_mentor[columns]]
            rest = open_mentor.copy()
            rest[columns] = False
            rows = np.flatnonzero(_suspects(split, outside, rest) & self.memo.doubtful(pot, rest))
            cost = len(columns) * (n - len(rows)) + m * len(rows)
            if best is None or cost < best[0]:
                best = (cost, columns, rows)
            width = 16 if width == 0 else 2 * width
        assert best is not None
        return best[1], best[2]
