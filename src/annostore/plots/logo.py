"""Pictures with matplotlib: attribution logos with annotations, co-occurrence heatmaps, spacing.

Every function draws on a given ``ax`` or on a new figure of its own (made without pyplot, so
it neither needs a display nor changes the global backend), returns the ``Axes``, and writes a
PNG when ``output`` is given. An empty selection (nothing to draw) raises
:class:`~annostore.errors.BadInputError` instead of writing a blank picture.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import numpy as np

from annostore.core.alphabet import encode
from annostore.core.arrays import as_numpy
from annostore.errors import BadInputError
from annostore.plots._draw import _new_axes, _save
from annostore.store.lookup import latest_run
from annostore.store.lookup import run_id as lookup_run

_COLORS = {"A": (0.0, 0.5, 0.0), "C": (0.0, 0.0, 1.0), "G": (1.0, 0.65, 0.0), "T": (1.0, 0.0, 0.0)}


_LETTERS = "ACGT"


_LUT = np.full(256, 4, dtype=np.int64)


for _i, _c in enumerate(b"ACGT"):
    _LUT[_c] = _i
    _LUT[ord(chr(_c).lower())] = _i


@functools.lru_cache(maxsize=None)
def _glyph(letter: str):
    """Glyph outline of ``letter``, normalised to the unit square (x, y in [0, 1])."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path as MPath
    from matplotlib.textpath import TextPath

    path = TextPath((0, 0), letter, size=1, prop=FontProperties(family="monospace", weight="bold"))
    verts = np.asarray(path.vertices, dtype=float)
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    verts = (verts - lo) / np.where(hi - lo > 0, hi - lo, 1.0)
    return MPath(verts, path.codes)


def _draw_letter(ax, letter: str, x: float, y: float, height: float, width: float = 0.95, color=None):
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    base = _glyph(letter)
    verts = base.vertices.copy()
    if height < 0:  # negative values: drawn below, glyph flipped
        verts[:, 1] = 1.0 - verts[:, 1]
    verts[:, 0] = x + (1.0 - width) / 2 + verts[:, 0] * width
    verts[:, 1] = y + verts[:, 1] * abs(height)
    colour = color if color is not None else _COLORS.get(letter, (0.5, 0.5, 0.5))
    ax.add_patch(PathPatch(MPath(verts, base.codes), facecolor=colour, edgecolor="none", linewidth=0))


# --------------------------------------------------------------------------------------------
# the logo
# --------------------------------------------------------------------------------------------
def logo_matrix(attributions: Any, sequence: str | None = None, example: int = 0) -> np.ndarray:
    """Per-letter attribution matrix ``(4, L)`` of one example.

    Parameters
    ----------
    attributions : array-like
        ``(4, L)`` per-letter values of one example, ``(n, 4, L)`` (row ``example`` is taken),
        ``(L,)`` or ``(n, L)`` projected values (then ``sequence`` places each value on its base).
    sequence : str, optional
        The example's sequence; required for projected attributions.
    example : int
        Row of a batched array.

    Returns
    -------
    numpy.ndarray
        ``(4, L)`` float64.
    """
    a = as_numpy(attributions).astype(np.float64, copy=False)
    if a.ndim == 3:
        if not (0 <= example < a.shape[0]):
            raise BadInputError(f"example {example} is out of range (the attributions hold {a.shape[0]} examples)")
        a = a[example]
    if a.ndim == 2 and a.shape[0] == 4 and (sequence is None or a.shape[1] == len(sequence)) and a.shape[1] != 4:
        return a
    if a.ndim == 2:
        if not (0 <= example < a.shape[0]):
            raise BadInputError(f"example {example} is out of range (the attributions hold {a.shape[0]} examples)")
        a = a[example]
    if a.ndim != 1:
        raise BadInputError(f"attributions must be (4, L), (n, 4, L), (L,) or (n, L); got shape {a.shape}")
    if sequence is None:
        raise BadInputError("projected attributions need the sequence to draw a logo (give sequence=...)")
    L = len(sequence)
    if a.shape[0] < L:
        raise BadInputError(f"the attributions cover {a.shape[0]} positions but the sequence has {L}")
    codes = encode(sequence)
    out = np.zeros((5, L))
    out[codes, np.arange(L)] = a[:L]
    return out[:4]


