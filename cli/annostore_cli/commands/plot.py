"""``annostore plot logo|pairs|spacing|enrichment|clusters``: matplotlib pictures of a store."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import filter_options, store_argument

plot_app = typer.Typer(
    help="Draw pictures of a store as PNG files: attribution logos, co-occurrence, spacing.\n\n"
    "Example:\n\n    annostore plot logo demo-out --example 0 --start 925 --end 1075 -o logo.png",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_OUT = typer.Option(..., "--output", "-o", help="PNG file to write.")
_MIN_ATTR = typer.Option(None, "--min-attribution", help="Keep annotations with attribution >= this.")
_MAX_P = typer.Option(None, "--max-p", help="Keep annotations with p-value <= this.")
_DPI = typer.Option(100, "--dpi", min=20, max=600, help="Resolution (pixels per inch).")


@plot_app.command("logo", short_help="Attribution logo of one example with annotation labels.")
@common.guard
def logo(
    store: Path = store_argument(),
    example: int = typer.Option(0, "--example", "-e", help="Example index (example_idx)."),
    start: Optional[int] = typer.Option(None, "--start", help="Window start (0-based; default 0)."),
    end: Optional[int] = typer.Option(None, "--end", help="Window end (exclusive; default the example's length)."),
    output: Path = _OUT,
    attributions: Optional[Path] = typer.Option(
        None, "--attributions", "-a",
        readable=False, help="Attribution file (.npy/.npz, ChromBPNet/bpnet h5, bigWig, ...) or stored track name "
        "(default: the store's track, else STORE/attributions.npz)."
    ),
    annotations: str = typer.Option("seqlets", "--annotations", help="seqlets, hits or none."),
    run: Optional[str] = typer.Option(None, "--run", help="Run id or name of the annotations (default: latest)."),
    min_attribution: Optional[float] = _MIN_ATTR,
    max_p: Optional[float] = _MAX_P,
    label_by: str = typer.Option("motif", "--label-by", help="motif, or cluster: label by motif family "
                                 "(annostore motifs cluster)."),
    width: float = typer.Option(12.0, "--width", help="Figure width in inches."),
    height: float = typer.Option(3.0, "--height", help="Figure height in inches."),
    dpi: int = _DPI,
) -> None:
    """Draw the attribution logo of one example, with annotation bars and labels (seqlets labelled
    by their best TOMTOM match, or FIMO hits).

    Example:

        annostore plot logo demo-out --example 0 --start 925 --end 1075 -o logo.png
    """
    from annostore.errors import BadInputError
    from annostore.plots.logo import plot_logo

    if annotations not in ("seqlets", "hits", "none"):
        raise BadInputError(f"--annotations must be seqlets, hits or none, not {annotations!r}")
    run_value = int(run) if run is not None and run.isdigit() else run
    from annostore.store.sandbox import check_output_path

    check_output_path(output, store)  # never inside the store folder
    with common.open_store(store) as st:
        plot_logo(st, example, start, end, annotations=None if annotations == "none" else annotations,
                  attributions=attributions, run=run_value, min_attribution=min_attribution, max_p=max_p,
                  label_by=label_by,
                  figsize=(width, height), dpi=dpi, output=output)
    common.info(f"wrote {output}")


@plot_app.command("pairs", short_help="Co-occurrence heatmap of the top motifs.")
@common.guard
@filter_options
def pairs(
    store: Path = store_argument(),
    output: Path = _OUT,
    top: int = typer.Option(20, "--top", min=1, help="Number of motifs (by annotation count)."),
    all_instances: bool = typer.Option(False, "--all-instances", help="Count every pair of instances, not examples."),
    width: float = typer.Option(8.0, "--width", help="Figure width in inches."),
    height: float = typer.Option(7.0, "--height", help="Figure height in inches."),
    dpi: int = _DPI,
    filters: dict = None,
) -> None:
    """Draw a heatmap of co-occurrence counts among the most frequent motifs.

    Example:

        annostore plot pairs demo-out --source seqlets --top 15 -o pairs.png
    """
    from annostore.plots.aggregates import plot_pairs

    from annostore.store.sandbox import check_output_path

    check_output_path(output, store)  # never inside the store folder
    with common.open_store(store) as st:
        plot_pairs(st, top, **filters,
                   unique=not all_instances, figsize=(width, height), dpi=dpi, output=output)
    common.info(f"wrote {output}")


@plot_app.command("spacing", short_help="Number of pairs of two motifs by distance.")
@common.guard
@filter_options
def spacing(
    store: Path = store_argument(),
    motif_a: str = typer.Option(..., "--motif-a", help="First motif (id, 'id alt' or unambiguous name)."),
    motif_b: str = typer.Option(..., "--motif-b", help="Second motif."),
    output: Path = _OUT,
    max_distance: int = typer.Option(100, "--max-distance", min=1, help="Largest distance shown (exclusive)."),
    expected: bool = typer.Option(False, "--expected",
                                  help="Draw the expected counts (uniform placement) and mark distances with q < 0.05."),
    width: float = typer.Option(8.0, "--width", help="Figure width in inches."),
    height: float = typer.Option(3.0, "--height", help="Figure height in inches."),
    dpi: int = _DPI,
    filters: dict = None,
) -> None:
    """Draw the number of MOTIF_A / MOTIF_B pairs by distance (start of right - end of left);
    with --expected also the null's expected counts and the significant distances
    (`annostore enrich spacing`).

    Example:

        annostore plot spacing demo-out --motif-a CEBPB --motif-b MA0139.2 --min-attribution 3 -o spacing.png
    """
    from annostore.plots.aggregates import plot_spacing

    from annostore.store.sandbox import check_output_path

    check_output_path(output, store)  # never inside the store folder
    with common.open_store(store) as st:
        if expected:
            from annostore.plots.enrichment import plot_spacing_enrichment

            plot_spacing_enrichment(st, motif_a, motif_b, max_distance=max_distance, figsize=(width, height), dpi=dpi,
                                    output=output, **filters)
        else:
            plot_spacing(st, motif_a, motif_b, **filters, max_distance=max_distance, figsize=(width, height), dpi=dpi,
                         output=output)
    common.info(f"wrote {output}")


@plot_app.command("enrichment", short_help="Volcano plot of co-occurrence enrichment (log2 odds ratio, -log10 q).")
@common.guard
@filter_options
def enrichment(
    store: Path = store_argument(),
    output: Path = _OUT,
    top: int = typer.Option(10, "--top", min=0, help="Label this many pairs (smallest q first)."),
    by: str = typer.Option("motif", "--by", help="motif or cluster (table motif_clusters)."),
    min_examples: int = typer.Option(1, "--min-examples", min=1, help="Test only keys present in >= N examples."),
    q_threshold: float = typer.Option(0.05, "--q", help="Significance threshold drawn (q-value)."),
    width: float = typer.Option(7.0, "--width", help="Figure width in inches."),
    height: float = typer.Option(6.0, "--height", help="Figure height in inches."),
    dpi: int = _DPI,
    filters: dict = None,
) -> None:
    """Draw the volcano plot of `annostore enrich pairs`: log2 odds ratio against -log10 q, the top
    pairs labelled.

    Example:

        annostore plot enrichment demo-out --min-attribution 3 -o enrichment.png
    """
    from annostore.plots.enrichment import plot_enrichment

    from annostore.store.sandbox import check_output_path

    check_output_path(output, store)  # never inside the store folder
    with common.open_store(store) as st:
        plot_enrichment(st, top, by=by, min_examples=min_examples, q_threshold=q_threshold, figsize=(width, height),
                        dpi=dpi, output=output, **filters)
    common.info(f"wrote {output}")


@plot_app.command("clusters", short_help="TOMTOM similarity heatmap of the largest motif families.")
@common.guard
def clusters(
    store: Path = store_argument(),
    output: Path = _OUT,
    top: int = typer.Option(12, "--top", min=1, help="Number of clusters (largest first)."),
    cluster: Optional[List[str]] = typer.Option(None, "--cluster", help="Draw these clusters (label or cluster_idx)."),
    width: float = typer.Option(10.0, "--width", help="Figure width in inches."),
    height: float = typer.Option(9.0, "--height", help="Figure height in inches."),
    dpi: int = _DPI,
) -> None:
    """Draw -log10 TOMTOM p (both directions, geometric mean) among the members of the largest motif
    clusters of the store (`annostore motifs cluster` first), clusters separated and labelled.

    Example:

        annostore plot clusters demo-out --top 8 -o clusters.png
    """
    from annostore.plots.clusters import plot_clusters

    wanted = None
    if cluster:
        wanted = [int(c) if c.isdigit() else c for c in common.split_values(cluster)]
    common.apply_threads()
    with common.open_store(store) as st:
        plot_clusters(st, top, clusters=wanted, figsize=(width, height), dpi=dpi, output=output)
    common.info(f"wrote {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(plot_app, name="plot", short_help="Draw logos, co-occurrence heatmaps and spacing plots (PNG).")
