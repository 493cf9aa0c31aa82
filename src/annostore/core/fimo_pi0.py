"""FIMO's q-value ingredients, shared by the one-process scan (:func:`annostore.core.fimo.fimo_batches`)
and the scan split over sequence parts (:mod:`annostore.core.fimo_parts`): tests per motif,
the q-value method, pi0 per motif ('meme' and 'sample', see :func:`annostore.core.fimo.fimo`), and
q-values from p-value counts.

A motif's q-value depends only on its p-value, its number of tests and its pi0: BH step-up gives
tied p-values the q-value of the last of them, so the q-values of a motif's hits follow from the
counts of each distinct p-value (:func:`qvalues_from_counts`), whatever machine found the hits.
"""

from __future__ import annotations

import numba
import numpy as np

from annostore.core.fimo_pi0_kernels import _pi0_sampled, _sample_first
from annostore.core.fimo_tables import pi0_tables
from annostore.core.parallel import small_work
from annostore.core.qvalues import RESERVOIR_SIZE, _pi0_first, _qvalues_of_counts, _reservoir

#: 'auto' picks 'meme' while it needs at most this many random draws
AUTO_DRAW_LIMIT = 50_000_000


def tests_per_width(run_len: np.ndarray, widths, ns: int) -> dict:
    """Tests per motif width: windows without N (runs of A/C/G/T of length ``run_len``) x strands."""
    return {int(w): int(np.maximum(run_len - int(w) + 1, 0).sum()) * ns for w in np.unique(np.asarray(widths))}


def resolve_method(method: str, qvalues: bool, tests: dict, widths) -> str:
    """``"auto"`` -> ``"meme"`` when MEME's stream needs at most :data:`AUTO_DRAW_LIMIT` draws, else ``"sample"``."""
    if qvalues and method == "auto":
        draws = sum(max(0, tests[int(w)] - RESERVOIR_SIZE) for w in widths)
        return "meme" if draws <= AUTO_DRAW_LIMIT else "sample"
    return method


def pi0_meme(rng, tabs, m_tests, has_hits, ns: int, code4, run_start, run_len) -> np.ndarray:
    """pi0 of each motif of ``tabs`` from MEME's own stream ``rng`` (consumed motif after motif).

    A reservoir over every test (in scan order) for every motif; the bootstrap only for motifs
    with (kept) hits and more than 100 reservoir items, as MEME; pi0 = 1 otherwise.
    """
    pi0s = np.ones(len(m_tests))
    sample_tables = None
    for k in range(len(m_tests)):
        items = _reservoir(rng.state, int(m_tests[k]), RESERVOIR_SIZE)
        if m_tests[k] > RESERVOIR_SIZE:  # else the reservoir is every test, in order
            items = np.sort(items)
        if items.shape[0] > 100 and has_hits[k]:  # MEME skips pi0 (and its draws) without hits
            if sample_tables is None:
                sample_tables = pi0_tables(tabs)
            q_flat, qoff, bk_flat = sample_tables
            w = int(tabs.widths[k])
            first = _sample_first(items, ns, code4, run_start, run_len, w,
                                  q_flat[qoff[k] : qoff[k + 1]].reshape((2, (w + 3) // 4, 256)),
                                  bk_flat[tabs.pv_off[k] : tabs.pv_off[k + 1]])
            pi0s[k] = float(_pi0_first(rng.state, first, items.shape[0], True))
    return pi0s


def pi0_sample(gidx, tabs, m_tests, active, ns: int, code4, run_start, run_len) -> np.ndarray:
    """'sample' pi0 of the ``active`` motifs of ``tabs`` (1 for the others), over all threads.

    A fresh stream per motif, seeded 4357 + its index ``gidx`` in the scanned motif set, so the
    numbers depend neither on the batch nor on the thread count.
    """
    q_flat, qoff, bk_flat = pi0_tables(tabs)
    old_chunk = numba.set_parallel_chunksize(1)  # motifs are handed out one by one
    try:
        # per motif ~1e5 bootstrap draws and 1e4 scored windows: ~0.3 ms, about 1e6 loop operations
        with small_work(float(np.asarray(active).sum()) * 1e6):
            return _pi0_sampled((4357 + np.asarray(gidx)).astype(np.int64), np.asarray(m_tests, np.int64),
                                np.asarray(active, np.bool_), ns, RESERVOIR_SIZE, code4, run_start, run_len,
                                tabs.widths, q_flat, qoff, bk_flat, tabs.pv_off)
    finally:
        numba.set_parallel_chunksize(old_chunk)


def qvalues_from_counts(p_distinct: np.ndarray, counts: np.ndarray, m_tests: int, pi0: float) -> np.ndarray:
    """q-value of each distinct p-value of one motif, from how many hits have it.

    ``p_distinct`` ascending; the same numbers as :func:`annostore.core.qvalues._qvalues_sorted`
    over the expanded, sorted p-values (BH: the rank of a tie group is its last rank).
    """
    p = np.ascontiguousarray(p_distinct, dtype=np.float64)
    out = np.empty(p.shape[0])
    _qvalues_of_counts(p, np.ascontiguousarray(counts, dtype=np.int64), int(m_tests), float(pi0), out)
    return out