def _store_attributions(store, attributions: Any) -> Any:
    from annostore.store.genomic import attribution_tracks, store_attributions

    if attributions is not None:
        if isinstance(attributions, (str, os.PathLike)):
            from annostore.io.attribution_files import is_layout_file
            from annostore.io.attributions import read_attribution_array

            p = Path(attributions)
            if p.is_file() and p.suffix.lower() in (".npy", ".npz") and not is_layout_file(p):
                return read_attribution_array(attributions)  # per-letter arrays stay per letter
            return store_attributions(store, attributions)  # model tool layouts, stored track names
        return attributions
    if attribution_tracks(store).num_rows:
        return store_attributions(store, None)
    path = Path(getattr(store, "path", ".")) / "attributions.npz"
    if not path.is_file():
        raise BadInputError(
            "the store keeps no attributions; give them with attributions=... "
            f"(an array or a file), keep them with: annostore attributions add {getattr(store, 'path', 'STORE')} FILE, "
            f"or save them as {path}"
        )
    from annostore.io.attributions import read_attribution_array

    return read_attribution_array(path)


def store_annotations(
    store,
    example: int,
    start: int,
    end: int,
    source: str = "seqlets",
    *,
    run: int | str | None = None,
    min_attribution: float | None = None,
    max_p: float | None = None,
    label_by: str = "motif",
):
    """Annotations of one example inside ``[start, end)`` from a store, for :func:`plot_logo`.

    Parameters
    ----------
    store : Store
    example, start, end : int
        The example and the window (0-based, half-open).
    source : {"seqlets", "hits"}
        Seqlets labelled with their best TOMTOM match (latest matches run of the seqlets run), or
        FIMO hits labelled with their motif.
    run : int or str, optional
        Run id or name (default: the latest run of that kind).
    min_attribution, max_p : float, optional
        Keep annotations with ``attribution >= min_attribution`` / ``p_value <= max_p``.
    label_by : {"motif", "cluster"}
        Label with the motif's alt name, or with its motif family (``annostore motifs cluster``).

    Returns
    -------
    pandas.DataFrame
        ``label, start, end, score`` (``score`` = the attribution), sorted by start.
    """
    import pandas as pd

    from annostore.resources import sql

    if label_by not in ("motif", "cluster"):
        raise BadInputError(f"label_by must be 'motif' or 'cluster', not {label_by!r}")
    if label_by == "cluster":
        from annostore.analysis.clusters import store_clusters

        store_clusters(store, required=True)
    params = {"example": int(example), "start": int(start), "end": int(end),
              "min_attribution": min_attribution, "max_p": max_p, "by_cluster": label_by == "cluster"}
    if source == "seqlets":
        if run is None and latest_run(store, "seqlets") is None:
            raise BadInputError("the store has no seqlets run to draw (call seqlets first, or use source='hits')")
        run_id = lookup_run(store, run, "seqlets")
        matches = latest_run(store, "matches", parent=run_id)
        params.update(run=run_id, matches_run=matches)
        table = store.con.sql(sql("plot_logo_seqlets"), params=params).to_arrow_table()
    elif source == "hits":
        if run is None and latest_run(store, "hits") is None:
            raise BadInputError("the store has no hits run to draw (scan with FIMO first, or use source='seqlets')")
        run_id = lookup_run(store, run, "hits")
        params.update(run=run_id)
        table = store.con.sql(sql("plot_logo_hits"), params=params).to_arrow_table()
    else:
        raise BadInputError(f"annotations source must be 'seqlets' or 'hits', not {source!r}")
    return pd.DataFrame(table.to_pandas(), columns=["label", "start", "end", "score"])


def _annotation_frame(annotations: Any, score_key: str | None):
    """Normalise user annotations to a frame ``label, start, end, score``."""
    import pandas as pd

    if annotations is None:
        return pd.DataFrame(columns=["label", "start", "end", "score"])
    df = annotations if isinstance(annotations, pd.DataFrame) else pd.DataFrame(annotations)
    if len(df.columns) == 0 or "start" not in df.columns or "end" not in df.columns:
        raise BadInputError("annotations need a label column first, then 'start' and 'end' columns")
    label_col = "label" if "label" in df.columns else df.columns[0]
    if score_key is None:
        score_key = next((c for c in ("score", "attribution") if c in df.columns), None)
    elif score_key not in df.columns:
        raise BadInputError(f"annotations have no {score_key!r} column")
    return pd.DataFrame(
        {
            "label": df[label_col].astype(str).to_numpy(),
            "start": df["start"].to_numpy(dtype=np.int64),
            "end": df["end"].to_numpy(dtype=np.int64),
            "score": df[score_key].to_numpy(dtype=float) if score_key is not None else np.full(len(df), np.nan),
        }
    )


