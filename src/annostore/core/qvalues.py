"""q-values the way MEME computes them: Storey's pi0 + a Benjamini-Hochberg step-up.

MEME (FIMO, TOMTOM) estimates the proportion of true nulls pi0 with Storey's (2002)
bootstrap, on at most 10,000 p-values (a reservoir sample of all tested sites), then
turns each reported p-value into a q-value with a BH-style step-up scaled by pi0:

* lambda_j = 0.5 * j / 100, j = 1..100; pi0(lambda) = #{p >= lambda} / ((1 - lambda) n);
* pi_hat = min_j pi0(lambda_j); 100 bootstrap samples of 1,000 draws with replacement
  (index ``floor(U n)`` into the sorted sample); MSE_j += (pi0*(lambda_j) - pi_hat)^2;
  the first j with the least MSE wins and pi0 = clamp(pi0(lambda_j), 0, 1);
* pi0 = 1 when the sample holds 100 p-values or fewer;
* hits sorted by p ascending (rank i): fdr_i = min(1, pi0 p_i float32(m) / float32(i)),
  q_i = min_{j >= i} fdr_j, m = number of tests.

The random numbers ``U`` come from MEME's Mersenne Twister (MT19937, seeded the 1998 way:
``mt[0] = 4357, mt[k] = 69069 mt[k-1] mod 2^32``), never reseeded, one stream per run:
``U = (hi * 2^32 + lo) / 2^64`` from two consecutive 32-bit outputs.  :class:`MemeRandom`
holds such a stream; a fresh one reproduces a fresh ``fimo``/``tomtom`` process.

All kernels are numba ``njit(cache=True, nogil=True)``.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "MemeRandom",
    "RESERVOIR_SIZE",
    "estimate_pi0",
    "qvalues",
    "reservoir_items",
]

RESERVOIR_SIZE = 10000
_N = 624
_M = 397


_IDX = 2 * _N  # state layout: [0, 624) MT words, [624, 1248) tempered outputs of the block, [1248] position


def _knuth_state(seed: int) -> np.ndarray:
    state = np.zeros(2 * _N + 1, dtype=np.uint32)
    x = seed & 0xFFFFFFFF
    for k in range(_N):
        state[k] = x
        x = (69069 * x) & 0xFFFFFFFF
    state[_IDX] = _N  # forces a twist before the first output
    return state


@numba.njit(cache=True, nogil=True)
def knuth_state(seed):
    """A fresh stream state (as :class:`MemeRandom`) built inside numba code."""
    state = np.zeros(2 * _N + 1, dtype=np.uint32)
    x = np.uint64(seed) & np.uint64(0xFFFFFFFF)
    for k in range(_N):
        state[k] = np.uint32(x)
        x = (np.uint64(69069) * x) & np.uint64(0xFFFFFFFF)
    state[_IDX] = _N
    return state


@numba.njit(cache=True, nogil=True)
def _twist(st):
    upper = np.uint32(0x80000000)
    lower = np.uint32(0x7FFFFFFF)
    matrix = np.uint32(0x9908B0DF)
    one = np.uint32(1)
    zero = np.uint32(0)
    for k in range(_N - _M):
        y = (st[k] & upper) | (st[k + 1] & lower)
        st[k] = st[k + _M] ^ (y >> one) ^ (matrix if (y & one) else zero)
    for k in range(_N - _M, _N - 1):
        y = (st[k] & upper) | (st[k + 1] & lower)
        st[k] = st[k + _M - _N] ^ (y >> one) ^ (matrix if (y & one) else zero)
    y = (st[_N - 1] & upper) | (st[0] & lower)
    st[_N - 1] = st[_M - 1] ^ (y >> one) ^ (matrix if (y & one) else zero)
    for k in range(_N):  # temper the whole block at once
        y = st[k]
        y ^= y >> np.uint32(11)
        y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
        y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
        y ^= y >> np.uint32(18)
        st[_N + k] = y
    st[_IDX] = 0


@numba.njit(cache=True, nogil=True)
def mt_next32(st) -> np.uint32:
    """Next tempered 32-bit output of the MT19937 stream held in ``st`` (see ``MemeRandom``)."""
    i = st[_IDX]
    if i >= _N:
        _twist(st)
        i = 0
    st[_IDX] = i + 1
    return st[_N + i]


@numba.njit(cache=True, nogil=True)
def mt_drand(st) -> float:
    """MEME's ``drand_mt()``: (hi word, lo word) / 2^64, in [0, 1)."""
    hi = np.uint64(mt_next32(st))
    lo = np.uint64(mt_next32(st))
    return float((hi << np.uint64(32)) | lo) * 5.421010862427522e-20  # 2^-64


