"""The motifs group: add, list."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import output_options, store_argument


def register(app: typer.Typer) -> None:
    motifs_app = typer.Typer(help="Add and list the store's motifs.\n\nExample:\n\n    annostore motifs list my.store",
                             no_args_is_help=True)
    app.add_typer(motifs_app, name="motifs")

    @motifs_app.command(
        "add",
        help="Add motifs from a MEME (v4/v5), JASPAR or PFM file; motif_idx continues after existing motifs.\n\n"
        "Example:\n\n    annostore motifs add my.store JASPAR2026_CORE_vertebrates_non-redundant.meme",
    )
    @common.guard
    def motifs_add(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="FILE", readable=False, help="Motif file."),
        motif_format: Optional[str] = typer.Option(None, "--format", help="Force the format: meme, jaspar, pfm."),
    ) -> None:
        with common.open_store(store, write=True) as s:
            added = s.add_motifs(path, format=motif_format)
        common.info(f"added {len(added)} motifs")

    @motifs_app.command(
        "list",
        help="List the store's motifs (motif_idx, id, alt name, width, consensus).\n\n"
        "Example:\n\n    annostore motifs list my.store -f csv",
    )
    @common.guard
    @output_options
    def motifs_list(
        store: Path = store_argument(),
        output: common.Output = None,
    ) -> None:
        from annostore import resources

        with common.open_store(store) as s:
            output.write(s.con.sql(resources.sql("store_motif_list")))

    @motifs_app.command(
        "cluster",
        help="Cluster the store's motifs into families by all-vs-all TOMTOM (MEME p-values), and write the "
        "table motif_clusters(motif_idx, cluster_idx, cluster, representative); clustering again replaces it. "
        "The two directions of a pair are made symmetric by the geometric mean of their p-values; a cluster's "
        "(average linkage) mean log10 p is at most log10(--threshold). Prints one row per motif.\n\n"
        "Example:\n\n    annostore motifs cluster my.store --threshold 1e-3 -o clusters.tsv",
    )
    @common.guard
    @output_options
    def motifs_cluster(
        store: Path = store_argument(),
        threshold: float = typer.Option(1e-3, "--threshold", help="TOMTOM p-value at which clusters are cut."),
        dist: str = typer.Option("ed", "--dist", help="TOMTOM column similarity: ed, pearson or sandelin."),
        linkage: str = typer.Option("average", "--linkage", help="average or complete."),
        output: common.Output = None,
    ) -> None:
        common.apply_threads()
        with common.open_store(store, write=True) as s:
            res = s.cluster_motifs(threshold=threshold, dist=dist, linkage=linkage)
            common.info(f"{res.params['n_motifs']} motifs in {res.n_clusters} clusters")
            output.write(res.table)
