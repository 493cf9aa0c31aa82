"""Picture of motif families: a TOMTOM similarity heatmap of the members of the largest clusters.

Rows and columns are motifs grouped by cluster (largest first, the representative first within
a cluster); the colour is ``-log10`` of the symmetric TOMTOM p-value (geometric mean of the two
directions, as the clustering uses); black lines separate clusters, and each block is labelled
with the cluster label on the right.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence

import numpy as np

from annostore.errors import BadInputError
from annostore.plots._draw import _new_axes, _save

__all__ = ["plot_clusters"]


def _result_of(source: Any, threshold, dist, linkage):
    """A MotifClusters: given, computed store-free, or recomputed for a store with its stored partition."""
    from annostore.analysis.clusters import MotifClusters, cluster_motifs, clustering_params, store_clusters

    if isinstance(source, MotifClusters):
        return source
    if hasattr(source, "con"):  # a store: its similarity is recomputed, its partition is the stored one
        table = store_clusters(source, required=True)
        params = clustering_params(source) or {}
        res = cluster_motifs(source.motif_set(), threshold=params.get("threshold", threshold),
                             dist=params.get("dist", dist), linkage=params.get("linkage", linkage),
                             motif_idx=table["motif_idx"].to_pylist())
        res.table = table
        return res
    return cluster_motifs(source, threshold=threshold, dist=dist, linkage=linkage)


def plot_clusters(
    source: Any,
    top: int = 12,
    *,
    clusters: Optional[Sequence[Any]] = None,
    threshold: float = 1e-3,
    dist: str = "ed",
    linkage: str = "average",
    cmap: str = "viridis",
    title: Optional[str] = None,
    ax: Any = None,
    output: str | os.PathLike | None = None,
    figsize: tuple[float, float] = (10.0, 9.0),
    dpi: int = 100,
):
    """Heatmap of TOMTOM similarity among the members of the largest motif clusters.

    Parameters
    ----------
    source : Store, MotifClusters, or motifs
        A store with a clustering (``annostore motifs cluster``; the similarity is recomputed, the
        stored partition drawn), the result of :func:`annostore.cluster_motifs`, or motifs to
        cluster here (with ``threshold``, ``dist``, ``linkage``).
    top : int
        Draw the ``top`` largest clusters (ignored when ``clusters`` is given).
    clusters : sequence of int or str, optional
        The clusters to draw, by ``cluster_idx`` or label.
    cmap, title, ax, output, figsize, dpi
        Matplotlib styling; ``output`` writes a PNG.

    Returns
    -------
    matplotlib.axes.Axes
    """
    res = _result_of(source, threshold, dist, linkage)
    df = res.table.to_pandas()
    pos = {int(m): i for i, m in enumerate(df["motif_idx"])}
    if clusters is not None:
        wanted = []
        for c in clusters:
            hit = df[(df["cluster_idx"] == c)] if isinstance(c, (int, np.integer)) else df[df["cluster"] == str(c)]
            if hit.empty:
                raise BadInputError(f"no cluster {c!r}")
            wanted.append(int(hit["cluster_idx"].iloc[0]))
    else:
        if top < 1:
            raise BadInputError(f"top must be >= 1, got {top}")
        wanted = sorted(df["cluster_idx"].unique())[:top]
    rows, bounds, labels = [], [0], []
    for c in wanted:
        sub = df[df["cluster_idx"] == c].sort_values(["representative", "motif_idx"], ascending=[False, True])
        rows.extend(pos[int(m)] for m in sub["motif_idx"])
        bounds.append(len(rows))
        labels.append(str(sub["cluster"].iloc[0]))
    P = np.maximum(res.similarity.p, 1e-30)
    S = -0.5 * (np.log10(P) + np.log10(P.T))
    M = S[np.ix_(rows, rows)]
    ax = _new_axes(ax, figsize, dpi)
    im = ax.imshow(M, cmap=cmap, vmin=0, vmax=max(10.0, float(np.percentile(M, 99))), interpolation="nearest")
    for b in bounds[1:-1]:
        ax.axhline(b - 0.5, color="black", lw=0.8)
        ax.axvline(b - 0.5, color="black", lw=0.8)
    names = [str(a) if a else str(n) for a, n in zip(df["motif_alt"], df["motif"])]
    if len(rows) <= 80:
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([names[r] for r in rows], fontsize=6)
    else:
        ax.set_yticks([])
    ax.set_xticks([])
    ax2 = ax.secondary_yaxis("right")
    ax2.set_yticks([(a + b - 1) / 2 for a, b in zip(bounds[:-1], bounds[1:])])
    ax2.set_yticklabels(labels, fontsize=7)
    ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.12, label="-log10 TOMTOM p (geometric mean of both directions)")
    ax.set_title(title or f"motif families: {len(wanted)} of {res.n_clusters} clusters, {len(rows)} motifs")
    _save(ax, output, dpi)
    return ax
