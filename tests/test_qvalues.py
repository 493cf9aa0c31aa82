"""MEME's q-value machinery: Mersenne Twister stream, reservoir, Storey pi0, BH step-up."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from annostore.core.qvalues import (
    LAMBDAS,
    RESERVOIR_SIZE,
    MemeRandom,
    estimate_pi0,
    lambda_first,
    qvalues,
    reservoir_items,
)


def _python_meme_random(seed: int = 4357) -> random.Random:
    """The 1998 Knuth-seeded MT19937 state loaded into Python's own Mersenne Twister."""
    mt = [seed]
    for _ in range(623):
        mt.append((69069 * mt[-1]) % 2**32)
    r = random.Random()
    r.setstate((3, tuple(mt) + (624,), None))
    return r


def _py_uniform(r: random.Random) -> float:
    return ((r.getrandbits(32) << 32) | r.getrandbits(32)) * 2.0**-64


def test_stream_equals_python_mt19937_with_knuth_seeding():
    ours = MemeRandom()
    ref = _python_meme_random()
    assert [ours.next32() for _ in range(1500)] == [ref.getrandbits(32) for _ in range(1500)]
    assert [ours.uniform() for _ in range(700)] == [_py_uniform(ref) for _ in range(700)]


def test_block_uniforms_equal_the_stream_at_every_offset():
    from annostore.core.qvalues import _uniforms

    for skip in (0, 1, 2, 623, 624, 625, 1247):  # pairs that start odd, end a block, straddle a twist
        ours, ref = MemeRandom(), _python_meme_random()
        for _ in range(skip):
            assert ours.next32() == ref.getrandbits(32)
        u = np.empty(1000)
        _uniforms(ours.state, u)
        assert u.tolist() == [_py_uniform(ref) for _ in range(1000)]
        assert ours.next32() == ref.getrandbits(32)  # the stream goes on where the block left it


def test_other_seed_differs():
    assert MemeRandom(1).next32() != MemeRandom().next32()
    assert MemeRandom(1).next32() == _python_meme_random(1).getrandbits(32)


def test_reservoir_matches_algorithm_r_by_hand():
    m = RESERVOIR_SIZE + 5000
    ours = reservoir_items(m, MemeRandom())
    ref = _python_meme_random()
    slots = list(range(RESERVOIR_SIZE))
    for n in range(RESERVOIR_SIZE + 1, m + 1):
        r = math.floor(n * _py_uniform(ref))
        if r < RESERVOIR_SIZE:
            slots[r] = n - 1
    assert ours.tolist() == slots
    assert sorted(set(ours.tolist())) == sorted(ours.tolist())  # distinct items


def test_reservoir_small_keeps_everything_and_draws_nothing():
    rng = MemeRandom()
    assert reservoir_items(37, rng).tolist() == list(range(37))
    assert rng.next32() == MemeRandom().next32()  # stream untouched


def _reference_pi0(p: np.ndarray, ref: random.Random, draw=None) -> float:
    """Storey's bootstrap exactly as written in meme-reference.md §1.10 (plain Python);
    ``draw(n)``: the bootstrap's index source (default: MEME's ``floor(U n)`` from ``ref``)."""
    p = sorted(p.tolist())
    n = len(p)
    if n <= 100:
        return 1.0
    lambdas = [0.5 * (j + 1) / 100 for j in range(100)]

    def est(sample, lam):
        cnt = sum(1 for x in sample if x >= lam)
        return math.inf if cnt == 0 else cnt / ((1 - lam) * len(sample))

    pi0s = [est(p, lam) for lam in lambdas]
    pi_hat = min(pi0s)
    mse = [0.0] * 100
    for _ in range(100):
        boot = [p[draw(n) if draw else math.floor(_py_uniform(ref) * n)] for _ in range(1000)]
        for j, lam in enumerate(lambdas):
            mse[j] += (est(boot, lam) - pi_hat) ** 2
    best = min(range(100), key=lambda j: (mse[j], j))
    return min(1.0, max(0.0, pi0s[best]))


@pytest.mark.parametrize("seed,alt", [(1, 0.0), (2, 0.3)])
def test_pi0_matches_reference_bootstrap(seed, alt):
    gen = np.random.default_rng(seed)
    n = 1500
    p = gen.uniform(size=n)
    k = int(alt * n)
    p[:k] = gen.uniform(0, 1e-3, size=k)  # a share of true alternatives
    p = np.round(p, 4)  # ties, like discrete FIMO p-values
    ours = estimate_pi0(p, MemeRandom())
    assert ours == pytest.approx(_reference_pi0(p, _python_meme_random()), abs=0, rel=1e-15)
    assert 0.0 <= ours <= 1.0
    if alt:
        assert ours < 0.85


def _splitmix_words(z: int):
    """splitmix64 outputs as 32-bit words, high word first (the 'sample' bootstrap's stream)."""
    m = 2**64 - 1
    while True:
        z = (z + 0x9E3779B97F4A7C15) & m
        x = z
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
        x ^= x >> 31
        yield x >> 32
        yield x & 0xFFFFFFFF


@pytest.mark.parametrize("seed,alt", [(3, 0.0), (4, 0.25)])
def test_sample_pi0_matches_reference_bootstrap_with_splitmix_draws(seed, alt):
    from annostore.core.qvalues import _pi0_first

    gen = np.random.default_rng(seed)
    p = gen.uniform(size=1200)
    p[: int(alt * 1200)] = gen.uniform(0, 1e-3, size=int(alt * 1200))
    p = np.round(p, 4)
    words = _splitmix_words(seed * 977)
    ref = _reference_pi0(p, None, draw=lambda n: (next(words) * n) >> 32)
    state = np.array([seed * 977], dtype=np.uint64)
    assert _pi0_first(state, lambda_first(p), p.shape[0], False) == ref


def test_pi0_small_sample_is_one_and_draws_nothing():
    rng = MemeRandom()
    assert estimate_pi0(np.linspace(0.01, 0.99, 100), rng) == 1.0
    assert rng.next32() == MemeRandom().next32()


def test_lambda_first_counts():
    p = np.array([0.001, 0.005, 0.0051, 0.2, 0.5, 0.9])
    first = lambda_first(p)
    for j, lam in enumerate(LAMBDAS):
        assert first[j] == int((p < lam).sum())


def test_qvalues_meme_worked_example():
    # meme-reference §1.12: m = 92, pi0 = 1
    p = np.array([0.000474, 0.000474, 0.000474, 0.000474, 0.00105, 0.00105, 0.0085])
    q = qvalues(p, 92, 1.0)
    assert ["%.3g" % x for x in q] == ["0.0109"] * 4 + ["0.0161"] * 2 + ["0.112"]


def test_qvalues_step_up_and_order():
    gen = np.random.default_rng(3)
    p = gen.uniform(0, 0.01, size=200)
    q = qvalues(p, 10_000, 0.9)
    order = np.argsort(p)
    naive = np.minimum(1, 0.9 * p[order] * 10_000 / np.arange(1, 201))
    expected = np.minimum.accumulate(naive[::-1])[::-1]
    np.testing.assert_allclose(q[order], expected, rtol=1e-12)
    assert np.all(np.diff(q[order]) >= 0)
    assert qvalues(np.array([]), 10).shape == (0,)
