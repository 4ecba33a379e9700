"""Candidate lists: top-k per mentee, the running top per mentor (``engine.candidates``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.engine import QuestionSpec, Scorer, encode_answers, tie_keys, top_candidates
from matching.engine.candidates import _block_top, _RunningTop
from tests.matching.engine.helpers import PROPERTY

# -------------------------------------------------------------------------- candidates


def test_top_candidates_are_best_first_with_tie_keyed_ties_and_padding():
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
    keys = Scorer(qs, mentees, mentors).mentee_keys[0] ^ Scorer(qs, mentees, mentors).mentor_keys
    tied_first = 0 if keys[0] > keys[2] else 2  # mentors 0 and 2 both score 25
    assert idx[0].tolist() == [3, 1, tied_first]
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


# -------------------------------------------------------------------------- tie keys


def test_tie_keys_are_reproducible_and_differ_by_seed_and_side():
    ids = np.arange(1000)
    assert tie_keys(ids, 3).tolist() == tie_keys(ids, 3).tolist()
    assert tie_keys(ids, 3).dtype == np.uint32 and len(set(tie_keys(ids, 3).tolist())) > 990
    assert (tie_keys(ids, 3) != tie_keys(ids, 4)).mean() > 0.99
    assert (tie_keys(ids, 3, side=0) != tie_keys(ids, 3, side=1)).mean() > 0.99


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 30), cols=st.integers(1, 200), k=st.integers(1, 20))
def test_block_top_with_keys_breaks_ties_by_the_higher_key(seed, rows, cols, k):
    rng = np.random.default_rng(seed)
    block = rng.integers(0, 4, size=(rows, cols)).astype(np.float32)
    block[rng.random((rows, cols)) < 0.3] = -np.inf
    row_keys = rng.integers(0, 2**32, size=rows, dtype=np.uint32)
    col_keys = rng.integers(0, 2**32, size=cols, dtype=np.uint32)
    idx, _ = _block_top(block, k, row_keys, col_keys)
    for r in range(rows):
        valid = [c for c in range(cols) if block[r, c] > -np.inf]
        order = sorted(valid, key=lambda c: (-block[r, c], -int(row_keys[r] ^ col_keys[c])))[:k]
        assert idx[r, : len(order)].tolist() == order


@PROPERTY
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), m=st.integers(1, 8), width=st.integers(1, 6))
def test_running_top_with_keys_equals_a_full_sort_by_score_then_key(seed, n, m, width):
    from matching.engine.candidates import _rotated

    rng = np.random.default_rng(seed)
    full = rng.integers(0, 3, size=(n, m)).astype(np.float32)
    full[rng.random((n, m)) < 0.3] = -np.inf
    mentee_keys = rng.integers(0, 2**32, size=n, dtype=np.uint32)
    mentor_keys = rng.integers(0, 2**32, size=m, dtype=np.uint32)
    running = _RunningTop(m, width, mentor_keys)
    for start in range(0, n, 7):
        running.update(full[start : start + 7], start, mentee_keys[start : start + 7])
    tie = _rotated(mentee_keys)[:, None] ^ _rotated(mentor_keys)[None, :]
    for j in range(m):
        valid = [i for i in range(n) if full[i, j] > -np.inf]
        order = sorted(valid, key=lambda i: (-full[i, j], -int(tie[i, j])))[:width]
        assert running.indices[j, : len(order)].tolist() == order


def test_equally_good_mentors_share_the_first_places_of_the_lists():
    # 200 mentees, 50 mentors, every pair scores 100: index order would give everyone mentor 0.
    qs = [QuestionSpec("track", "single", "same", n_options=2)]
    scorer = Scorer(qs, encode_answers(qs, [{"track": 0}] * 200), encode_answers(qs, [{"track": 0}] * 50))
    cands = scorer.candidates(1, mentor_k=1)
    assert len(set(cands.indices[:, 0].tolist())) >= 40
    assert len(set(cands.mentor_indices[:, 0].tolist())) >= 40
    # The mentor lists do not just mirror the mentee lists (they bring new pairs).
    mirrored = sum(cands.indices[i, 0] == j for j, i in enumerate(cands.mentor_indices[:, 0]))
    assert mirrored <= 5


def test_candidates_report_the_best_score_left_out_of_each_list():
    rng = np.random.default_rng(3)
    from tests.matching.engine.helpers import random_answers, random_questions

    qs = random_questions(rng)
    scorer = Scorer(qs, encode_answers(qs, random_answers(rng, qs, 30)), encode_answers(qs, random_answers(rng, qs, 9)))
    cands = scorer.candidates(3, mentor_k=2)
    scores = scorer.scores()
    for i in range(30):
        left_out = np.delete(scores[i], cands.indices[i][cands.indices[i] >= 0])
        assert cands.next_scores[i] == pytest.approx(left_out.max(initial=-np.inf).clip(max=100), abs=1e-4)
    for j in range(9):
        left_out = np.delete(scores[:, j], cands.mentor_indices[j][cands.mentor_indices[j] >= 0])
        assert cands.mentor_next_scores[j] == pytest.approx(left_out.max(initial=-np.inf).clip(max=100), abs=1e-4)