def _draw_annotations(ax, ann, ws: int, ylim: tuple[float, float], *, n_tracks: int, show_extra: bool,
                      show_score: bool, annot_cmap: str) -> None:
    """Bars and labels below the logo, packed into tracks so that neighbours do not collide."""
    import matplotlib

    cmap = matplotlib.colormaps[annot_cmap]
    low, high = ylim
    span = high - low
    step = span * 0.16
    track_ends: list[float] = []
    ann = ann.sort_values("start", kind="stable")
    placed = []
    for row in ann.itertuples(index=False):
        text = str(row.label)
        if show_score and np.isfinite(row.score):
            text += f" ({row.score:.3g})"
        # rough label footprint in positions, so labels on one track do not overlap
        footprint = max(row.end - row.start, 0.55 * len(text) * 0.6)
        left = row.start - ws
        right = left + footprint
        track = next((t for t, e in enumerate(track_ends) if e <= left), len(track_ends))
        if track == len(track_ends):
            track_ends.append(right)
        else:
            track_ends[track] = right
        placed.append((row, text, track))
    used = {t for _, _, t in placed if t < n_tracks}
    one_track = len(used) <= 1
    lowest = low
    for row, text, track in placed:
        extra = track >= n_tracks
        if extra and not show_extra:
            continue
        colour = (0.0, 0.0, 0.0) if one_track else ((0.7, 0.7, 0.7) if extra else cmap(track % cmap.N))
        y_bar = low + step * 0.4 - min(track, n_tracks) * step
        if not extra:
            ax.plot([row.start - ws - 0.1, row.end - ws - 0.5], [y_bar, y_bar], color=colour, linewidth=2.0,
                    solid_capstyle="butt")
        y_text = y_bar - step * 0.15
        ax.text((row.start + row.end) / 2 - ws - 0.3, y_text, text, ha="center", va="top",
                fontsize=6 if extra else 8, color=colour)
        lowest = min(lowest, y_text - step)
    ax.set_ylim(lowest, high)


