"""Real-data inputs into a store: peaks + genome, attribution files kept as tracks, modisco-lite
results and Fi-NeMo hits.  The file formats are read by ``annostore.io`` (``peaks``, ``genome``,
``attribution_files``, ``modisco``, ``finemo``); this module validates everything against the
store first and only then writes, so a bad file changes nothing.

Stored attribution tracks live in ``<store>/attributions/<name>.parquet`` (``example_idx``,
``values`` float32 list of the example length) with a row in the ``attributions`` table
(migration 0003).  float32 holds the projected scores of every supported layout exactly
(ChromBPNet writes float16; a projected position is one hypothetical value times 1).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from annostore import resources
from annostore.errors import AnnostoreError, BadInputError, MissingInputError

__all__ = [
    "add_peak_regions",
    "regions_table",
    "add_attribution_track",
    "attribution_tracks",
    "read_attribution_track",
    "store_attributions",
    "ingest_modisco",
    "ingest_finemo",
]

TRACK_DIR = "attributions"
_TRACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _count(store: Any, table: str) -> int:
    return int(store.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


# ---------------------------------------------------------------------------------------------
# regions from peaks


def add_peak_regions(store: Any, peaks: Any, *, genome: Any = None, width: Optional[int] = None,
                     pad: bool = False) -> dict:
    """Add examples from a narrowPeak/BED file: windows of ``width`` centred at the summits.

    With ``genome`` (a FASTA path) the windows' sequences are added too and windows that run off
    a chromosome are dropped (or ``N``-padded with ``pad``).  Unnamed peaks are named
    ``chrom:start-end`` after their window (as ``bedtools getfasta`` names sequences).

    Returns ``{"added": n, "dropped": k}``.
    """
    from annostore.io.genome import open_genome
    from annostore.io.peaks import peak_windows, read_peaks, window_sequences

    store._writable()
    table = read_peaks(peaks)
    n_regions, n_seq = _count(store, "regions"), _count(store, "sequences")
    if n_regions or n_seq:
        raise BadInputError(f"the store already has {max(n_regions, n_seq)} examples; regions are added once")
    g = open_genome(genome) if genome is not None else None
    try:
        windows, dropped = peak_windows(table, width, None if g is None else g.chrom_sizes, pad=pad, where=peaks)
        if windows.num_rows == 0:
            raise BadInputError(f"{peaks}: every window runs off its chromosome; nothing to add")
        seqs = window_sequences(g, windows, pad=pad) if g is not None else None
    finally:
        if g is not None:
            g.close()
    n = windows.num_rows
    start = windows["start"].to_numpy()
    end = windows["end"].to_numpy()
    off_left = start < 0  # only with --pad: the regions table keeps non-negative coordinates
    chrom = windows["chrom"].to_pylist()
    names = [nm if nm is not None else f"{c}:{s}-{e}" for nm, c, s, e in
             zip(windows["name"].to_pylist(), chrom, start.tolist(), end.tolist())]
    regions = pa.table(
        {
            "example_idx": pa.array(np.arange(n, dtype=np.int64)),
            "chrom": windows["chrom"],
            "start": pa.array(start, mask=off_left),
            "end": pa.array(end, mask=off_left),
            "name": pa.array(names, pa.string()),
            "strand": windows["strand"],
            "length": pa.array(end - start),
            "peak_idx": windows["peak_idx"],
            "peak_start": windows["peak_start"],
            "peak_end": windows["peak_end"],
            "summit": windows["summit"],
        }
    )
    if seqs is None:
        store._insert("_annostore_new_regions", regions, "genomic_insert_peak_regions")
    else:
        sequences = pa.table({"example_idx": regions["example_idx"], "name": regions["name"],
                              "sequence": pa.array(seqs, pa.string())})
        store.con.register("_annostore_new_regions", regions)
        try:
            store._insert("_annostore_new_sequences", sequences, "store_insert_sequences",
                          extra=("genomic_insert_peak_regions",))
        finally:
            store.con.unregister("_annostore_new_regions")
    store._lengths_cache = None
    return {"added": n, "dropped": dropped}


def regions_table(store: Any) -> pa.Table:
    """``example_idx, chrom, start, end, name, strand, length, peak_idx`` of every region."""
    return store.con.sql(resources.sql("genomic_regions")).to_arrow_table()


def _coords(store: Any):
    t = regions_table(store)
    if t.num_rows == 0 or t["chrom"].null_count == t.num_rows:
        return None
    return t["chrom"].to_pylist(), t["start"].to_pylist(), t["end"].to_pylist()


def _one_hot(store: Any, length: int) -> Optional[np.ndarray]:
    if _count(store, "sequences") == 0:
        return None
    seqs = store.sequences()
    out = np.zeros((len(seqs), 4, length), dtype=np.int8)
    for i in range(len(seqs)):
        codes = seqs.codes_of(i)
        keep = np.flatnonzero(codes < 4)
        out[i, codes[keep], keep] = 1
    return out


# ---------------------------------------------------------------------------------------------
# attribution tracks


def _example_shape(store: Any) -> tuple[int, int]:
    lengths = store.example_lengths()
    if lengths is None or len(lengths) == 0:
        raise BadInputError("the store has no examples; add regions or sequences before attributions")
    if (lengths < 0).any():
        raise BadInputError("some examples have no known length; add their sequences first")
    return len(lengths), int(lengths.max())


def _from_file(store: Any, path: Path, key: Optional[str]) -> tuple[np.ndarray, str]:
    from annostore.io.attribution_files import attributions_for_examples

    n, length = _example_shape(store)
    return attributions_for_examples(path, n=n, length=length, one_hot=lambda: _one_hot(store, length),
                                     regions=lambda: _coords(store), key=key)


def attribution_tracks(store: Any) -> pa.Table:
    """The stored tracks (``name, layout, source, source_sha256, n_examples, length, file, added_at``)."""
    return store.con.sql(resources.sql("genomic_attributions")).to_arrow_table()


def add_attribution_track(store: Any, source: Any, *, name: Optional[str] = None, key: Optional[str] = None) -> dict:
    """Keep the projected per-base attributions of ``source`` (any supported layout) in the store.

    Returns ``{"name", "layout", "n_examples", "length"}``.
    """
    from annostore.io.files import sha256

    store._writable()
    path = Path(source)
    if not path.exists():
        raise MissingInputError(f"{path}: no such attribution file")
    if name is None:
        name = path.name.split(".")[0] or "attributions"
    if not _TRACK_NAME.match(name):
        raise BadInputError(f"attribution track name {name!r}: use letters, digits, '.', '_' and '-'")
    if name in attribution_tracks(store)["name"].to_pylist():
        raise BadInputError(f"the store already has an attribution track named {name!r} (choose another --name)")
    values, layout = _from_file(store, path, key)
    n, length = values.shape
    folder = store.path / TRACK_DIR
    folder.mkdir(exist_ok=True)
    rel = f"{TRACK_DIR}/{name}-{uuid.uuid4().hex[:8]}.parquet"
    tmp = store.path / (rel + ".tmp")
    flat = pa.array(np.ascontiguousarray(values, dtype=np.float32).reshape(-1))
    offsets = pa.array(np.arange(n + 1, dtype=np.int32) * length)
    table = pa.table({"example_idx": pa.array(np.arange(n, dtype=np.int64)),
                      "values": pa.ListArray.from_arrays(offsets, flat)})
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, store.path / rel)
    try:
        with store.transaction() as con:  # the store's file, briefly (readers are not blocked)
            con.execute(resources.sql("genomic_insert_attributions"), {
                "name": name, "layout": layout, "source": str(path.resolve()), "source_sha256": sha256(path),
                "n_examples": n, "length": length, "file": rel})
    except Exception as exc:  # duckdb.Error: leave no file behind
        (store.path / rel).unlink(missing_ok=True)
        raise AnnostoreError(f"cannot record attribution track {name!r}: {exc}") from None
    return {"name": name, "layout": layout, "n_examples": n, "length": length}


def read_attribution_track(store: Any, name: Optional[str] = None) -> np.ndarray:
    """A stored track as ``(n, L)`` float32 (default: the most recently added)."""
    tracks = attribution_tracks(store).to_pylist()
    if not tracks:
        raise BadInputError("the store keeps no attributions (annostore attributions add STORE FILE)")
    if name is None:
        row = tracks[-1]
    else:
        found = [t for t in tracks if t["name"] == name]
        if not found:
            raise BadInputError(f"no attribution track named {name!r} (have: {', '.join(t['name'] for t in tracks)})")
        row = found[0]
    table = pq.read_table(store.path / row["file"])
    values = table["values"].combine_chunks().flatten().to_numpy()
    return values.reshape(row["n_examples"], row["length"])


def store_attributions(store: Any, source: Any = None, *, key: Optional[str] = None) -> Any:
    """Resolve attributions for a store: None/a stored track name -> the stored track; a layout
    file (HDF5, bigWig, Fi-NeMo/bpnet-lite npz) -> projected ``(n, L)``; anything else unchanged
    (arrays, tensors and plain .npy/.npz are read by the generic loader)."""
    from annostore.io.attribution_files import is_layout_file

    if source is None:
        return read_attribution_track(store)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            if _TRACK_NAME.match(str(source)) and str(source) in attribution_tracks(store)["name"].to_pylist():
                return read_attribution_track(store, str(source))
            raise MissingInputError(f"{path}: no such attribution file (and no stored track of that name)")
        if is_layout_file(path):
            return _from_file(store, path, key)[0]
        if path.suffix.lower() in (".npy", ".npz"):
            from annostore.io.attribution_files import centre_crop
            from annostore.io.attributions import load_attributions

            arr = load_attributions(path, key=key, dtype=None)
            lengths = store.example_lengths()
            if lengths is not None and len(lengths) and (lengths >= 0).all() and arr.shape[1] > int(lengths.max()):
                arr = centre_crop(arr, int(lengths.max()), str(path))  # longer rows: the central part
            return arr
    return source


# ---------------------------------------------------------------------------------------------
# modisco-lite and Fi-NeMo


def ingest_modisco(store: Any, path: Any, *, window: Optional[int] = None, name: Optional[str] = None) -> dict:
    """Patterns -> motifs (with CWMs), their seqlets -> a seqlets run, pattern labels -> a matches run.

    Returns ``{"motifs_added", "seqlet_run", "matches_run", "window_size", "window_from_file"}``.
    """
    from annostore.core.motifs import Motif, MotifSet
    from annostore.io.files import sha256
    from annostore.io.modisco import read_modisco

    store._writable()
    path = Path(path)
    for run_name in ([] if name is None else [name, f"{name}-patterns"]):
        if store.con.execute(resources.sql("store_run_by_name"), {"name": run_name}).fetchall():
            raise BadInputError(f"a run named {run_name!r} already exists")
    res = read_modisco(path, window=window)
    lengths = store.example_lengths()
    if lengths is None or len(lengths) == 0:
        raise BadInputError(f"{path}: the store has no examples; add the regions the attributions were computed "
                            "on first (annostore regions add)")
    known = lengths[lengths >= 0]
    if len(known) != len(lengths) or (known != known[0]).any():
        raise BadInputError(f"{path}: modisco seqlets need examples of one known length")
    seqlets = res.seqlets(int(known[0]), n_examples=len(lengths))
    patterns = res.all_patterns()
    existing = {r[1] for r in store.con.execute(resources.sql("store_motif_names")).fetchall()}
    new = [p for p in patterns if p.name not in existing]
    sha = sha256(path)
    params = {"window_size": res.window_size, "window_from_file": res.window_from_file}
    if new:
        motifs = MotifSet([Motif(p.name, p.pfm, nsites=float(p.n_seqlets) or None) for p in new],
                          source=str(path), sha256=sha)
        store.add_motifs(motifs)
        cwms = pa.table({"name": [p.name for p in new],
                         "cwm": pa.array([p.cwm.tolist() for p in new], pa.list_(pa.list_(pa.float64())))})
        store._insert("_annostore_new_cwms", cwms, "genomic_set_cwm")
    input_path = str(path.resolve())
    with store.begin_run("seqlets", name=name, tool="modisco-lite", params=params, input=input_path,
                         input_sha256=sha) as run:
        run.write(seqlets.select([c for c in ("example_idx", "start", "end", "attribution", "sign") if c in seqlets.column_names]))
    seqlet_run = run.run_id
    matches = pa.table({
        "seqlet_id": seqlets["seqlet_id"],
        "rank": pa.array(np.ones(seqlets.num_rows, dtype=np.int32)),
        "motif": seqlets["pattern"],
        "orientation": seqlets["strand"],
    })
    with store.begin_run("matches", name=None if name is None else f"{name}-patterns", tool="modisco-lite",
                         params=params, input=input_path, input_sha256=sha, parent_run_id=seqlet_run) as mrun:
        mrun.write(matches)
    return {"motifs_added": len(new), "seqlet_run": seqlet_run, "matches_run": mrun.run_id,
            "window_size": res.window_size, "window_from_file": res.window_from_file,
            "n_seqlets": seqlets.num_rows}


def ingest_finemo(store: Any, path: Any, *, window: Optional[int] = None, name: Optional[str] = None) -> int:
    """Fi-NeMo hits -> a hits run in example coordinates; returns the run id."""
    from annostore.io.files import sha256
    from annostore.io.finemo import finemo_to_examples, read_finemo_hits

    store._writable()
    path = Path(path)
    table = read_finemo_hits(path)
    hits = finemo_to_examples(table, regions_table(store), window=window, where=path)
    try:
        with store.begin_run("hits", name=name, tool="finemo", params=None if window is None else {"window": window},
                             input=str(path.resolve()), input_sha256=sha256(path)) as run:
            run.write(hits)
    except BadInputError as exc:
        text = str(exc)
        raise BadInputError(text if text.startswith(str(path)) else f"{path}: {text}") from None
    return run.run_id
