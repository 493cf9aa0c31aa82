"""Fast complete-score TOMTOM (core/tomtom_pairs) against the per-query MEME path and MEME's worked example."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from annostore.core.tomtom_pairs import compare_complete, tomtom_all
from annostore.core.motifs import Motif, MotifSet, normalised_background
from annostore.io.motifs import read_motifs
from meme_fixtures import QUERY_MEME, TARGET_MEME



def _reference(qset, tset, dist, min_overlap, norc):
    """The per-query MEME path (full sort, MEME's pmf-of-the-maximum table)."""
    from annostore.core.tomtom import _DISTS, _compare_reference, _prepare_targets, _pseudo, _query_background

    qbg = _query_background(qset)
    tg = _prepare_targets(tset, normalised_background(qbg), 0.1, not norc)
    qmats = [_pseudo(m.pwm, m.nsites, qbg, 0.1) for m in qset]
    ref = _compare_reference(qmats, tg, _DISTS[dist], True, min_overlap)
    new = compare_complete(qmats, tg.cols, tg.starts, tg.widths, _DISTS[dist], min_overlap, tg.n_orient)
    return ref, new


@pytest.mark.parametrize(
    "dist,min_overlap,norc",
    [("ed", 1, False), ("ed", 5, False), ("ed", 1, True), ("pearson", 1, False), ("sandelin", 3, False)],
)
def test_equals_meme_path_on_jaspar(jaspar_path, dist, min_overlap, norc):
    mset = read_motifs(jaspar_path)
    rng = np.random.default_rng(7)
    qset = MotifSet([mset[int(i)] for i in rng.choice(len(mset), 12, replace=False)])
    tset = MotifSet([mset[int(i)] for i in rng.choice(len(mset), 90, replace=False)])
    (p0, off0, ovl0), (p, off, ovl) = _reference(qset, tset, dist, min_overlap, norc)
    np.testing.assert_array_equal(off, off0)
    np.testing.assert_array_equal(ovl, ovl0)
    np.testing.assert_allclose(p, p0, rtol=1e-6, atol=0)
    # the two p evaluations agree to ~1e-15 before the float32 cast: nearly always bit-equal after it
    assert np.mean(p == p0) > 0.999
    assert p.min() < 1e-3 and p.max() > 0.5  # a real spread of values


def test_random_motifs_odd_columns_and_wide_queries():
    rng = np.random.default_rng(11)
    # odd total target width with norc: MEME's two different order statistics in the median
    tset = MotifSet([Motif(f"T{i}", rng.dirichlet(np.ones(4) * 0.4, size=w).T, nsites=float(rng.integers(5, 50)))
                     for i, w in enumerate((3, 6, 9, 4, 7))])
    qset = MotifSet([Motif(f"Q{i}", rng.dirichlet(np.ones(4) * 0.4, size=w).T) for i, w in enumerate((1, 2, 13, 40))])
    for norc in (True, False):
        (p0, off0, ovl0), (p, off, ovl) = _reference(qset, tset, "ed", 1, norc)
        np.testing.assert_array_equal(off, off0)
        np.testing.assert_array_equal(ovl, ovl0)
        np.testing.assert_allclose(p, p0, rtol=1e-6)


def test_worked_example(tmp_path):
    # meme-reference.md §2.7 (MEME 5.5.8 tomtom -text -thresh 1)
    (tmp_path / "q.meme").write_text(QUERY_MEME)
    (tmp_path / "t.meme").write_text(TARGET_MEME)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = tomtom_all(tmp_path / "q.meme", tmp_path / "t.meme")
    assert res.targets == ["TA", "TB", "TC"]
    assert [float(np.float32(x)) for x in res.p[0]] == pytest.approx([0.000144668, 0.755367, 0.549253], rel=1e-6)
    assert res.offset[0].tolist() == [0, -3, 1]
    assert res.overlap[0].tolist() == [4, 1, 3]
    assert res.orientation[0].tolist() == [1, 0, 0]
    assert res.e[0, 0] == pytest.approx(0.000434004, rel=1e-6)


def test_all_vs_all_matches_tomtom_table(jaspar_path):
    from annostore.core.tomtom import tomtom

    mset = read_motifs(jaspar_path)[:60]
    res = tomtom_all(mset)
    assert res.p.shape == (60, 60)
    table = tomtom(mset[:5], mset)
    for row in table.to_pylist():
        i, j = row["query_idx"], row["target_idx"]
        assert res.p[i, j] == row["p_value"]
        assert res.offset[i, j] == row["offset"] and res.overlap[i, j] == row["overlap"]
        assert res.orientation[i, j] == (1 if row["orientation"] == "-" else 0)
    # a motif is (one of) its own best matches
    assert np.all(np.diag(res.p) <= res.p.min(axis=1))


@pytest.mark.peer
def test_agrees_with_memelite(jaspar_path):
    """memelite approximates the same p-values (binned medians/targets): same best hits, p within a few %."""
    from memelite.tomtom import tomtom as peer  # a peer (test extra); CI installs it

    from annostore.core.motifs import pseudocounted

    mset = read_motifs(jaspar_path)[:80]
    bg = np.full(4, 0.25)
    mats = [pseudocounted(m, bg) for m in mset]
    p_peer = np.asarray(peer(mats[:10], mats, n_jobs=1)[0])
    # memelite gets pseudocounted matrices and no further pseudocount; do the same here
    res = tomtom_all(MotifSet([Motif(m.name, x) for m, x in zip(mset[:10], mats[:10])]),
                     MotifSet([Motif(m.name, x) for m, x in zip(mset, mats)]), motif_pseudo=0.0)
    mid = (res.p > 1e-10) & (res.p < 1e-2)
    assert mid.sum() >= 10
    rel = np.abs(p_peer[mid] / res.p[mid] - 1)
    assert np.median(rel) < 0.03 and rel.max() < 0.3  # binned approximations: a few % apart
    tiny = res.p <= 1e-10
    assert np.all(p_peer[tiny] < 1e-8)  # far tails: binning moves them by up to ~1.5 decades
    assert np.all(np.argmin(p_peer, axis=1) == np.argmin(res.p, axis=1))


def test_quantise_ed_float32_path_equals_float64_at_bin_edges():
    """The float32 fast path of the ed integer scaling equals MEME's float64 arithmetic, also for
    squared distances placed within a few ulps of every bin edge (the blocks it must redo)."""
    import math

    from annostore.core.tomtom_rows_kernels import _quantise_ed

    rng = np.random.default_rng(3)
    for nm, o, sc in [(0.93, -2.0, 35.0), (0.41, -1.0, 71.0), (1.2, -2.0, 29.0)]:
        d2 = list(rng.uniform(0.0, 2.0, 3001))
        for k in range(1, 101):  # score s with ((s + nm) - o) * sc + 0.5 == k: s = (k - 0.5) / sc + o - nm
            s = (k - 0.5) / sc + o - nm
            if -math.sqrt(2.0) < s <= 0.0:  # a sweep across the edge, finer than float32 resolves
                d2.extend(np.linspace(s * s * (1 - 3e-7), s * s * (1 + 3e-7), 41))
        d2 = np.asarray(d2)
        exact = np.array([int(((-math.sqrt(v) + nm) - o) * sc + 0.5) for v in d2], dtype=np.uint16)
        got = np.empty(d2.shape[0], dtype=np.uint16)
        _quantise_ed(d2, nm, o, sc, math.sqrt(d2.max()), got)
        np.testing.assert_array_equal(got, exact)
        assert len(np.unique(exact)) > 40  # the edges of many bins were exercised
        # ... and float32 alone would have put some of them in the wrong bin
        v32 = (np.float32(nm - o) - np.sqrt(d2.astype(np.float32))) * np.float32(sc) + np.float32(0.5)
        assert (v32.astype(np.int64) != exact).any()


def test_ed_scaled16_step_is_the_float32_expression_lane_by_lane():
    """The explicit 16-lane step computes, lane by lane, exactly the scalar float32 expression (numpy's
    float32 arithmetic: same roundings, no fused multiply-add), and flags a step iff one of its values
    lies within eps of an integer."""
    import numba

    from annostore.core.simd import ed_scaled16

    @numba.njit
    def run(d2, a32, s32, e32, h32, out, flags):
        for j in range(0, d2.shape[0], 16):
            flags[j // 16] = ed_scaled16(d2, j, a32, s32, e32, h32, out)

    rng = np.random.default_rng(11)
    d2 = rng.uniform(0.0, 2.0, 16 * 400)
    a32, s32 = np.float32(2.7), np.float32(41.3)
    e32 = np.float32(0.02)
    h32 = np.float32(1.0) - e32
    out = np.empty(d2.shape[0], dtype=np.uint16)
    flags = np.empty(400, dtype=np.int64)
    run(d2, a32, s32, e32, h32, out, flags)
    v = (a32 - np.sqrt(d2.astype(np.float32))) * s32 + np.float32(0.5)
    assert v.dtype == np.float32
    k = v.astype(np.int32)
    np.testing.assert_array_equal(out, k.astype(np.uint16))
    fr = v - k.astype(np.float32)
    near = ((fr < e32) | (fr > h32)).reshape(400, 16).any(axis=1)
    np.testing.assert_array_equal(flags, near.astype(np.int64))
    assert 0 < near.sum() < 400  # both kinds of step occurred


def test_conv8_step16_is_the_scalar_sum_in_order():
    """The 16-output convolution step adds its eight products in MEME's order, exactly as the scalar
    expression (numpy float64, left to right, no fused multiply-add), at any alignment."""
    import numba

    from annostore.core.simd import conv8_step16

    @numba.njit
    def run(new, i, ou, k, h):
        conv8_step16(new, i, ou, k, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])

    rng = np.random.default_rng(4)
    order_matters = False
    for i, k in [(0, 0), (3, 11), (17, 5)]:
        new = rng.random(64) * 1e-3
        ou = rng.random(64) ** 8  # values spanning many magnitudes: the order of additions matters
        h = rng.random(8) * np.array([1, 1e-9, 1, 1e-5, 1, 1, 1e-12, 1])
        want = new.copy()
        for t in range(16):
            acc = want[i + t]
            for u in range(8):
                acc = acc + ou[k + u + t] * h[u]
            want[i + t] = acc
        got = new.copy()
        run(got, i, ou, k, h)
        np.testing.assert_array_equal(got, want)
        # another order of the same additions differs somewhere: the test can tell orders apart
        alt = new.copy()
        for t in range(16):
            alt[i + t] = new[i + t] + sum(ou[k + u + t] * h[u] for u in range(7, -1, -1))
        order_matters |= not np.array_equal(alt, want)
    assert order_matters


def test_ed_scaling_is_the_same_on_an_sse2_only_target(tmp_path):
    """The 16-lane steps lower to any x86-64 target with the same integers: _quantise_ed compiled for a
    plain SSE2 target (a fresh process, its own cache) equals the float64 arithmetic at the bin edges."""
    import platform
    import subprocess
    import sys

    assert platform.machine() in ("x86_64", "AMD64"), "this suite runs on x86-64 (CI and the device machine)"
    code = (
        "import math, numpy as np\n"
        "from annostore.core.tomtom_rows_kernels import _quantise_ed\n"
        "rng = np.random.default_rng(3)\n"
        "nm, o, sc = 0.93, -2.0, 35.0\n"
        "d2 = list(rng.uniform(0.0, 2.0, 3001))\n"
        "for k in range(1, 101):\n"
        "    s = (k - 0.5) / sc + o - nm\n"
        "    if -math.sqrt(2.0) < s <= 0.0:\n"
        "        d2.extend(np.linspace(s * s * (1 - 3e-7), s * s * (1 + 3e-7), 41))\n"
        "d2 = np.asarray(d2)\n"
        "exact = np.array([int(((-math.sqrt(v) + nm) - o) * sc + 0.5) for v in d2], dtype=np.uint16)\n"
        "got = np.empty(d2.shape[0], dtype=np.uint16)\n"
        "_quantise_ed(d2, nm, o, sc, math.sqrt(d2.max()), got)\n"
        "assert np.array_equal(got, exact), 'differs'\n"
        "print('SAME', len(d2))\n"
    )
    env = dict(os.environ, NUMBA_CPU_NAME="x86-64", NUMBA_CPU_FEATURES="+64bit,+sse,+sse2,+cx8,+fxsr,+mmx",
               NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("SAME")


def test_best_configurations_32_bit_keys_equal_64_bit():
    """The packed 32-bit best-configuration search of a width group equals the 64-bit one (same
    configurations and keys), ties included (the first configuration of the highest key wins), both
    equal a plain numpy argmax, and min_overlap is honoured."""
    from annostore.core.tomtom_kernels import _config_range
    from annostore.core.tomtom_pairs_kernels import _best_group32, _best_group64

    rng = np.random.default_rng(5)
    for Q, L, n, z, min_overlap in [(7, 3, 5, 9, 1), (7, 20, 9, 9, 1), (12, 4, 17, 4, 5), (12, 30, 3, 4, 5),
                                    (1, 5, 4, 12, 1), (1, 1, 2, 12, 1)]:
        c0, c1 = _config_range(Q, L, min_overlap)
        ncfg = Q + L - 1
        chosen = set()
        for _ in range(20):
            g = (rng.integers(0, 8, ncfg * n) * 13).astype(np.int16)  # coarse values: many ties
            out = []
            for fn in (_best_group32, _best_group64):
                key = np.empty(n, dtype=np.int64)
                cb = np.empty(n, dtype=np.int64)
                fn(g, n, L, Q, z, c0, c1, key, cb)
                out.append((key, cb))
            np.testing.assert_array_equal(out[0][0], out[1][0])
            np.testing.assert_array_equal(out[0][1], out[1][1])
            # the reference: first configuration of the highest key, from plain numpy
            c = np.arange(1, ncfg + 1)
            nc = np.minimum(np.minimum(c, Q + L - c), min(Q, L))
            keys = (g.reshape(ncfg, n).astype(np.int64) + ((Q - nc) * z)[:, None]) * 128 + nc[:, None]
            kb = keys[c0 - 1:c1]
            best = np.argmax(kb, axis=0)
            np.testing.assert_array_equal(out[0][1], c0 + best)
            np.testing.assert_array_equal(out[0][0], kb[best, np.arange(n)])
            chosen.update(out[0][1].tolist())
        assert len(chosen) > 1 and max(chosen) > c0 or c1 == c0  # not vacuous: many configurations won
