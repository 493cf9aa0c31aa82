"""Readers of external result files, and ingest of them into a store as atomic runs.

Formats read (each reader says its coordinate convention):

* MEME ``fimo.tsv`` and ``fimo --text`` output (also the old ``#pattern name`` header):
  1-based inclusive ``start``/``stop`` -> 0-based half-open; trailing ``#`` lines skipped.
* memelite / tangermeme FIMO frames (``motif_name, motif_idx, sequence_name, start, end,
  strand, score, p-value``; 0-based half-open), as DataFrames (or the per-motif list
  ``fimo()`` returns) or saved as Parquet / TSV / CSV.
* tangermeme seqlet frames (``example_idx, start, end, attribution, p-value``).
* TOMTOM matches: ``annotate_seqlets`` ``(idxs, pvals)`` arrays/tensors, or MEME ``tomtom.tsv``.
* BED regions (3-6 columns; ``track``/``browser``/``#`` lines and a header line skipped).
* FASTA sequences (via :func:`annostore.core.sequences.load_sequences`).

``sequence_name`` values are mapped to ``example_idx`` through the store's region/sequence
names; integer names are taken as ``example_idx`` when they are not names in the store.
"""

from __future__ import annotations

from pathlib import Path
import os
from typing import Any, Iterator, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from annostore.core.arrays import as_numpy
from annostore.errors import BadInputError
from annostore.io.files import (
    BackgroundHash,
    existing,
    first_line,
    sha256,
    sniff_format,
)
from annostore.io.tables import _rename, _to_table, read_table_batches
from annostore.store.examples import ExampleMapper
from annostore.store.lookup import latest_run, run_id


def _normalise_hits(table: pa.Table, mapper: ExampleMapper, where: str) -> pa.Table:
    table = _rename(table)
    cols = set(table.column_names)
    one_based = "stop" in cols or "motif_alt_id" in cols
    out: dict[str, Any] = {}
    if "motif" in cols:
        out["motif"] = table["motif"]
    elif "motif_idx" in cols:
        out["motif_idx"] = table["motif_idx"]
    else:
        raise BadInputError(f"{where}: no motif column (motif_id, motif_name, motif or motif_idx)")
    if "example_idx" in cols:
        out["example_idx"] = table["example_idx"]
    elif "sequence_name" in cols:
        out["example_idx"] = mapper.map(table["sequence_name"], where)
    else:
        raise BadInputError(f"{where}: no example column (sequence_name or example_idx)")
    end_name = "stop" if "stop" in cols else "end"
    for need in ("start", end_name, "strand"):
        if need not in cols:
            raise BadInputError(f"{where}: missing column {need!r} (columns: {', '.join(table.column_names)})")
    start, end = table["start"], table[end_name]
    if one_based:
        try:
            start = pc.subtract(start.cast(pa.int64()), 1)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise BadInputError(f"{where}: start is not an integer column") from None
    out["start"], out["end"] = start, end
    out["strand"] = table["strand"]
    for name in ("score", "p_value", "q_value", "attribution"):
        if name in cols:
            out[name] = table[name]
    return pa.table(out)


def hit_batches(data: Any, store: Any, format: Optional[str] = None,
                mapper: Optional[ExampleMapper] = None) -> Iterator[pa.Table]:
    """Normalised hit tables (store columns) from any supported hits input."""
    mapper = ExampleMapper(store) if mapper is None else mapper
    table = _to_table(data)
    if table is not None:
        yield _normalise_hits(table, mapper, "hits")
        return
    path = existing(data)
    fmt = sniff_format(path, format)
    if fmt == "fimo-tsv":
        fmt = "tsv"
    for chunk in read_table_batches(path, fmt, dictionary_columns=("strand", "sequence_name")):
        yield _normalise_hits(chunk, mapper, str(path))


def _parquet_rows(path: Optional[Path], format: Optional[str]) -> Optional[int]:
    if path is None or sniff_format(path, format) != "parquet":
        return None
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowInvalid, OSError):
        return None


def _run_errors(path: Any, fn) -> Any:
    try:
        return fn()
    except BadInputError as exc:
        text = str(exc)
        if path is not None and not text.startswith(str(path)):
            raise BadInputError(f"{path}: {text}") from None
        raise


