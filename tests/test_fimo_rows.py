"""The kernels that turn a FIMO batch's scan output into rows, each against a plain numpy
reference on generated data: the row order and per-hit columns (the sort FIMO's output had
before), the q-values by score count (the sort-based q-values), and the string gather (pyarrow's
``take``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from annostore.core.arrays import arrow_strings, arrow_take
from annostore.core.fimo_pi0_kernels import _qvalues_grouped
from annostore.core.fimo_rows_kernels import _hit_rows
from annostore.core.qvalues import _qvalues_sorted


def _scan_like(rng, nmot, ns, seq_off, n, shuffle):
    """Unique (motif strand, position) hits with scores, in scan order (each strand's hits by
    position, strands interleaved) or shuffled."""
    total = int(seq_off[-1])
    ms = rng.integers(0, nmot * ns, size=n)
    pos = rng.integers(0, total, size=n)
    key = np.unique(ms.astype(np.int64) * total + pos)
    ms, pos = key // total, key % total
    order = rng.permutation(ms.size) if shuffle else np.lexsort((rng.random(ms.size), pos))
    sc = rng.integers(0, 400, size=ms.size)
    return ms[order].astype(np.int64), pos[order].astype(np.int64), sc[order].astype(np.int64)


@pytest.mark.parametrize("ns,shuffle,n", [(2, False, 5000), (2, True, 5000), (1, True, 3000), (2, False, 0)])
def test_hit_rows_equal_the_sorted_reference(ns, shuffle, n):
    rng = np.random.default_rng(n + ns + shuffle)
    nmot = 7
    seq_off = np.concatenate([[0], np.cumsum(rng.integers(1, 400, size=30))]).astype(np.int64)
    ms, pos, sc = _scan_like(rng, nmot, ns, seq_off, n, shuffle)
    pv_off = np.arange(nmot + 1, dtype=np.int64) * 400
    pv_flat = rng.random(nmot * 400)
    scales = rng.uniform(1, 9, size=nmot)
    score_off = rng.normal(size=nmot)
    bounds, row, motif, minus, p, s, pv, score, ex, start = _hit_rows(
        ms, pos, sc, ns, nmot, pv_off, pv_flat, scales, score_off, seq_off)

    # the reference: FIMO's former argsort on (motif, position, strand)
    m_ref, minus_ref = ms // ns, (ms % ns) == 1
    order = np.argsort(m_ref * (2 * int(seq_off[-1]) + 2) + pos * 2 + minus_ref, kind="stable")
    assert ms.size == n or n > 0
    np.testing.assert_array_equal(row, order)
    np.testing.assert_array_equal(motif, m_ref[order])
    np.testing.assert_array_equal(minus, minus_ref[order].astype(np.int8))
    np.testing.assert_array_equal(p, pos[order])
    np.testing.assert_array_equal(s, sc[order])
    np.testing.assert_array_equal(pv, pv_flat[pv_off[m_ref[order]] + sc[order]])
    np.testing.assert_array_equal(score, sc[order] / scales[m_ref[order]] + score_off[m_ref[order]])
    ex_ref = np.searchsorted(seq_off, pos[order], side="right") - 1
    np.testing.assert_array_equal(ex, ex_ref)
    np.testing.assert_array_equal(start, pos[order] - seq_off[ex_ref])
    np.testing.assert_array_equal(bounds, np.searchsorted(m_ref[order], np.arange(nmot + 1)))
    if n:
        assert minus.any() == (ns == 2) and len(np.unique(ex)) > 20


def test_qvalues_by_score_equal_the_sorted_qvalues():
    rng = np.random.default_rng(5)
    nmot = 6
    sizes = [0, 1, 50, 400, 2000, 3]
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(bounds[-1])
    sc = np.concatenate([rng.integers(100, 100 + r, size=k) for k, r in zip(sizes, [5, 1, 3, 40, 300, 2])])
    tables = [np.sort(10 ** rng.uniform(-9, -3, size=500))[::-1] for _ in range(nmot)]
    for t in tables:  # runs of equal p for different scores, as MEME's tables have
        t[150:170] = t[150]
        t[300:340] = t[300]
    mot = np.repeat(np.arange(nmot), sizes)
    pvals = np.array([tables[k][s] for k, s in zip(mot, sc)])
    keep = rng.random(n) > 0.2
    m_tests = rng.integers(10_000, 10**7, size=nmot)
    pi0s = rng.uniform(0.5, 1.0, size=nmot)
    qv = np.full(n, np.nan)
    _qvalues_grouped(pvals, sc.astype(np.int64), keep, bounds, m_tests, pi0s, qv)
    ref = np.full(n, np.nan)
    for k in range(nmot):  # the former kernel: mergesort of the kept p-values, then MEME's q-values
        idx = np.arange(bounds[k], bounds[k + 1])[keep[bounds[k] : bounds[k + 1]]]
        if idx.size:
            o = np.argsort(pvals[idx], kind="mergesort")
            ref[idx[o]] = _qvalues_sorted(pvals[idx][o], m_tests[k], pi0s[k])
    np.testing.assert_array_equal(qv, ref)
    assert np.isnan(qv[~keep]).all() and (qv[keep] < 1).any() and len(np.unique(qv[keep])) > 50


def test_arrow_take_equals_pyarrow_take():
    rng = np.random.default_rng(2)
    names = arrow_strings(["chr1", "", "ünï", "x" * 300, "MA0139.2"])
    idx = rng.integers(0, len(names), size=10_000)
    got = arrow_take(names, idx)
    assert got.equals(names.take(pa.array(idx))) and got.type == pa.string()
    assert arrow_take(names.slice(1, 3), np.array([2, 0, 1])).to_pylist() == ["x" * 300, "", "ünï"]
    assert len(arrow_take(names, np.zeros(0, dtype=np.int64))) == 0
    with_null = arrow_strings(["a", None, "c"])  # nulls: pyarrow's take
    assert arrow_take(with_null, np.array([1, 2, 1])).to_pylist() == [None, "c", None]
