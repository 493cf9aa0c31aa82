"""The numba cores run into the store: ``scan_store`` (FIMO over the stored sequences and motifs
into a hits run), ``call_seqlets_store`` (seqlets run) and ``annotate_store`` (TOMTOM labels of a
seqlets run as a matches run); each one atomic run with its provenance.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Iterable, Optional

import numpy as np
import pyarrow as pa

from annostore.core.annotate import (
    _annotate_codes,
    _cached_targets,
    _check_windows,
    _looks_like_file,
    _Matches,
)
from annostore.core.fimo import fimo_batches
from annostore.core.fimo_tables import prepare_background
from annostore.core.seqlets import _as_scores, recursive_seqlets
from annostore.core.tomtom import _DISTS, _as_motif_set
from annostore.errors import BadInputError
from annostore.io.attributions import load_attributions
from annostore.io.files import sha256
from annostore.store.lookup import latest_run
from annostore.store.lookup import run_id as lookup_run


def check_scan_engine(engine: str, *, max_stored_scores: Optional[int] = None, backend: str = "auto",
                      device: Any = None) -> None:
    """Refuse what a Spark scan cannot do (BadInputError): MEME's hit heap, the torch backend."""
    if engine != "spark":
        return
    if max_stored_scores is not None:
        raise BadInputError("max_stored_scores (MEME's hit heap, in scan order) needs the local scan, not --engine spark")
    if backend not in ("auto", "numba") or device is not None:
        raise BadInputError("--engine spark scans with the numba kernels on the executors; --device needs the local scan")


