"""The scan plan of a batch of motifs: the tables :func:`annostore.core.fimo_kernels._scan` reads.

From MEME's integer matrices and the score cutoffs (:mod:`annostore.core.fimo_tables`) it builds,
per motif strand, the N-extended matrix, the 4-column lookup tables with their pruning order and
bounds, the two 8-column filter blocks and their bitmaps (32 motif strands per bitmap, with the
two-step filter's split for the strands that pass often: :func:`annostore.core.fimo_kernels._splits`), and the
int16 joint tables of the strands scanned densely.  None of it depends on the sequences, so a
plan is kept in the table cache (:mod:`annostore.core.table_cache`) under the key of its
tables, their cutoffs and the strand mode, and reused by later scans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annostore.core.fimo_kernels import _K1, _PROBE, _dense_tables, _group_flags, _splits, _strand_tables
from annostore.core.fimo_tables import PSSM_RANGE, _MotifTables
from annostore.core.parallel import small_work

__all__ = ["ScanPlan", "scan_plan"]

_DENSE_RATE = 0.3  # motif strands whose block flags pass more windows than this are scanned densely
_SPLIT_RATE = 1e-3  # motif strands whose block flags pass more windows than this get a two-step filter


@dataclass
class ScanPlan:
    """What the scan kernel needs besides the sequences."""

    n_live: int  # motif strands that can reach their cutoff (0: nothing to scan)
    peff: float  # expected hits per position, all motif strands together (sizes the buffers)
    n_groups: int  # 32-strand filter groups
    n_dense: int  # strands scanned densely
    args: tuple  # (grp_ms, grp_n, grp_maxoff, flags, ms_w, ms_cut, ms_o1, ms_qoff, qtab, qorder, qbound,
    #               dense_ms, dense_tabs, dense_need): _scan's arguments between the chunk buffers and nbad

    def kernel_args(self, nbad: np.ndarray) -> tuple:
        a = self.args
        return a[:11] + (nbad,) + a[11:]


def scan_plan(tabs: _MotifTables, norc: bool) -> ScanPlan:
    """The plan of ``tabs`` (with its cutoffs) for one or both strands, from the cache when built before."""
    if tabs.key is None:
        return build_scan_plan(tabs, norc)
    from annostore.core.table_cache import CACHE, digest

    key = digest("fimo-plan", tabs.key, np.asarray(tabs.cutoffs, dtype=np.int64), bool(norc))
    return CACHE.get(key, lambda: build_scan_plan(tabs, norc))


def build_scan_plan(tabs: _MotifTables, norc: bool) -> ScanPlan:
    widths = np.asarray(tabs.widths, dtype=np.int64)
    moff = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
    flat = tabs.mats_flat if tabs.mats_flat is not None else np.concatenate([m.reshape(-1) for m in tabs.matrices])
    flat = np.ascontiguousarray(flat, dtype=np.int32)
    cutoffs = np.asarray(tabs.cutoffs, dtype=np.int64)
    ms_w, ms_cut, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, ext, order, bound, rate, ms_qoff, qtab, qorder, qbound = _strand_tables(
        flat, moff, widths, cutoffs, norc, _K1, _PROBE
    )
    live = np.flatnonzero(ms_cut <= ms_w * PSSM_RANGE)
    if live.size == 0:
        return ScanPlan(0, 0.0, 0, 0, ())

    # groups of 32 motif strands, similar filter pass rates together (rarely-set flags stay rare)
    live = live[np.argsort(rate[live], kind="stable")]
    dense_ms = live[rate[live] > _DENSE_RATE]
    live = live[rate[live] <= _DENSE_RATE]
    dense_tabs, dense_need = _dense_tables(ext, ms_moff, ms_w, ms_cut, ms_o1, ms_k1, ms_k2, dense_ms)
    ng = (live.size + 31) // 32
    grp_ms = np.full((ng, 32), -1, dtype=np.int64)
    grp_n = np.zeros(ng, dtype=np.int64)
    grp_maxoff = np.zeros(ng, dtype=np.int64)
    for g in range(ng):
        mem = live[g * 32 : (g + 1) * 32]
        grp_ms[g, : mem.size] = mem
        grp_n[g] = mem.size
        grp_maxoff[g] = int(ms_o1[mem].max())
    # the two-step filter's split for strands that pass often (the others keep the one-step filter)
    ms_s = ms_need.copy()
    ms_a2 = np.full(ms_need.shape[0], 1 << 40, dtype=np.int64)
    busy = live[rate[live] > _SPLIT_RATE]
    if busy.size:
        with small_work(float(busy.size) * _PROBE.shape[0] * 24):
            ms_s[busy], ms_a2[busy] = _splits(ext, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, busy, _PROBE)
    with small_work(float(live.size + busy.size) * 65536 * 2):  # two 4^8 bit rows per strand, four with a split
        flags = _group_flags(ext, ms_moff, ms_k1, ms_o1, ms_need, ms_k2, ms_need2, ms_s, ms_a2, grp_ms, grp_n)
    # expected hits per position (both strands unless norc), to size the buffers
    peff = 0.0
    for k in range(len(tabs.matrices)):
        c = int(cutoffs[k])
        if c <= widths[k] * PSSM_RANGE:
            peff += float(tabs.pvs[k][c]) * (1 if norc else 2)
    args = (grp_ms, grp_n, grp_maxoff, flags, ms_w, ms_cut, ms_o1, ms_qoff, qtab, qorder, qbound,
            dense_ms, dense_tabs, dense_need)
    return ScanPlan(int(live.size + dense_ms.size), peff, int(ng), int(dense_ms.size), args)
