"""numba kernels of FIMO's q-values: the p-values of sampled tests counted on MEME's lambda grid,
the 'sample' mode's own test sample and its per-motif pi0, and the q-values of each motif's hits.
Wrappers are in :mod:`annostore.core.fimo`; the tables they read (4-column partial scores of both
strands, the lambda bucket of every score) are built once per motif set by :func:`_sample_tables`
and kept in the table cache (:func:`annostore.core.fimo_tables.pi0_tables`).
"""

from __future__ import annotations

import numba
import numpy as np

from annostore.core.qvalues import _pi0_first, _qvalues_of_counts, _uniforms32, knuth_state, lambda_bucket

_SAMPLE_RUN = 10  # 'sample' q-values: pi0 sample = 1,000 runs of 10 consecutive tests
_NLAMBDA = 100


@numba.njit(cache=True, nogil=True)
def _quads(mat, w, strand, out):
    """``out[b, c]``: partial score of 4-column block ``b`` of a strand's matrix at 4-mer code ``c``."""
    nq = (w + 3) // 4
    for b in range(nq):
        for c in range(256):
            acc = 0
            for t in range(4):
                j = 4 * b + t
                if j < w:
                    letter = (c >> (2 * (3 - t))) & 3
                    if strand == 0:
                        acc += mat[j, letter]
                    else:
                        acc += mat[w - 1 - j, 3 - letter]
            out[b, c] = acc


@numba.njit(cache=True, nogil=True)
def _score_buckets(pv, out):
    """``out[s]`` = number of MEME lambdas <= ``pv[s]`` (0..100); ``pv`` does not rise with the
    score, so one walk down the scores with a monotone pointer."""
    n = pv.shape[0]
    b = lambda_bucket(pv[n - 1])
    for s in range(n - 1, -1, -1):
        while b < _NLAMBDA and 0.5 * (b + 1) / _NLAMBDA <= pv[s]:
            b += 1
        out[s] = b


