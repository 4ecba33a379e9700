"""Reasons for a pair's score (``engine.explain``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching.engine import QuestionSpec, encode_answers, explain, explained_score
from tests.matching.engine.helpers import one_pair_score

# ----------------------------------------------------------------------------- explain


def test_explain_known_pair():
    mapping = np.eye(6, dtype=bool)
    mapping[4, 5] = True
    qs = [
        QuestionSpec("lang", "multiple", "require", n_options=3),
        QuestionSpec("industry", "single", "same", weight=2, n_options=3),
        QuestionSpec("interests", "multiple", "overlap", weight=1, n_options=6),
        QuestionSpec("learn_teach", "multiple", "mapping", weight=3, n_options=6, mapping=mapping),
        QuestionSpec("communication", "scale", "closeness", weight=1, value_range=4),
        QuestionSpec("region", "single", "same", weight=5, n_options=3),
        QuestionSpec("bio", "text"),
    ]
    mentee = {"lang": [0, 2], "industry": 1, "interests": [0, 1, 2, 3], "learn_teach": [0, 4], "communication": 2}
    mentor = {
        "lang": [2],
        "industry": 1,
        "interests": [1, 3, 5],
        "learn_teach": [0, 5],
        "communication": 5,
        "region": 0,
    }
    reasons = {r.key: r for r in explain(mentee, mentor, qs)}
    assert list(reasons) == ["lang", "industry", "interests", "learn_teach", "communication", "region"]
    assert reasons["lang"].matched == (2,) and not reasons["lang"].excluded and reasons["lang"].contribution == 0
    assert reasons["industry"].similarity == 1.0 and reasons["industry"].matched == (1,)
    assert reasons["interests"].similarity == 0.5 and reasons["interests"].matched == (1, 3)
    assert reasons["learn_teach"].similarity == 1.0 and reasons["learn_teach"].matched == ((0, 0), (4, 5))
    assert reasons["communication"].similarity == 0.25 and reasons["communication"].values == (2.0, 5.0)
    assert not reasons["region"].answered_both and reasons["region"].contribution == 0  # mentee skipped it
    # Weights of the questions both answered: 2 + 1 + 3 + 1 = 7.
    assert reasons["industry"].contribution == pytest.approx(200 / 7)
    assert reasons["learn_teach"].contribution == pytest.approx(300 / 7)
    assert explained_score(list(reasons.values())) == pytest.approx(575 / 7)
    assert one_pair_score(qs, mentee, mentor) == pytest.approx(575 / 7, abs=1e-4)


def test_explain_flags_the_requirement_that_excludes():
    qs = [QuestionSpec("lang", "multiple", "require", n_options=3), QuestionSpec("x", "single", "same", n_options=2)]
    reasons = explain({"lang": [0], "x": 1}, {"lang": [1], "x": 1}, qs)
    assert reasons[0].excluded and reasons[0].matched == ()
    assert explained_score(reasons) == -math.inf
    answers = encode_answers(qs, [{"lang": [0], "x": 1}, {"lang": [0], "x": 0}])
    assert not any(r.excluded for r in explain(answers.row(0), answers.row(1), qs))
