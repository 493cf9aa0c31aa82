"""Statistics of the enrichment tests: Fisher's exact test, the binomial tail, Benjamini–Hochberg.

Arrays in, arrays out (vectorised over tables; no store knowledge). The counting happens in
SQL (``sql/enrich_*.sql``); this module only turns counts into p- and q-values.

* :func:`fisher_exact` — Fisher's exact test on many 2×2 tables at once, the numbers of
  :func:`scipy.stats.fisher_exact`: ``greater`` is the hypergeometric upper tail summed by a
  numba kernel (:mod:`annostore.analysis.stats_kernels`; scipy's cost grows with the number of
  examples, this one with the tail's length; equal to scipy to ~1e-10 relative, tested);
  ``two-sided`` uses scipy's distribution functions with scipy's own procedure (the sum of the
  probabilities of all tables no more likely than the observed one, relative tolerance
  ``1e-14``, its search on the other side of the mode done here as one vectorised binary
  search), so it is digit-identical but slow beyond ~10^4 examples.
* :func:`binom_greater` — ``P(X >= k)`` for ``X ~ Binomial(n, p)``, what
  ``scipy.stats.binomtest(k, n, p, alternative="greater").pvalue`` returns.
* :func:`bh_qvalues` — Benjamini–Hochberg adjusted p-values (q-values) with an explicit number
  of tests ``m`` (tests whose p-value is 1 and whose row is not reported still count).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from scipy.stats import binom, hypergeom

from annostore.analysis.stats_kernels import hypergeom_upper

__all__ = ["ALTERNATIVES", "bh_qvalues", "binom_greater", "fisher_exact", "odds_ratio"]

ALTERNATIVES = ("greater", "two-sided")
_EPS = 1e-14  # scipy.stats.fisher_exact's relative tolerance for "as likely as observed"


def _table(n_both, n_a, n_b, n):
    """The 2×2 table ``[[c00, c01], [c10, c11]]`` (rows: a present/absent; columns: b)."""
    n_both, n_a, n_b, n = (np.asarray(x, dtype=np.int64) for x in (n_both, n_a, n_b, n))
    n_both, n_a, n_b, n = np.broadcast_arrays(n_both, n_a, n_b, n)
    c00 = n_both
    c01 = n_a - n_both
    c10 = n_b - n_both
    c11 = n - n_a - n_b + n_both
    if np.any((c00 < 0) | (c01 < 0) | (c10 < 0) | (c11 < 0)):
        raise ValueError("inconsistent counts: a 2x2 table would have a negative cell")
    return c00, c01, c10, c11


def odds_ratio(n_both, n_a, n_b, n) -> np.ndarray:
    """Sample odds ratio ``c00 * c11 / (c01 * c10)`` as scipy's ``fisher_exact`` reports it.

    ``inf`` when ``c01`` or ``c10`` is 0; NaN when a row or column of the table sums to 0.
    """
    c00, c01, c10, c11 = _table(n_both, n_a, n_b, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (c00 * c11).astype(np.float64) / (c10 * c01).astype(np.float64)
    out = np.where((c10 > 0) & (c01 > 0), out, np.inf)
    degenerate = (c00 + c01 == 0) | (c10 + c11 == 0) | (c00 + c10 == 0) | (c01 + c11 == 0)
    return np.where(degenerate, np.nan, out)


def fisher_exact(n_both, n_a, n_b, n, alternative: str = "greater") -> np.ndarray:
    """Fisher's exact test of co-occurrence on 2×2 presence/absence tables, vectorised.

    Parameters
    ----------
    n_both, n_a, n_b, n : array_like of int
        Examples holding both motifs, holding ``a``, holding ``b``, and all examples (the
        universe). Broadcast against each other.
    alternative : {"greater", "two-sided"}
        ``greater``: more co-occurrence than independence predicts (odds ratio > 1).

    Returns
    -------
    numpy.ndarray of float64
        p-values, equal to ``scipy.stats.fisher_exact([[c00, c01], [c10, c11]], alternative)``
        (1 where a row or column of the table is empty).
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}, got {alternative!r}")
    c00, c01, c10, c11 = _table(n_both, n_a, n_b, n)
    shape = c00.shape
    if c00.size > 1:
        # many pairs share a table (the test is symmetric in a and b): compute each table once
        lo = np.minimum(c01, c10).ravel()
        hi = np.maximum(c01, c10).ravel()
        cols = (c00.ravel(), lo, hi, c11.ravel())
        order = np.lexsort(cols[::-1])
        s00, s01, s10, s11 = (c[order] for c in cols)
        new = np.r_[True, (s00[1:] != s00[:-1]) | (s01[1:] != s01[:-1]) | (s10[1:] != s10[:-1]) | (s11[1:] != s11[:-1])]
        if not new.all():
            first = np.flatnonzero(new)
            u00, u01, u10, u11 = s00[first], s01[first], s10[first], s11[first]
            p_unique = fisher_exact(u00, u00 + u01, u00 + u10, u00 + u01 + u10 + u11, alternative)
            p = np.empty(order.size, dtype=np.float64)
            p[order] = p_unique[np.cumsum(new) - 1]
            return p.reshape(shape)
    c00, c01, c10, c11 = (x.ravel() for x in (c00, c01, c10, c11))
    n1 = c00 + c01
    n2 = c10 + c11
    col = c00 + c10
    total = n1 + n2
    degenerate = (n1 == 0) | (n2 == 0) | (col == 0) | (c01 + c11 == 0)
    p = np.ones(c00.shape, dtype=np.float64)
    ok = ~degenerate
    if alternative == "greater":
        # P(X >= c00), X ~ Hypergeometric(total, n1, col): scipy's hypergeom.cdf(c01, total, n1,
        # c01 + c11) by complement, summed in numba (scipy's cost grows with total)
        p[ok] = hypergeom_upper(c00[ok], total[ok], n1[ok], col[ok])
    else:
        p[ok] = _fisher_two_sided(c00[ok], n1[ok], total[ok], col[ok])
    return np.minimum(p, 1.0).reshape(shape)