def ingest_hits(
    store: Any,
    data: Any,
    *,
    run: Optional[str] = None,
    format: Optional[str] = None,
    tool: Optional[str] = None,
    tool_version: Optional[str] = None,
    params: Optional[dict] = None,
    progress: Optional[bool] = False,
) -> int:
    """Ingest hits (see :meth:`Store.add_hits`) as one atomic run; returns the run id.

    ``progress``: a rich progress bar on stderr (``None``: only when stderr is a terminal).
    Into a store without examples, the sequence names met are registered as examples (regions;
    ``chrom:start-end`` names with their genomic coordinates), committed with the run.
    """
    from annostore.progress import progress as _progress

    path = None if _to_table(data) is not None else existing(data)
    if tool is None and path is not None and sniff_format(path, format) in ("tsv", "fimo-tsv"):
        tool = "fimo" if first_line(path).lstrip("#").startswith(("motif_id", "pattern name")) else None

    def go() -> int:
        sha = BackgroundHash(path)  # overlaps with reading, validating and writing
        try:
            with store.begin_run(
                "hits",
                name=run,
                tool=tool,
                tool_version=tool_version,
                params=params,
                input=None if path is None else str(path.resolve()),
            ) as writer:
                total = _parquet_rows(path, format)
                mapper = ExampleMapper(store, register=store.example_lengths() is None)
                with _progress(total, "ingesting hits", progress) as bar:
                    for batch in hit_batches(data if path is None else path, store, format, mapper=mapper):
                        writer.write(batch)
                        bar.advance(batch.num_rows)
                if mapper.registered:  # inserted in the commit's transaction
                    from annostore.store.examples import registered_regions

                    writer.pre_commit.append(("_annostore_new_regions", registered_regions(mapper.registered),
                                              "store_insert_regions"))
                writer.input_sha256 = sha.result()  # committed with the run row
        finally:
            sha.cancel()
        return writer.run_id

    return _run_errors(path, go)


def _normalise_seqlets(table: pa.Table, where: str) -> pa.Table:
    table = _rename(table)
    cols = set(table.column_names)
    for need in ("example_idx", "start", "end"):
        if need not in cols:
            raise BadInputError(
                f"{where}: missing column {need!r} (a seqlet table has example_idx, start, end, attribution, p-value)"
            )
    out = {c: table[c] for c in ("example_idx", "start", "end", "attribution", "p_value", "sign") if c in cols}
    return pa.table(out)


def ingest_seqlets(
    store: Any,
    data: Any,
    *,
    run: Optional[str] = None,
    format: Optional[str] = None,
    tool: Optional[str] = None,
    tool_version: Optional[str] = None,
    params: Optional[dict] = None,
) -> int:
    """Ingest a seqlet table (tangermeme ``recursive_seqlets`` frame or a file of one); returns the run id."""
    table = _to_table(data)
    path = None if table is not None else existing(data)

    def go() -> int:
        with store.begin_run(
            "seqlets",
            name=run,
            tool=tool,
            tool_version=tool_version,
            params=params,
            input=None if path is None else str(path.resolve()),
            input_sha256=None if path is None else sha256(path),
        ) as writer:
            batches = [table] if table is not None else read_table_batches(path, format)
            for batch in batches:
                writer.write(_normalise_seqlets(batch, str(path or "seqlets")))
        return writer.run_id

    return _run_errors(path, go)


def _matches_from_arrays(idxs: Any, pvals: Any, n_seqlets: int) -> pa.Table:
    idx = as_numpy(idxs)
    p = as_numpy(pvals)
    if idx.ndim == 1:
        idx = idx[:, None]
    if p.ndim == 1:
        p = p[:, None]
    if idx.shape != p.shape or idx.ndim != 2:
        raise BadInputError(f"matches: idxs {idx.shape} and pvals {p.shape} must be the same (n_seqlets, n_nearest) shape")
    if idx.shape[0] != n_seqlets:
        raise BadInputError(
            f"matches: {idx.shape[0]} rows of (idxs, pvals) but the seqlets run has {n_seqlets} seqlets"
        )
    if not np.issubdtype(idx.dtype, np.integer):
        raise BadInputError("matches: idxs must be integer motif indices")
    n, k = idx.shape
    return pa.table(
        {
            "seqlet_id": pa.array(np.repeat(np.arange(n, dtype=np.int64), k)),
            "rank": pa.array(np.tile(np.arange(1, k + 1, dtype=np.int32), n)),
            "motif_idx": pa.array(idx.reshape(-1).astype(np.int64)),
            "p_value": pa.array(p.reshape(-1).astype(np.float64)),
        }
    )


