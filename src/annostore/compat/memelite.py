"""memelite compatibility: FIMO hit tables reshaped as ``memelite.fimo`` returns them (one pandas
DataFrame per motif, 0-based coordinates, sequences in input order,
``example_idx``, never the text order of their names: ``chr1, chr2, chr10`` stays so).
"""

from __future__ import annotations

from typing import Optional

import pyarrow as pa

from annostore.errors import BadInputError


def to_memelite(table: pa.Table, dim: int = 0, n_motifs: Optional[int] = None, keys: Optional[list] = None) -> list:
    """Reshape a :func:`fimo` table like ``memelite.fimo``'s output.

    Parameters
    ----------
    table : pyarrow.Table
        A :func:`fimo` result.
    dim : {0, 1}
        0: one DataFrame per motif (every motif, empty ones included, in motif order); 1: one
        DataFrame per sequence with at least one hit, in input (``example_idx``) order.
    n_motifs : int, optional
        Number of motifs scanned (for ``dim=0``; default: largest ``motif_idx`` + 1).
    keys : list of str, optional
        ``motif_name`` per motif index (memelite uses the ``"id alt"`` key); default the id
        plus alt name found in the table.

    Returns
    -------
    list of pandas.DataFrame
        Columns ``motif_name, motif_idx, sequence_name, start, end, strand, score, p-value``.
    """
    import pandas as pd

    df = table.to_pandas()
    # input order of the sequences: example_idx when present, else order of first appearance
    if "example_idx" in df.columns:
        seq_order = df["example_idx"].astype("int64")
    else:
        seq_order = pd.Series(pd.factorize(df["sequence_name"])[0], index=df.index)
    alt = df["motif_alt"].fillna("")
    name = (df["motif"] + " " + alt).str.strip()
    if keys is not None:
        name = pd.Series([keys[i] for i in df["motif_idx"]], index=df.index, dtype=object)
    out = pd.DataFrame(
        {
            "motif_name": name,
            "motif_idx": df["motif_idx"].astype("int64"),
            "sequence_name": df["sequence_name"],
            "start": df["start"].astype("int64"),
            "end": df["end"].astype("int64"),
            "strand": df["strand"],
            "score": df["score"],
            "p-value": df["p_value"],
            "_seq": seq_order,
        }
    )
    if dim == 0:
        n = n_motifs if n_motifs is not None else (int(out["motif_idx"].max()) + 1 if len(out) else 0)
        out = out.assign(_minus=out["strand"] == "-").sort_values(["motif_idx", "_minus", "_seq", "start"], kind="stable")
        out = out.drop(columns="_seq")
        groups = {k: g.drop(columns="_minus").reset_index(drop=True) for k, g in out.groupby("motif_idx", sort=True)}
        empty = out.drop(columns="_minus").iloc[:0]
        return [groups.get(i, empty) for i in range(n)]
    if dim == 1:
        if not len(out):
            return []
        out = out.sort_values(["_seq"], kind="stable")
        return [g.drop(columns="_seq").reset_index(drop=True) for _, g in out.groupby("_seq", sort=True)]
    raise BadInputError(f"dim must be 0 or 1, got {dim!r}")
