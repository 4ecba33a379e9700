"""The questionnaire's choices are the matching engine's kinds and rules."""

from matching import engine
from matching.models import MatchRule, QuestionKind


def test_question_kinds_are_the_engine_kinds_in_its_order():
    assert QuestionKind.values == [kind.value for kind in engine.Kind]
    assert {QuestionKind(kind).label for kind in engine.CHOICE_KINDS} == {"Single choice", "Multiple choice"}


def test_match_rules_are_no_rule_then_the_engine_rules_in_its_order():
    assert MatchRule.values == ["", *(rule.value for rule in engine.Rule)]
    assert MatchRule.NONE not in engine.RULES