def plot_logo(
    store_or_attr: Any,
    example: int = 0,
    start: int | None = None,
    end: int | None = None,
    annotations: Any = "seqlets",
    *,
    sequence: str | None = None,
    attributions: Any = None,
    run: int | str | None = None,
    min_attribution: float | None = None,
    max_p: float | None = None,
    label_by: str = "motif",
    score_key: str | None = None,
    ylim: float | tuple[float, float] | None = None,
    n_tracks: int = 4,
    show_extra: bool = True,
    show_score: bool = True,
    annot_cmap: str = "Set1",
    title: str | None = None,
    ax: Any = None,
    output: str | os.PathLike | None = None,
    figsize: tuple[float, float] = (12.0, 3.0),
    dpi: int = 100,
):
    """Draw an attribution logo of one example, with annotation bars and labels underneath.

    Letters are stacked at each position in order of value: positive values grow up from 0,
    negative values down (glyph flipped), letter height = value. Annotations wholly inside the
    window are drawn as bars with their label and score below the logo, packed into at most
    ``n_tracks`` tracks (more go grey and small, or are hidden with ``show_extra=False``).

    Parameters
    ----------
    store_or_attr : Store or array-like
        A store (attributions from ``attributions=`` or the store's ``attributions.npz``,
        the sequence from the store) or an attribution array: ``(4, L)``, ``(n, 4, L)``, or
        projected ``(L,)``/``(n, L)`` with ``sequence=``.
    example : int
        Example index (row of a batched array, ``example_idx`` in a store).
    start, end : int, optional
        Window, 0-based half-open, in example coordinates (default: the whole example).
    annotations : DataFrame, "seqlets", "hits" or None
        A frame whose first column (or ``label``) is the label, with ``start``, ``end`` (example
        coordinates) and a score column (``score_key``; default ``score`` or ``attribution``); or,
        with a store, ``"seqlets"`` (labelled by best TOMTOM match) or ``"hits"`` (FIMO).
        With an array, ``"seqlets"`` (the default) means no annotations.
    sequence : str, optional
        The example's sequence, for projected attributions.
    attributions : array-like or path, optional
        With a store: the attributions (default ``<store>/attributions.npz``).
    run : int or str, optional
        Store run to take annotations from (default the latest of that kind).
    min_attribution, max_p : float, optional
        Filters on store annotations.
    label_by : {"motif", "cluster"}
        Store annotations: label with the motif's alt name, or its motif family.
    score_key : str, optional
        Score column of a user frame.
    ylim : float or (float, float), optional
        y-limits of the logo (a scalar y means (-y, y)).
    n_tracks, show_extra, show_score, annot_cmap
        Label layout, as in tangermeme's ``plot_logo``.
    title : str, optional
    ax : matplotlib Axes, optional
        Draw here (default: a new figure of ``figsize`` inches at ``dpi``).
    output : path, optional
        Write the figure as PNG.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    BadInputError
        Unknown example, an empty window or one outside the example.

    Examples
    --------
    >>> import annostore
    >>> store = annostore.open("demo-out", read_only=True)  # doctest: +SKIP
    >>> annostore.plot_logo(store, example=0, start=925, end=1075, output="logo.png")  # doctest: +SKIP
    """
    is_store = hasattr(store_or_attr, "con")
    if is_store:
        store = store_or_attr
        seqs = store.sequences()
        if not (0 <= int(example) < len(seqs)):
            raise BadInputError(f"example {example} is not in the store (it holds {len(seqs)} examples)")
        sequence = seqs.text(int(example))
        matrix = logo_matrix(_store_attributions(store, attributions), sequence, int(example))
    else:
        matrix = logo_matrix(store_or_attr, sequence, int(example))
    L = matrix.shape[1]
    ws = 0 if start is None else int(start)
    we = L if end is None else int(end)
    if not (0 <= ws < we <= L):
        raise BadInputError(f"the window [{ws}, {we}) is empty or outside example {example} (length {L})")
    window = matrix[:, ws:we]

    if isinstance(annotations, str):
        if is_store:
            ann = store_annotations(store, int(example), ws, we, annotations, run=run,
                                    min_attribution=min_attribution, max_p=max_p, label_by=label_by)
        else:
            ann = _annotation_frame(None, None)
    else:
        ann = _annotation_frame(annotations, score_key)
    ann = ann[(ann["start"] >= ws) & (ann["end"] <= we)]

    ax = _new_axes(ax, figsize, dpi)
    limit = np.abs(window).max() if window.size else 0.0
    min_height = 0.02 * limit
    pos_top, neg_bottom = 0.0, 0.0
    for j in range(window.shape[1]):
        column = window[:, j]
        up, down = 0.0, 0.0
        for i in np.argsort(column, kind="stable"):
            h = column[i]
            if abs(h) < min_height or h == 0:
                continue
            if h > 0:
                _draw_letter(ax, _LETTERS[i], j, up, h)
                up += h
            else:
                down += h
                _draw_letter(ax, _LETTERS[i], j, down, h)
        pos_top, neg_bottom = max(pos_top, up), min(neg_bottom, down)
    if ylim is None:
        if len(ann):
            lim = limit if limit > 0 else 1.0
            ylim = (-lim, lim)
        else:
            ylim = (neg_bottom, pos_top) if pos_top > neg_bottom else (-1.0, 1.0)
    elif np.isscalar(ylim):
        ylim = (-float(ylim), float(ylim))
    ylim = (float(ylim[0]), float(ylim[1]))
    ax.set_xlim(-0.1, we - ws)
    ax.set_ylim(*ylim)
    ax.axhline(0, color="0.6", linewidth=0.5, zorder=0)
    if len(ann):
        _draw_annotations(ax, ann, ws, ylim, n_tracks=n_tracks, show_extra=show_extra,
                          show_score=show_score, annot_cmap=annot_cmap)
    ticks = ax.get_xticks()
    ticks = [t for t in ticks if 0 <= t <= we - ws]
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(int(t + ws)) for t in ticks])
    ax.set_xlabel(f"position in example {example}")
    ax.set_ylabel("attribution")
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    _save(ax, output, dpi)
    return ax