def _normalise_tomtom(table: pa.Table, where: str) -> pa.Table:
    cols = set(table.column_names)
    if "Query_ID" not in cols:
        table = _rename(table)
        keep = [c for c in ("seqlet_id", "rank", "motif", "motif_idx", "p_value", "e_value", "q_value", "offset",
                            "overlap", "orientation") if c in table.column_names]
        if "seqlet_id" not in keep or not ({"motif", "motif_idx"} & set(keep)):
            raise BadInputError(f"{where}: a matches table needs seqlet_id and motif (or motif_idx), or tomtom.tsv columns")
        out = table.select(keep)
        if "rank" not in keep:
            out = out.append_column("rank", pa.array(_ranks(out["seqlet_id"], out["p_value"] if "p_value" in keep else None)))
        return out
    for need in ("Target_ID", "p-value"):
        if need not in cols:
            raise BadInputError(f"{where}: missing tomtom.tsv column {need!r}")
    try:
        sid = pc.cast(table["Query_ID"], pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise BadInputError(f"{where}: Query_ID must be seqlet ids (0, 1, ...) of the seqlets run") from None
    out = {
        "seqlet_id": sid,
        "motif": table["Target_ID"],
        "p_value": table["p-value"],
    }
    for src, dst in (("E-value", "e_value"), ("q-value", "q_value"), ("Optimal_offset", "offset"),
                     ("Overlap", "overlap"), ("Orientation", "orientation")):
        if src in cols:
            out[dst] = table[src]
    out["rank"] = pa.array(_ranks(sid, table["p-value"]))
    return pa.table(out)


def _ranks(seqlet_id: Any, p: Any) -> np.ndarray:
    sid = np.asarray(pc.fill_null(seqlet_id, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    pv = np.zeros(len(sid)) if p is None else np.asarray(pc.cast(p, pa.float64()).to_numpy(zero_copy_only=False))
    order = np.lexsort((np.arange(len(sid)), pv, sid))
    ranks = np.empty(len(sid), dtype=np.int32)
    s = sid[order]
    starts = np.r_[0, np.flatnonzero(s[1:] != s[:-1]) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(s)]))
    ranks[order] = np.arange(len(s)) - group_start + 1
    return ranks


def ingest_matches(
    store: Any,
    matches: Any,
    *,
    seqlet_run: Any = None,
    run: Optional[str] = None,
    format: Optional[str] = None,
    tool: Optional[str] = "tomtom",
    tool_version: Optional[str] = None,
    params: Optional[dict] = None,
) -> int:
    """Ingest TOMTOM matches of a seqlets run; returns the matches run id.

    ``matches`` is ``(idxs, pvals)`` from ``annotate_seqlets`` (row i = seqlet i, motif indices
    into the store's motifs), a MEME ``tomtom.tsv`` whose Query_ID are seqlet ids, or a table
    with ``seqlet_id, motif|motif_idx[, rank, p_value, ...]``.
    """
    from annostore.store.runs import pending_run

    if isinstance(matches, (str, os.PathLike)):
        existing(matches)  # a missing or unreadable file is 66 before anything else
    pending = None if seqlet_run is None else pending_run(store, seqlet_run)
    if pending is not None:  # a seqlets run of the same store.atomic() block
        parent = pending.writer.run_id
        row = {"run_id": parent, "kind": pending.writer.kind, "n_rows": pending.writer.n_rows}
    else:
        if seqlet_run is None and latest_run(store, "seqlets") is None:
            raise BadInputError("the store has no seqlets run to attach matches to")
        parent = run_id(store, seqlet_run, "seqlets")
        row = [r for r in store.runs().to_pylist() if r["run_id"] == parent][0]
    if row["kind"] != "seqlets":
        raise BadInputError(f"run {seqlet_run!r} is a {row['kind']} run, not a seqlets run")
    path = None
    if isinstance(matches, tuple) and len(matches) == 2 and not isinstance(matches[0], str):
        table = _matches_from_arrays(matches[0], matches[1], row["n_rows"])
    else:
        table = _to_table(matches)
        if table is None:
            path = existing(matches)
            fmt = sniff_format(path, format)
            table = pa.concat_tables(list(read_table_batches(path, "tsv" if fmt == "tomtom-tsv" else fmt)))
        table = _normalise_tomtom(table, str(path or "matches"))

    def go() -> int:
        with store.begin_run(
            "matches",
            name=run,
            tool=tool,
            tool_version=tool_version,
            params=params,
            input=None if path is None else str(path.resolve()),
            input_sha256=None if path is None else sha256(path),
            parent_run_id=parent,
        ) as writer:
            writer.write(table)
        return writer.run_id

    return _run_errors(path, go)