def _fisher_two_sided(x, n1, total, n):
    """scipy's two-sided Fisher p-value, vectorised (same branches, same binary search)."""
    out = np.empty(x.shape, dtype=np.float64)
    if x.size == 0:
        return out
    mode = ((n + 1) * (n1 + 1) // (total + 2)).astype(np.int64)
    pexact = hypergeom.pmf(x, total, n1, n)
    pmode = hypergeom.pmf(mode, total, n1, n)
    gamma = 1 + _EPS
    with np.errstate(invalid="ignore", divide="ignore"):
        at_mode = np.abs(pexact - pmode) / np.maximum(pexact, pmode) <= _EPS
    out[at_mode] = 1.0
    rest = ~at_mode
    below = rest & (x < mode)
    above = rest & ~(x < mode)
    if below.any():
        i = np.flatnonzero(below)
        plower = hypergeom.cdf(x[i], total[i], n1[i], n[i])
        far = hypergeom.pmf(n[i], total[i], n1[i], n[i]) > pexact[i] * gamma
        res = plower.copy()
        j = ~far
        if j.any():
            k = i[j]
            guess = _search(lambda v, sel: -hypergeom.pmf(v, total[k][sel], n1[k][sel], n[k][sel]),
                            -pexact[k] * gamma, mode[k], n[k])
            res[j] = plower[j] + hypergeom.sf(guess, total[k], n1[k], n[k])
        out[i] = res
    if above.any():
        i = np.flatnonzero(above)
        pupper = hypergeom.sf(x[i] - 1, total[i], n1[i], n[i])
        far = hypergeom.pmf(0, total[i], n1[i], n[i]) > pexact[i] * gamma
        res = pupper.copy()
        j = ~far
        if j.any():
            k = i[j]
            guess = _search(lambda v, sel: hypergeom.pmf(v, total[k][sel], n1[k][sel], n[k][sel]),
                            pexact[k] * gamma, np.zeros(k.size, dtype=np.int64), mode[k])
            res[j] = pupper[j] + hypergeom.cdf(guess, total[k], n1[k], n[k])
        out[i] = res
    return out


def _search(f, d, lo, hi):
    """Vectorised ``scipy.stats._stats_py._binary_search``: per element the ``i`` in
    ``[lo, hi]`` with ``f(i) <= d < f(i + 1)`` for an ascending ``f``; ``f(v, sel)`` evaluates
    the elements ``sel`` at ``v``."""
    lo = lo.astype(np.int64).copy()
    hi = hi.astype(np.int64).copy()
    found = np.full(lo.shape, -1, dtype=np.int64)
    active = lo < hi
    while active.any():
        sel = np.flatnonzero(active)
        mid = lo[sel] + (hi[sel] - lo[sel]) // 2
        val = f(mid, sel)
        less = val < d[sel]
        more = val > d[sel]
        equal = ~less & ~more
        lo[sel[less]] = mid[less] + 1
        hi[sel[more]] = mid[more] - 1
        found[sel[equal]] = mid[equal]
        active[sel[equal]] = False
        active[sel] &= lo[sel] < hi[sel]
    out = found.copy()
    rest = np.flatnonzero(found < 0)
    if rest.size:
        at_lo = f(lo[rest], rest) <= d[rest]
        out[rest] = np.where(at_lo, lo[rest], lo[rest] - 1)
    return out


def binom_greater(k, n, p) -> np.ndarray:
    """``P(X >= k)`` for ``X ~ Binomial(n, p)``, vectorised; 1 for ``k <= 0``.

    The same value as ``scipy.stats.binomtest(k, n, p, alternative="greater").pvalue``.
    """
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    p = np.asarray(p, dtype=np.float64)
    out = binom.sf(k - 1, n, p)
    return np.where(k <= 0, 1.0, np.minimum(out, 1.0))


def bh_qvalues(p, m: Optional[int] = None) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values).

    Parameters
    ----------
    p : array_like of float
        The p-values that are reported.
    m : int, optional
        The number of tests (default ``len(p)``). Tests not in ``p`` are taken to have
        p-value 1 (they rank last and never lower a reported q-value; they only raise ``m``).

    Returns
    -------
    numpy.ndarray
        ``q_(i) = min_{j >= i} min(1, m * p_(j) / j)`` over the ascending p-values; equal to
        ``scipy.stats.false_discovery_control(p)`` when ``m = len(p)``.
    """
    p = np.asarray(p, dtype=np.float64)
    n = p.size
    m = n if m is None else int(m)
    if m < n:
        raise ValueError(f"m ({m}) must be at least the number of p-values ({n})")
    if n == 0:
        return p.copy()
    if np.isnan(p).any():
        raise ValueError("p-values must not be NaN")
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, n + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(n, dtype=np.float64)
    q[order] = np.minimum(ranked, 1.0)
    return q
