"""Fi-NeMo ``hits.tsv``: motif instances called on contribution scores, in genome coordinates.

Columns (tab-separated, header line): ``chr, start, end, start_untrimmed, end_untrimmed,
motif_name, hit_coefficient, hit_coefficient_global, hit_similarity, hit_correlation,
hit_importance, hit_importance_sq, strand, peak_name, peak_id``.  ``start``/``end`` are 0-based
half-open genome coordinates of the trimmed motif; ``peak_id`` is the 0-based row of the peak
in the peaks file Fi-NeMo was given; ``motif_name`` is the modisco pattern
(``pos_patterns.pattern_0``).  Without genome coordinates in its input Fi-NeMo writes ``chr``
as ``NA`` and positions relative to its region window.

Into the store: ``example_idx`` from ``peak_id`` (matched to the regions' ``peak_idx``, else
taken as the example index), else from ``peak_name``, else by overlap with the regions; then
``start``/``end`` relative to the example.  ``score`` is ``hit_coefficient_global`` (else
``hit_coefficient``), ``attribution`` is ``hit_importance``.
"""

from __future__ import annotations

import os
from typing import Any, Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import BadInputError
from .files import existing, first_line

__all__ = ["FINEMO_COLUMNS", "read_finemo_hits", "finemo_to_examples"]

FINEMO_COLUMNS = (
    "chr", "start", "end", "start_untrimmed", "end_untrimmed", "motif_name", "hit_coefficient",
    "hit_coefficient_global", "hit_similarity", "hit_correlation", "hit_importance", "hit_importance_sq",
    "strand", "peak_name", "peak_id",
)
_REQUIRED = ("start", "end", "motif_name", "strand")
_TYPES = {
    "chr": pa.string(), "start": pa.int64(), "end": pa.int64(), "start_untrimmed": pa.int64(),
    "end_untrimmed": pa.int64(), "motif_name": pa.string(), "strand": pa.string(), "peak_name": pa.string(),
    "peak_id": pa.int64(), "hit_coefficient": pa.float64(), "hit_coefficient_global": pa.float64(),
    "hit_similarity": pa.float64(), "hit_correlation": pa.float64(), "hit_importance": pa.float64(),
    "hit_importance_sq": pa.float64(),
}