@numba.njit(cache=True, nogil=True)
def _uniforms(st, out):
    """Fill ``out`` with consecutive ``drand_mt()`` values (position kept in a register)."""
    i = np.int64(st[_IDX])
    for k in range(out.shape[0]):
        if i >= _N:
            _twist(st)
            i = 0
        hi = np.uint64(st[_N + i])
        i += 1
        if i >= _N:
            _twist(st)
            i = 0
        lo = np.uint64(st[_N + i])
        i += 1
        out[k] = float((hi << np.uint64(32)) | lo) * 5.421010862427522e-20
    st[_IDX] = np.uint32(i)


@numba.njit(cache=True, nogil=True)
def _uniforms32(st, out):
    """Fill ``out`` with one-output uniforms ``x / 2^32`` (not MEME's; for independent streams)."""
    i = np.int64(st[_IDX])
    for k in range(out.shape[0]):
        if i >= _N:
            _twist(st)
            i = 0
        out[k] = float(st[_N + i]) * 2.3283064365386963e-10
        i += 1
    st[_IDX] = np.uint32(i)


@numba.njit(cache=True, nogil=True)
def _splitmix_uniforms(sm, out):
    """Fill ``out`` with uniforms from a splitmix64 stream (state ``sm[0]``), two per output."""
    z = sm[0]
    k = 0
    n = out.shape[0]
    while k < n:
        z += np.uint64(0x9E3779B97F4A7C15)
        x = z
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
        out[k] = float(x >> np.uint64(32)) * 2.3283064365386963e-10
        if k + 1 < n:
            out[k + 1] = float(x & np.uint64(0xFFFFFFFF)) * 2.3283064365386963e-10
        k += 2
    sm[0] = z


@numba.njit(cache=True, nogil=True)
def _reservoir(st, m, size):
    k = min(m, size)
    slots = np.arange(k).astype(np.int64)
    buf = np.empty(65536)
    n = size + 1  # n: 1-based count of the item offered
    while n <= m:
        cnt = min(buf.shape[0], m - n + 1)
        u = buf[:cnt]
        _uniforms(st, u)
        for t in range(cnt):
            r = np.int64(np.floor((n + t) * u[t]))
            if r < size:
                slots[r] = n + t - 1
        n += cnt
    return slots


_NLAMBDA = 100
LAMBDAS = 0.5 * np.arange(1, _NLAMBDA + 1) / _NLAMBDA  # MEME's grid: 0.005 .. 0.5


def lambda_first(pvalues: np.ndarray) -> np.ndarray:
    """``first[j] = #{p < lambda_j}`` (the sorted index of the first p >= lambda_j), no sort."""
    p = np.asarray(pvalues, dtype=np.float64)
    bucket = np.searchsorted(LAMBDAS, p, side="right")  # number of lambdas <= p
    return np.cumsum(np.bincount(bucket, minlength=_NLAMBDA + 1))[:_NLAMBDA].astype(np.int64)


@numba.njit(cache=True, nogil=True)
def lambda_bucket(p):
    """Number of lambdas <= p (binary search over MEME's grid)."""
    lo = 0
    hi = _NLAMBDA
    while lo < hi:
        mid = (lo + hi) // 2
        if 0.5 * (mid + 1) / _NLAMBDA <= p:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True, nogil=True)
