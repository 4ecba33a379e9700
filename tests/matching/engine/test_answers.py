"""Encoding and validating answers (``engine.answers``)."""

from __future__ import annotations

import math

import pytest

from matching.engine import AnswerMatrix, QuestionSpec, encode_answers


def test_encode_answers_builds_multi_hot_and_nan():
    qs = [
        QuestionSpec("one", "single", "same", n_options=3),
        QuestionSpec("many", "multiple", "overlap", n_options=3),
        QuestionSpec("num", "number", "closeness", value_range=5),
        QuestionSpec("bio", "text"),
    ]
    answers = encode_answers(qs, [{"one": 2, "many": [0, 2], "num": 4, "bio": "x"}, {"many": [], "num": None}])
    assert answers.columns["one"].tolist() == [[False, False, True], [False, False, False]]
    assert answers.columns["many"].tolist() == [[True, False, True], [False, False, False]]
    assert answers.columns["num"][0] == 4.0 and math.isnan(answers.columns["num"][1])
    assert "bio" not in answers.columns
    assert answers.row(1).n_people == 1 and answers.take([1, 0]).columns["one"][1, 2]


@pytest.mark.parametrize(
    "bad",
    [{"one": 3}, {"one": -1}, {"one": True}, {"one": "2"}, {"many": 1}, {"many": [5]}, {"num": "x"}, {"num": math.inf}],
)
def test_encode_answers_rejects_invalid_values(bad):
    qs = [
        QuestionSpec("one", "single", "same", n_options=3),
        QuestionSpec("many", "multiple", "overlap", n_options=3),
        QuestionSpec("num", "number", "closeness", value_range=5),
    ]
    with pytest.raises(ValueError):
        encode_answers(qs, [bad])


def test_answer_matrix_from_columns_rejects_two_options_on_single_choice():
    qs = [QuestionSpec("one", "single", "same", n_options=2)]
    with pytest.raises(ValueError):
        AnswerMatrix.from_columns(qs, {"one": [[True, True]]}, 1)
