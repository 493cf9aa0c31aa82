"""annostore.compat.tangermeme vs tangermeme 1.6 (count/pairwise/spacing), on generated tables."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import tangermeme.annotate as T
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import annostore
import annostore.compat.tangermeme as A

pytestmark = pytest.mark.peer  # tangermeme is the oracle: installed by the test extra, never skipped

SETTINGS = dict(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same(a: torch.Tensor, b: torch.Tensor) -> None:
    assert a.dtype == b.dtype
    assert tuple(a.shape) == tuple(b.shape)
    assert torch.equal(a, b)


@st.composite
def pair_tables(draw, max_rows=40):
    n = draw(st.integers(1, max_rows))
    n_ex = draw(st.integers(1, 5))
    n_an = draw(st.integers(1, 9))
    ex = draw(st.lists(st.integers(0, n_ex - 1), min_size=n, max_size=n))
    an = draw(st.lists(st.integers(0, n_an - 1), min_size=n, max_size=n))
    return np.array(ex, dtype=np.int64), np.array(an, dtype=np.int64)


@st.composite
def spacing_tables(draw, max_rows=30):
    """Non-overlapping annotations (tangermeme 1.6 raises on overlaps), rows shuffled."""
    n = draw(st.integers(1, max_rows))
    n_ex = draw(st.integers(1, 4))
    n_an = draw(st.integers(1, 7))
    ex = np.sort(np.array(draw(st.lists(st.integers(0, n_ex - 1), min_size=n, max_size=n)), dtype=np.int64))
    widths = draw(st.lists(st.integers(1, 12), min_size=n, max_size=n))
    gaps = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    an = np.array(draw(st.lists(st.integers(0, n_an - 1), min_size=n, max_size=n)), dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    pos: dict[int, int] = {}
    for i in range(n):
        s = pos.get(int(ex[i]), 0) + gaps[i]
        start[i], end[i] = s, s + widths[i]
        pos[int(ex[i])] = int(end[i])
    perm = np.array(draw(st.permutations(list(range(n)))), dtype=np.int64)
    return np.c_[ex, an, start, end][perm]


@settings(**SETTINGS)
@given(pair_tables(), st.sampled_from([None, 0, 1, 2]), st.sampled_from([None, torch.int64, torch.float32, torch.int32]))
def test_count_matches_tangermeme(table, dim, dtype):
    ex, an = table
    kw = {} if dtype is None else {"dtype": dtype}
    X = torch.tensor(np.c_[ex, an])
    _same(A.count_annotations(X, dim=dim, **kw), T.count_annotations(X, dim=dim, **kw))
    # tuple input (numpy vectors and pandas Series) and an explicit larger shape
    shape = (int(ex.max()) + 3, int(an.max()) + 2)
    _same(
        A.count_annotations((pd.Series(ex), an), shape=shape, dim=dim, **kw),
        T.count_annotations((pd.Series(ex), an.copy()), shape=shape, dim=dim, **kw),
    )


@settings(**SETTINGS)
@given(pair_tables(), st.booleans(), st.booleans(), st.sampled_from([None, torch.int64, torch.int16, torch.float64]))
def test_pairwise_matches_tangermeme(table, unique, symmetric, dtype):
    ex, an = table
    kw = {} if dtype is None else {"dtype": dtype}
    X = torch.tensor(np.c_[ex, an])
    _same(
        A.pairwise_annotations(X, unique=unique, symmetric=symmetric, **kw),
        T.pairwise_annotations(X, unique=unique, symmetric=symmetric, **kw),
    )
    shape = int(an.max()) + 4
    _same(
        A.pairwise_annotations((ex, an), unique=unique, symmetric=symmetric, shape=shape, **kw),
        T.pairwise_annotations((ex.copy(), an.copy()), unique=unique, symmetric=symmetric, shape=shape, **kw),
    )


@settings(**SETTINGS)
@given(spacing_tables(), st.booleans(), st.sampled_from([1, 5, 17, 100]), st.sampled_from([None, torch.int64]))
def test_spacing_matches_tangermeme(X, symmetric, max_distance, dtype):
    kw = {} if dtype is None else {"dtype": dtype}
    Xt = torch.tensor(X)
    _same(
        A.pairwise_annotations_spacing(Xt, max_distance=max_distance, symmetric=symmetric, **kw),
        T.pairwise_annotations_spacing(Xt, max_distance=max_distance, symmetric=symmetric, **kw),
    )
    # DataFrame input (column order example, annotation, start, end) and the tuple quirk
    # (example, start, end, annotation), with a larger shape
    df = pd.DataFrame(X, columns=["example_idx", "motif_idx", "start", "end"])
    shape = int(X[:, 1].max()) + 2
    expected = T.pairwise_annotations_spacing(df, max_distance=max_distance, symmetric=symmetric, shape=shape, **kw)
    _same(A.pairwise_annotations_spacing(df, max_distance=max_distance, symmetric=symmetric, shape=shape, **kw), expected)
    tup = (torch.tensor(X[:, 0]), torch.tensor(X[:, 2]), torch.tensor(X[:, 3]), torch.tensor(X[:, 1]))
    _same(A.pairwise_annotations_spacing(tup, max_distance=max_distance, symmetric=symmetric, shape=shape, **kw), expected)


# ---------------------------------------------------------------------------------------------
# the seed tutorial's 5 seqlets


@pytest.fixture
def tutorial():
    # example, start, end, motif (sorted by start): VENTX, FOS, JUND, ETV6, Jdp2
    return pd.DataFrame(
        {
            "example_idx": [0, 0, 0, 0, 0],
            "motif_idx": [1743, 357, 1295, 1243, 639],
            "start": [927, 957, 993, 1028, 1573],
            "end": [942, 972, 1007, 1044, 1588],
        }
    )


def test_tutorial_counts(tutorial):
    # annotate_seqlets order: Jdp2, ETV6, VENTX, FOS, JUND
    ex = torch.zeros(5, dtype=torch.int64)
    idx = torch.tensor([639, 1243, 1743, 357, 1295])
    y = annostore.count_annotations((ex, idx))
    assert y.dtype == torch.uint8 and tuple(y.shape) == (1, 1744) and int(y.sum()) == 5
    assert torch.nonzero(y[0]).flatten().tolist() == [357, 639, 1243, 1295, 1743]
    y = annostore.count_annotations((ex, idx), shape=(3, 2193))
    assert tuple(y.shape) == (3, 2193) and int(y.sum()) == 5
    assert annostore.count_annotations((ex, idx), dim=1).tolist() == [5]
    assert annostore.count_annotations((ex, idx), dtype=torch.float32).dtype == torch.float32

    y = annostore.pairwise_annotations((ex, idx))
    assert y.dtype == torch.int64 and tuple(y.shape) == (1744, 1744) and int(y.sum()) == 20
    assert int(torch.diagonal(y).sum()) == 0
    y = annostore.pairwise_annotations((ex, idx), symmetric=False)
    assert int(y.sum()) == 10
    y = annostore.pairwise_annotations((ex, idx), symmetric=False, unique=False)
    assert int(y.sum()) == 10 and int(y[639].sum()) == 4 and int(y[357, 1295]) == 1 and int(y[1295, 357]) == 0


def test_tutorial_spacing(tutorial):
    for md in (100, 150):
        y = annostore.pairwise_annotations_spacing(tutorial, max_distance=md)
        assert y.dtype == torch.uint8 and tuple(y.shape) == (1744, 1744, md)
        nz = torch.nonzero(y).tolist()
        assert len(nz) == 12 and int(y.sum()) == 12
        assert sorted({d for _a, _b, d in nz}) == [15, 21, 51, 56, 86]
    y = annostore.pairwise_annotations_spacing(tutorial, symmetric=False)
    got = sorted(tuple(r) for r in torch.nonzero(y).tolist())
    assert got == sorted([(1743, 357, 15), (1743, 1295, 51), (1743, 1243, 86), (357, 1295, 21), (357, 1243, 56), (1295, 1243, 21)])
    _same(y, T.pairwise_annotations_spacing(tutorial, symmetric=False))


# ---------------------------------------------------------------------------------------------
# deliberate differences and errors


def test_overflow_raises_instead_of_wrapping():
    X = torch.zeros(300, 2, dtype=torch.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped = T.count_annotations(X)
    assert int(wrapped[0, 0]) == 44  # tangermeme wraps
    with pytest.raises(OverflowError, match="torch.uint8"):
        annostore.count_annotations(X)
    assert int(annostore.count_annotations(X, dtype=torch.int16)[0, 0]) == 300
    Xs = torch.tensor([[0, 0, 0, 1], [0, 1, 2, 3]] * 1)
    spaced = torch.tensor([[e, 0, 10 * i, 10 * i + 1] for e in range(300) for i in range(2)])
    assert int(T.pairwise_annotations_spacing(spaced)[0, 0, 9]) == 44
    with pytest.raises(OverflowError):
        annostore.pairwise_annotations_spacing(spaced)
    assert int(annostore.pairwise_annotations_spacing(spaced, dtype=torch.int32)[0, 0, 9]) == 300
    assert Xs.shape == (2, 4)
    pw = torch.tensor([[e, a] for e in range(200) for a in (0, 0)])
    with pytest.raises(OverflowError):
        annostore.pairwise_annotations(pw, unique=False, dtype=torch.int8)


@pytest.mark.parametrize(
    "X",
    [
        torch.tensor([[0, 0, 10, 20], [0, 1, 15, 25]]),  # overlap
        torch.tensor([[0, 0, 10, 20], [0, 1, 10, 12]]),  # equal starts
        torch.tensor([[0, 0, 10, 40], [0, 1, 20, 25], [0, 2, 30, 35]]),  # nested
    ],
)
def test_spacing_overlap_raises_like_tangermeme(X):
    with pytest.raises(ValueError):
        T.pairwise_annotations_spacing(X)
    with pytest.raises(ValueError, match="overlap"):
        annostore.pairwise_annotations_spacing(X)


def test_errors_match_tangermeme():
    for fn in (annostore.count_annotations, annostore.pairwise_annotations):
        with pytest.raises(ValueError):
            fn(np.zeros((3, 2), dtype=np.int64))  # plain ndarray is not accepted
        with pytest.raises(ValueError):
            fn(torch.tensor([[0, -1]]))
        with pytest.raises(ValueError):
            fn(torch.zeros((3, 3), dtype=torch.int64))
        with pytest.raises(RuntimeError):
            fn(torch.zeros((0, 2), dtype=torch.int64))
    with pytest.raises(RuntimeError):
        annostore.count_annotations(torch.tensor([[2, 3]]), shape=(2, 2))
    with pytest.raises(RuntimeError):
        annostore.pairwise_annotations(torch.tensor([[0, 3]]), shape=2)
    with pytest.raises(TypeError):
        annostore.pairwise_annotations(torch.tensor([[0.0, 1.0]]))
    with pytest.raises(ValueError):
        annostore.pairwise_annotations_spacing(torch.zeros((0, 4), dtype=torch.int64))
    with pytest.raises(RuntimeError):
        annostore.pairwise_annotations_spacing(torch.tensor([[0, 3, 0, 1]]), shape=2)
    # floats are truncated by count_annotations, as in tangermeme
    X = torch.tensor([[0.0, 1.5], [1.9, 1.2]])
    _same(annostore.count_annotations(X), T.count_annotations(X))


@pytest.mark.parametrize("unique,symmetric", [(True, True), (False, True), (False, False)])
def test_pairwise_in_batches_and_huge_example_ids(monkeypatch, unique, symmetric):
    """The numpy pair counting in small batches (CHUNK_PAIRS) and with example ids too large for
    one int64 key gives tangermeme's matrix (one example of 60 rows: 1,770 pairs)."""
    from annostore.compat import pair_counts

    rng = np.random.default_rng(5)
    ex = np.r_[np.zeros(60, np.int64), rng.integers(1, 8, 40)]
    an = rng.integers(0, 12, 100)
    X = torch.tensor(np.c_[ex, an])
    expected = T.pairwise_annotations(X, unique=unique, symmetric=symmetric)
    monkeypatch.setattr(pair_counts, "CHUNK_PAIRS", 7)
    _same(A.pairwise_annotations(X, unique=unique, symmetric=symmetric), expected)
    mode = "unique" if unique else ("all_symmetric" if symmetric else "all_ordered")
    assert np.array_equal(pair_counts.pair_counts(ex + 2**61, an, 12, mode), pair_counts.pair_counts(ex, an, 12, mode))
