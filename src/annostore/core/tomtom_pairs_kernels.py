"""numba kernels of the fast complete-score TOMTOM comparison (see :mod:`annostore.core.tomtom_pairs`).

One query motif against every target entry (targets and their reverse complements), with
exactly MEME ``tomtom``'s complete-score arithmetic (meme-reference.md §2.3-2.5):

1. column scores of every query column against all ``t`` target columns, four rows per pass
   (structure-of-arrays target columns, so LLVM vectorises the ``ed`` distance; for ``ed`` the
   squared distances, whose root is taken in step 3); the row kernels of steps 1-3 are in
   :mod:`annostore.core.tomtom_rows_kernels`;
2. per row, its extremes (64 lanes) and MEME's off-by-one median by selection (``O(t)``): a
   fixed monotone bucket map of the scores, bucket counts, and an exact selection among the
   one or two buckets holding both order statistics;
3. the range-100 integer scaling (for ``ed`` in float32 first, 64-element blocks with a value
   near a bin edge redone in float64) and the per-row histograms (four partial counts);
4. the span null distributions by MEME's own dynamic programme, in MEME's order of
   additions (eight histogram bins per pass, sixteen outputs per vector step), keeping only
   each span's survival function;
5. the best alignment of every target entry from diagonal sums: the target columns are laid out
   once in width groups (column j of the k-th entry of width L at ``base + j n + k``), so that each
   query row adds into a group's ``(Q + L - 1, n)`` sums as one contiguous vector addition, and the
   best configuration of all the group's entries is a running maximum over configurations, one
   vectorised pass each; configurations ordered by (complete score, overlap) as one integer key;
6. the p-value of the best score of an entry as ``1 - prod_c (1 - S_c)^orient`` over all
   ``Q + L - 1`` alignments (MEME's pmf-of-the-maximum table, evaluated at the one point
   needed; equal to it up to rounding, ~1e-15 relative, before the float32 cast), entries of
   one target width walked together.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from annostore.core import tomtom_rows_kernels as RK
from annostore.core.simd import conv8_step16
from annostore.core.tomtom_kernels import _NJ, BINS, _config_range, _config_span, _median_ranks, _scale_params  # shared MEME arithmetic


_PAD = 128  # zero padding of the DP's scaled distribution (more than a histogram row's width)


@numba.njit(**_NJ)
def _span_survival(hist, hlo, hhi, T, spos, soff, sv):
    """Survival functions of every span's null score (MEME's DP, in MEME's order of additions).

    For a start column a, span [a, b]'s distribution is span [a, b - 1]'s (``ou``, times 1/T)
    convolved with row b's histogram: MEME adds, into every ``new[y]``, ``ou[k] * h[y - k]`` for
    k ascending.  Here x = y - k runs downwards in groups of eight, and every ``new[y]`` takes the
    group's eight terms in that order in one vectorised pass over y (one load and store of
    ``new[y]`` per eight terms): the very same additions in the very same order.  Terms outside
    the supports are ``+0.0`` (``ou`` is zero-padded, missing histogram bins are zero): adding
    ``+0.0`` to a non-negative sum changes nothing.
    """
    Q = hist.shape[0]
    size = Q * BINS + 1
    new = np.zeros(size + 2 * _PAD)
    ou = np.zeros(size + 2 * _PAD)  # ou[k + _PAD] = old[k] / T, zero outside the support
    u = 1.0 / T
    top = np.empty(Q * (Q + 1) // 2, dtype=np.int64)  # each span's highest score with mass
    for a in range(Q - 1, -1, -1):
        slo = 0
        shi = 0
        ou[_PAD] = u  # the empty span: all mass at 0
        for b in range(a, Q):
            h = hist[b]
            x0 = hlo[b]
            x1 = hhi[b]
            nlo = slo + x0
            nhi = shi + x1
            new[nlo:nhi + 1] = 0.0
            for x in range(x1, x0 - 1, -8):
                h0 = h[x]
                h1 = h[x - 1] if x - 1 >= x0 else 0.0
                h2 = h[x - 2] if x - 2 >= x0 else 0.0
                h3 = h[x - 3] if x - 3 >= x0 else 0.0
                h4 = h[x - 4] if x - 4 >= x0 else 0.0
                h5 = h[x - 5] if x - 5 >= x0 else 0.0
                h6 = h[x - 6] if x - 6 >= x0 else 0.0
                h7 = h[x - 7] if x - 7 >= x0 else 0.0
                ya = max(slo + x - 7, nlo)
                m = shi + x + 1 - ya
                kb = ya - x + _PAD
                m16 = m - m % 16
                for t0 in range(0, m16, 16):  # sixteen outputs per step (annostore.core.simd.conv8_step16)
                    conv8_step16(new, ya + t0, ou, kb + t0, h0, h1, h2, h3, h4, h5, h6, h7)
                for t in range(m16, m):
                    v = kb + t
                    new[ya + t] = (((((((new[ya + t] + ou[v] * h0) + ou[v + 1] * h1) + ou[v + 2] * h2) + ou[v + 3] * h3)
                                     + ou[v + 4] * h4) + ou[v + 5] * h5) + ou[v + 6] * h6) + ou[v + 7] * h7
            ou[slo + _PAD:shi + 1 + _PAD] = 0.0
            for k in range(nlo, nhi + 1):
                ou[k + _PAD] = new[k] * u
            slo = nlo
            shi = nhi
            ln = (b - a + 1) * BINS + 1
            dst = soff[spos[a, b]]
            # the span's density for now (zero outside its support, and the zero after the span);
            # _survival_in_place turns it into the survival function
            sv[dst:dst + slo] = 0.0
            sv[dst + slo:dst + shi + 1] = new[slo:shi + 1]
            sv[dst + shi + 1:dst + ln + 1] = 0.0
            top[spos[a, b]] = shi
        ou[slo + _PAD:shi + 1 + _PAD] = 0.0
    _survival_in_place(Q, spos, soff, top, sv)


@numba.njit(**_NJ)
def _survival_in_place(Q, spos, soff, top, sv):
    """Each span's density in ``sv`` (support at most ``top``) into its survival function, MEME's
    running sum ``acc = min(1, p[j] + acc)`` from the top down.  The sums of four spans of one length
    run interleaved (four independent chains); every span gets the same additions in the same order
    (above its support and below it the terms are +0.0: ``acc`` is unchanged).
    """
    for n in range(1, Q + 1):
        a = 0
        while a + 4 <= Q - n + 1:
            d0 = soff[spos[a, a + n - 1]]
            d1 = soff[spos[a + 1, a + n]]
            d2 = soff[spos[a + 2, a + n + 1]]
            d3 = soff[spos[a + 3, a + n + 2]]
            jt = max(max(top[spos[a, a + n - 1]], top[spos[a + 1, a + n]]),
                     max(top[spos[a + 2, a + n + 1]], top[spos[a + 3, a + n + 2]]))
            c0 = 0.0
            c1 = 0.0
            c2 = 0.0
            c3 = 0.0
            for j in range(jt, -1, -1):
                c0 = min(1.0, sv[d0 + j] + c0)
                c1 = min(1.0, sv[d1 + j] + c1)
                c2 = min(1.0, sv[d2 + j] + c2)
                c3 = min(1.0, sv[d3 + j] + c3)
                sv[d0 + j] = c0
                sv[d1 + j] = c1
                sv[d2 + j] = c2
                sv[d3 + j] = c3
            a += 4
        while a <= Q - n:
            d0 = soff[spos[a, a + n - 1]]
            c0 = 0.0
            for j in range(top[spos[a, a + n - 1]], -1, -1):
                c0 = min(1.0, sv[d0 + j] + c0)
                sv[d0 + j] = c0
            a += 1


@numba.njit(**_NJ)
def _one_query(q, tsoa, gbase, order, wstart, uwid, dist, min_overlap, n_orient, p_out, off_out, ovl_out):
    """MEME complete-score TOMTOM of one query (``q``: (Q, 4) pseudocounted columns) against the target
    columns ``tsoa`` in the width-group layout of :func:`_group_layout`."""
    Q = q.shape[0]
    T = tsoa.shape[1]
    E = order.shape[0]
    nuw = uwid.shape[0]
    # 1. score rows, their extremes and MEME's off-by-one medians
    s = np.empty((Q, T))
    buf = np.empty(T)
    cnt = np.zeros(RK.NBUCKET, dtype=np.int32)
    zb = np.empty(T, dtype=np.uint32)  # unsigned indices: no wrap-around checks in the scatters
    bits = np.empty(2, dtype=np.int64)
    signed = dist != 0  # ed's squared distances are >= +0
    negmed = np.empty(Q)
    rmin = np.empty(Q)
    k1, k2 = _median_ranks(T)
    blo = RK.BLO[dist]
    bsc = (RK.NBUCKET - 1) / (RK.BHI[dist] - blo)
    lo = 1e300
    hi = -1e300
    q4 = Q - Q % 4 if dist != 1 else 0  # four rows per pass over the target columns (ed, sandelin)
    for i0 in range(0, q4, 4):
        RK._score_rows4(q, i0, tsoa, dist, s)
    for i in range(q4, Q):
        RK._score_row(q[i, 0], q[i, 1], q[i, 2], q[i, 3], tsoa, dist, s[i])
    for i in range(Q):
        row = s[i]
        if dist == 0:  # d2's order statistics, reversed
            dlo, dhi, w1, w2 = RK._row_stats(row, T - 1 - k2, T - 1 - k1, blo, bsc, buf, cnt, zb, signed, bits)
            rlo = -math.sqrt(dhi)
            rhi = -math.sqrt(dlo)
            med = (-math.sqrt(w2) + -math.sqrt(w1)) / 2.0
        else:
            rlo, rhi, v1, v2 = RK._row_stats(row, k1, k2, blo, bsc, buf, cnt, zb, signed, bits)
            med = (v1 + v2) / 2.0
        nm = -med
        rmin[i] = rlo
        negmed[i] = nm
        # rounding is monotone: the extremes of the shifted row are the shifted extremes
        lo = min(lo, rlo + nm)
        hi = max(hi, rhi + nm)
    o, sc = _scale_params(lo, hi)
    z = int(np.rint(-o * sc))
    # 2. integer rows (MEME's range-100 scaling), their histograms (four partial counts) and the
    # diagonal sums.  The target columns are in width groups (see _group_layout): group w holds the
    # n entries of width L, column j of its k-th entry at gbase[w] + j n + k.  Configuration c
    # (1 <= c <= Q + L - 1) aligns query column i with target column j = i + c - Q, so the sums of
    # group w are a (Q + L - 1, n) matrix at dbase[w] whose row c - 1 gets, from query row i, the
    # target columns j = c - 1 - (Q - 1 - i): the whole group, L n contiguous values, added at row
    # Q - 1 - i.  key = (dsum + (Q - n_c) z) * 128 + n_c orders configurations by complete score, then
    # overlap n_c.
    dbase = np.zeros(nuw + 1, dtype=np.int64)
    for w in range(nuw):
        dbase[w + 1] = dbase[w] + (Q + uwid[w] - 1) * (wstart[w + 1] - wstart[w])
    dsum = np.zeros(dbase[nuw], dtype=np.int16)
    qrow = np.empty(T, dtype=np.uint16)
    hist = np.zeros((Q, BINS + 1))
    hlo = np.empty(Q, dtype=np.int64)
    hhi = np.empty(Q, dtype=np.int64)
    hc = np.zeros(4 * 128, dtype=np.int32)
    T4 = T - T % 4
    for i in range(Q):
        row = s[i]
        nm = negmed[i]
        if dist == 0:
            RK._quantise_ed(row, nm, o, sc, -rmin[i], qrow)
        else:
            for j in range(T):  # MEME's nint of a value >= 0.5: truncation is the floor
                qrow[j] = np.uint16(np.int32(((row[j] + nm) - o) * sc + 0.5))
        hc[:] = 0
        for j in range(0, T4, 4):
            v0 = qrow[j]
            v1 = qrow[j + 1]
            v2 = qrow[j + 2]
            v3 = qrow[j + 3]
            hc[v0] += 1
            hc[128 + v1] += 1
            hc[256 + v2] += 1
            hc[384 + v3] += 1
        for j in range(T4, T):
            hc[qrow[j]] += 1
        h = hist[i]
        for x in range(BINS + 1):
            h[x] = hc[x] + hc[128 + x] + hc[256 + x] + hc[384 + x]
        k = 0
        while h[k] == 0.0:
            k += 1
        hlo[i] = k
        k = BINS
        while h[k] == 0.0:
            k -= 1
        hhi[i] = k
        for w in range(nuw):
            n = wstart[w + 1] - wstart[w]
            ln = uwid[w] * n
            d = dsum[dbase[w] + (Q - 1 - i) * n:dbase[w] + (Q - 1 - i) * n + ln]
            src = qrow[gbase[w]:gbase[w] + ln]
            for x in range(ln):
                d[x] += np.int16(src[x])
    # 3. best configuration of every entry (the first of the highest key), entries in width order
    escore = np.empty(E, dtype=np.int64)
    bc = np.empty(E, dtype=np.int64)
    # keys below 2^22 (dsum + (Q - n) z < Q (BINS + z) < 2^15: always, for queries up to 100 columns): 32 bits
    k32 = Q * (BINS + z) < 32768
    for w in range(nuw):
        L = uwid[w]
        m0 = wstart[w]
        n = wstart[w + 1] - m0
        c0, c1 = _config_range(Q, L, min_overlap)
        g = dsum[dbase[w]:dbase[w + 1]]
        if k32 and c1 - c0 < 1024:
            _best_group32(g, n, L, Q, z, c0, c1, escore[m0:m0 + n], bc[m0:m0 + n])
        else:
            _best_group64(g, n, L, Q, z, c0, c1, escore[m0:m0 + n], bc[m0:m0 + n])
    for t in range(E):
        e = order[t]
        off_out[e] = bc[t] - Q
        ovl_out[e] = escore[t] & 127
        escore[t] >>= 7
    # 4. span null distributions (MEME's DP), survival functions only; each followed by a zero
    spos = np.full((Q, Q), -1, dtype=np.int64)
    soff = np.empty(Q * (Q + 1) // 2 + 1, dtype=np.int64)
    tot = 0
    ns = 0
    for a in range(Q - 1, -1, -1):
        for b in range(a, Q):
            spos[a, b] = ns
            soff[ns] = tot
            tot += (b - a + 1) * BINS + 2
            ns += 1
    soff[ns] = tot
    sv = np.empty(tot)
    _span_survival(hist, hlo, hhi, T, spos, soff, sv)
    # 5. p-values, entries of one width together
    _p_values(order, wstart, escore, uwid, Q, spos, soff, sv, z, n_orient, p_out)


@numba.njit(**_NJ)
def _best_group32(g, n, L, Q, z, c0, c1, key, cbest):
    """Best configuration of the ``n`` entries of one width group (sums ``g``: (Q + L - 1, n), see
    _one_query): the first of the highest key, configurations ``c0..c1`` (fewer than 1024).

    Keys below 2^22 packed with ``1023 - (c - c0)`` fill 32 bits: one max per configuration, all the
    group's entries in one vectorised pass.  Into ``key`` (the unpacked key) and ``cbest`` (c).
    """
    acc = np.empty(n, dtype=np.uint32)
    for c in range(c0, c1 + 1):
        nc = _config_span(Q, L, c)[2]  # the overlap
        add = np.uint32(((Q - nc) * z) * 128 + nc)
        tag = np.uint32(1023 - (c - c0))
        row = g[(c - 1) * n:c * n]
        if c == c0:
            for k in range(n):
                acc[k] = (((np.uint32(row[k]) << np.uint32(7)) + add) << np.uint32(10)) | tag
        else:
            for k in range(n):
                acc[k] = max(acc[k], (((np.uint32(row[k]) << np.uint32(7)) + add) << np.uint32(10)) | tag)
    for k in range(n):
        key[k] = np.int64(acc[k] >> np.uint32(10))
        cbest[k] = c0 + 1023 - np.int64(acc[k] & np.uint32(1023))


@numba.njit(**_NJ)
def _best_group64(g, n, L, Q, z, c0, c1, key, cbest):
    """:func:`_best_group32` for any key size and number of configurations (64-bit keys, the first
    configuration kept on ties by a strict compare)."""
    for c in range(c0, c1 + 1):
        nc = _config_span(Q, L, c)[2]  # the overlap
        add = ((Q - nc) * z) * 128 + nc
        row = g[(c - 1) * n:c * n]
        if c == c0:
            for k in range(n):
                key[k] = np.int64(row[k]) * 128 + add
                cbest[k] = c
        else:
            for k in range(n):
                v = np.int64(row[k]) * 128 + add
                gt = v > key[k]
                key[k] = v if gt else key[k]
                cbest[k] = c if gt else cbest[k]


@numba.njit(**_NJ)
def _p_values(order, wstart, score, uwid, Q, spos, soff, sv, z, n_orient, pd):
    """P(best of all Q+L-1 alignments x orientations of a random width-L target >= k), float32-rounded,
    into ``pd[order[t]]``, for every entry t (in width order: ``wstart`` bounds the entries of width
    ``uwid[w]``; ``score[t]`` its best score k).

    1 - prod_c (1 - S_c)^orient is accumulated as P += S' (1 - P) with S' = 1 - (1 - S)^orient (S or
    S (2 - S)): positive terms only, no cancellation.  The entries of one width share the configuration
    table and are walked together (independent chains, vectorised), configuration by configuration
    (equal entries get equal values: the same operations in the same order).  A score above a span's
    range reads the zero that follows its survival function: ``P += 0`` changes nothing.
    """
    E = order.shape[0]
    acc = np.zeros(E)
    one = np.zeros(E, dtype=np.uint8)
    racc = np.empty(E)
    rone = np.empty(E, dtype=np.uint8)
    for w in range(uwid.shape[0]):
        m0 = wstart[w]
        m1 = wstart[w + 1]
        if m1 == m0:
            continue
        L = uwid[w]
        sc = score[m0:m1]
        kmin = sc.min()
        nk = sc.max() - kmin + 1
        if nk <= m1 - m0:
            # fewer distinct scores possible than entries: every score of the range, each configuration's
            # survival values read contiguously; then each entry takes its score's value (the same
            # operations in the same order as walking the entries)
            ac = racc[:nk]
            on = rone[:nk]
            ac[:] = 0.0
            on[:] = 0
            _p_walk_range(kmin, nk, Q, L, spos, soff, sv, z, n_orient, ac, on)
            for t in range(m1 - m0):
                acc[m0 + t] = ac[sc[t] - kmin]
                one[m0 + t] = on[sc[t] - kmin]
            continue
        ac = acc[m0:m1]
        on = one[m0:m1]
        for c in range(1, Q + L):
            cs, sh, lim = _config_survival(Q, L, c, spos, soff, sv, z)
            if n_orient != 1:
                for t in range(m1 - m0):
                    sj = cs[min(max(sc[t] - sh, 0), lim)]
                    on[t] |= np.uint8(sj >= 1.0)
                    ac[t] += (sj * (2.0 - sj)) * (1.0 - ac[t])
            else:
                for t in range(m1 - m0):
                    sj = cs[min(max(sc[t] - sh, 0), lim)]
                    on[t] |= np.uint8(sj >= 1.0)
                    ac[t] += sj * (1.0 - ac[t])
    for t in range(E):
        pd[order[t]] = 1.0 if one[t] else np.float64(np.float32(acc[t]))


@numba.njit(**_NJ)
def _config_survival(Q, L, c, spos, soff, sv, z):
    """Configuration c's survival function (of its span's null score, followed by a zero), the shift
    ``(Q - n) z`` of a complete score to the span's score, and the index of that zero."""
    a, b, n = _config_span(Q, L, c)
    return sv[soff[spos[a, b]]:soff[spos[a, b]] + n * BINS + 2], (Q - n) * z, n * BINS + 1


