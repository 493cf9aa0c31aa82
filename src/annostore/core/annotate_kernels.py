"""numba kernels of seqlet annotation: seqlet windows scored against all targets at once, with
the exact TOMTOM null built per distinct column-mask pattern (shared across seqlets).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from annostore.core.tomtom_kernels import _NJ, BINS, _config_span, _nint, _scale_params


@numba.njit(parallel=True, **_NJ)
def _query_masks(codes, qstart, qwidth):
    nq = qstart.shape[0]
    out = np.zeros(nq, dtype=np.int64)
    for i in prange(nq):
        mk = 0
        for j in range(qwidth[i]):
            mk |= 1 << codes[qstart[i] + j]
        out[i] = mk
    return out


@numba.njit(**_NJ)
def _scale_subsets(rows, umasks):
    """Integer rows, unaligned-column value z = -o*scale and column histograms per type subset."""
    ns = umasks.shape[0]
    T = rows.shape[1]
    ints = np.zeros((ns, 5, T), dtype=np.int32)
    zs = np.zeros(ns, dtype=np.int64)
    hist = np.zeros((ns, 5, BINS + 1))
    for si in range(ns):
        mk = umasks[si]
        lo = 1e300
        hi = -1e300
        for ty in range(5):
            if mk & (1 << ty):
                for j in range(T):
                    v = rows[ty, j]
                    if v < lo:
                        lo = v
                    if v > hi:
                        hi = v
        o, sc = _scale_params(lo, hi)
        zs[si] = int(np.rint(-o * sc))
        for ty in range(5):
            if mk & (1 << ty):
                for j in range(T):
                    v = _nint((rows[ty, j] - o) * sc)
                    ints[si, ty, j] = v
                    hist[si, ty, v] += 1.0
    return ints, zs, hist


@numba.njit(parallel=True, **_NJ)
def _span_keys(codes, qstart, qwidth, masks, span_off, keys):
    nq = qstart.shape[0]
    for qi in prange(nq):
        Q = qwidth[qi]
        base = span_off[qi]
        mk = masks[qi] << 35
        idx = 0
        for a in range(Q):
            key = mk
            for b in range(a, Q):
                key += np.int64(1) << (7 * (4 - codes[qstart[qi] + b]))
                keys[base + idx] = key
                idx += 1


@numba.njit(**_NJ)
def _key_level(k):
    n = 0
    for ty in range(5):
        n += (k >> (7 * ty)) & 127
    return n


@numba.njit(**_NJ)
def _added_type(k):
    """The type whose count the canonical parent lacks (the last type, in A C G T N order, present)."""
    for ty in range(4, -1, -1):
        if (k >> (7 * (4 - ty))) & 127:
            return ty
    return -1


@numba.njit(**_NJ)
def _parent_key(k):
    if _key_level(k) <= 1:
        return np.int64(-1)
    return k - (np.int64(1) << (7 * (4 - _added_type(k))))


@numba.njit(**_NJ)
def _key_levels(keys):
    out = np.empty(keys.shape[0], dtype=np.int64)
    for i in range(keys.shape[0]):
        out[i] = _key_level(keys[i])
    return out


@numba.njit(**_NJ)
def _added_types(keys):
    out = np.empty(keys.shape[0], dtype=np.int64)
    for i in range(keys.shape[0]):
        out[i] = _added_type(keys[i])
    return out


@numba.njit(**_NJ)
def _parent_keys(keys):
    out = np.empty(keys.shape[0], dtype=np.int64)
    for i in range(keys.shape[0]):
        out[i] = _parent_key(keys[i])
    return out


@numba.njit(**_NJ)
def _key_chains(keys):
    """Every key followed by its chain of canonical parents down to level 1 (repeats included)."""
    total = 0
    for i in range(keys.shape[0]):
        total += max(_key_level(keys[i]), 1)
    out = np.empty(total, dtype=np.int64)
    n = 0
    for i in range(keys.shape[0]):
        k = keys[i]
        while k >= 0:
            out[n] = k
            n += 1
            k = _parent_key(k)
    return out[:n]


@numba.njit(parallel=True, **_NJ)
def _build_pmfs(level_bounds, parent_pos, added_type, slot_of_key, hist, u, pool_off, pmf, sv, sup_lo, sup_hi):
    """pmf, survival (MEME's clamped reverse cumsum) and pmf support of the entries
    ``level_bounds[1] .. level_bounds[-1] - 1``, level by level (``level_bounds[lev]``: the first
    entry of level ``lev``); parents may be earlier entries (``pmf`` and ``sv`` are written in full
    over each new entry's range: they need no zeroing)."""
    nlev = level_bounds.shape[0] - 1
    for lev in range(1, nlev):
        lo = level_bounds[lev]
        hi = level_bounds[lev + 1]
        for r in prange(lo, hi):
            h = hist[slot_of_key[r], added_type[r]]
            hlo = 0
            while h[hlo] == 0.0:
                hlo += 1
            hhi = BINS
            while h[hhi] == 0.0:
                hhi -= 1
            dst = pool_off[r]
            if lev == 1:
                for x in range(BINS + 1):
                    pmf[dst + x] = u * h[x] if hlo <= x <= hhi else 0.0
                sup_lo[r] = hlo
                sup_hi[r] = hhi
            else:
                pr = parent_pos[r]
                src = pool_off[pr]
                plo = sup_lo[pr]
                npar = sup_hi[pr] - plo + 1
                vv = np.empty(npar)
                for k in range(npar):
                    vv[k] = pmf[src + plo + k] * u
                ln = lev * BINS + 1
                out = pmf[dst : dst + ln]
                out[:] = 0.0
                # output j sums pmf[k] * u * h[j - k] over k ascending (the order this kernel always
                # used); with h's columns taken in descending order, each output still gets
                # its terms in ascending k, and the inner loop is one long vectorised axpy over
                # the entry's own range (zero parent values add +0.0: no change; the support ends
                # at (lev - 1) * BINS + hhi <= ln - 1, inside the range)
                for x in range(hhi - hlo, -1, -1):
                    hx = h[hlo + x]
                    t = out[plo + hlo + x : plo + hlo + x + npar]
                    for k in range(npar):
                        t[k] += vv[k] * hx
                sup_lo[r] = sup_lo[pr] + hlo
                sup_hi[r] = sup_hi[pr] + hhi
            ln = lev * BINS + 1
            acc = pmf[dst + ln - 1]
            sv[dst + ln - 1] = acc
            for j in range(ln - 2, -1, -1):
                acc = min(1.0, pmf[dst + j] + acc)
                sv[dst + j] = acc


@numba.njit(**_NJ)
def _pad_rows(ints, zs, tstarts, pad):
    """Integer rows of all target entries laid out with ``pad`` zero columns before each entry (and at the end)."""
    ns = ints.shape[0]
    E = tstarts.shape[0] - 1
    pstart = np.empty(E, dtype=np.int64)
    tot = pad
    for e in range(E):
        pstart[e] = tot
        tot += tstarts[e + 1] - tstarts[e] + pad
    out = np.zeros((ns, 5, tot), dtype=np.int16)
    for si in range(ns):
        for ty in range(5):
            for e in range(E):
                L = tstarts[e + 1] - tstarts[e]
                for j in range(L):
                    out[si, ty, pstart[e] + j] = ints[si, ty, tstarts[e] + j]
    return out, pstart


@numba.njit(**_NJ)
def _p_at(k, Q, L, spos, pool_off, sv, z, mult):
    acc = 0.0
    for c in range(1, Q + L):
        a, b, n = _config_span(Q, L, c)
        j = k - (Q - n) * z
        pos = spos[a, b]
        if j <= 0:
            s = sv[pool_off[pos]]
        elif j > n * BINS:
            s = 0.0
        else:
            s = sv[pool_off[pos] + j]
        if s >= 1.0:
            return 1.0
        if s > 0.0:
            acc += math.log1p(-s)
    return np.float64(np.float32(-math.expm1(mult * acc)))


@numba.njit(**_NJ)
def _better(p1, n1, r1, p2, n2, r2):
    """MEME's order: p ascending, overlap descending, strand-prefixed id ascending."""
    if p1 != p2:
        return p1 < p2
    if n1 != n2:
        return n1 > n2
    return r1 < r2


@numba.njit(parallel=True, **_NJ)
def _annotate_queries(codes, qstart, qwidth, masks, mask_slot, zs, padded, pstart, pad, twidths, worder, uw, gbounds,
                      st_rank, n_orient, span_off, span_pos, pool_off, sv, k_near,
                      out_idx, out_p, out_off, out_ovl, out_or):
    nq = qstart.shape[0]
    E = twidths.shape[0]
    N = E // n_orient
    ng = uw.shape[0]
    for qi in prange(nq):
        Q = qwidth[qi]
        si = mask_slot[masks[qi]]
        z = zs[si]
        ty = np.empty(Q, dtype=np.int64)
        for i in range(Q):
            ty[i] = codes[qstart[qi] + i]
        spos = np.empty((Q, Q), dtype=np.int64)
        idx = 0
        for a in range(Q):
            for b in range(a, Q):
                spos[a, b] = span_pos[span_off[qi] + idx]
                idx += 1
        kbest = np.empty(E, dtype=np.int64)
        obest = np.empty(E, dtype=np.int64)
        nbest = np.empty(E, dtype=np.int64)
        marked = np.zeros(N, dtype=np.uint8)
        cand_e = np.empty(E, dtype=np.int64)
        cand_p = np.empty(E)
        ncand = 0
        # diagonal sums of every alignment of every target entry at once:
        # acc[x] = sum_i rows[type_i][x + i]; entry e, configuration c <-> x = pstart[e] + c - Q
        nx = padded.shape[2] - Q + 1
        acc = np.zeros(nx, dtype=np.int16)
        for x0 in range(0, nx, 2048):
            x1 = min(nx, x0 + 2048)
            av = acc[x0:x1]
            for i in range(Q):
                row = padded[si, ty[i], x0 + i:x1 + i]
                for x in range(x1 - x0):  # contiguous slices: vectorised by LLVM
                    av[x] = av[x] + row[x]
        nov = np.empty(Q + uw[ng - 1], dtype=np.int64)
        adj = np.empty(Q + uw[ng - 1], dtype=np.int64)
        for g in range(ng):
            L = uw[g]
            nal = Q + L - 1
            g0 = gbounds[g]
            g1 = gbounds[g + 1]
            for c in range(1, nal + 1):
                nov[c] = _config_span(Q, L, c)[2]
                adj[c] = (Q - nov[c]) * z
            gmax = np.iinfo(np.int64).min
            for gi in range(g0, g1):
                e = worder[gi]
                x0 = pstart[e] - Q
                bk = np.int64(-1)  # the floor the kernel always had (scaled scores are >= 0)
                for c in range(1, nal + 1):
                    bk = max(bk, np.int64(acc[x0 + c]) + adj[c])
                kbest[e] = bk
                gmax = max(gmax, bk)
            # walk this width's entries from the best score down (one scan per distinct score),
            # evaluating p lazily
            n_total = 0
            n_strict = 0
            prev_p = -1.0
            kk = gmax
            while True:
                pk = _p_at(kk, Q, L, spos, pool_off, sv, z, n_orient)
                if pk > prev_p:
                    n_strict = n_total
                if n_strict >= k_near:
                    break
                prev_p = pk
                nxt = np.iinfo(np.int64).min
                for gi in range(g0, g1):
                    e = worder[gi]
                    ke = kbest[e]
                    if ke == kk:
                        # the best score's first configuration with the largest overlap: the
                        # choice of "v > best or (v == best and overlap > its overlap)"
                        x0 = pstart[e] - Q
                        bn = -1
                        bo = 0
                        for c in range(1, nal + 1):
                            if np.int64(acc[x0 + c]) + adj[c] == kk and nov[c] > bn:
                                bn = nov[c]
                                bo = c - Q
                        nbest[e] = bn
                        obest[e] = bo
                        cand_e[ncand] = e
                        cand_p[ncand] = pk
                        ncand += 1
                        t = e // n_orient
                        if marked[t] == 0:
                            marked[t] = 1
                            n_total += 1
                    elif ke < kk and ke > nxt:
                        nxt = ke
                if nxt == np.iinfo(np.int64).min:
                    break
                kk = nxt
        # choose the k best distinct targets among the candidates, in MEME's order
        for t in range(N):
            marked[t] = 0
        taken = np.zeros(ncand, dtype=np.uint8)
        r = 0
        while r < k_near:
            bi = -1
            for ci in range(ncand):
                if taken[ci] or marked[cand_e[ci] // n_orient]:
                    continue
                if bi < 0:
                    bi = ci
                else:
                    e1 = cand_e[ci]
                    e2 = cand_e[bi]
                    if _better(cand_p[ci], nbest[e1], st_rank[e1], cand_p[bi], nbest[e2], st_rank[e2]):
                        bi = ci
            if bi < 0:
                break
            taken[bi] = 1
            e = cand_e[bi]
            marked[e // n_orient] = 1
            out_idx[qi, r] = e // n_orient
            out_p[qi, r] = cand_p[bi]
            out_off[qi, r] = obest[e]
            out_ovl[qi, r] = nbest[e]
            out_or[qi, r] = e % n_orient
            r += 1
