"""Recommendations: the mentors to show one mentee, re-ranked to spread demand (``demand_penalty``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.engine.answers import AnswerMatrix, encode_answers
from matching.engine.features import MentorIndex
from matching.engine.scoring import Scorer
from matching.engine.specs import QuestionSpec

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
    seed: int = 0,
    mentee_id: int = 0,
    mentor_ids: Any = None,
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
    only the order changes. Ties: higher true score, then the ``Scorer`` tie keys of
    ``(mentee_id, mentor_ids, seed)`` (default: row numbers), so that equally good mentors
    come first for different mentees, and in the same order as ``Scorer.top`` gives the
    same people with the same seed; stable ids and seed give a stable order. Pass a
    prepared ``MentorIndex`` so that only the mentee is encoded per call (~1 ms for 2,000
    mentors).
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
    scorer = Scorer(
        questions,
        mentee,
        mentor_answers,
        mentor_mask=mask,
        exclusions=excluded,
        seed=seed,
        mentee_ids=[mentee_id],
        mentor_ids=mentor_ids,
    )
    score = scorer.scores(slice(0, 1))[0]
    valid = np.flatnonzero(np.isfinite(score))
    key = score[valid] - penalty[valid]
    tie = scorer.mentee_keys[0] ^ scorer.mentor_keys[valid]
    top = valid[np.lexsort((~tie, -score[valid], -key))[:n]]
    return Recommendation(
        mentors=top.astype(np.int32),
        scores=np.clip(score[top], 0, 100).astype(np.float32),
        penalties=penalty[top],
    )
