"""FIMO with numba kernels, giving MEME 5.5.x's numbers (meme-reference §1).

Scoring, exactly as MEME's ``fimo``:

1. background: NRDB (default), uniform, the motif file's block, a MEME ``--bfile`` file or a
   ``(4,)`` array; made strand-symmetric when both strands are scanned; then MEME's
   ``(b + 5e-7) / (1 + 4 * 5e-7)`` normalisation;
2. motif pseudocount ``(N p + c b) / (N + c)``, ``N = nsites`` (20 when absent), ``c = 0.1``;
3. log-odds ``ln(p / b) * 1.44269504`` (MEME's truncated log2 constant);
4. integer scaling to [0, 1000]: ``offset = floor(min)``, ``scale = floor(1000 / (max - offset))``,
   ``M = nint((L - offset) scale)``;
5. the exact null of the integer window score by dynamic programming with the same background,
   ``p = P(S >= s)``;
6. every window of every sequence, both strands unless ``norc``; windows holding a letter other
   than A/C/G/T (either case) are skipped and not counted as tests; hits are ``p <= threshold``;
   the printed score is ``S / scale + w * offset``;
7. q-values per motif with Storey's pi0 + BH step-up (see :mod:`annostore.core.qvalues` and
   ``qvalue_method`` below).

Speed: a hit needs ``S >= S*`` with ``S* = min{s : p(s) <= threshold}`` (exact integer pruning).
Each motif strand gets two 8-column blocks (its most informative 16 columns); for each block the
8-mer under it must still allow ``S*`` given the other columns' maxima.  These necessary
conditions are packed as bits, 32 motif strands per table, so one lookup of the 8-mer code at a
position tests 32 motif strands at once (``flags[word] & flags2[next word]``).  Strands whose
blocks pass often get a two-step condition in the same lookups (the block-2 bound depends on
whether block 1 scored below or above a split; 64-bit entries), about 7x fewer candidates for
them.  Motifs whose blocks filter very poorly are tested instead with the joint partial score of
both blocks (two int16 table lookups).  The few windows left are scored exactly with 4-column lookup tables and
suffix-maximum pruning, and windows holding N are dropped.  Work is split into chunks of sequence
handed out dynamically to the numba threads; memory is bounded by one batch of motifs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

import numba
import numpy as np
import pyarrow as pa

from annostore.compat.memelite import to_memelite
from annostore.core.alphabet import STRANDS, decode
from annostore.core.arrays import arrow_numeric, arrow_strings, arrow_take
from annostore.core.fimo_kernels import (
    _CHUNK, _bad_prefix, _clean_runs, _compact, _scan, _segments, _span_sums, _word_codes,
)
from annostore.core.fimo_pi0 import pi0_meme, pi0_sample, resolve_method, tests_per_width
from annostore.core.fimo_pi0_kernels import _qvalues_grouped
from annostore.core.fimo_rows_kernels import _hit_rows
from annostore.core.fimo_plan import scan_plan
from annostore.core.fimo_tables import (
    PSSM_RANGE,
    _MotifTables,
    _prepare_tables,
    prepare_background,
)
from annostore.core.parallel import small_work
from annostore.core.qvalues import MemeRandom
from annostore.errors import BadInputError



FIMO_SCHEMA = pa.schema(
    [
        pa.field("motif_idx", pa.int32(), nullable=False),
        pa.field("motif", pa.string(), nullable=False),
        pa.field("motif_alt", pa.string()),
        pa.field("example_idx", pa.int64(), nullable=False),
        pa.field("sequence_name", pa.string()),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("strand", pa.string(), nullable=False),
        pa.field("score", pa.float64()),
        pa.field("p_value", pa.float64()),
        pa.field("q_value", pa.float64()),
    ]
)


@dataclass
class _SeqPrep:
    codes: np.ndarray  # uint8, padded
    words: np.ndarray  # uint32
    offsets: np.ndarray
    # window-start segments: [seg_lo, seg_hi) global starts, seg_end = end of its sequence
    seg_lo: np.ndarray
    seg_hi: np.ndarray
    seg_end: np.ndarray
    chunk_bounds: np.ndarray  # chunk c = segments chunk_bounds[c]:chunk_bounds[c+1]
    # clean runs (no N), for test counts and sampling
    run_start: np.ndarray
    run_len: np.ndarray
    nbad: np.ndarray  # nbad[i] = letters other than ACGT in codes[:i], modulo 2^32 (uint32)


def _prepare_sequences(seqs) -> _SeqPrep:
    codes = np.ascontiguousarray(seqs.codes, dtype=np.uint8)
    # work chunks: big enough that each filter table is reused over many positions (a group's two
    # 256 KiB bitmaps are loaded into the core's cache once per chunk), small enough to share the
    # work between threads (about four chunks a thread; 16 a thread cost 5-15 % at 300-1,000 x 2 kb)
    chunk = int(min(_CHUNK, max(4096, codes.shape[0] // (4 * max(1, numba.get_num_threads())))))
    offsets = np.asarray(seqs.offsets, dtype=np.int64)
    padded = np.concatenate([codes, np.full(64, 4, dtype=np.uint8)])
    seg_lo, seg_hi, seg_end, bounds = _segments(offsets, chunk)
    with small_work(8.0 * codes.shape[0]):  # a few Mbp or less: one thread (no fork/join)
        words = _word_codes(codes)
        run_start, run_len = _clean_runs(codes, offsets)
        nbad = _bad_prefix(codes)
    return _SeqPrep(
        padded,
        words,
        offsets,
        seg_lo,
        seg_hi,
        seg_end,
        bounds,
        run_start,
        run_len,
        nbad,
    )


_QMETHODS = ("auto", "meme", "sample")


def _as_motifs(motifs, motif_names):
    from annostore.io.motifs import read_motifs

    ms = read_motifs(motifs)
    if motif_names is not None:
        if isinstance(motif_names, str):
            motif_names = [motif_names]
        ms = ms.select(list(motif_names))
    if len(ms) == 0:
        raise BadInputError("no motifs to scan")
    return ms


def check_options(threshold: float, qvalue_method: str, motif_pseudo: float) -> None:
    """BadInputError for a threshold, q-value method or pseudocount FIMO cannot take."""
    if not (threshold > 0) or not math.isfinite(threshold):
        raise BadInputError(f"threshold must be a positive number, got {threshold!r}")
    if qvalue_method not in _QMETHODS:
        raise BadInputError(f"qvalue_method must be one of {', '.join(_QMETHODS)}, got {qvalue_method!r}")
    if motif_pseudo < 0 or not math.isfinite(motif_pseudo):
        raise BadInputError(f"motif_pseudo must be >= 0, got {motif_pseudo!r}")


def fimo_batches(
    motifs: Any,
    sequences: Any,
    threshold: float = 1e-4,
    *,
    bfile: Any = "nrdb",
    norc: bool = False,
    motif_pseudo: float = 0.1,
    qvalues: bool = True,
    qvalue_method: str = "auto",
    matched_sequence: bool = False,
    attributions: Any = None,
    max_stored_scores: Optional[int] = None,
    motif_names: Optional[Iterable[str]] = None,
    batch_motifs: Optional[int] = None,
    stats: Optional[dict] = None,
    backend: str = "auto",
    device: Any = None,
) -> Iterator[pa.RecordBatch]:
    """:func:`fimo` as a stream of Arrow record batches (memory bounded by one batch of motifs).

    Batches hold whole motifs (q-values are per motif), in motif order; rows within a batch are
    sorted by motif, example, start, strand ('+' first).  Parameters as :func:`fimo`, plus
    ``batch_motifs`` (motifs per batch; default 128 on numba, 1,024 on torch) and ``stats`` (a
    dict filled with ``tests`` per motif index, ``pi0`` per motif index, the ``qvalue_method``
    and the ``backend``/``device`` used).

    Yields
    ------
    pyarrow.RecordBatch
        Rows of :data:`FIMO_SCHEMA` (+ ``attribution``, ``matched_sequence`` when asked).
    """
    from annostore.core.sequences import load_sequences

    check_options(threshold, qvalue_method, motif_pseudo)
    backend, dev = _backend(backend, device)
    if batch_motifs is None:
        batch_motifs = 1024 if backend == "torch" else 128
    mset = _as_motifs(motifs, motif_names)
    seqs = load_sequences(sequences)
    attr = None
    if attributions is not None:
        from annostore.io.attributions import load_attributions

        attr = load_attributions(attributions, n=len(seqs), lengths=seqs.lengths)
    bg = prepare_background(bfile, mset, norc=norc)
    if backend == "torch":  # no prefilter words or N counts: the torch scan needs codes and runs only
        from annostore.core.fimo_torch import prepare_sequences

        sp = prepare_sequences(seqs)
    else:
        sp = _prepare_sequences(seqs)
    ns = 1 if norc else 2
    names = arrow_strings([str(x) for x in seqs.names])

    # tests per motif width (windows without N, times strands)
    widths_all = np.array([m.width for m in mset], dtype=np.int64)
    tests = tests_per_width(sp.run_len, widths_all, ns)
    method = resolve_method(qvalue_method, qvalues, tests, widths_all)
    if stats is not None:
        stats["qvalue_method"] = method if qvalues else None
        stats["tests"] = {}
        stats["pi0"] = {}
        stats["background"] = bg
        stats["backend"] = backend
        stats["device"] = None if dev is None else str(dev)
    rng = MemeRandom()
    code4 = None  # 4-mer code per position (N as A), for the q-value samples
    if qvalues:
        if sp.words is not None:
            code4 = (sp.words >> np.uint32(24)).astype(np.uint8)
        else:
            from annostore.core.fimo_torch import code4_of

            code4 = code4_of(sp.codes[: int(sp.offsets[-1])])
    idx_all = np.arange(len(mset))
    # 'sample' pi0: after a batch's scan, for the motifs with hits only, over all threads (a
    # fresh stream per motif, so the numbers do not depend on the batch or the thread count)

    def finish(gidx, group, tabs, pv_off, pv_flat, m_tests, pi0_job, ms_idx, pos, sc, pv_hits):
        # rows in scan order within motif: example/position, '+' before '-', each with its p-value
        # (table lookup; the torch backend looked them up on the device), score, example and start
        scales = np.asarray(tabs.scales, dtype=np.float64)
        score_off = np.asarray(tabs.widths * np.asarray(tabs.offsets), dtype=np.float64)
        bounds, row, motif_local, strand_minus, pos, sc, pvals, scores, ex, start = _hit_rows(
            ms_idx, pos, sc, ns, len(group), pv_off, pv_flat, scales, score_off, sp.offsets)
        if pv_hits is not None:
            pvals = pv_hits[row]
        keep = np.ones(pos.shape[0], dtype=bool)
        qv = np.full(pos.shape[0], np.nan)
        if max_stored_scores is not None:
            for k in range(len(group)):
                sel = slice(bounds[k], bounds[k + 1])
                keep[sel] = _heap_keep(pvals[sel], int(max_stored_scores))
        if stats is not None:
            for k in range(len(group)):
                stats["tests"][int(gidx[k])] = int(m_tests[k])
        if qvalues:
            kc = np.concatenate([[0], np.cumsum(keep)])
            has_hits = kc[bounds[1:]] > kc[bounds[:-1]]
            pi0s = np.ones(len(group))
            if method == "sample":
                # computed for the motifs with hits before the kept ones were known; MEME's pi0
                # is 1 without (kept) hits
                pi0s = np.where(has_hits, pi0_job, 1.0)
            else:  # MEME's own stream: reservoir over every test in scan order, motif after motif
                pi0s = pi0_meme(rng, tabs, m_tests, has_hits, ns, code4, sp.run_start, sp.run_len)
            if stats is not None:
                for k in range(len(group)):
                    stats["pi0"][int(gidx[k])] = float(pi0s[k])
            _qvalues_grouped(pvals, sc, keep, bounds, m_tests, pi0s.astype(np.float64), qv)
        if not keep.all():
            motif_local, strand_minus, pos, sc = motif_local[keep], strand_minus[keep], pos[keep], sc[keep]
            pvals, scores, qv, ex, start = pvals[keep], scores[keep], qv[keep], ex[keep], start[keep]
        w_hit = tabs.widths[motif_local]
        end = start + w_hit
        midx = gidx[motif_local].astype(np.int32)
        cols = {
            "motif_idx": arrow_numeric(midx, pa.int32()),
            "motif": arrow_take(arrow_strings([m.name for m in group]), motif_local),
            "motif_alt": arrow_take(arrow_strings([m.alt_name for m in group]), motif_local),
            "example_idx": arrow_numeric(ex, pa.int64()),
            "sequence_name": arrow_take(names, ex),
            "start": arrow_numeric(start, pa.int64()),
            "end": arrow_numeric(end, pa.int64()),
            "strand": arrow_take(_STRANDS, strand_minus),
            "score": arrow_numeric(scores, pa.float64()),
            "p_value": arrow_numeric(pvals, pa.float64()),
            "q_value": arrow_numeric(qv, pa.float64(), mask=np.isnan(qv) if not qvalues else None),
        }
        if attr is not None:
            cols["attribution"] = arrow_numeric(_span_sums(attr, ex, start, end), pa.float64())
        if matched_sequence:
            cols["matched_sequence"] = arrow_strings(_matched(sp.codes, pos, w_hit, strand_minus))
        return pa.RecordBatch.from_pydict(cols)

    # the finishing of batch k (sort, p/q-values, Arrow columns) runs on a second thread while
    # batch k + 1 is scanned; one finishing thread, so batches finish in order (MEME's random
    # stream for 'meme' q-values is consumed motif after motif, as before): same numbers
    fin_pool = None
    if numba.get_num_threads() > 1 and backend != "torch":
        from concurrent.futures import ThreadPoolExecutor

        fin_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annostore-finish")
    fin_job = None
    pending = None
    try:
        for g0 in range(0, len(mset), batch_motifs):
            gidx = idx_all[g0 : g0 + batch_motifs]
            group = [mset[int(i)] for i in gidx]
            tabs = _prepare_tables(group, bg, motif_pseudo, threshold)
            pv_off = tabs.pv_off
            pv_flat = tabs.pv_flat
            m_tests = np.array([tests[int(w)] for w in tabs.widths], dtype=np.int64)
            pi0_job = None
            if pending is not None:  # finish the previous batch while this one's pi0 runs beside
                if fin_pool is None:
                    yield finish(*pending)
                else:
                    fin_job = fin_pool.submit(finish, *pending)
                pending = None
            if backend == "torch":
                from annostore.core.fimo_torch import scan_hits

                ms_idx, pos, sc, pv_hits = scan_hits(sp, tabs, norc, device=dev, pv_flat=pv_flat, pv_off=pv_off)
            else:
                ms_idx, pos, sc = _run_scan(sp, tabs, norc)
                pv_hits = None
            if qvalues and method == "sample":
                active = np.bincount(ms_idx // ns, minlength=len(group))[: len(group)] > 0
                pi0_job = pi0_sample(gidx, tabs, m_tests, active, ns, code4, sp.run_start, sp.run_len)
            pending = (gidx, group, tabs, pv_off, pv_flat, m_tests, pi0_job, ms_idx, pos, sc, pv_hits)
            if fin_job is not None:
                job, fin_job = fin_job, None
                yield job.result()
        if pending is not None:
            yield finish(*pending)
    finally:
        if fin_pool is not None:
            fin_pool.shutdown(wait=True)


_BACKENDS = ("auto", "numba", "torch")


def _backend(backend, device):
    """(backend, torch device or None): ``"auto"`` is torch when a device is named, else numba."""
    if backend not in _BACKENDS:
        raise BadInputError(f"backend must be one of {', '.join(_BACKENDS)}, got {backend!r}")
    if backend == "auto":
        backend = "numba" if device is None else "torch"
    if backend == "numba":
        if device is not None and str(device).strip().lower() != "cpu":
            raise BadInputError(f"backend='numba' runs on the CPU; device={device!r} needs backend='torch'")
        return "numba", None
    from annostore.core.fimo_torch import resolve_device

    return "torch", resolve_device(device)


def _run_scan(sp: _SeqPrep, tabs: _MotifTables, norc: bool):
    plan = scan_plan(tabs, norc)
    empty = np.zeros(0, np.int64)
    if plan.n_live == 0:
        return empty, empty, empty
    nchunks = sp.chunk_bounds.shape[0] - 1
    # expected hits per chunk, to size the buffers (overflowing chunks are re-run)
    lens = sp.seg_hi - sp.seg_lo
    cum = np.concatenate([[0], np.cumsum(lens)])
    chunk_pos = cum[sp.chunk_bounds[1:]] - cum[sp.chunk_bounds[:-1]]
    caps = np.minimum(chunk_pos * plan.n_live, (chunk_pos * plan.peff * 2 + 256).astype(np.int64))
    args = plan.kernel_args(sp.nbad)
    # a few thousand positions run on one thread (the fork/join would cost more than the scan)
    work = float(cum[-1]) * (plan.n_groups + plan.n_dense) * 8
    ids = np.arange(nchunks, dtype=np.int64)
    res = _scan_call(sp, args, ids, caps, work)
    counts = res[3]
    over = np.flatnonzero(counts > caps)
    first = _take(res, caps, counts, counts <= caps)
    if over.size:
        res2 = _scan_call(sp, args, ids[over], counts[over], work)
        second = _take(res2, counts[over], res2[3], None)
        return tuple(np.concatenate([first[i], second[i]]) for i in range(3))
    return first


def _scan_call(sp, args, ids, caps, work=float("inf")):
    base = np.concatenate([[0], np.cumsum(caps)[:-1]]).astype(np.int64)
    total = int(caps.sum())
    out_ms = np.empty(total, dtype=np.int64)
    out_pos = np.empty(total, dtype=np.int64)
    out_sc = np.empty(total, dtype=np.int64)
    counts = np.zeros(ids.shape[0], dtype=np.int64)
    old = numba.set_parallel_chunksize(1)  # chunks are handed out dynamically
    try:
        with small_work(work if ids.shape[0] > 1 else 0):
            _scan(sp.words, sp.codes, sp.seg_lo, sp.seg_hi, sp.seg_end, sp.chunk_bounds, ids, base,
                  caps.astype(np.int64), *args, out_ms, out_pos, out_sc, counts)
    finally:
        numba.set_parallel_chunksize(old)
    return out_ms, out_pos, out_sc, counts


def _take(res, caps, counts, keep):
    base = np.concatenate([[0], np.cumsum(caps)[:-1]]).astype(np.int64)
    n = np.where(keep if keep is not None else True, np.minimum(counts, caps), 0).astype(np.int64)
    return _compact(res[0], res[1], res[2], base, n)  # rows [base, base + n) of every kept chunk


_STRANDS = arrow_strings(STRANDS)


def _matched(codes, pos, widths, minus) -> list:
    out = []
    for p, w, m in zip(pos.tolist(), widths.tolist(), minus.tolist()):
        c = codes[p : p + w]
        out.append(decode(c, reverse_complement=bool(m)))
    return out


def _heap_keep(pvals: np.ndarray, max_stored: int) -> np.ndarray:
    """MEME's bounded max-heap (--max-stored-scores), applied to one motif's hits in scan order."""
    import heapq

    keep = np.zeros(pvals.shape[0], dtype=bool)
    if pvals.shape[0] <= max_stored:
        keep[:] = True
        return keep
    heap: list = []  # (-p, -i)
    limit = math.inf
    for i, p in enumerate(pvals.tolist()):
        if p > limit:
            continue
        heapq.heappush(heap, (-p, -i))
        if len(heap) >= max_stored:
            last = None
            for _ in range(len(heap) // 2):
                last = -heapq.heappop(heap)[0]
            while heap and -heap[0][0] >= last:
                heapq.heappop(heap)
            limit = -heap[0][0] if heap else 0.0
    for _, ni in heap:
        keep[-ni] = True
    return keep


def fimo(
    motifs: Any,
    sequences: Any,
    threshold: float = 1e-4,
    *,
    bfile: Any = "nrdb",
    norc: bool = False,
    motif_pseudo: float = 0.1,
    qvalues: bool = True,
    qvalue_method: str = "auto",
    matched_sequence: bool = False,
    attributions: Any = None,
    max_stored_scores: Optional[int] = None,
    motif_names: Optional[Iterable[str]] = None,
    format: str = "arrow",
    backend: str = "auto",
    device: Any = None,
) -> Any:
    """Scan sequences with motifs the way MEME's ``fimo`` does, with its numbers.

    Parameters
    ----------
    motifs : path, MotifSet, dict or list
        Anything :func:`annostore.read_motifs` takes (MEME/JASPAR files, ``{name: (4, w)}``).
    sequences : path, Sequences, list/dict of str, one-hot array
        Anything :func:`annostore.load_sequences` takes.
    threshold : float
        Keep windows with ``p <= threshold`` (MEME ``--thresh``; inclusive).
    bfile : {"nrdb", "uniform", "motif"}, path or (4,) array
        Background (MEME ``--bfile``); NRDB by default, as MEME.
    norc : bool
        Scan only the given strand (MEME ``--norc``; the background is then not symmetrised).
    motif_pseudo : float
        Total motif pseudocount, spread by the background and weighted by ``nsites``.
    qvalues : bool
        Compute q-values (``False``: the column is null; MEME ``--no-qvalue``/``--text``).
    qvalue_method : {"auto", "meme", "sample"}
        How pi0 is sampled.  ``"meme"`` reproduces MEME's binary exactly: a reservoir of
        10,000 p-values drawn with MEME's Mersenne Twister over every test in scan order (one
        random draw per test beyond 10,000, so slow on big inputs), then the same stream drives
        the bootstrap.  ``"sample"`` draws the 10,000 tests itself, as 1,000 runs of 10
        consecutive tests placed uniformly at random, with independent streams per motif (Mersenne
        Twister seeded 4357 + motif index for the positions, splitmix64 for the bootstrap; motifs
        run in parallel); the same Storey estimator then
        gives pi0 within its own sampling error of MEME's (and q-values within that factor).
        ``"auto"``: ``"meme"`` when that needs at most 5e7 draws (about 0.1 s), else
        ``"sample"``.  At most 10,000 tests (and at most 100 for pi0 = 1) both are exact.
    matched_sequence : bool
        Add ``matched_sequence`` (upper case; reverse complement for '-').
    attributions : array, tensor or .npy/.npz path, optional
        ``(n, L)`` or ``(n, 4, L)`` attributions; adds ``attribution`` = sum over the hit's span.
    max_stored_scores : int, optional
        Emulate MEME's bounded hit heap (``--max-stored-scores``, MEME default 100000) per motif;
        ``None`` keeps every hit.
    motif_names : iterable of str, optional
        Scan only these motifs (ids, ``"id alt"`` keys or alt names; MEME ``--motif``).
    format : {"arrow", "pandas", "memelite"}
        ``"arrow"``: one ``pyarrow.Table``; ``"pandas"``: a DataFrame; ``"memelite"``: a list
        with one DataFrame per motif shaped like ``memelite.fimo`` (see :func:`to_memelite`).
    backend : {"auto", "numba", "torch"}
        ``"numba"``: the CPU scan; ``"torch"``: the scan on torch (a GPU, or the CPU), with
        identical hits, scores, p-values and q-values (see :mod:`annostore.core.fimo_torch`);
        ``"auto"``: torch when ``device`` is given, else numba.
    device : str, optional
        For the torch backend: ``"cuda"``, ``"cuda:N"``, ``"cpu"`` or ``"auto"`` (CUDA when
        present; the default when ``backend="torch"``).

    Returns
    -------
    pyarrow.Table, pandas.DataFrame or list of DataFrame
        Columns ``motif_idx, motif, motif_alt, example_idx, sequence_name, start, end, strand,
        score, p_value, q_value`` (+ ``attribution``, ``matched_sequence``); 0-based half-open
        coordinates; '-' hits report the forward-strand window.

    Examples
    --------
    >>> import annostore
    >>> hits = annostore.fimo({"m": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]}, ["TTACGTT"],
    ...                       threshold=0.05)
    >>> list(zip(hits.column("start").to_pylist(), hits.column("strand").to_pylist()))
    [(2, '+'), (3, '-')]
    """
    batches = list(
        fimo_batches(
            motifs, sequences, threshold, bfile=bfile, norc=norc, motif_pseudo=motif_pseudo, qvalues=qvalues,
            qvalue_method=qvalue_method, matched_sequence=matched_sequence, attributions=attributions,
            max_stored_scores=max_stored_scores, motif_names=motif_names, backend=backend, device=device,
        )
    )
    schema = batches[0].schema if batches else FIMO_SCHEMA
    table = pa.Table.from_batches(batches, schema=schema)
    if format == "arrow":
        return table
    if format == "pandas":
        return table.to_pandas()
    if format == "memelite":
        return to_memelite(table, n_motifs=len(_as_motifs(motifs, motif_names)))
    raise BadInputError(f"format must be 'arrow', 'pandas' or 'memelite', got {format!r}")
