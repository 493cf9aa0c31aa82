"""numba kernels of FIMO: the bit-packed 8-mer prefilter tables and the parallel scan over chunks
of sequence (the q-value kernels are in :mod:`annostore.core.fimo_pi0_kernels`).  Wrappers are
in :mod:`annostore.core.fimo`.
"""

from __future__ import annotations

import numba
import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

from annostore.core.fimo_tables import PSSM_RANGE

_K1 = 8  # bitmap filter width (4^8 bits = 8 KiB per motif strand)


_CHUNK = 1 << 18  # most positions per work chunk




_PROBE = np.random.default_rng(12345).integers(0, 1 << 16, size=4096).astype(np.int64)  # 8-mers for filter rates


@numba.njit(cache=True, nogil=True, parallel=True)
def _word_codes(codes):
    """code32[i]: the 16 letters from i as 2-bit digits, first letter highest (N -> A); blocks
    of positions in parallel (each block starts its rolling word 15 letters past its end)."""
    n = codes.shape[0]
    out = np.zeros(n + 16, dtype=np.uint32)
    blk = 1 << 16
    nb = (n + 16 + blk - 1) // blk
    for bi in numba.prange(nb):
        lo = bi * blk
        hi = min(n + 16, lo + blk)
        acc = np.uint32(0)
        for i in range(min(hi + 15, n + 16) - 1, lo - 1, -1):
            c = np.uint32(0)
            if i < n and codes[i] < 4:
                c = np.uint32(codes[i])
            acc = (acc >> np.uint32(2)) | (c << np.uint32(30))
            if i < hi:
                out[i] = acc
    return out


_BLOCK = 1 << 16  # positions per parallel block of the sequence-preparation kernels


@numba.njit(cache=True, nogil=True, parallel=True)
def _bad_prefix(codes):
    """``out[i]`` = letters other than A/C/G/T in ``codes[:i]``, modulo 2^32 (``n + 1`` uint32
    entries: a window of w < 2^32 letters holds none when its two ends are equal): a count per
    block of positions, then each block's running count from its offset, blocks in parallel."""
    n = codes.shape[0]
    out = np.empty(n + 1, dtype=np.uint32)
    nb = (n + _BLOCK - 1) // _BLOCK
    tot = np.zeros(nb + 1, dtype=np.int64)
    for bi in numba.prange(nb):
        c = 0
        for i in range(bi * _BLOCK, min(n, (bi + 1) * _BLOCK)):
            if codes[i] >= 4:
                c += 1
        tot[bi + 1] = c
    for bi in range(nb):
        tot[bi + 1] += tot[bi]
    out[0] = 0
    for bi in numba.prange(nb):
        acc = tot[bi]
        for i in range(bi * _BLOCK, min(n, (bi + 1) * _BLOCK)):
            if codes[i] >= 4:
                acc += 1
            out[i + 1] = acc
    return out


@numba.njit(cache=True, nogil=True, parallel=True)
def _clean_runs(codes, offsets):
    """``(start, length)`` of the runs of A/C/G/T within each sequence (windows are tested
    there), in position order: runs counted, then written, sequences in parallel."""
    nseq = offsets.shape[0] - 1
    first = np.zeros(nseq + 1, dtype=np.int64)
    for s in numba.prange(nseq):
        c = 0
        prev = False
        for i in range(offsets[s], offsets[s + 1]):
            g = codes[i] < 4
            if g and not prev:
                c += 1
            prev = g
        first[s + 1] = c
    for s in range(nseq):
        first[s + 1] += first[s]
    run_start = np.empty(first[nseq], dtype=np.int64)
    run_len = np.empty(first[nseq], dtype=np.int64)
    for s in numba.prange(nseq):
        k = first[s]
        b = offsets[s + 1]
        start = -1
        for i in range(offsets[s], b):
            if codes[i] < 4:
                if start < 0:
                    start = i
            elif start >= 0:
                run_start[k] = start
                run_len[k] = i - start
                k += 1
                start = -1
        if start >= 0:
            run_start[k] = start
            run_len[k] = b - start
    return run_start, run_len


