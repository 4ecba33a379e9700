"""The global assignment: min-cost flow on the candidate graph (coverage first), the greedy baseline, ``auto_pair``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.engine.answers import AnswerMatrix
from matching.engine.arcs import DEFAULT_SCORE_SCALE, _Arcs, _check_candidates, _check_capacities
from matching.engine.coverage import _coverage_arcs
from matching.engine.features import MentorIndex
from matching.engine.flow import _solve_flow
from matching.engine.proof import Proof, _optimise
from matching.engine.scoring import DEFAULT_CHUNK, Scorer
from matching.engine.specs import QuestionSpec

NO_COMPATIBLE_MENTOR = "no compatible mentor"
NO_MENTOR_WITH_ROOM = "no mentor with room"

DEFAULT_K = 20
DEFAULT_MAX_ROUNDS = 50
DEFAULT_ADD_PER_MENTEE = 5


@dataclass(frozen=True, eq=False)
class Assignment:
    """A pairing of mentees to mentors.

    ``mentor[i]`` is mentee i's mentor index or -1; ``score[i]`` its score (NaN when
    unassigned); ``total`` the sum of the assigned scores; ``unassigned_reason`` maps each
    unassigned mentee to ``NO_COMPATIBLE_MENTOR`` or ``NO_MENTOR_WITH_ROOM``. ``proof``
    says whether it is proven the best over all allowed pairs (None: not checked, as when
    ``assign`` had no ``Scorer``); ``seed`` is the tie-break seed it used.
    """

    mentor: np.ndarray
    score: np.ndarray
    total: float
    unassigned_reason: dict[int, str]
    proof: Proof | None = None
    seed: int | None = None

    @property
    def optimal(self) -> bool:
        """True when proven the best over all allowed pairs: most mentees paired, then most points."""
        return self.proof is not None and self.proof.optimal

    @property
    def n_assigned(self) -> int:
        """How many mentees got a mentor."""
        return int((self.mentor >= 0).sum())

    def pairs(self) -> list[tuple[int, int, float]]:
        """The assigned ``(mentee, mentor, score)`` triples, in mentee order."""
        rows = np.flatnonzero(self.mentor >= 0)
        return [(int(i), int(self.mentor[i]), float(self.score[i])) for i in rows]


def assign(
    candidate_indices: np.ndarray,
    candidate_scores: np.ndarray,
    capacities: np.ndarray,
    *,
    mentor_candidates: tuple[np.ndarray, np.ndarray] | None = None,
    scorer: Scorer | None = None,
    widen_k: int | None = None,
    score_scale: int = DEFAULT_SCORE_SCALE,
    seed: int | None = 0,
    prove: bool = True,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
    add_per_mentee: int = DEFAULT_ADD_PER_MENTEE,
) -> Assignment:
    """The best global assignment, coverage first; with a ``scorer``, proven the best over all allowed pairs.

    The graph: each mentee's candidate mentors (``candidate_indices``/``candidate_scores``,
    ``n_mentees x k``, -1 = none) plus, optionally, each mentor's candidate mentees
    (``mentor_candidates``: two ``n_mentors x L`` arrays of mentee indices and scores).

    Solved as a min-cost flow with OR-Tools (``flow``): the most paired mentees, then the
    most points among those, a pair's points being its score on the grid of
    ``score_scale`` steps per point (default: 0.001 points). ``seed`` shuffles the
    solver's nodes so that among equally good solutions none is chosen by index order
    (``None``: index order).

    With a ``scorer`` (the ``Scorer`` the candidates came from) the result is the optimum
    over *all* allowed pairs:

    1. coverage: if mentees are left unassigned while some mentor has room, an
       augmenting-path search over all allowed pairs finds a maximum-cardinality
       assignment; its arcs, plus each unassigned mentee's ``widen_k`` (default: the
       candidate width) best mentors with room, join the graph and the flow is solved again;
    2. with ``prove``, the flow's dual potentials price every allowed pair outside the
       graph, one block of mentees at a time (``proof``); the pairs that could pair more
       mentees or add points join the graph (at most ``add_per_mentee`` per mentee and
       round) and the flow is re-optimised, until none is left. ``Assignment.proof``
       records the rounds, the pairs added and ``optimal``, which is False only if
       ``max_rounds`` ran out first.

    Without a scorer the result is the optimum within the candidates, unproven.

    Unassigned reasons: ``NO_COMPATIBLE_MENTOR`` when no mentor passes the hard
    requirements and exclusions (with a scorer; without one: when the mentee has no
    candidate at all, which for ``top_candidates`` output means the same), else
    ``NO_MENTOR_WITH_ROOM``. Never builds a mentees x capacity matrix, nor the dense
    mentees x mentors one.
    """
    idx, sc, cap = _check_candidates(candidate_indices, candidate_scores, capacities)
    n, m = idx.shape[0], len(cap)
    if scorer is not None and (scorer.n_mentees, scorer.n_mentors) != (n, m):
        raise ValueError("the scorer does not match the candidate lists")
    arcs = _Arcs.from_lists(idx, sc)
    if mentor_candidates is not None:
        arcs = arcs.merged(_Arcs.from_mentor_lists(*mentor_candidates, n_mentees=n, n_mentors=m), m)
    settings = _Settings(widen_k or max(idx.shape[1], 1), score_scale, seed, prove, max_rounds, add_per_mentee)
    return _assign(n, cap, arcs, scorer, settings)


@dataclass(frozen=True)
class _Settings:
    widen_k: int
    score_scale: int
    seed: int | None
    prove: bool
    max_rounds: int
    add_per_mentee: int


def _assign(
    n: int,
    cap: np.ndarray,
    arcs: _Arcs,
    scorer: Scorer | None,
    settings: _Settings,
    list_bounds: tuple[np.ndarray, np.ndarray] | None = None,
) -> Assignment:
    """``assign`` on a built graph; ``list_bounds`` as ``_optimise`` takes them."""
    m = len(cap)
    scale, seed = settings.score_scale, settings.seed
    mentor_of = _solve_flow(n, cap, arcs, scale, seed)
    proof = None
    if scorer is not None:
        extra = _coverage_arcs(scorer, mentor_of, cap, arcs, settings.widen_k, seed)
        if extra is not None:
            arcs = arcs.merged(extra, m)
            mentor_of = _solve_flow(n, cap, arcs, scale, seed)
        if settings.prove:
            arcs, mentor_of, proof = _optimise(
                scorer,
                cap,
                arcs,
                mentor_of,
                score_scale=scale,
                seed=seed,
                max_rounds=settings.max_rounds,
                per_mentee=settings.add_per_mentee,
                list_bounds=list_bounds,
            )
    return _result(mentor_of, arcs, scorer, m, proof, seed)


def _result(
    mentor_of: np.ndarray,
    arcs: _Arcs,
    scorer: Scorer | None,
    m: int,
    proof: Proof | None = None,
    seed: int | None = None,
) -> Assignment:
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
        proof=proof,
        seed=seed,
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
    seed: int = 0,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
) -> Assignment:
    """Pair mentees with mentors: the proven optimum, most mentees paired first, then the best total.

    ``capacities[j]`` is mentor j's number of free places; mentors with 0 (or masked out)
    are never candidates. The candidate graph is each mentee's ``k`` best mentors plus each
    mentor's ``mentor_k`` best mentees (default ``2 * max(capacities)``, at most 20);
    ``assign`` solves it, widens it until coverage is the maximum, and proves the result
    optimal over all allowed pairs (``Assignment.proof``). ``k`` and ``mentor_k`` change
    only the speed, never the result's value. Equal scores are broken by ``seed``
    (``Scorer`` tie keys, a shuffled flow), so equally good mentees and mentors get
    equal chances; the same seed gives the same result. Memory stays ``chunk x
    n_mentors`` floats plus ``O(n_mentees * k + n_mentors * mentor_k)``.
    """
    cap = np.asarray(capacities)
    mask = cap > 0 if mentor_mask is None else np.asarray(mentor_mask, dtype=bool) & (cap > 0)
    scorer = Scorer(questions, mentee_answers, mentor_answers, mentor_mask=mask, exclusions=exclusions, seed=seed)
    return auto_pair_scorer(
        scorer,
        cap,
        k=k,
        mentor_k=mentor_k,
        chunk=chunk,
        score_scale=score_scale,
        max_rounds=max_rounds,
    )


def auto_pair_scorer(
    scorer: Scorer,
    capacities: np.ndarray,
    *,
    k: int = DEFAULT_K,
    mentor_k: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    score_scale: int = DEFAULT_SCORE_SCALE,
    max_rounds: int = DEFAULT_MAX_ROUNDS,
) -> Assignment:
    """``auto_pair`` for a ready ``Scorer`` (its mask should leave out mentors without places); seed: the scorer's."""
    cap = _check_capacities(capacities)
    if len(cap) != scorer.n_mentors:
        raise ValueError("capacities must hold one value per mentor")
    n, m = scorer.n_mentees, scorer.n_mentors
    if mentor_k is None:
        mentor_k = int(min(2 * cap.max(initial=0), 20))
    cands = scorer.candidates(k, mentor_k=mentor_k, chunk=chunk)
    arcs = _Arcs.from_lists(cands.indices.astype(np.int64), cands.scores)
    if mentor_k:
        mentor_arcs = _Arcs.from_mentor_lists(cands.mentor_indices, cands.mentor_scores, n_mentees=n, n_mentors=m)
        arcs = arcs.merged(mentor_arcs, m)
    settings = _Settings(k, score_scale, scorer.seed, True, max_rounds, DEFAULT_ADD_PER_MENTEE)
    return _assign(n, cap, arcs, scorer, settings, (cands.next_scores, cands.mentor_next_scores))
