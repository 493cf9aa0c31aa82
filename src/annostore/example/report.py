"""The demo's summary tables, printed with rich: the store's answers (top motif families,
example 0's collapsed sites, recovered planted sites, co-occurring pairs, spacing and the
enrichment tables) from a :class:`~annostore.example.demo.DemoResult`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from annostore.example.demo import MIN_ATTRIBUTION

if TYPE_CHECKING:
    from annostore.example.demo import DemoResult


def _q(q: float) -> str:
    return "< 1e-300" if q < 1e-300 else f"{q:.2e}"


def _print_enrichment(result: DemoResult, console) -> None:
    from rich.table import Table

    if result.enriched_pairs is not None:
        t = Table(title="Top enriched co-occurrences of seqlet labels (Fisher, BH; annostore enrich pairs)",
                  title_justify="left")
        for col in ("motif a", "motif b", "both", "expected", "odds ratio", "q"):
            t.add_column(col, justify="left" if col.startswith("motif") else "right")
        for row in result.enriched_pairs.head(5).itertuples(index=False):
            t.add_row(f"{row.motif_a} {row.name_a}", f"{row.motif_b} {row.name_b}", str(row.n_both),
                      f"{row.expected:.1f}", f"{row.odds_ratio:.3g}", _q(row.q_value))
        console.print(t)
    if result.enriched_spacing is not None:
        fam = " collapsed per family" if "collapsed" in result.runs else ""
        t = Table(title=f"Top enriched spacings of FIMO hits{fam} with attribution >= {MIN_ATTRIBUTION:g} "
                  "(binomial vs uniform placement, BH; annostore enrich spacing --orientation)", title_justify="left")
        for col in ("upstream", "downstream", "strands", "distance (bp)", "pairs", "expected", "q"):
            t.add_column(col, justify="left" if col in ("upstream", "downstream", "strands") else "right")
        def label(key, name):
            return key if key == name else f"{key} {name}"

        for row in result.enriched_spacing.head(5).itertuples(index=False):
            t.add_row(label(row.upstream, row.upstream_name), label(row.downstream, row.downstream_name), row.strands,
                      str(row.distance), str(row.n), f"{row.expected:.2f}", _q(row.q_value))
        console.print(t)


def print_summary(result: DemoResult, file: Any = None) -> None:
    """Print the demo's summary tables with rich (to stdout unless ``file`` is given)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file or sys.stdout, width=100)
    if result.top_clusters is not None:
        t = Table(title=f"Top motif families: FIMO hits with attribution >= {MIN_ATTRIBUTION:g}, one per site and "
                  "family", title_justify="left",
                  caption=f"annostore motifs cluster + annostore collapse --by cluster; example 0: "
                  f"{result.example0_sites} sites after collapse --by any --overlap 0.25", caption_justify="left")
        for col in ("rank", "family (cluster)", "sites", "examples"):
            t.add_column(col, justify="left" if col.startswith("family") else "right")
        for i, row in enumerate(result.top_clusters.head(10).itertuples(index=False), 1):
            t.add_row(str(i), str(row.cluster), str(row.n), str(row.n_examples))
        console.print(t)
    if result.example0 is not None:
        t = Table(title=f"Example 0 (tutorial-like): FIMO hits with attribution >= {MIN_ATTRIBUTION:g}, collapsed over "
                  "all motifs (annostore collapse --by any --overlap 0.25)", title_justify="left")
        for col in ("site (0-based)", "strand", "kept hit", "attribution", "planted site"):
            t.add_column(col, justify="right" if col == "attribution" else "left")
        for row in result.example0.itertuples(index=False):
            t.add_row(f"{row.start}-{row.end}", row.strand, f"{row.motif} {row.name}", f"{row.attribution:.1f}",
                      row.planted)
        console.print(t)
    else:
        t = Table(title=f"Top motifs: FIMO hits with attribution >= {MIN_ATTRIBUTION:g}", title_justify="left")
        for col in ("rank", "motif", "name", "family", "hits"):
            t.add_column(col, justify="right" if col in ("rank", "hits") else "left")
        for i, row in enumerate(result.top_motifs.head(10).itertuples(index=False), 1):
            t.add_row(str(i), row.motif, str(row.name), row.family or "-", str(row.n))
        console.print(t)

    t = Table(title="Planted sites recovered", title_justify="left",
              caption="seqlets: best TOMTOM match in the planted family; FIMO: high-attribution hit of the family",
              caption_justify="left")
    for col in ("family", "planted", "seqlets", "recall", "FIMO", "FIMO recall"):
        t.add_column(col, justify="left" if col == "family" else "right")
    for row in result.recovery.itertuples(index=False):
        t.add_row(row.family, str(row.planted), str(row.recovered), f"{row.recall:.1%}", str(row.fimo),
                  f"{row.fimo_recall:.1%}")
    console.print(t)

    t = Table(title="Top co-occurring pairs of seqlet labels", title_justify="left")
    for col in ("motif a", "motif b", "families", "examples"):
        t.add_column(col, justify="right" if col == "examples" else "left")
    for row in result.top_pairs.head(10).itertuples(index=False):
        t.add_row(f"{row.motif_a} {row.name_a}", f"{row.motif_b} {row.name_b}", row.families, str(row.n))
    console.print(t)

    a, b = result.pair
    t = Table(title=f"Spacing {a} / {b} (planted gap {result.planted_gap} bp)", title_justify="left")
    t.add_column("distance (bp)", justify="right")
    t.add_column("pairs", justify="right")
    for row in result.spacing.sort_values("n", ascending=False, kind="stable").head(5).itertuples(index=False):
        mark = "  <- peak" if row.distance == result.spacing_peak else ""
        t.add_row(str(row.distance), f"{row.n}{mark}")
    console.print(t)
    _print_enrichment(result, console)
    verdict = "recovered" if result.recovered else "NOT fully recovered"
    total = sum(result.timings.values())
    console.print(
        f"Planted motifs and spacing {verdict}. {result.n_sequences} sequences in {total:.1f} s; "
        f"store: {result.store_path}; pictures: {', '.join(p.name for p in result.pictures.values())}"
    )