@numba.njit(cache=True, nogil=True)
def _segments(offsets, chunk):
    """Scan work: segments of at most ``chunk`` positions within each sequence (``seg_lo``,
    ``seg_hi``, the sequence's end ``seg_end``) and the chunks, runs of segments holding at least
    ``chunk`` positions (chunk ``c`` = segments ``bounds[c]:bounds[c + 1]``)."""
    nseq = offsets.shape[0] - 1
    nseg = 0
    for s in range(nseq):
        nseg += (offsets[s + 1] - offsets[s] + chunk - 1) // chunk
    seg_lo = np.empty(nseg, dtype=np.int64)
    seg_hi = np.empty(nseg, dtype=np.int64)
    seg_end = np.empty(nseg, dtype=np.int64)
    bounds = np.empty(nseg + 2, dtype=np.int64)
    bounds[0] = 0
    nb = 1
    k = 0
    acc = 0
    for s in range(nseq):
        b = offsets[s + 1]
        for lo in range(offsets[s], b, chunk):
            hi = min(b, lo + chunk)
            seg_lo[k] = lo
            seg_hi[k] = hi
            seg_end[k] = b
            k += 1
            acc += hi - lo
            if acc >= chunk:
                bounds[nb] = k
                nb += 1
                acc = 0
    if bounds[nb - 1] != nseg:
        bounds[nb] = nseg
        nb += 1
    return seg_lo, seg_hi, seg_end, bounds[:nb].copy()


@numba.njit(cache=True, nogil=True)
def _compact(ms, pos, score, base, n):
    """Rows ``[base[c], base[c] + n[c])`` of every chunk ``c``, end to end."""
    tot = 0
    for c in range(base.shape[0]):
        tot += n[c]
    o_ms = np.empty(tot, dtype=np.int64)
    o_pos = np.empty(tot, dtype=np.int64)
    o_sc = np.empty(tot, dtype=np.int64)
    k = 0
    for c in range(base.shape[0]):
        for i in range(base[c], base[c] + n[c]):
            o_ms[k] = ms[i]
            o_pos[k] = pos[i]
            o_sc[k] = score[i]
            k += 1
    return o_ms, o_pos, o_sc


@numba.njit(cache=True, nogil=True)
def _hilo(ext, o, start, k):
    """Partial scores of the block's first 4 / next 4 columns (k <= 8 columns from ``start``),
    indexed by the high / low byte of an 8-mer code: partial(c) = hi[c >> 8] + lo[c & 255]."""
    hi = np.zeros(256, dtype=np.int64)
    lo = np.zeros(256, dtype=np.int64)
    for c in range(256):
        for t in range(4):
            letter = (c >> (2 * (3 - t))) & 3
            if t < k:
                hi[c] += ext[(o + start + t) * 5 + letter]
            if 4 + t < k:
                lo[c] += ext[(o + start + 4 + t) * 5 + letter]
    return hi, lo


@numba.njit(cache=True, nogil=True)
def _probe_rate(ext, o, start, k, need, probe):
    hi, lo = _hilo(ext, o, start, k)
    npass = 0
    for c in probe:
        if hi[c >> 8] + lo[c & 255] >= need:
            npass += 1
    return npass / probe.shape[0]


