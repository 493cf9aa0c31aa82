"""The in-process table cache (issue 13): same numbers warm, cold and disabled; keyed by content;
bounded in bytes; small inputs on one thread leave the thread setting as it was."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import pytest

import annostore
from annostore.core import table_cache
from annostore.core.fimo_tables import _prepare_tables, prepare_background
from annostore.core.motifs import Motif, MotifSet
from annostore.core.parallel import small_work, threads
from annostore.io.motifs import read_motifs

JASPAR = Path(__file__).resolve().parents[1] / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"


@pytest.fixture(scope="module")
def motifs():
    return read_motifs(JASPAR)[:60]


def _onehot(n, length, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 4, length), dtype=np.int8)
    np.put_along_axis(x, rng.integers(0, 4, size=(n, 1, length)), 1, axis=1)
    x[:, :, rng.random(length) < 0.003] = 0  # a few N
    return x


def _same(a, b):
    assert a.column_names == b.column_names
    for name in a.column_names:
        assert a.column(name).to_pylist() == b.column(name).to_pylist(), name


def _uncached(fn):
    old = table_cache.CACHE.max_bytes
    table_cache.CACHE.max_bytes = 0
    try:
        return fn()
    finally:
        table_cache.CACHE.max_bytes = old


@pytest.mark.parametrize("kw", [{}, {"norc": True, "bfile": "uniform", "threshold": 3e-4}, {"qvalue_method": "sample"}])
def test_fimo_same_numbers_warm_cold_uncached(motifs, kw):
    x = _onehot(6, 1500, 1)
    table_cache.clear()
    cold = annostore.fimo(motifs, x, **kw)
    assert len(table_cache.CACHE) >= 2  # p-value tables + scan plan
    warm = annostore.fimo(motifs, x, **kw)
    assert table_cache.CACHE.hits >= 2
    off = _uncached(lambda: annostore.fimo(motifs, x, **kw))
    assert cold.num_rows > 50
    _same(cold, warm)
    _same(cold, off)


def test_cache_key_follows_content(motifs):
    bg = prepare_background("nrdb")
    a = _prepare_tables(list(motifs[:3]), bg, 0.1, 1e-4)
    b = _prepare_tables(list(motifs[:3]), bg, 0.1, 1e-4)
    assert a.key == b.key and a.pv_flat is b.pv_flat  # served from the cache
    m0 = motifs[0]
    pwm = m0.pwm.copy()
    pwm[:, 0] = [0.7, 0.1, 0.1, 0.1]
    changed = [Motif(m0.name, pwm, m0.alt_name, m0.nsites), *list(motifs[1:3])]
    c = _prepare_tables(changed, bg, 0.1, 1e-4)
    assert c.key != a.key
    assert not np.array_equal(c.matrices[0], a.matrices[0])
    assert _prepare_tables(list(motifs[:3]), bg, 0.2, 1e-4).key != a.key  # pseudocount
    assert _prepare_tables(list(motifs[:3]), prepare_background("uniform"), 0.1, 1e-4).key != a.key
    d = _prepare_tables(list(motifs[:3]), bg, 0.1, 1e-3)  # threshold: same tables, other cutoffs
    assert d.key == a.key and np.all(d.cutoffs <= a.cutoffs) and np.any(d.cutoffs < a.cutoffs)
    nsites = Motif(m0.name, m0.pwm, m0.alt_name, (m0.nsites or 20) + 5)
    assert _prepare_tables([nsites, *list(motifs[1:3])], bg, 0.1, 1e-4).key != a.key


def test_annotate_same_warm_cold_uncached(motifs):
    x = _onehot(30, 60, 2)
    rng = np.random.default_rng(3)
    width = rng.integers(8, 22, size=30)
    start = rng.integers(0, 60 - width + 1)
    seqlets = pd.DataFrame({"example_idx": np.arange(30), "start": start, "end": start + width})
    table_cache.clear()
    i0, p0 = annostore.annotate_seqlets(x, seqlets, motifs, n_nearest=3)
    i1, p1 = annostore.annotate_seqlets(x, seqlets, motifs, n_nearest=3)
    assert table_cache.CACHE.hits >= 2  # targets + type rows
    i2, p2 = _uncached(lambda: annostore.annotate_seqlets(x, seqlets, motifs, n_nearest=3))
    for i, p in ((i1, p1), (i2, p2)):
        assert np.array_equal(i0.numpy(), i.numpy()) and np.array_equal(p0.numpy(), p.numpy())
    # a renamed target set is another key (MEME breaks ties by target id)
    renamed = MotifSet([Motif("z" + m.name, m.pwm, m.alt_name, m.nsites) for m in motifs])
    annostore.annotate_seqlets(x, seqlets, renamed, n_nearest=3)
    assert table_cache.CACHE.misses >= 4


def test_lru_bounded_in_bytes():
    c = table_cache.TableCache(max_bytes=3 * 8000)
    for k in range(5):
        c.get(k, lambda: np.zeros(1000))  # 8,000 bytes each
    assert len(c) == 3 and c.nbytes == 24000
    assert c.get(4, lambda: None) is not None and c.hits == 1
    assert c.get(0, lambda: "rebuilt") == "rebuilt"  # evicted first
    big = c.get("big", lambda: np.zeros(10_000))  # larger than the bound: returned, not kept
    assert big.shape == (10_000,) and "big" not in c._data
    off = table_cache.TableCache(max_bytes=0)
    assert off.get(1, lambda: 5) == 5 and len(off) == 0


def test_digest_distinguishes_parts():
    d = table_cache.digest
    assert d(np.zeros(2), 1.0) != d(np.zeros(3), 1.0)
    assert d(np.zeros(2, np.float64)) != d(np.zeros(2, np.float32))
    assert d("ab", "c") != d("a", "bc")
    assert d(None) != d("None")


def test_small_work_restores_threads():
    before = numba.get_num_threads()
    with small_work(10):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with small_work(1e12):
        assert numba.get_num_threads() == before
    with pytest.raises(RuntimeError):
        with threads(1):
            raise RuntimeError("boom")
    assert numba.get_num_threads() == before


def _seqlet_windows(n, seed):
    x = _onehot(n, 50, seed)
    rng = np.random.default_rng(seed + 100)
    width = rng.integers(6, 24, size=n)
    start = rng.integers(0, 50 - width + 1)
    return x, np.stack([np.arange(n), start, start + width], axis=1)


def _pools():
    from annostore.core.annotate_nulls import NullPool

    return [v for v in table_cache.CACHE._data.values() if isinstance(v, NullPool)]


def test_annotate_null_pool_across_calls():
    """Null distributions kept across calls: a cached call returns exactly a cold (uncached) call's
    matches, also after another target set, new seqlets, a full pool and a call too big to keep."""
    from annostore.core.annotate import _match_seqlets

    allm = read_motifs(JASPAR)
    one, other = allm[:60], allm[60:130]
    (xa, sa), (xb, sb) = _seqlet_windows(25, 5), _seqlet_windows(25, 6)

    def run(x, s, m):
        r, _ = _match_seqlets(x, s, m, 3)
        return (r.idx, r.p, r.offset, r.overlap, r.orient)

    def same(a, b):
        for u, v in zip(a, b):
            assert np.array_equal(u, v)

    ref_a, ref_b, ref_o = (_uncached(partial(run, x, s, m)) for x, s, m in ((xa, sa, one), (xb, sb, one), (xa, sa, other)))
    assert not np.array_equal(ref_a[1], ref_o[1])  # another target set gives other p-values
    table_cache.clear()
    same(run(xa, sa, one), ref_a)  # cold: builds the pool
    (pool,) = _pools()
    n_a = pool.n
    same(run(xa, sa, one), ref_a)  # warm: nothing built
    assert pool.n == n_a and table_cache.CACHE.hits >= 3
    same(run(xa, sa, other), ref_o)  # another target set: its own pool
    assert len(_pools()) == 2
    same(run(xb, sb, one), ref_b)  # new seqlets: only their missing compositions added
    assert pool.n > n_a and any(p is pool for p in _pools())
    same(run(xa, sa, one), ref_a)
    old = table_cache.CACHE.max_bytes
    try:  # room for one call's distributions, not two: the pool starts over
        table_cache.CACHE.max_bytes = 18 * (int(pool.off[pool.n]) - 1)  # pool values: 1/18 of the bound
        table_cache.clear()
        same(run(xa, sa, one), ref_a)
        (first,) = _pools()
        same(run(xb, sb, one), ref_b)
        (second,) = _pools()
        assert second is not first and second.n < first.n + pool.n
        table_cache.CACHE.max_bytes = 1 << 20  # too small for any call: a pool of its own each time
        table_cache.clear()
        same(run(xb, sb, one), ref_b)
        assert all(p.n == 0 for p in _pools())  # nothing kept
    finally:
        table_cache.CACHE.max_bytes = old
        table_cache.clear()
