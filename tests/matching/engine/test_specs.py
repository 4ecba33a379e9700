"""Questions as the engine sees them: kinds, rules and their combinations (``engine.specs``)."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import Kind, QuestionSpec, Rule, RuleProblem, rule_problem


@pytest.mark.parametrize(
    "kwargs",
    [
        {"key": "a", "kind": "text", "rule": "same"},
        {"key": "a", "kind": "scale", "rule": "same"},
        {"key": "a", "kind": "single", "rule": "closeness", "n_options": 2},
        {"key": "a", "kind": "scale", "rule": "closeness"},  # no value_range
        {"key": "a", "kind": "single", "rule": "same"},  # no options
        {"key": "a", "kind": "single", "rule": "same", "n_options": 2, "weight": 0},
        {"key": "a", "kind": "multiple", "rule": "mapping", "n_options": 2},  # no mapping
        {"key": "a", "kind": "multiple", "rule": "mapping", "n_options": 2, "mapping": np.eye(3, dtype=bool)},
        {"key": "a", "kind": "nope"},
    ],
)
def test_question_spec_rejects_invalid_combinations(kwargs):
    with pytest.raises(ValueError):
        QuestionSpec(**kwargs)


@pytest.mark.parametrize(
    ("kind", "rule", "problem"),
    [
        ("single", "same", None),
        ("multiple", "mapping", None),
        ("single", "require", None),
        ("scale", "closeness", None),
        ("number", "closeness", None),
        ("text", None, None),
        ("single", "", None),
        ("text", "same", RuleProblem.TEXT_NOT_SCORED),
        ("text", "closeness", RuleProblem.TEXT_NOT_SCORED),
        ("scale", "overlap", RuleProblem.NEEDS_CHOICE),
        ("number", "require", RuleProblem.NEEDS_CHOICE),
        ("multiple", "closeness", RuleProblem.NEEDS_NUMBER),
    ],
)
def test_rule_problem_says_why_a_rule_does_not_fit_a_kind(kind, rule, problem):
    assert rule_problem(kind, rule) == problem


def test_question_spec_accepts_exactly_the_kinds_and_rules_rule_problem_accepts():
    accepted, fitting = set(), set()
    for kind in Kind:
        for rule in [None, *Rule]:
            mapping = np.eye(2, dtype=bool) if rule == Rule.MAPPING else None
            try:
                QuestionSpec("a", kind.value, rule, n_options=2, value_range=4, mapping=mapping)
            except ValueError:
                pass
            else:
                accepted.add((kind, rule))
            if rule_problem(kind, rule) is None:
                fitting.add((kind, rule))
    assert accepted == fitting
    assert len(accepted) == 15  # 5 rules on two choice kinds, 1 on two numeric kinds, no rule on all five
