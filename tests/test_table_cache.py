"""The in-process table cache (issue 13): same numbers warm, cold and disabled; keyed by content;
bounded in bytes; small inputs on one thread leave the thread setting as it was."""

from __future__ import annotations

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
