"""collapse: one hit per group of overlapping hits of one motif family (a derived hits run)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import store_argument


def register(app: typer.Typer) -> None:
    @app.command(
        "collapse",
        help="Collapse redundant hits of a hits run into a new hits run (parent_run_id = the source): per "
        "example, hits of one motif cluster (--by cluster, the default; needs `annostore motifs cluster`), of "
        "one motif (--by motif) or of any motif (--by any) that overlap by at least --overlap of the shorter "
        "become one hit, the best by --keep; n_merged says how many hits it stands for, and with --by any the "
        "column clusters lists the clusters present. Streams the run. Given a matches run (TOMTOM labels of "
        "seqlets), keeps per seqlet the best-ranked label of each cluster among its top --top-k labels.\n\n"
        "Example:\n\n    annostore collapse my.store --run hits-1 --name hits-1-families --by cluster",
    )
    @common.guard
    def collapse_cmd(
        store: Path = store_argument(),
        source: str = typer.Option(..., "--run", help="The hits run to collapse (id or name)."),
        name: Optional[str] = typer.Option(None, "--name", help="Name of the new run (default hits-<id>)."),
        by: str = typer.Option("cluster", "--by", help="cluster, motif or any."),
        overlap: float = typer.Option(0.5, "--overlap", help="Minimum overlap, as a fraction of the shorter hit."),
        keep: str = typer.Option("min-p", "--keep", help="min-p, max-attribution or max-score."),
        top_k: Optional[int] = typer.Option(None, "--top-k", help="Matches runs: labels of rank <= K (default all)."),
    ) -> None:
        with common.open_store(store, write=True) as s:
            run_id = s.collapse(source, name=name, by=by, overlap=overlap, keep=keep, top_k=top_k)
            from annostore import resources

            n = s.con.execute(resources.sql("store_run_by_id"), {"run_id": run_id}).fetchall()[0][2]
        common.info(f"run {run_id}: {n} hits")
