"""Pictures of the store's aggregations: co-occurrence heatmaps and spacing histograms
(computed in DuckDB by :mod:`annostore.analysis.aggregate`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from annostore.errors import BadInputError
from annostore.plots._draw import _new_axes, _save


# --------------------------------------------------------------------------------------------
# co-occurrence and spacing (computed by annostore.analysis.aggregate in DuckDB)
# --------------------------------------------------------------------------------------------
def _frame(res: Any):
    if hasattr(res, "to_pandas"):
        return res.to_pandas()
    if hasattr(res, "read_all"):
        return res.read_all().to_pandas()
    return res


def _motif_labels(store) -> dict[int, str]:
    from annostore.resources import sql

    t = store.con.sql(sql("demo_motif_names")).to_arrow_table()
    return {int(i): str(a) for i, a in zip(t.column("motif_idx").to_pylist(), t.column("alt_name").to_pylist())}


def _filters(source: str, runs, min_attribution, max_p) -> dict:
    kw: dict[str, Any] = {"source": source}
    if runs is not None:
        kw["runs"] = [runs] if isinstance(runs, (int, str, np.integer)) else list(runs)
    if min_attribution is not None:
        kw["min_attribution"] = min_attribution
    if max_p is not None:
        kw["max_p"] = max_p
    return kw


def plot_pairs(
    store: Any,
    top: int = 20,
    *,
    source: str = "hits",
    runs: Any = None,
    min_attribution: float | None = None,
    max_p: float | None = None,
    unique: bool = True,
    cmap: str = "Reds",
    title: str | None = None,
    ax: Any = None,
    output: str | os.PathLike | None = None,
    figsize: tuple[float, float] = (8.0, 7.0),
    dpi: int = 100,
    **filters: Any,
):
    """Heatmap of co-occurrence counts among the most frequent motifs of a store.

    The ``top`` motifs by number of annotations (after the filters) are the rows and columns;
    cell (a, b) is the number of co-occurrences of a and b in the same example (symmetric;
    with ``unique=True`` an example counts once per pair).

    Parameters
    ----------
    store : Store
    top : int
        Number of motifs shown.
    source : {"hits", "seqlets"}
        FIMO hits, or seqlets labelled by their best TOMTOM match.
    runs : int, str or list, optional
        Runs to use (default: the latest of the source's kind).
    min_attribution, max_p : float, optional
        Keep annotations with attribution >= ``min_attribution`` / p-value <= ``max_p``.
    **filters
        Any other filter of :func:`annostore.analysis.aggregate.pairs` (``matches_runs``,
        ``top_k``, ``motifs``, ``examples``).
    unique : bool
        Count each pair once per example (tangermeme's ``unique=True``).
    cmap, title, ax, output, figsize, dpi
        Drawing options; ``output`` writes a PNG.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    BadInputError
        No annotations or no pair matches the selection.

    Examples
    --------
    >>> annostore.plot_pairs(store, top=15, min_attribution=3.0, output="pairs.png")  # doctest: +SKIP
    """
    from annostore.analysis import aggregate

    if int(top) < 1:
        raise BadInputError(f"top must be at least 1, got {top}")
    kw = {**_filters(source, runs, min_attribution, max_p), **filters}
    counts = _frame(aggregate.count(store, by="motif", **kw))
    if len(counts) == 0:
        raise BadInputError(f"no {source} match the selection; nothing to plot")
    counts = counts.sort_values(["n", "motif_idx"], ascending=[False, True], kind="stable").head(int(top))
    chosen = [int(i) for i in counts["motif_idx"]]
    pairs = _frame(aggregate.pairs(store, unique=unique, symmetric=True, **kw))
    pairs = pairs[pairs["motif_idx_a"].isin(chosen) & pairs["motif_idx_b"].isin(chosen)]
    if len(pairs) == 0 or pairs["n"].sum() == 0:
        raise BadInputError(f"no co-occurring pairs among the top {len(chosen)} motifs of the selection; nothing to plot")
    pos = {m: k for k, m in enumerate(chosen)}
    M = np.zeros((len(chosen), len(chosen)), dtype=np.int64)
    for a, b, n in zip(pairs["motif_idx_a"], pairs["motif_idx_b"], pairs["n"]):
        M[pos[int(a)], pos[int(b)]] = int(n)
        M[pos[int(b)], pos[int(a)]] = int(n)
    labels = _motif_labels(store)
    names = [labels.get(m, str(m)) for m in chosen]
    ax = _new_axes(ax, figsize, dpi)
    im = ax.imshow(M, cmap=cmap, vmin=0, interpolation="nearest")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=90, fontsize=7)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=7)
    ax.grid(False)
    ax.figure.colorbar(im, ax=ax, label="examples" if unique else "pairs")
    ax.set_title(title or f"co-occurrence of the top {len(names)} motifs ({source})")
    _save(ax, output, dpi)
    return ax


def plot_spacing(
    store: Any,
    motif_a: str,
    motif_b: str,
    *,
    source: str = "hits",
    runs: Any = None,
    max_distance: int = 100,
    min_attribution: float | None = None,
    max_p: float | None = None,
    color: Any = "tab:blue",
    title: str | None = None,
    ax: Any = None,
    output: str | os.PathLike | None = None,
    figsize: tuple[float, float] = (8.0, 3.0),
    dpi: int = 100,
    **filters: Any,
):
    """Bar chart of the number of ``motif_a``/``motif_b`` pairs by distance.

    Distance = start of the right annotation - end of the left one (pairs ordered by start,
    in either order of the two motifs), ``0 <= distance < max_distance``.

    Parameters
    ----------
    store : Store
    motif_a, motif_b : str
        Motif ids, ``"id alt"`` keys or unambiguous alt names.
    source, runs, min_attribution, max_p
        Selection, as in :func:`plot_pairs`.
    max_distance : int
    color, title, ax, output, figsize, dpi
        Drawing options; ``output`` writes a PNG.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    BadInputError
        Unknown motif, or no pair of the two motifs in the selection.

    Examples
    --------
    >>> annostore.plot_spacing(store, "CEBPB", "MA0139.2", min_attribution=3.0, output="spacing.png")  # doctest: +SKIP
    """
    from annostore.analysis import aggregate

    kw = {**_filters(source, runs, min_attribution, max_p), **filters}
    sp = _frame(aggregate.spacing(store, motif_a=motif_a, motif_b=motif_b, max_distance=int(max_distance), **kw))
    if len(sp) == 0 or sp["n"].sum() == 0:
        raise BadInputError(f"no {motif_a} / {motif_b} pairs within {max_distance} bp in the selection; nothing to plot")
    by = sp.groupby("distance")["n"].sum()
    counts = np.zeros(int(max_distance), dtype=np.int64)
    counts[by.index.to_numpy(dtype=np.int64)] = by.to_numpy(dtype=np.int64)
    ax = _new_axes(ax, figsize, dpi)
    ax.bar(np.arange(int(max_distance)), counts, width=1.0, color=color)
    peak = int(counts.argmax())
    ax.annotate(f"peak {peak} bp", (peak, counts[peak]), xytext=(5, -2), textcoords="offset points", fontsize=8,
                va="top")
    ax.set_xlim(-0.5, int(max_distance) - 0.5)
    ax.set_xlabel("distance (bp, start of right - end of left)")
    ax.set_ylabel("pairs")
    ax.set_title(title or f"spacing of {motif_a} and {motif_b} ({source})")
    ax.spines[["top", "right"]].set_visible(False)
    _save(ax, output, dpi)
    return ax
