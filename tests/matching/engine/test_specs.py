"""Questions as the engine sees them: kinds, rules and their combinations (``engine.specs``)."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import QuestionSpec


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