@numba.njit(cache=True, nogil=True)
def _strand_tables(matrices_flat, moff, widths, cutoffs, norc, k1max, probe):
    """Per motif strand: the N-extended (w, 5) matrix, pruning order/bounds, filter block."""
    nm = widths.shape[0]
    ns = 1 if norc else 2
    nms = nm * ns
    ms_w = np.empty(nms, dtype=np.int64)
    ms_cut = np.empty(nms, dtype=np.int64)
    ms_moff = np.empty(nms, dtype=np.int64)
    ms_k1 = np.empty(nms, dtype=np.int64)
    ms_o1 = np.zeros(nms, dtype=np.int64)
    ms_need = np.zeros(nms, dtype=np.int64)
    ms_k2 = np.zeros(nms, dtype=np.int64)
    ms_need2 = np.zeros(nms, dtype=np.int64)
    rate = np.zeros(nms)
    total_cols = 0
    for m in range(nm):
        for s in range(ns):
            ms = m * ns + s
            w = widths[m]
            ms_w[ms] = w
            ms_cut[ms] = cutoffs[m]
            ms_moff[ms] = total_cols
            ms_k1[ms] = min(w, k1max)
            total_cols += w
    ext = np.empty(total_cols * 5, dtype=np.int32)
    order = np.empty(total_cols, dtype=np.int64)
    bound = np.empty(total_cols, dtype=np.int64)
    # quad tables: blocks of 4 columns scored with one lookup of the 4-mer code
    ms_qoff = np.empty(nms + 1, dtype=np.int64)
    nq_total = 0
    for ms in range(nms):
        ms_qoff[ms] = nq_total
        nq_total += (ms_w[ms] + 3) // 4
    ms_qoff[nms] = nq_total
    qtab = np.zeros(nq_total * 256, dtype=np.int32)
    qorder = np.empty(nq_total, dtype=np.int64)
    qbound = np.empty(nq_total, dtype=np.int64)
    for ms in numba.prange(nms):
        m = ms // ns
        s = ms - m * ns
        w = widths[m]
        base = moff[m]
        o = ms_moff[ms]
        pen = -(w * PSSM_RANGE + 1)
        colmax = np.empty(w, dtype=np.int64)
        gain = np.empty(w)
        for j in range(w):
            mx = 0
            tot = 0
            for a in range(4):
                if s == 0:
                    v = matrices_flat[(base + j) * 4 + a]
                else:
                    v = matrices_flat[(base + w - 1 - j) * 4 + 3 - a]
                ext[(o + j) * 5 + a] = v
                tot += v
                if v > mx:
                    mx = v
            ext[(o + j) * 5 + 4] = pen
            colmax[j] = mx
            gain[j] = mx - tot / 4.0
        ordr = np.argsort(-gain, kind="mergesort")
        rest = 0
        for t in range(w - 1, -1, -1):
            bound[o + t] = rest  # the most the columns after position t of the order can add
            rest += colmax[ordr[t]]
            order[o + t] = ordr[t]
        q0 = ms_qoff[ms]
        nq = ms_qoff[ms + 1] - q0
        qgain = np.zeros(nq)
        qmax = np.zeros(nq, dtype=np.int64)
        for bq in range(nq):
            for c in range(256):
                acc = 0
                for t in range(4):
                    j = 4 * bq + t
                    if j < w:
                        acc += ext[(o + j) * 5 + ((c >> (2 * (3 - t))) & 3)]
                qtab[(q0 + bq) * 256 + c] = acc
            for t in range(4):
                j = 4 * bq + t
                if j < w:
                    qgain[bq] += gain[j]
                    qmax[bq] += colmax[j]
        qo = np.argsort(-qgain, kind="mergesort")
        rest = 0
        for u in range(nq - 1, -1, -1):
            qbound[q0 + u] = rest
            rest += qmax[qo[u]]
            qorder[q0 + u] = qo[u]
        if ms_cut[ms] > w * PSSM_RANGE:
            continue
        k1 = ms_k1[ms]
        span = min(w, 2 * k1max)  # block 1 = [o1, o1 + k1), block 2 = [o1 + k1, o1 + span)
        best = 0
        bestg = -1.0
        for st in range(w - span + 1):
            g = 0.0
            for j in range(st, st + span):
                g += gain[j]
            if g > bestg:
                bestg = g
                best = st
        ms_o1[ms] = best
        k2 = span - k1
        ms_k2[ms] = k2
        total = 0
        in1 = 0
        in2 = 0
        for j in range(w):
            total += colmax[j]
            if best <= j < best + k1:
                in1 += colmax[j]
            elif best + k1 <= j < best + span:
                in2 += colmax[j]
        ms_need[ms] = ms_cut[ms] - (total - in1)  # block 1's partial score must reach this
        ms_need2[ms] = ms_cut[ms] - (total - in2)
        r = _probe_rate(ext, o, best, k1, ms_need[ms], probe)
        if k2 > 0:
            r *= _probe_rate(ext, o, best + k1, k2, ms_need2[ms], probe)
        rate[ms] = r
    return ms_w, ms_cut, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, ext, order, bound, rate, ms_qoff, qtab, qorder, qbound


