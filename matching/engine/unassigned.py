"""Why a mentee has no mentor to propose: the first true reason, from their answers and the mentors' room.

The assignment only says "no compatible mentor" or "no mentor with room". A person needs more: a mentee
who answered nothing is not excluded by "a hard requirement", and a requirement that nobody meets should
be named. ``why_unassigned`` checks, in this order, and stops at the first that holds:

1. the program has no mentor (``NO_MENTORS``);
2. the mentee answered none of the questions (``NO_ANSWERS``);
3. the mentee left a requirement unanswered, which no pair can then share (``UNANSWERED_REQUIREMENT``);
4. a requirement that no mentor shares with the mentee (``REQUIREMENT_UNMET``, with every such question);
5. each requirement is met by someone, but no mentor meets them all (``REQUIREMENTS_UNMET_TOGETHER``);
6. every mentor who meets them was paired with the mentee before or declined them (``ONLY_EXCLUDED``);
7. every such mentor has no room left (``ALL_FULL``);
8. otherwise some compatible mentor has room (``AVAILABLE``): the caller says why it still proposes none.

Requirements (3-5) are checked against every mentor, full or not: fullness is the later, separate reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.engine.answers import AnswerMatrix, _answered
from matching.engine.features import MentorIndex
from matching.engine.scoring import DEFAULT_CHUNK, Scorer
from matching.engine.specs import QuestionSpec, Rule

NO_MENTORS = "no mentors"
NO_ANSWERS = "no answers"
UNANSWERED_REQUIREMENT = "unanswered requirement"
REQUIREMENT_UNMET = "requirement unmet"
REQUIREMENTS_UNMET_TOGETHER = "requirements unmet together"
ONLY_EXCLUDED = "only excluded"
ALL_FULL = "all full"
AVAILABLE = "available"


@dataclass(frozen=True)
class Why:
    """One mentee's reason: a code above and, for 3 and 4, the keys of the questions concerned."""

    code: str
    keys: tuple[str, ...] = ()


def why_unassigned(
    mentee_answers: AnswerMatrix,
    mentors: MentorIndex,
    questions: Sequence[QuestionSpec],
    *,
    mentor_room: np.ndarray,
    exclusions: Any = None,
) -> list[Why]:
    """The first true reason (module docstring) for each mentee row, in order.

    ``mentor_room[j]`` is mentor j's room now (for an auto-pairing: after its own pairs);
    ``exclusions`` the ``(mentee row, mentor)`` pairs never to propose.
    """
    n = mentee_answers.n_people
    if not mentors.n_mentors:
        return [Why(NO_MENTORS)] * n
    requirements = [q for q in questions if q.rule == Rule.REQUIRE]
    answered_any = _answered_any(questions, mentee_answers)
    unanswered, unmet = _requirement_gaps(requirements, mentee_answers, mentors)
    reasons: list[Why | None] = []
    for i in range(n):
        if not answered_any[i]:
            reasons.append(Why(NO_ANSWERS))
        elif unanswered[i].any():
            reasons.append(Why(UNANSWERED_REQUIREMENT, _keys(requirements, unanswered[i])))
        elif unmet[i].any():
            reasons.append(Why(REQUIREMENT_UNMET, _keys(requirements, unmet[i])))
        else:
            reasons.append(None)
    open_rows = np.array([i for i in range(n) if reasons[i] is None], dtype=np.int64)
    if open_rows.size:
        later = _pairing_reasons(mentee_answers, mentors, questions, open_rows, mentor_room, exclusions)
        for i, why in zip(open_rows, later, strict=True):
            reasons[int(i)] = why
    return [why for why in reasons if why is not None]


def _answered_any(questions: Sequence[QuestionSpec], answers: AnswerMatrix) -> np.ndarray:
    answered = np.zeros(answers.n_people, dtype=bool)
    for q in questions:
        if q.key in answers.columns:
            answered |= _answered(q, answers.columns[q.key])
    return answered


def _requirement_gaps(
    requirements: list[QuestionSpec], mentee_answers: AnswerMatrix, mentors: MentorIndex
) -> tuple[np.ndarray, np.ndarray]:
    """Bool (mentees x requirements): left unanswered; answered, but no mentor chose any of those options."""
    n, r = mentee_answers.n_people, len(requirements)
    unanswered = np.zeros((n, r), dtype=bool)
    unmet = np.zeros((n, r), dtype=bool)
    for k, q in enumerate(requirements):
        wishes = mentee_answers.columns[q.key]
        offered = mentors.answers.columns[q.key].any(axis=0)  # the options some mentor chose
        unanswered[:, k] = ~wishes.any(axis=1)
        unmet[:, k] = ~unanswered[:, k] & ~(wishes & offered[None, :]).any(axis=1)
    return unanswered, unmet


def _keys(requirements: list[QuestionSpec], flags: np.ndarray) -> tuple[str, ...]:
    return tuple(q.key for q, flag in zip(requirements, flags, strict=True) if flag)


def _pairing_reasons(
    mentee_answers: AnswerMatrix,
    mentors: MentorIndex,
    questions: Sequence[QuestionSpec],
    rows: np.ndarray,
    room: np.ndarray,
    exclusions: Any,
) -> list[Why]:
    """Reasons 5 to 8 for the given rows, a block of rows at a time."""
    subset = mentee_answers.take(rows)
    position = {int(i): k for k, i in enumerate(rows)}
    given = exclusions if exclusions is not None else []
    pairs = [(position[int(a)], int(b)) for a, b in given if int(a) in position]
    plain = Scorer(questions, subset, mentors)
    allowed = Scorer(questions, subset, mentors, exclusions=pairs)
    has_room = np.asarray(room) > 0
    reasons = []
    for start in range(0, len(rows), DEFAULT_CHUNK):
        block = slice(start, min(start + DEFAULT_CHUNK, len(rows)))
        for compatible, allowed_row in zip(plain.compatible(block), allowed.compatible(block), strict=True):
            if not compatible.any():
                reasons.append(Why(REQUIREMENTS_UNMET_TOGETHER))
            elif not allowed_row.any():
                reasons.append(Why(ONLY_EXCLUDED))
            elif not (allowed_row & has_room).any():
                reasons.append(Why(ALL_FULL))
            else:
                reasons.append(Why(AVAILABLE))
    return reasons