@numba.njit(**_NJ)
def _p_walk_range(kmin, nk, Q, L, spos, soff, sv, z, n_orient, ac, on):
    """:func:`_p_values`' walk for the scores ``kmin .. kmin + nk - 1`` of a width-``L`` target: the
    survival value of configuration c at score k is ``cs[clamp(k - sh, 0, lim)]``, so the scores split
    into three runs: below the span's range (its first value), within it (contiguous values) and above
    it (the zero after it)."""
    for c in range(1, Q + L):
        cs, sh, lim = _config_survival(Q, L, c, spos, soff, sv, z)
        # k - sh < 0 for k < sh; k - sh > lim for k > sh + lim
        k0 = min(max(sh - kmin, 0), nk)  # first k (offset from kmin) with k - sh >= 0
        k1 = min(max(sh + lim + 1 - kmin, k0), nk)  # first with k - sh > lim
        _p_add_const(ac[:k0], on[:k0], cs[0], n_orient)
        _p_add_run(ac[k0:k1], on[k0:k1], cs[kmin + k0 - sh:kmin + k1 - sh], n_orient)
        _p_add_const(ac[k1:], on[k1:], cs[lim], n_orient)


@numba.njit(**_NJ)
def _p_add_const(ac, on, sj, n_orient):
    """``P += S' (1 - P)`` (see _p_values) with one survival value ``sj`` for every element."""
    flag = np.uint8(sj >= 1.0)
    term = sj * (2.0 - sj) if n_orient != 1 else sj
    for t in range(ac.shape[0]):
        on[t] |= flag
        ac[t] += term * (1.0 - ac[t])


