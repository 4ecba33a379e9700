"""Candidate lists: top-k per mentee, the running top per mentor (``engine.candidates``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.engine import QuestionSpec, encode_answers, top_candidates
from matching.engine.candidates import _block_top, _RunningTop
from tests.matching.engine.helpers import PROPERTY

# -------------------------------------------------------------------------- candidates


def test_top_candidates_are_best_first_with_lower_index_ties_and_padding():
    qs = [
        QuestionSpec("lang", "single", "require", n_options=2),
        QuestionSpec("topics", "multiple", "overlap", n_options=4),
    ]
    mentees = encode_answers(qs, [{"lang": 0, "topics": [0, 1, 2, 3]}, {"lang": 1, "topics": [0]}])
    mentors = encode_answers(
        qs,
        [
            {"lang": 0, "topics": [0]},  # 25
            {"lang": 0, "topics": [0, 1, 2]},  # 75
            {"lang": 0, "topics": [1]},  # 25
            {"lang": 0, "topics": [0, 1, 2, 3]},  # 100
            {"lang": 1, "topics": [0]},  # only mentee 1 may pair
        ],
    )
    idx, sc = top_candidates(mentees, mentors, qs, 3)
    assert idx[0].tolist() == [3, 1, 0]
    assert sc[0].tolist() == pytest.approx([100, 75, 25])
    assert idx[1].tolist() == [4, -1, -1]
    assert sc[1, 0] == pytest.approx(100) and np.isneginf(sc[1, 1:]).all()


@PROPERTY
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 40),
    cols=st.integers(1, 300),
    k=st.integers(1, 30),
    levels=st.integers(1, 50),
)
def test_block_top_equals_full_sort(seed, rows, cols, k, levels):
    rng = np.random.default_rng(seed)
    block = rng.integers(0, levels, size=(rows, cols)).astype(np.float32)  # many ties
    block[rng.random((rows, cols)) < 0.3] = -np.inf
    idx, sc = _block_top(block, k)
    for r in range(rows):
        order = sorted((c for c in range(cols) if block[r, c] > -np.inf), key=lambda c: (-block[r, c], c))[:k]
        assert idx[r, : len(order)].tolist() == order
        assert (idx[r, len(order) :] == -1).all()
        assert sc[r, : len(order)].tolist() == block[r, order].tolist()


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), m=st.integers(1, 8), width=st.integers(1, 6))
def test_running_top_equals_full_column_sort(seed, n, m, width):
    rng = np.random.default_rng(seed)
    full = rng.integers(0, 6, size=(n, m)).astype(np.float32)
    full[rng.random((n, m)) < 0.3] = -np.inf
    running = _RunningTop(m, width)
    for start in range(0, n, 7):
        running.update(full[start : start + 7], start)
    for j in range(m):
        order = sorted((i for i in range(n) if full[i, j] > -np.inf), key=lambda i: (-full[i, j], i))[:width]
        assert running.indices[j, : len(order)].tolist() == order
        assert (running.indices[j, len(order) :] == -1).all()