def scan_store(
    store: Any,
    motifs: Optional[Iterable[str]] = None,
    sequences: Any = None,
    threshold: float = 1e-4,
    *,
    bfile: Any = "nrdb",
    norc: bool = False,
    motif_pseudo: float = 0.1,
    qvalues: bool = True,
    qvalue_method: str = "auto",
    attributions: Any = None,
    max_stored_scores: Optional[int] = None,
    run: Optional[str] = None,
    stats: Optional[dict] = None,
    min_attribution: Optional[float] = None,
    backend: str = "auto",
    device: Any = None,
    engine: Optional[str] = None,
) -> int:
    """Scan a store's sequences with its motifs and write the hits as one ``hits`` run.

    Parameters
    ----------
    store : annostore.Store
        An open, writable store.
    motifs : iterable of str, optional
        Names of stored motifs to scan (default: all, in ``motif_idx`` order).
    sequences : optional
        Sequences to scan instead of the store's ``sequences`` table (their order gives
        ``example_idx``).
    threshold, bfile, norc, motif_pseudo, qvalues, qvalue_method, max_stored_scores
        As :func:`fimo`.
    attributions : array, path or stored track name, optional
        Adds the attribution sum per hit.  Any layout :mod:`annostore.io.attribution_files` reads
        (ChromBPNet/bpnet h5, bpnet-lite/Fi-NeMo npz, bigWig, npy/npz); default: the store's
        attribution track when it keeps one (``attributions add``).
    min_attribution : float, optional
        Keep only hits whose attribution sum is >= this (needs attributions).
    backend, device
        As :func:`fimo` (``device="cuda"``: scan on the GPU; the same hits).
    run : str, optional
        Name of the run (default: chosen by the store).
    stats : dict, optional
        Filled with ``rows`` (hits written), ``tests`` and ``pi0`` per motif.
    engine : {"duckdb", "spark"}, optional
        Default: the store's engine.  ``"spark"`` spreads the scan over Spark tasks
        (:mod:`annostore.engine.spark_scan`): the same hits, scores, p- and q-values, written and
        committed here like a local scan.  Not with ``max_stored_scores`` or the torch backend.

    Returns
    -------
    int
        The new run's ``run_id``.

    Examples
    --------
    >>> import annostore  # doctest: +SKIP
    >>> store = annostore.open("my.store")  # doctest: +SKIP
    >>> run_id = store.scan(threshold=1e-4)  # doctest: +SKIP
    """
    import annostore

    from annostore.store.genomic import attribution_tracks, store_attributions

    engine = store._engine(engine) if hasattr(store, "_engine") else "duckdb"
    check_scan_engine(engine, max_stored_scores=max_stored_scores, backend=backend, device=device)
    mset = store.motif_set(list(motifs) if motifs is not None else None)
    seqs = store.sequences() if sequences is None else sequences
    attr_source = attributions
    if attributions is None and sequences is None and attribution_tracks(store).num_rows:
        attr_source = "stored:" + attribution_tracks(store)["name"].to_pylist()[-1]
        attributions = store_attributions(store, None)
    elif attributions is not None and sequences is None:
        attributions = store_attributions(store, attributions)
    if min_attribution is not None and attributions is None:
        raise BadInputError("min_attribution needs attributions (a file, or a track kept with attributions add)")
    # motif_idx in the store = position in the stored motif table
    all_names = store.motif_set().names
    store_idx = np.array([all_names.index(n) for n in mset.names], dtype=np.int32)
    bg_desc = bfile if isinstance(bfile, (str, os.PathLike)) else [float(x) for x in np.asarray(bfile).reshape(-1)]
    params = {
        "threshold": float(threshold),
        "bfile": str(bg_desc) if isinstance(bg_desc, os.PathLike) else bg_desc,
        "background": [float(x) for x in prepare_background(bfile, mset, norc=norc)],
        "norc": bool(norc),
        "motif_pseudo": float(motif_pseudo),
        "qvalues": bool(qvalues),
        "qvalue_method": qvalue_method,
        "max_stored_scores": max_stored_scores,
        "motifs": mset.names,
        "attributions": attr_source if isinstance(attr_source, (str, os.PathLike)) else (None if attr_source is None else "array"),
        "min_attribution": None if min_attribution is None else float(min_attribution),
        "pvalue": "MEME 5.5 integer-scaled exact null (PSSM range 1000)",
    }
    if engine == "spark":
        params["engine"] = "spark"
    if isinstance(params["attributions"], os.PathLike):
        params["attributions"] = str(params["attributions"])
    input_sha256 = mset.sha256
    if input_sha256 is None:  # the store keeps each motif's source checksum
        from annostore import resources

        wanted = set(mset.names)
        shas = sorted({row[8] for row in store.con.execute(resources.sql("store_motifs")).fetchall()
                       if row[1] in wanted and row[8]})
        input_sha256 = ",".join(shas) if shas else None
    stats = {} if stats is None else stats
    n_rows = 0
    with store.begin_run(
        "hits",
        name=run,
        tool="annostore.fimo",
        tool_version=annostore.__version__,
        params=params,
        input=mset.source,
        input_sha256=input_sha256,
    ) as r:
        if engine == "spark":
            from annostore.engine.spark_scan import fimo_batches_spark

            source = fimo_batches_spark(
                store, mset, seqs, threshold, from_store=sequences is None, bfile=bfile, norc=norc,
                motif_pseudo=motif_pseudo, qvalues=qvalues, qvalue_method=qvalue_method, attributions=attributions,
                stats=stats, master=getattr(store, "spark_master", None),
            )
        else:
            source = fimo_batches(
                mset, seqs, threshold, bfile=bfile, norc=norc, motif_pseudo=motif_pseudo, qvalues=qvalues,
                qvalue_method=qvalue_method, attributions=attributions, max_stored_scores=max_stored_scores,
                stats=stats, backend=backend, device=device,
            )
        for batch in source:
            if batch.num_rows == 0:
                continue
            midx = pa.array(store_idx[batch.column("motif_idx").to_numpy()], pa.int32())
            cols = {
                "example_idx": batch.column("example_idx"),
                "motif_idx": midx,
                "motif": batch.column("motif"),
                "start": batch.column("start"),
                "end": batch.column("end"),
                "strand": batch.column("strand"),
                "score": batch.column("score"),
                "p_value": batch.column("p_value"),
                "q_value": batch.column("q_value"),
            }
            if "attribution" in batch.schema.names:
                cols["attribution"] = batch.column("attribution")
            out = pa.RecordBatch.from_pydict(cols)
            if min_attribution is not None:
                import pyarrow.compute as pc

                out = out.filter(pc.fill_null(pc.greater_equal(out.column("attribution"), float(min_attribution)), False))
            r.write(out)
            n_rows += out.num_rows
        run_id = r.run_id
    stats["rows"] = n_rows
    return run_id