_NSPLIT = 8  # split points tried per motif strand for the two-step filter


@numba.njit(cache=True, nogil=True, parallel=True)
def _splits(ext, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, strands, probe):
    """The two-step filter of each of ``strands``: ``(s, a2)`` such that a window can reach its
    cutoff only if (t1 >= need1 and t2 >= a2) or (t1 >= s and t2 >= need2), where t1, t2 are the
    partial scores of the two 8-column blocks.  With ``C = need1 + max t2`` a window needs
    ``t1 + t2 >= C``: below ``s`` it needs ``t2 >= C - s + 1 = a2``, from ``s`` on ``t2 >=
    C - max t1 = need2``.  ``s`` is the split of fewest passing probe 8-mer pairs (``s = need1``,
    the one-step filter, when none does better)."""
    n = strands.shape[0]
    out_s = np.empty(n, dtype=np.int64)
    out_a2 = np.empty(n, dtype=np.int64)
    np_ = probe.shape[0]
    for i in numba.prange(n):
        ms = strands[i]
        need1 = ms_need[ms]
        need2 = ms_need2[ms]
        out_s[i] = need1
        out_a2[i] = 1 << 40  # no window passes the first step
        k2 = ms_k2[ms]
        if k2 == 0:
            continue
        hi1, lo1 = _hilo(ext, ms_moff[ms], ms_o1[ms], ms_k1[ms])
        hi2, lo2 = _hilo(ext, ms_moff[ms], ms_o1[ms] + ms_k1[ms], k2)
        m1 = hi1.max() + lo1.max()
        m2 = hi2.max() + lo2.max()
        if m1 <= need1:
            continue
        c = need1 + m2
        t1 = np.empty(np_, dtype=np.int64)
        t2 = np.empty(np_, dtype=np.int64)
        for j in range(np_):
            t1[j] = hi1[probe[j] >> 8] + lo1[probe[j] & 255]
            t2[j] = hi2[probe[j] >> 8] + lo2[probe[j] & 255]
        nb2 = 0
        for j in range(np_):
            if t2[j] >= need2:
                nb2 += 1
        best = 0
        for j in range(np_):
            if t1[j] >= need1:
                best += 1
        best *= nb2  # s = need1: the one-step filter
        for k in range(_NSPLIT):
            sp = need1 + (m1 - need1) * (k + 1) // (_NSPLIT + 1)
            a2 = c - sp + 1
            na1 = 0
            nb1 = 0
            na2 = 0
            for j in range(np_):
                if t1[j] >= sp:
                    nb1 += 1
                elif t1[j] >= need1:
                    na1 += 1
                if t2[j] >= a2:
                    na2 += 1
            r = na1 * na2 + nb1 * nb2
            if r < best:
                best = r
                out_s[i] = sp
                out_a2[i] = a2
    return out_s, out_a2