@numba.njit(**_NJ)
def _p_add_run(ac, on, vals, n_orient):
    """``P += S' (1 - P)`` (see _p_values) with survival value ``vals[t]`` for element t."""
    if n_orient != 1:
        for t in range(ac.shape[0]):
            sj = vals[t]
            on[t] |= np.uint8(sj >= 1.0)
            ac[t] += (sj * (2.0 - sj)) * (1.0 - ac[t])
    else:
        for t in range(ac.shape[0]):
            sj = vals[t]
            on[t] |= np.uint8(sj >= 1.0)
            ac[t] += sj * (1.0 - ac[t])


@numba.njit(**_NJ)
def _group_layout(tsoa, tstarts, order, wstart, uwid, tg, gbase):
    """The target columns in width groups: group w (the entries ``order[wstart[w]:wstart[w + 1]]``, all
    of width ``uwid[w]``) from ``gbase[w]``, column j of its k-th entry at ``gbase[w] + j n + k``
    (n entries).  The per-row passes take the columns in any order; this one makes each group's
    diagonal sums a few contiguous vector additions (see _one_query)."""
    nuw = uwid.shape[0]
    gbase[0] = 0
    for w in range(nuw):
        n = wstart[w + 1] - wstart[w]
        L = uwid[w]
        b = gbase[w]
        for k in range(n):
            ts = tstarts[order[wstart[w] + k]]
            for j in range(L):
                for a in range(4):
                    tg[a, b + j * n + k] = tsoa[a, ts + j]
        gbase[w + 1] = b + L * n