def _pi0_first(st, first, n, meme_draws=True):
    """Storey's bootstrap pi0 from the counts ``first`` of a sample of size ``n``
    (``meme_draws``: MEME's Mersenne Twister draws from ``st``; else a splitmix64 stream whose
    state is ``st[0]`` of a uint64 array)."""
    if n <= 100:
        return 1.0
    nl = first.shape[0]
    lambdas = np.empty(nl)
    for j in range(nl):
        lambdas[j] = 0.5 * (j + 1) / nl
    pi0s = np.empty(nl)
    pi_hat = np.inf
    for j in range(nl):
        cnt = n - first[j]
        if cnt == 0:
            pi0s[j] = np.inf
        else:
            pi0s[j] = cnt / ((1.0 - lambdas[j]) * n)
        if pi0s[j] < pi_hat:
            pi_hat = pi0s[j]
    # bucket of each sorted index plus one: the largest j with first[j] <= idx, + 1 (0: none)
    jj = np.zeros(n, dtype=np.uint8)  # small enough to stay in L1
    for j in range(nl):
        hi = first[j + 1] if j + 1 < nl else n
        for idx in range(first[j], hi):
            jj[idx] = j + 1
    nboot = 100
    nsamp = 1000
    mse = np.zeros(nl)
    # per bootstrap: the draws, then four interleaved tallies of their buckets (consecutive
    # draws landing in the same bucket, half of them in the top one, do not wait on each
    # other's store); the counts and sums are those of a draw-by-draw loop (nsamp % 4 == 0)
    cnt = np.zeros(4 * 128, dtype=np.int32)
    u = np.empty(nsamp)
    xs = np.empty(nsamp // 2, dtype=np.uint64)
    nn = np.uint64(n)
    sh = np.uint64(32)
    lo32 = np.uint64(0xFFFFFFFF)
    gamma = np.uint64(0x9E3779B97F4A7C15)
    for _b in range(nboot):
        if meme_draws:
            _uniforms(st, u)
            cnt[:] = 0
            for _s in range(0, nsamp, 4):
                cnt[np.int64(jj[np.int64(u[_s] * n)])] += 1  # u >= 0: truncation is floor
                cnt[128 + np.int64(jj[np.int64(u[_s + 1] * n)])] += 1
                cnt[256 + np.int64(jj[np.int64(u[_s + 2] * n)])] += 1
                cnt[384 + np.int64(jj[np.int64(u[_s + 3] * n)])] += 1
        else:
            # splitmix64, two 32-bit draws per output (high word first); the index
            # floor(x / 2^32 * n) is computed exactly as (x * n) >> 32 (x * n < 2^46); the
            # outputs are independent, so the loop vectorises
            z = st[0]
            for t in range(nsamp // 2):
                z += gamma
                x = z
                x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
                x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
                xs[t] = x ^ (x >> np.uint64(31))
            st[0] = z
            cnt[:] = 0
            for t in range(0, nsamp // 2, 2):
                x = xs[t]
                y = xs[t + 1]
                cnt[np.int64(jj[np.int64(((x >> sh) * nn) >> sh)])] += 1
                cnt[128 + np.int64(jj[np.int64(((x & lo32) * nn) >> sh)])] += 1
                cnt[256 + np.int64(jj[np.int64(((y >> sh) * nn) >> sh)])] += 1
                cnt[384 + np.int64(jj[np.int64(((y & lo32) * nn) >> sh)])] += 1
        acc = 0
        for j in range(nl - 1, -1, -1):
            acc += cnt[j + 1] + cnt[129 + j] + cnt[257 + j] + cnt[385 + j]
            if acc == 0:
                est = np.inf
            else:
                est = acc / ((1.0 - lambdas[j]) * nsamp)
            d = est - pi_hat
            mse[j] += d * d
    best = 0
    for j in range(1, nl):
        if mse[j] < mse[best]:
            best = j
    v = pi0s[best]
    if v > 1.0:
        v = 1.0
    if v < 0.0:
        v = 0.0
    return v


@numba.njit(cache=True, nogil=True)
def _qvalues_sorted(p_sorted, m, pi0):
    n = p_sorted.shape[0]
    q = np.empty(n)
    mf = np.float64(np.float32(m))
    for i in range(n):
        f = pi0 * p_sorted[i] * mf / np.float64(np.float32(i + 1))
        q[i] = f if f < 1.0 else 1.0
    for i in range(n - 2, -1, -1):
        if q[i + 1] < q[i]:
            q[i] = q[i + 1]
    return q


@numba.njit(cache=True, nogil=True)
def _qvalues_of_counts(p_distinct, counts, m, pi0, out):
    """``out[i]``: the q-value of the ``counts[i]`` tied p-values ``p_distinct[i]`` (ascending):
    :func:`_qvalues_sorted` over the expanded values, where a tie group takes the value at its
    last rank (within it the running minimum only falls)."""
    mf = np.float64(np.float32(m))
    rank = 0
    for i in range(p_distinct.shape[0]):
        rank += counts[i]
        f = pi0 * p_distinct[i] * mf / np.float64(np.float32(rank))
        out[i] = f if f < 1.0 else 1.0
    for i in range(p_distinct.shape[0] - 2, -1, -1):
        if out[i + 1] < out[i]:
            out[i] = out[i + 1]


class MemeRandom:
    """MEME's Mersenne Twister stream (MT19937 with the 1998 Knuth seeding, seed 4357).

    A fresh instance reproduces the random numbers of a fresh ``fimo``/``tomtom`` process,
    which never seeds its generator.

    Parameters
    ----------
    seed : int
        Seed of the Knuth fill (MEME's unseeded default is 4357).

    Examples
    --------
    >>> r = MemeRandom()
    >>> 0.0 <= r.uniform() < 1.0
    True
    """

    def __init__(self, seed: int = 4357) -> None:
        self.state = _knuth_state(seed)  # uint32: MT words, tempered block, position

    def next32(self) -> int:
        """Next tempered 32-bit output."""
        return int(mt_next32(self.state))

    def uniform(self) -> float:
        """MEME's ``drand_mt()``: a float in [0, 1) from two 32-bit outputs."""
        return float(mt_drand(self.state))


def reservoir_items(m: int, rng: MemeRandom, size: int = RESERVOIR_SIZE) -> np.ndarray:
    """Which of ``m`` offered items MEME's reservoir sampler keeps.

    Item ``n`` (1-based) beyond the first ``size`` draws ``r = floor(n U)`` and replaces
    slot ``r`` when ``r < size``; the kept set depends only on the random stream, so it is
    computed from ``m`` alone (one draw per item beyond ``size``).

    Parameters
    ----------
    m : int
        Number of items offered (tests, in scan order).
    rng : MemeRandom
        The run's stream (advanced by ``max(0, m - size)`` draws).
    size : int
        Reservoir capacity (MEME: 10,000).

    Returns
    -------
    numpy.ndarray
        int64 0-based item numbers, one per slot (``min(m, size)`` of them).
    """
    return _reservoir(rng.state, int(m), int(size))


def estimate_pi0(pvalues: np.ndarray, rng: MemeRandom) -> float:
    """Storey's bootstrap estimate of pi0, as MEME's ``estimate_pi_zero``.

    Parameters
    ----------
    pvalues : numpy.ndarray
        The sampled p-values (any order; at most a few thousand in practice).
    rng : MemeRandom
        Stream for the bootstrap (advanced by 100,000 draws when more than 100 p-values).

    Returns
    -------
    float
        pi0 in [0, 1]; 1.0 when there are 100 p-values or fewer.
    """
    p = np.asarray(pvalues, dtype=np.float64)
    return float(_pi0_first(rng.state, lambda_first(p), p.shape[0]))


def qvalues(pvalues: np.ndarray, m: int, pi0: float = 1.0) -> np.ndarray:
    """q-values of reported p-values, as MEME's ``compute_qvalues``.

    Parameters
    ----------
    pvalues : numpy.ndarray
        p-values of the reported tests (any order).
    m : int
        Total number of tests (including those not reported).
    pi0 : float
        Estimated proportion of true nulls.

    Returns
    -------
    numpy.ndarray
        q-values aligned with ``pvalues``.
    """
    p = np.asarray(pvalues, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    q = np.empty_like(p)
    if p.size:
        q[order] = _qvalues_sorted(p[order], int(m), float(pi0))
    return q