@numba.njit(cache=True, nogil=True, parallel=True)
def _group_flags(ext, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, ms_s, ms_a2, grp_ms, grp_n):
    """flags[0/1, g, word8]: for member t of group g, bit t set when the word under its block 1
    (at the window's o1) / block 2 (at o1 + 8) passes the first step of its two-step filter
    (:func:`_splits`: t1 >= need1 / t2 >= a2), bit t + 32 when it passes the second (t1 >= s /
    t2 >= need2); a window stays a candidate of member t when bit t or bit t + 32 survives both.
    Without a split (``s == need1``) bit t + 32 alone holds the one-step filter.

    Built a block of 256 words at a time for all members (the block stays in the core's cache),
    each bit row without branches."""
    ng = grp_ms.shape[0]
    nw = 1 << (2 * _K1)
    flags = np.zeros((2, ng, nw), dtype=np.uint64)
    for g in numba.prange(ng):
        n = grp_n[g]
        # per member: block 1 / block 2 partial scores by high / low byte, and the four thresholds
        # with the bits they set (a threshold above every score sets nothing)
        h1 = np.zeros((n, 256), dtype=np.int64)
        l1 = np.zeros((n, 256), dtype=np.int64)
        h2 = np.zeros((n, 256), dtype=np.int64)
        l2 = np.zeros((n, 256), dtype=np.int64)
        thr = np.empty((n, 4), dtype=np.int64)  # level 1: bit a, bit b; level 2: bit a, bit b
        bits = np.zeros((n, 4), dtype=np.uint64)
        for t in range(n):
            ms = grp_ms[g, t]
            bit_a = np.uint64(1) << np.uint64(t)
            bit_b = np.uint64(1) << np.uint64(t + 32)
            hi, lo = _hilo(ext, ms_moff[ms], ms_o1[ms], ms_k1[ms])
            h1[t] = hi
            l1[t] = lo
            k2 = ms_k2[ms]
            if k2 > 0:
                hi, lo = _hilo(ext, ms_moff[ms], ms_o1[ms] + ms_k1[ms], k2)
                h2[t] = hi
                l2[t] = lo
            split = k2 > 0 and ms_s[ms] != ms_need[ms]
            thr[t, 0] = ms_need[ms]
            bits[t, 0] = bit_a if split else bit_a | bit_b
            thr[t, 1] = ms_s[ms]
            bits[t, 1] = bit_b if split else np.uint64(0)
            thr[t, 2] = ms_a2[ms]
            bits[t, 2] = bit_a if split else np.uint64(0)
            thr[t, 3] = ms_need2[ms] if k2 > 0 else -(1 << 40)  # no block 2: always passes
            bits[t, 3] = bit_b if k2 > 0 else bit_a | bit_b
        for h in range(256):
            r0 = flags[0, g, h * 256 : (h + 1) * 256]
            r1 = flags[1, g, h * 256 : (h + 1) * 256]
            for t in range(n):
                for step in range(2):
                    bit = bits[t, step]
                    if bit != 0:
                        base = h1[t, h]
                        need = thr[t, step]
                        for l in range(256):
                            r0[l] |= bit * np.uint64(base + l1[t, l] >= need)
                    bit = bits[t, 2 + step]
                    if bit != 0:
                        base = h2[t, h]
                        need = thr[t, 2 + step]
                        for l in range(256):
                            r1[l] |= bit * np.uint64(base + l2[t, l] >= need)
    return flags


@numba.njit(cache=True, nogil=True)
def _dense_tables(ext, ms_moff, ms_w, ms_cut, ms_o1, ms_k1, ms_k2, dense_ms):
    """For motif strands whose flags filter poorly: int16 partial scores of blocks 1 and 2 over
    all 8-mers (block 2 broadcast over the letters it does not use), and the joint cutoff."""
    nd = dense_ms.shape[0]
    nw = 1 << (2 * _K1)
    tabs = np.zeros((nd, 2, nw), dtype=np.int16)
    need = np.zeros(nd, dtype=np.int64)
    for d in numba.prange(nd):
        ms = dense_ms[d]
        o = ms_moff[ms]
        w = ms_w[ms]
        k1 = ms_k1[ms]
        k2 = ms_k2[ms]
        hi, lo = _hilo(ext, o, ms_o1[ms], k1)
        for c in range(nw):
            tabs[d, 0, c] = hi[c >> 8] + lo[c & 255]
        if k2 > 0:
            hi, lo = _hilo(ext, o, ms_o1[ms] + k1, k2)
            for c in range(nw):
                tabs[d, 1, c] = hi[c >> 8] + lo[c & 255]
        rest = 0
        for j in range(w):
            if j < ms_o1[ms] or j >= ms_o1[ms] + k1 + k2:
                mx = 0
                for a in range(4):
                    if ext[(o + j) * 5 + a] > mx:
                        mx = ext[(o + j) * 5 + a]
                rest += mx
        need[d] = ms_cut[ms] - rest
    return tabs, need