def annotate_store(
    store,
    seqlet_run: Optional[int] = None,
    motifs=None,
    n_nearest: int = 1,
    *,
    dist: str = "ed",
    norc: bool = False,
    run: Optional[str] = None,
) -> int:
    """Annotate the seqlets of a store run with TOMTOM and store the matches.

    Parameters
    ----------
    store : annostore.Store
        An open, writable store.
    seqlet_run : int, optional
        The seqlets run to annotate (default: the latest seqlets run).
    motifs : optional
        Target motifs: ``None`` for all the store's motifs, a list of stored
        motif names, or a motif file/dict (its motifs must be in the store, so
        that ``motif_idx`` refers to the store's motif table).
    n_nearest : int
        Matches kept per seqlet (rank 1 = best).
    dist, norc
        As in :func:`tomtom`.
    run : str, optional
        Name of the new matches run.

    Returns
    -------
    int
        The ``run_id`` of the new ``matches`` run (``parent_run_id`` = the seqlets run).

    Examples
    --------
    >>> run_id = annostore.annotate_store(store, n_nearest=3)  # doctest: +SKIP
    """
    import pyarrow as pa

    from annostore import resources

    stored = store.motif_set()
    if len(stored) == 0:
        raise BadInputError("the store has no motifs; add some first (annostore motifs add)")
    if motifs is None:
        tset = stored
    else:
        if isinstance(motifs, (list, tuple)) and all(isinstance(m, str) for m in motifs) and not (
            len(motifs) == 1 and _looks_like_file(motifs[0])
        ):
            names = list(motifs)
        else:
            src = motifs[0] if isinstance(motifs, (list, tuple)) else motifs
            names = [m.name for m in _as_motif_set(src, "target")]
        tset = stored.select(names)
    target_idx = np.array([stored.index(m.name) for m in tset], dtype=np.int64)
    con = store.con
    if seqlet_run is None and latest_run(con, "seqlets") is None:
        raise BadInputError("the store has no seqlets run to annotate")
    seqlet_run = lookup_run(con, seqlet_run, "seqlets")
    tab = con.sql(resources.sql("tomtom_seqlets_of_run"), params={"run_id": int(seqlet_run)}).to_arrow_table()
    seq_ids = tab.column("seqlet_id").to_numpy()
    ex = tab.column("example_idx").to_numpy().astype(np.int64)
    st = tab.column("start").to_numpy().astype(np.int64)
    en = tab.column("end").to_numpy().astype(np.int64)
    seqs = store.sequences()
    if ex.shape[0] and ex.max() >= len(seqs):
        raise BadInputError("seqlets refer to examples that have no stored sequence")
    lengths = seqs.lengths
    if ex.shape[0]:
        _check_windows(ex, st, en, len(seqs), lengths)
    from annostore.core.motifs import normalised_background, symmetrised

    qbg = symmetrised(np.full(4, 0.25))
    tg, tkey = _cached_targets(tset, normalised_background(qbg), 0.1, not norc)  # shared with later calls
    k_eff = min(int(n_nearest), len(tset))
    if ex.shape[0]:
        qstart = (seqs.offsets[ex] + st).astype(np.int64)
        qwidth = (en - st).astype(np.int64)
        res = _annotate_codes(np.ascontiguousarray(seqs.codes), qstart, qwidth, tg, int(n_nearest), _DISTS[dist],
                              tkey)
    else:
        z = np.zeros((0, k_eff), np.int64)
        res = _Matches(z, np.zeros((0, k_eff)), z, z, np.zeros((0, k_eff), np.int8))
    n = ex.shape[0]
    valid = res.idx >= 0
    rows_seqlet = np.repeat(seq_ids, k_eff).reshape(n, k_eff)[valid]
    ranks = np.tile(np.arange(1, k_eff + 1, dtype=np.int32), (n, 1))[valid]
    local = res.idx[valid]
    midx = target_idx[local].astype(np.int32)
    names = np.array(stored.names, dtype=object)[midx] if midx.shape[0] else np.array([], dtype=object)
    pv = res.p[valid]
    batch = pa.table(
        {
            "seqlet_run_id": pa.array(np.full(pv.shape[0], int(seqlet_run), np.int32)),
            "seqlet_id": pa.array(rows_seqlet.astype(np.int64)),
            "rank": pa.array(ranks.astype(np.int32)),
            "motif_idx": pa.array(midx),
            "motif": pa.array(list(names), type=pa.string()),
            "p_value": pa.array(pv),
            "e_value": pa.array(pv * len(tset)),
            "offset": pa.array(res.offset[valid].astype(np.int32)),
            "overlap": pa.array(res.overlap[valid].astype(np.int32)),
            "orientation": pa.array(np.where(res.orient[valid] == 1, "-", "+").tolist(), type=pa.string()),
        }
    )
    from annostore import __version__

    params = {"n_nearest": int(n_nearest), "dist": dist, "norc": bool(norc), "motif_pseudo": 0.1,
              "n_targets": len(tset), "complete_scores": True}
    with store.begin_run(
        "matches", name=run, tool="annostore.tomtom", tool_version=__version__, params=params,
        parent_run_id=int(seqlet_run),
    ) as r:
        r.write(batch)
        run_id = r.run_id
    return int(run_id)