@numba.njit(parallel=True, **_NJ)
def compare_all(qcols, qstarts, tsoa, tstarts, twidths, wslot, uwid, dist, min_overlap, n_orient, p, off, ovl,
                st_rank, best_p, best_off, best_ovl, best_or):
    """Every query (rows ``qstarts[i]:qstarts[i+1]`` of ``qcols``) against every target entry.

    Into ``p``, ``off`` and ``ovl`` (one row per query, one column per entry), or, when ``best_p`` has
    rows, only each target's better orientation (see :func:`_best_row`) into the ``best_*`` arrays.
    """
    nq = qstarts.shape[0] - 1
    T = tsoa.shape[1]
    E = twidths.shape[0]
    # the entries ordered by width (stable), and where each width's entries start
    nuw = uwid.shape[0]
    wstart = np.zeros(nuw + 1, dtype=np.int64)
    for e in range(E):
        wstart[wslot[twidths[e]] + 1] += 1
    for w in range(nuw):
        wstart[w + 1] += wstart[w]
    order = np.empty(E, dtype=np.int64)
    fill = wstart[:nuw].copy()
    for e in range(E):
        w = wslot[twidths[e]]
        order[fill[w]] = e
        fill[w] += 1
    tg = np.empty((4, T))
    gbase = np.empty(nuw + 1, dtype=np.int64)
    _group_layout(tsoa, tstarts, order, wstart, uwid, tg, gbase)
    reduce = best_p.shape[0] > 0
    for qi in prange(nq):
        q = qcols[qstarts[qi]:qstarts[qi + 1]]
        if reduce:
            pq = np.empty(E)
            oq = np.empty(E, dtype=np.int64)
            vq = np.empty(E, dtype=np.int64)
        else:
            pq = p[qi]
            oq = off[qi]
            vq = ovl[qi]
        _one_query(q, tg, gbase, order, wstart, uwid, dist, min_overlap, n_orient, pq, oq, vq)
        if reduce:
            _best_row(pq, oq, vq, st_rank, n_orient, best_p[qi], best_off[qi], best_ovl[qi], best_or[qi])


@numba.njit(**_NJ)
def _best_row(p, off, ovl, st_rank, n_orient, best_p, best_off, best_ovl, best_or):
    """Per target of one query: the better orientation in MEME's order (p, then overlap, then strand-prefixed id)."""
    N = p.shape[0] // n_orient
    for t in range(N):
        e = t * n_orient
        be = e
        for r in range(1, n_orient):
            f = e + r
            if p[f] < p[be] or (p[f] == p[be] and (ovl[f] > ovl[be] or (ovl[f] == ovl[be] and st_rank[f] < st_rank[be]))):
                be = f
        best_p[t] = p[be]
        best_off[t] = off[be]
        best_ovl[t] = ovl[be]
        best_or[t] = be - e