@numba.njit(cache=True, nogil=True, parallel=True)
def _scan(
    words, codes, seg_lo, seg_hi, seg_end, chunk_bounds, chunk_ids, chunk_base, chunk_cap,
    grp_ms, grp_n, grp_maxoff, flags, ms_w, ms_cut, ms_o1, ms_qoff, qtab, qorder, qbound, nbad,
    dense_ms, dense_tabs, dense_need, out_ms, out_pos, out_score, counts,
):
    ng = grp_ms.shape[0]
    shift = np.uint32(32 - 2 * _K1)
    qshift = np.uint32(24)
    for ci in numba.prange(chunk_ids.shape[0]):
        c = chunk_ids[ci]
        base = chunk_base[ci]
        cap = chunk_cap[ci]
        n = 0
        for g in range(ng):
            fl = flags[0, g]
            fl2 = flags[1, g]
            for sg in range(chunk_bounds[c], chunk_bounds[c + 1]):
                a = seg_lo[sg]
                b = seg_hi[sg]
                e = seg_end[sg]
                qend = min(b + grp_maxoff[g], e)
                for q in range(a, qend):
                    f2 = fl[words[q] >> shift]
                    if f2 == 0:  # the second step's bits are a subset of the first's
                        continue
                    f2 &= fl2[words[q + _K1] >> shift]
                    f = np.uint32((f2 | (f2 >> np.uint64(32))) & np.uint64(0xFFFFFFFF))
                    while f != 0:
                        t = trailing_zeros(f)
                        f &= f - np.uint32(1)
                        ms = grp_ms[g, t]
                        p = q - ms_o1[ms]
                        w = ms_w[ms]
                        if p < a or p >= b or p + w > e:
                            continue
                        q0 = ms_qoff[ms]
                        nq = ms_qoff[ms + 1] - q0
                        cut = ms_cut[ms]
                        sc = 0
                        ok = True
                        for u in range(nq):
                            bq = qorder[q0 + u]
                            sc += qtab[(q0 + bq) * 256 + (words[p + 4 * bq] >> qshift)]
                            if sc + qbound[q0 + u] < cut:
                                ok = False
                                break
                        if ok and nbad[p + w] == nbad[p]:  # windows holding N are not tests
                            if n < cap:
                                out_ms[base + n] = ms
                                out_pos[base + n] = p
                                out_score[base + n] = sc
                            n += 1
        for d in range(dense_ms.shape[0]):
            ms = dense_ms[d]
            w = ms_w[ms]
            o1 = ms_o1[ms]
            t1 = dense_tabs[d, 0]
            t2 = dense_tabs[d, 1]
            nd = dense_need[d]
            q0 = ms_qoff[ms]
            nq = ms_qoff[ms + 1] - q0
            cut = ms_cut[ms]
            for sg in range(chunk_bounds[c], chunk_bounds[c + 1]):
                a = seg_lo[sg]
                b = min(seg_hi[sg], seg_end[sg] - w + 1)
                for p in range(a, b):
                    if np.int64(t1[words[p + o1] >> shift]) + np.int64(t2[words[p + o1 + _K1] >> shift]) < nd:
                        continue
                    sc = 0
                    ok = True
                    for u in range(nq):
                        bq = qorder[q0 + u]
                        sc += qtab[(q0 + bq) * 256 + (words[p + 4 * bq] >> qshift)]
                        if sc + qbound[q0 + u] < cut:
                            ok = False
                            break
                    if ok and nbad[p + w] == nbad[p]:
                        if n < cap:
                            out_ms[base + n] = ms
                            out_pos[base + n] = p
                            out_score[base + n] = sc
                        n += 1
        counts[ci] = n

@numba.njit(cache=True, nogil=True)
def _span_sums(attr, ex, start, end):
    out = np.empty(ex.shape[0])
    for i in range(ex.shape[0]):
        acc = 0.0
        for k in range(start[i], end[i]):
            acc += attr[ex[i], k]
        out[i] = acc
    return out
