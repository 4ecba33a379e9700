"""Mentor/mentee matching engine: scoring, candidate lists, global assignment, recommendations.

Pure Python + numpy (+ OR-Tools for the assignment). Nothing here knows about Django: the
Django layer turns questionnaire answers into plain dicts, calls these functions with
integer row indices, and maps the indices back to model instances. Import the public
names from this package (``from matching import engine; engine.auto_pair(...)``); names
with a leading underscore are shared between its modules only.

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
   tight). Equal scores are ordered by seeded pseudo-random keys of the people
   (``tie_keys``), never by row order. ``assign`` solves the capacity-constrained
   assignment exactly on that sparse candidate graph (OR-Tools max-flow-min-cost:
   coverage first, then total score) and, given the ``Scorer``, widens the graph until
   coverage is the maximum over *all* allowed pairs, then proves the result optimal over
   all allowed pairs: it prices every pair outside the graph against the flow's dual
   potentials and adds the ones that could improve it until none is left (``Proof``).
   ``auto_pair`` runs the whole pipeline (``auto_pair_scorer`` from a ready ``Scorer``);
   ``assign_greedy`` is the simple baseline.
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

Modules
-------
``specs``       kinds, rules, which rule fits which kind (``rule_problem``), ``QuestionSpec``
``answers``     ``AnswerMatrix``, ``encode_answers``, validation of answers
``features``    ``MentorIndex``, ``prepare_mentors``, mentee features (how it stays fast)
``candidates``  exact top-k of score blocks, running top per mentor, ``Candidates``, ``tie_keys``
``scoring``     ``Scorer``, requirements and exclusions, ``score_chunk``, ``top_candidates``
``arcs``        the candidate graph as unique arcs, the flow's score grid (``score_points``)
``flow``        the OR-Tools min-cost flow on the graph (shuffled by the seed)
``coverage``    augmenting paths to maximum coverage over all allowed pairs
``potentials``  dual potentials of the flow (shortest distances in its residual graph)
``bounds``      bounds on the pairs outside the graph; the potentials' coverage/score parts
``pricing``     the allowed pairs outside the graph that could improve the flow
``proof``       ``Proof``, the price-add-resolve loop that proves the optimum
``assignment``  ``Assignment``, ``assign``, ``assign_greedy``, ``auto_pair``, ``auto_pair_scorer``
``recommend``   ``recommend``, ``demand_penalty``
``explain``     ``Reason``, ``explain``, ``explained_score``
"""

from matching.engine.answers import AnswerMatrix, Rows, encode_answers
from matching.engine.arcs import score_points
from matching.engine.assignment import (
    DEFAULT_K,
    DEFAULT_MAX_ROUNDS,
    DEFAULT_SCORE_SCALE,
    NO_COMPATIBLE_MENTOR,
    NO_MENTOR_WITH_ROOM,
    Assignment,
    assign,
    assign_greedy,
    auto_pair,
    auto_pair_scorer,
)
from matching.engine.candidates import Candidates, tie_keys
from matching.engine.explain import Reason, explain, explained_score
from matching.engine.features import DEFAULT_MAX_LEVELS, MentorIndex, prepare_mentors
from matching.engine.proof import Proof
from matching.engine.recommend import DEFAULT_DEMAND_PENALTY, Recommendation, demand_penalty, recommend
from matching.engine.scoring import DEFAULT_CHUNK, Scorer, score_chunk, top_candidates
from matching.engine.specs import (
    CHOICE_KINDS,
    CHOICE_RULES,
    KINDS,
    NUMERIC_KINDS,
    NUMERIC_RULES,
    RULES,
    SCORED_RULES,
    Kind,
    QuestionSpec,
    Rule,
    RuleProblem,
    rule_problem,
)

__all__ = [
    # specs
    "CHOICE_KINDS",
    "CHOICE_RULES",
    "KINDS",
    "NUMERIC_KINDS",
    "NUMERIC_RULES",
    "RULES",
    "SCORED_RULES",
    "Kind",
    "QuestionSpec",
    "Rule",
    "RuleProblem",
    "rule_problem",
    # answers
    "AnswerMatrix",
    "Rows",
    "encode_answers",
    # features
    "DEFAULT_MAX_LEVELS",
    "MentorIndex",
    "prepare_mentors",
    # scoring and candidates
    "DEFAULT_CHUNK",
    "Candidates",
    "Scorer",
    "score_chunk",
    "tie_keys",
    "top_candidates",
    # assignment
    "DEFAULT_K",
    "DEFAULT_MAX_ROUNDS",
    "DEFAULT_SCORE_SCALE",
    "NO_COMPATIBLE_MENTOR",
    "NO_MENTOR_WITH_ROOM",
    "Assignment",
    "Proof",
    "assign",
    "assign_greedy",
    "score_points",
    "auto_pair",
    "auto_pair_scorer",
    # recommend
    "DEFAULT_DEMAND_PENALTY",
    "Recommendation",
    "demand_penalty",
    "recommend",
    # explain
    "Reason",
    "explain",
    "explained_score",
]
