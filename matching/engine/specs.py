"""The questions as the engine sees them: kinds of answer, matching rules, and ``QuestionSpec``.

This is the one definition of the kinds and rules: the Django models take their
choice values from ``Kind`` and ``Rule``, and the questionnaire builder asks
``rule_problem`` whether a rule fits a kind of question, as ``QuestionSpec`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Kind(StrEnum):
    """How a question is answered."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    NUMBER = "number"
    TEXT = "text"


class Rule(StrEnum):
    """How a question counts in matching (a question without a rule does not count)."""

    SAME = "same"
    OVERLAP = "overlap"
    MAPPING = "mapping"
    CLOSENESS = "closeness"
    REQUIRE = "require"


# StrEnum members hash and compare as their values, so plain strings are found in these sets.
KINDS: frozenset[str] = frozenset(Kind)
RULES: frozenset[str] = frozenset(Rule)
CHOICE_KINDS: frozenset[str] = frozenset({Kind.SINGLE, Kind.MULTIPLE})
NUMERIC_KINDS: frozenset[str] = frozenset({Kind.SCALE, Kind.NUMBER})
SCORED_RULES: frozenset[str] = frozenset({Rule.SAME, Rule.OVERLAP, Rule.MAPPING, Rule.CLOSENESS})
CHOICE_RULES: frozenset[str] = frozenset({Rule.SAME, Rule.OVERLAP, Rule.MAPPING, Rule.REQUIRE})
NUMERIC_RULES: frozenset[str] = frozenset({Rule.CLOSENESS})


class RuleProblem(StrEnum):
    """Why a matching rule does not fit a kind of question."""

    TEXT_NOT_SCORED = "text_not_scored"  # free-text answers are shown, never scored
    NEEDS_CHOICE = "needs_choice"  # the rule compares chosen options
    NEEDS_NUMBER = "needs_number"  # the rule compares numbers


def rule_problem(kind: str, rule: str | None) -> RuleProblem | None:
    """Why ``rule`` cannot score a question of ``kind``; None when it fits or there is no rule (None or "")."""
    if not rule:
        return None
    if kind == Kind.TEXT:
        return RuleProblem.TEXT_NOT_SCORED
    if rule in CHOICE_RULES and kind not in CHOICE_KINDS:
        return RuleProblem.NEEDS_CHOICE
    if rule in NUMERIC_RULES and kind not in NUMERIC_KINDS:
        return RuleProblem.NEEDS_NUMBER
    return None


_RULE_PROBLEM_TEXT = {
    RuleProblem.TEXT_NOT_SCORED: "free-text questions are not scored (rule must be None)",
    RuleProblem.NEEDS_CHOICE: "rule {rule!r} needs a single or multiple choice question",
    RuleProblem.NEEDS_NUMBER: "rule {rule!r} needs a scale or number question",
}


@dataclass(frozen=True)
class QuestionSpec:
    """One questionnaire question and the rule that scores it.

    ``weight`` matters only for scored rules; ``n_options`` only for choice kinds;
    ``value_range`` (max - min, e.g. 4 for a 1-5 scale) only for ``closeness``;
    ``mapping[a, b]`` (shape ``(n_options, n_options)``) says mentee option ``a`` ("wants
    to learn X") is satisfied by mentor option ``b`` ("can teach X"), only for ``mapping``.
    Construction validates the combination and raises ``ValueError`` when it is invalid.
    """

    key: str
    kind: Kind | str  # a member or its value, kept as given: both compare and hash alike
    rule: Rule | str | None = None
    weight: float = 1.0
    n_options: int = 0
    value_range: float = 0.0
    mapping: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        where = f"question {self.key!r}"
        if self.kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {self.kind!r}")
        if self.rule is not None and self.rule not in RULES:
            raise ValueError(f"{where}: unknown rule {self.rule!r}")
        if self.kind in CHOICE_KINDS and self.n_options < 1:
            raise ValueError(f"{where}: a choice question needs n_options >= 1")
        problem = rule_problem(self.kind, self.rule)
        if problem is not None:
            raise ValueError(f"{where}: " + _RULE_PROBLEM_TEXT[problem].format(rule=self.rule))
        if self.rule == Rule.CLOSENESS and not (self.value_range > 0 and math.isfinite(self.value_range)):
            raise ValueError(f"{where}: rule 'closeness' needs a finite value_range > 0")
        if self.rule in SCORED_RULES and not (self.weight > 0 and math.isfinite(self.weight)):
            raise ValueError(f"{where}: weight must be a finite number > 0")
        if self.rule == Rule.MAPPING:
            if self.mapping is None:
                raise ValueError(f"{where}: rule 'mapping' needs a mapping matrix")
            matrix = np.array(self.mapping, dtype=bool)  # a private, read-only copy
            if matrix.shape != (self.n_options, self.n_options):
                raise ValueError(f"{where}: mapping must have shape ({self.n_options}, {self.n_options})")
            matrix.setflags(write=False)
            object.__setattr__(self, "mapping", matrix)
        elif self.mapping is not None:
            raise ValueError(f"{where}: a mapping matrix only goes with rule 'mapping'")

    @property
    def is_choice(self) -> bool:
        """True for single and multiple choice questions."""
        return self.kind in CHOICE_KINDS

    @property
    def is_scored(self) -> bool:
        """True when the question adds weight to the score (require and unscored ones do not)."""
        return self.rule in SCORED_RULES