@numba.njit(cache=True, nogil=True, parallel=True)
def _sample_tables(mats_flat, moff, widths, pv_flat, pvoff):
    """Per motif: both strands' 4-column partial scores (``q_flat[qoff[k]:qoff[k + 1]]``, shape
    ``(2, ceil(w / 4), 256)``) and the lambda bucket of every score (``bk_flat``, laid out as
    the p-value tables)."""
    nm = widths.shape[0]
    qoff = np.zeros(nm + 1, dtype=np.int64)
    for k in range(nm):
        qoff[k + 1] = qoff[k] + 2 * ((widths[k] + 3) // 4) * 256
    q_flat = np.empty(qoff[nm], dtype=np.int32)
    bk_flat = np.empty(pvoff[nm], dtype=np.uint8)
    for k in numba.prange(nm):
        w = widths[k]
        nq = (w + 3) // 4
        mat = mats_flat[moff[k] * 4 : (moff[k] + w) * 4].reshape((w, 4))
        q = q_flat[qoff[k] : qoff[k + 1]].reshape((2, nq, 256))
        _quads(mat, w, 0, q[0])
        _quads(mat, w, 1, q[1])
        _score_buckets(pv_flat[pvoff[k] : pvoff[k + 1]], bk_flat[pvoff[k] : pvoff[k + 1]])
    return q_flat, qoff, bk_flat


@numba.njit(cache=True, nogil=True)
def _sample_first(items, ns, code4, run_start, run_len, w, q, bucket):
    """p-values of sorted test items (item = window rank * ns + strand, scan order), counted
    against MEME's lambda grid: ``first[j] = #{p < lambda_j}``.  ``code4[i]``: the 4-mer code
    at position i (``words >> 24`` as uint8: a quarter of the memory the random reads touch);
    ``q``, ``bucket``: the motif's tables from :func:`_sample_tables`."""
    nq = q.shape[1]
    ni = items.shape[0]
    # pass 1: window start of every item (walk of the sorted items over the runs)
    pos = np.empty(ni, dtype=np.int64)
    r = 0
    cum = 0
    cnt = max(run_len[0] - w + 1, 0) if run_len.shape[0] else 0
    for i in range(ni):
        it = items[i]
        v = it >> 1 if ns == 2 else it
        while v >= cum + cnt:
            cum += cnt
            r += 1
            cnt = max(run_len[r] - w + 1, 0)
        pos[i] = run_start[r] + (v - cum)
    # pass 2: score (independent loads, so the cache misses overlap) and tally the score's
    # bucket (four interleaved tallies)
    hist = np.zeros(4 * 128, dtype=np.int64)
    for i in range(ni):
        p = pos[i]
        s = 1 if (ns == 2 and (items[i] & 1)) else 0
        sc = 0
        for b in range(nq):
            sc += q[s, b, code4[p + 4 * b]]
        hist[(i & 3) * 128 + np.int64(bucket[sc])] += 1
    first = np.zeros(_NLAMBDA, dtype=np.int64)
    acc = 0
    for j in range(_NLAMBDA):
        acc += hist[j] + hist[128 + j] + hist[256 + j] + hist[384 + j]
        first[j] = acc
    return first


@numba.njit(cache=True, nogil=True)
def _sorted_uniform_items(st, m, size, run):
    """``size`` sorted test items from range(m): ``size // run`` uniformly placed runs of ``run``
    consecutive tests (uniform order statistics by exponential spacings).  Runs keep the
    windows that are scored for pi0 close together in memory."""
    nstart = size // run
    span = m - run + 1
    u = np.empty(nstart + 1)
    _uniforms32(st, u)
    e = np.empty(nstart + 1)
    tot = 0.0
    for i in range(nstart + 1):
        e[i] = -np.log(1.0 - u[i])
        tot += e[i]
    out = np.empty(nstart * run, dtype=np.int64)
    acc = 0.0
    for i in range(nstart):
        acc += e[i]
        k = np.int64(acc / tot * span)
        if k >= span:
            k = span - 1
        for t in range(run):
            out[i * run + t] = k + t
    return out


@numba.njit(cache=True, nogil=True)
def _pi0_one(seed, m, size, ns, code4, run_start, run_len, w, q, bucket):
    """'sample' mode pi0 of one motif: a fresh stream seeded with ``seed`` picks the tests,
    a splitmix64 stream seeded from it drives the bootstrap."""
    if m <= 100:
        return 1.0
    st = knuth_state(seed)
    if m <= size:
        items = np.arange(m).astype(np.int64)
    else:
        items = _sorted_uniform_items(st, m, size, _SAMPLE_RUN)
    first = _sample_first(items, ns, code4, run_start, run_len, w, q, bucket)
    sm = np.empty(1, dtype=np.uint64)
    sm[0] = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
    return _pi0_first(sm, first, items.shape[0], False)


@numba.njit(cache=True, nogil=True, parallel=True)
def _pi0_sampled(seeds, tests, active, ns, size, code4, run_start, run_len, widths, q_flat, qoff, bk_flat, pvoff):
    """pi0 per motif with fresh streams per motif (seeded from 4357 + motif index): 'sample' mode."""
    nm = seeds.shape[0]
    out = np.ones(nm)
    for k in numba.prange(nm):
        if active[k]:
            w = widths[k]
            q = q_flat[qoff[k] : qoff[k + 1]].reshape((2, (w + 3) // 4, 256))
            out[k] = _pi0_one(seeds[k], tests[k], size, ns, code4, run_start, run_len, w, q,
                              bk_flat[pvoff[k] : pvoff[k + 1]])
    return out


@numba.njit(cache=True, nogil=True)
def _qvalues_grouped(pvals, sc, keep, bounds, m_tests, pi0s, qv):
    """q-values of the kept hits of each motif (rows ``bounds[k]:bounds[k + 1]``), into ``qv``.

    A motif's p-value is a function of its integer score, not rising with it, so the hits sorted
    by p are the hits by score, high to low, and hits of one score are a tie group: a count per
    score and :func:`annostore.core.qvalues._qvalues_of_counts` (the q-values of tie groups, as
    for the hits of a distributed scan) replace the sort: the same numbers, in O(hits + score
    range)."""
    for k in range(bounds.shape[0] - 1):
        a = bounds[k]
        b = bounds[k + 1]
        lo = 0
        hi = -1
        for i in range(a, b):
            if keep[i]:
                if hi < lo:
                    lo = sc[i]
                    hi = sc[i]
                elif sc[i] < lo:
                    lo = sc[i]
                elif sc[i] > hi:
                    hi = sc[i]
        if hi < lo:
            continue
        cnt = np.zeros(hi - lo + 1, dtype=np.int64)
        pv = np.empty(hi - lo + 1)
        for i in range(a, b):
            if keep[i]:
                cnt[sc[i] - lo] += 1
                pv[sc[i] - lo] = pvals[i]
        # the scores present, best (smallest p) first, as tie groups
        pd = np.empty(hi - lo + 1)
        cd = np.empty(hi - lo + 1, dtype=np.int64)
        nd = 0
        for s in range(hi - lo, -1, -1):
            if cnt[s] != 0:
                pd[nd] = pv[s]
                cd[nd] = cnt[s]
                nd += 1
        qd = np.empty(nd)
        _qvalues_of_counts(pd[:nd], cd[:nd], m_tests[k], pi0s[k], qd)
        qs = np.empty(hi - lo + 1)
        u = 0
        for s in range(hi - lo, -1, -1):
            if cnt[s] != 0:
                qs[s] = qd[u]
                u += 1
        for i in range(a, b):
            if keep[i]:
                qv[i] = qs[sc[i] - lo]