def _store_lengths(store: Any) -> np.ndarray | None:
    """Length per example of the store (-1 unknown), or None when it has no examples."""
    getter = getattr(store, "example_lengths", None)
    if getter is not None:
        return getter()
    try:
        return np.asarray(store.sequences().lengths, dtype=np.int64)
    except Exception:  # a store without sequences
        return None


def call_seqlets_store(
    store: Any,
    attributions: Any = None,
    *,
    threshold: float = 0.01,
    min_seqlet_len: int = 4,
    max_seqlet_len: int = 25,
    additional_flanks: int = 0,
    n_bins: int = 1000,
    X_control: Any = None,
    target_fdr: float = 0.1,
    sign: str = "both",
    run: str | None = None,
    sequences: Any = None,
    key: str | None = None,
) -> int:
    """Call seqlets on attributions and store them as a ``seqlets`` run.

    Parameters
    ----------
    store : annostore.Store
        An open, writable store.
    attributions : array, tensor, path or stored track name, optional
        ``(n, L)`` or ``(n, 4, L)`` attributions of the store's examples, in ``example_idx`` order
        (see :func:`annostore.io.attributions.load_attributions`), or a model tool's file
        (ChromBPNet/bpnet h5, bpnet-lite/Fi-NeMo npz, bigWig: :mod:`annostore.io.attribution_files`;
        longer rows are centre-cropped).  Default: the store's attribution track.
    threshold, min_seqlet_len, max_seqlet_len, additional_flanks, n_bins, X_control, target_fdr :
        As for :func:`recursive_seqlets`.
    sign : {"both", "positive", "negative"}, default "both"
        Which seqlets to call; stored in the ``sign`` column (+1/-1).
    run : str, optional
        Run name (default ``seqlets-<run_id>``).
    sequences : FASTA path or anything ``load_sequences`` takes, optional
        The examples' sequences: added to the store when it has no examples yet, else only
        checked against it.
    key : str, optional
        Array name inside an ``.npz`` attribution file.

    Returns
    -------
    int
        The run id.  Rows are stored sorted by ``(example_idx, start)``; ``seqlet_id`` numbers them.

    Raises
    ------
    BadInputError
        The attributions do not match the store's examples (count or length) or are invalid.
        Nothing is written then.

    Examples
    --------
    >>> store = annostore.open("my.store")                                    # doctest: +SKIP
    >>> run_id = call_seqlets_store(store, "attr.npz", threshold=0.01)        # doctest: +SKIP
    >>> store.con.sql("SELECT count(*) FROM seqlets WHERE run_id = $r", params={"r": run_id})  # doctest: +SKIP
    """
    from annostore import __version__

    from annostore.store.genomic import store_attributions

    is_path = isinstance(attributions, (str, os.PathLike))
    what = str(attributions) if is_path else "attributions"
    if (attributions is None or is_path) and sequences is None:
        # stored tracks, ChromBPNet/bpnet h5, bpnet-lite/Fi-NeMo npz, bigWig; longer rows centre-cropped
        resolved = store_attributions(store, attributions, key=key)
    else:
        resolved = attributions
    if attributions is None:
        is_path, what = False, "the store's attributions"
    X = _as_scores(load_attributions(resolved, dtype=None, key=key), what)

    lengths = _store_lengths(store)
    add_sequences = False
    if sequences is not None:
        from annostore.core.sequences import load_sequences

        seqs = load_sequences(sequences)
        if len(seqs) != X.shape[0]:
            raise BadInputError(f"{what}: {X.shape[0]} examples of attributions but {len(seqs)} sequences in {sequences}")
        if lengths is None:
            add_sequences = True
            lengths = np.asarray(seqs.lengths, dtype=np.int64)
    if lengths is not None:
        if len(lengths) != X.shape[0]:
            raise BadInputError(
                f"{what}: {X.shape[0]} examples of attributions but the store has {len(lengths)} examples"
            )
        known = lengths[lengths >= 0]
        if known.size and X.shape[1] < int(known.max()):
            raise BadInputError(
                f"{what}: attributions have length {X.shape[1]} but the longest example of the store has "
                f"{int(known.max())} bases"
            )

    df = recursive_seqlets(
        X,
        threshold=threshold,
        min_seqlet_len=min_seqlet_len,
        max_seqlet_len=max_seqlet_len,
        additional_flanks=additional_flanks,
        n_bins=n_bins,
        X_control=X_control,
        target_fdr=target_fdr,
        sign=sign,
    )
    if "sign" not in df.columns:
        df["sign"] = np.int8(1)
    df = df.sort_values(["example_idx", "start", "sign"], kind="stable", ignore_index=True)
    if lengths is not None:
        # examples shorter than the (padded) attribution rows: nothing may lie past their end
        ex_len = lengths[df["example_idx"].to_numpy()]
        ex_len = np.where(ex_len < 0, X.shape[1], ex_len)
        inside = df["start"].to_numpy() < ex_len
        df = df[inside].reset_index(drop=True)
        df["end"] = np.minimum(df["end"].to_numpy(), ex_len[inside])

    import pyarrow as pa

    table = pa.table(
        {
            "example_idx": pa.array(df["example_idx"].to_numpy(np.int64)),
            "start": pa.array(df["start"].to_numpy(np.int64)),
            "end": pa.array(df["end"].to_numpy(np.int64)),
            "attribution": pa.array(df["attribution"].to_numpy(np.float64)),
            "p_value": pa.array(df["p-value"].to_numpy(np.float64)),
            "sign": pa.array(df["sign"].to_numpy(np.int8)),
        }
    )
    params = {
        "threshold": None if X_control is not None else float(threshold),
        "min_seqlet_len": int(min_seqlet_len),
        "max_seqlet_len": int(max_seqlet_len),
        "additional_flanks": int(additional_flanks),
        "n_bins": int(n_bins),
        "sign": sign,
        "target_fdr": float(target_fdr) if X_control is not None else None,
        "X_control": X_control is not None,
        "shape": list(X.shape),
        "dtype": str(X.dtype),
    }
    if is_path and os.path.exists(attributions):
        input_name, digest = str(attributions), sha256(attributions)
    else:
        input_name, digest = None, hashlib.sha256(np.ascontiguousarray(X).tobytes()).hexdigest()
    if add_sequences:
        store.add_sequences(sequences)
    with store.begin_run(
        "seqlets",
        name=run,
        tool="annostore.recursive_seqlets",
        tool_version=__version__,
        params=params,
        input=input_name,
        input_sha256=digest,
    ) as writer:
        writer.write(table)
    return int(writer.run_id)