def read_finemo_hits(path: str | os.PathLike) -> pa.Table:
    """Read a Fi-NeMo ``hits.tsv`` (or ``hits_unique.tsv``) with typed columns."""
    path = existing(path)
    first = first_line(path)
    names = first.split("\t")
    missing = [c for c in _REQUIRED if c not in names]
    if missing or "peak_id" not in names and "chr" not in names:
        raise BadInputError(
            f"{path}:1: not a Fi-NeMo hits table (missing {', '.join(missing or ['peak_id/chr'])}; "
            f"expected {', '.join(FINEMO_COLUMNS)})"
        )
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter="\t"),
            convert_options=pacsv.ConvertOptions(
                column_types={k: v for k, v in _TYPES.items() if k in names},
                null_values=["", "NA", "null", "None"],
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        text = str(exc).strip().splitlines()[0]
        raise BadInputError(f"{path}: {text}") from None
    for c in ("start", "end", "motif_name", "strand"):
        if table[c].null_count:
            raise BadInputError(f"{path}: {table[c].null_count} rows have no {c}")
    return table


def _by_overlap(chrom: list, start: np.ndarray, end: np.ndarray, regions: pa.Table) -> np.ndarray:
    """example_idx of the region containing each interval (-1: none)."""
    rchrom = regions["chrom"].to_pylist()
    rstart = regions["start"].to_numpy(zero_copy_only=False)
    rend = regions["end"].to_numpy(zero_copy_only=False)
    rex = regions["example_idx"].to_numpy()
    per: dict = {}
    for i, c in enumerate(rchrom):
        if c is not None and rstart[i] is not None:
            per.setdefault(c, []).append(i)
    index = {}
    for c, rows in per.items():
        rows = np.array(rows)
        order = rows[np.argsort(rstart[rows].astype(np.int64), kind="stable")]
        index[c] = (rstart[order].astype(np.int64), rend[order].astype(np.int64), rex[order])
    out = np.full(len(chrom), -1, dtype=np.int64)
    for i, c in enumerate(chrom):
        if c not in index:
            continue
        s, e, x = index[c]
        j = int(np.searchsorted(s, start[i], side="right")) - 1
        while j >= 0 and s[j] <= start[i]:
            if e[j] >= end[i]:
                out[i] = x[j]
                break
            j -= 1
    return out


def finemo_to_examples(table: pa.Table, regions: pa.Table, *, window: Optional[int] = None,
                       where: Any = "hits") -> pa.Table:
    """Fi-NeMo hits as store hit rows (``motif, example_idx, start, end, strand, score, attribution``).

    ``regions``: the store's ``example_idx, chrom, start, end, name, length`` and ``peak_idx``
    (null when unknown).  ``window``: Fi-NeMo's region width, used only for hits without genome
    coordinates (``chr`` NA); default the example length.
    """
    n = table.num_rows
    cols = set(table.column_names)
    n_ex = regions.num_rows
    if n_ex == 0:
        raise BadInputError(f"{where}: the store has no regions; add the peaks first (annostore regions add)")
    length = regions["length"].to_numpy(zero_copy_only=False)
    hstart = table["start"].to_numpy(zero_copy_only=False).astype(np.int64)
    hend = table["end"].to_numpy(zero_copy_only=False).astype(np.int64)
    chrom = table["chr"].to_pylist() if "chr" in cols else [None] * n
    genomic = np.array([c is not None for c in chrom], dtype=bool)
    ex = np.full(n, -1, dtype=np.int64)
    how = ""
    if "peak_id" in cols and table["peak_id"].null_count == 0:
        pid = table["peak_id"].to_numpy().astype(np.int64)
        pidx = regions["peak_idx"] if "peak_idx" in regions.column_names else pa.nulls(n_ex, pa.int64())
        if pidx.null_count < n_ex:
            lookup = {int(p): int(e) for p, e in zip(pidx.to_pylist(), regions["example_idx"].to_pylist())
                      if p is not None}
            ex = np.array([lookup.get(int(p), -1) for p in pid], dtype=np.int64)
            how = "peak_id (the regions' peak_idx)"
        else:
            ex = np.where((pid >= 0) & (pid < n_ex), pid, -1)
            how = "peak_id (as example_idx)"
    elif "peak_name" in cols and table["peak_name"].null_count == 0:
        names = regions["name"].to_pylist()
        lookup: dict = {}
        for i, nm in enumerate(names):
            if nm is not None:
                lookup[nm] = -2 if nm in lookup else i
        ex = np.array([lookup.get(p, -1) for p in table["peak_name"].to_pylist()], dtype=np.int64)
        if (ex == -2).any():
            raise BadInputError(f"{where}: hits name peaks that several store regions share (peak names are not unique)")
        how = "peak_name"
    elif genomic.all():
        ex = _by_overlap(chrom, hstart, hend, regions)
        how = "overlap with the regions"
    if (ex < 0).any():
        i = int(np.flatnonzero(ex < 0)[0])
        raise BadInputError(f"{where}: {int((ex < 0).sum())} hits match no store example by {how or 'any key'} "
                            f"(first: row {i + 1})")
    rchrom = regions["chrom"].to_pylist()
    rstart = regions["start"].to_numpy(zero_copy_only=False)
    start = np.empty(n, dtype=np.int64)
    end = np.empty(n, dtype=np.int64)
    for i in range(n):
        e = ex[i]
        if genomic[i]:
            if rchrom[e] is None or rstart[e] is None or np.isnan(rstart[e]):
                raise BadInputError(f"{where}: row {i + 1} has genome coordinates but example {e} has none")
            if rchrom[e] != chrom[i]:
                raise BadInputError(f"{where}: row {i + 1} is on {chrom[i]} but example {e} is on {rchrom[e]}")
            start[i] = hstart[i] - int(rstart[e])
            end[i] = hend[i] - int(rstart[e])
        else:
            w = int(length[e]) if window is None else int(window)
            off = int(length[e]) // 2 - w // 2
            start[i], end[i] = hstart[i] + off, hend[i] + off
    bad = (start < 0) | (end > length[ex]) | (end <= start)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise BadInputError(f"{where}: row {i + 1} lies outside example {ex[i]} ([{start[i]}, {end[i]}) of "
                            f"{int(length[ex[i]])} bp)")
    out = {
        "motif": table["motif_name"],
        "example_idx": pa.array(ex),
        "start": pa.array(start),
        "end": pa.array(end),
        "strand": table["strand"],
    }
    # measured columns only when the file has them (absent = NULL in the store, never NaN)
    score = next((c for c in ("hit_coefficient_global", "hit_coefficient") if c in cols), None)
    if score is not None:
        out["score"] = pc.cast(table[score], pa.float64())
    if "hit_importance" in cols:
        out["attribution"] = pc.cast(table["hit_importance"], pa.float64())
    return pa.table(out)
