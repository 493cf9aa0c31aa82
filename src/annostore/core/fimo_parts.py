"""FIMO split over parts of the sequences, for a scan spread over machines
(:mod:`annostore.engine.spark_scan`); the same hits, scores, p- and q-values as :func:`fimo`.

* :func:`scan_part` (a worker): the hits of one part of the sequences, without q-values.  A
  window's hit, score and p-value depend on its own letters only, so parts are scanned alone.
* :func:`qvalue_table` (the driver): q-values need, per motif, the tests over *all* sequences,
  pi0 (sampled from all sequences, from the same random streams as the one-process scan) and
  the rank of each p-value among all hits.  BH gives tied p-values the q-value of the last of
  them, so the count of hits per ``(motif, p-value)`` (summed over the parts) is all it needs
  from the workers: it returns the q-value of each ``(motif, p-value)``, joined to the hits after.

MEME's bounded hit heap (``max_stored_scores``) depends on scan order over all sequences and is
not available here.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

import numpy as np
import pyarrow as pa

from annostore.core.alphabet import encode
from annostore.core.fimo import _prepare_sequences, fimo_batches
from annostore.core.fimo_pi0 import pi0_meme, pi0_sample, qvalues_from_counts, resolve_method, tests_per_width
from annostore.core.fimo_tables import _prepare_tables, prepare_background
from annostore.core.qvalues import MemeRandom
from annostore.core.sequences import Sequences

#: columns of a part's hits (``motif_idx``: position in the scanned motif set)
PART_SCHEMA = pa.schema([
    pa.field("motif_idx", pa.int32()),
    pa.field("example_idx", pa.int64()),
    pa.field("start", pa.int64()),
    pa.field("end", pa.int64()),
    pa.field("strand", pa.string()),
    pa.field("score", pa.float64()),
    pa.field("p_value", pa.float64()),
])


def part_sequences(example_idx: Any, sequences: Any) -> Sequences:
    """The :class:`Sequences` of one part (``sequences``: strings), coded as the store's own."""
    texts = [s or "" for s in (sequences.to_pylist() if hasattr(sequences, "to_pylist") else list(sequences))]
    lengths = np.fromiter((len(s) for s in texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    names = [str(int(i)) for i in np.asarray(example_idx)]
    return Sequences(names=names, codes=encode("".join(texts)), offsets=offsets)


def scan_part(mset: Any, example_idx: Any, sequences: Any, threshold: float, *, bfile: Any = "nrdb",
              norc: bool = False, motif_pseudo: float = 0.1) -> Iterator[pa.RecordBatch]:
    """The hits of one part (rows of :data:`PART_SCHEMA`, ``example_idx`` = the given numbers).

    Parameters
    ----------
    mset : MotifSet
        All the scanned motifs (``motif_idx`` is the position in it).
    example_idx : array of int
        The store's example number of each sequence of the part.
    sequences : array of str
        The part's sequences.
    threshold, bfile, norc, motif_pseudo
        As :func:`annostore.fimo`.
    """
    ex_global = np.asarray(example_idx, dtype=np.int64)
    seqs = part_sequences(ex_global, sequences)
    if len(seqs) == 0:
        return
    for batch in fimo_batches(mset, seqs, threshold, bfile=bfile, norc=norc, motif_pseudo=motif_pseudo,
                              qvalues=False, backend="numba"):
        if batch.num_rows == 0:
            continue
        yield pa.RecordBatch.from_arrays(
            [batch.column("motif_idx"), pa.array(ex_global[batch.column("example_idx").to_numpy()]),
             batch.column("start"), batch.column("end"), batch.column("strand"), batch.column("score"),
             batch.column("p_value")],
            schema=PART_SCHEMA,
        )


def qvalue_table(mset: Any, seqs: Sequences, counts: Optional[pa.Table], threshold: float, *, bfile: Any = "nrdb",
                 norc: bool = False, motif_pseudo: float = 0.1, qvalues: bool = True, qvalue_method: str = "auto",
                 batch_motifs: int = 128, stats: Optional[dict] = None) -> Optional[pa.Table]:
    """The q-value of each ``(motif_idx, p_value)`` of the hits of all parts.

    Parameters
    ----------
    mset, threshold, bfile, norc, motif_pseudo, qvalues, qvalue_method
        As the parts' scan (and :func:`annostore.fimo`).
    seqs : Sequences
        All the scanned sequences (for the tests and pi0's samples).
    counts : pyarrow.Table
        ``motif_idx``, ``p_value``, ``n``: hits per motif and p-value, over all parts.
    stats : dict, optional
        Filled as :func:`annostore.core.fimo.fimo_batches` fills it.

    Returns
    -------
    pyarrow.Table or None
        ``motif_idx`` (int32), ``p_value``, ``q_value``; None when ``qvalues`` is False.
    """
    ns = 1 if norc else 2
    bg = prepare_background(bfile, mset, norc=norc)
    sp = _prepare_sequences(seqs)
    widths = np.array([m.width for m in mset], dtype=np.int64)
    tests = tests_per_width(sp.run_len, widths, ns)
    method = resolve_method(qvalue_method, qvalues, tests, widths)
    if stats is not None:
        stats.update(qvalue_method=method if qvalues else None, background=bg, backend="numba", device=None)
        stats["tests"] = {i: tests[int(w)] for i, w in enumerate(widths)}
        stats["pi0"] = {}
    if not qvalues:
        return None
    motif = np.asarray(counts.column("motif_idx").to_numpy(zero_copy_only=False), dtype=np.int64)
    pv = np.asarray(counts.column("p_value").to_numpy(zero_copy_only=False), dtype=np.float64)
    n = np.asarray(counts.column("n").to_numpy(zero_copy_only=False), dtype=np.int64)
    order = np.lexsort((pv, motif))
    motif, pv, n = motif[order], pv[order], n[order]
    bounds = np.searchsorted(motif, np.arange(len(mset) + 1))
    qv = np.empty(pv.shape[0])
    code4 = (sp.words >> np.uint32(24)).astype(np.uint8)
    rng = MemeRandom()  # MEME's stream, consumed motif after motif as in the one-process scan
    for g0 in range(0, len(mset), batch_motifs):
        gidx = np.arange(g0, min(g0 + batch_motifs, len(mset)))
        tabs = _prepare_tables([mset[int(i)] for i in gidx], bg, motif_pseudo, threshold)
        m_tests = np.array([tests[int(w)] for w in tabs.widths], dtype=np.int64)
        has_hits = bounds[gidx + 1] > bounds[gidx]
        if method == "sample":
            pi0s = np.where(has_hits, pi0_sample(gidx, tabs, m_tests, has_hits, ns, code4, sp.run_start, sp.run_len),
                            1.0)
        else:
            pi0s = pi0_meme(rng, tabs, m_tests, has_hits, ns, code4, sp.run_start, sp.run_len)
        for k, i in enumerate(gidx):
            if stats is not None:
                stats["pi0"][int(i)] = float(pi0s[k])
            lo, hi = bounds[i], bounds[i + 1]
            if hi > lo:
                qv[lo:hi] = qvalues_from_counts(pv[lo:hi], n[lo:hi], int(m_tests[k]), float(pi0s[k]))
    return pa.table({"motif_idx": pa.array(motif.astype(np.int32)), "p_value": pa.array(pv), "q_value": pa.array(qv)})
