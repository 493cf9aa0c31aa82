"""Aggregation commands: count, pairs, spacing (thin over annostore.analysis.aggregate)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import (
    filter_options,
    output_options,
    split_values,
    store_argument,
)


def register(app: typer.Typer) -> None:
    @app.command(
        "count",
        help="Count annotations per example and motif (long form: example_idx, motif_idx, motif, n), "
        "or per motif / per example with --by.\n\n"
        "Example:\n\n    annostore count my.store --source hits --min-attribution 0.5 --by motif",
    )
    @common.guard
    @filter_options
    @output_options
    def count_cmd(
        store: Path = store_argument(),
        by: str = typer.Option("example_motif", "--by", help="example_motif, motif, example, or per motif family "
                               "(annostore motifs cluster): example_cluster or cluster."),
        filters: dict = None,
        output: common.Output = None,
    ) -> None:
        from annostore.analysis import aggregate

        with common.open_store(store) as s:
            output.write(aggregate.count(s, by=by, stream=True, **filters))

    @app.command(
        "pairs",
        help="Co-occurrence of motif pairs within examples (motif_idx_a, motif_a, motif_idx_b, motif_b, n). "
        "Default: each (example, motif) once, both orientations.\n\n"
        "Example:\n\n    annostore pairs my.store --source seqlets --ordered --all-instances",
    )
    @common.guard
    @filter_options
    @output_options
    def pairs_cmd(
        store: Path = store_argument(),
        ordered: bool = typer.Option(False, "--ordered", help="Each pair once, left motif (by position) first."),
        all_instances: bool = typer.Option(False, "--all-instances", help="Count every pair of instances, not examples."),
        by: str = typer.Option("motif", "--by", help="motif, or cluster: pairs of motif families "
                               "(cluster_idx_a, cluster_a, ...; needs annostore motifs cluster)."),
        filters: dict = None,
        output: common.Output = None,
    ) -> None:
        from annostore.analysis import aggregate

        with common.open_store(store) as s:
            output.write(aggregate.pairs(s, unique=not all_instances, symmetric=not ordered, by=by, stream=True, **filters))

    @app.command(
        "spacing",
        help="Motif pairs by spacing, distance = right.start - left.end (motif_idx_a, motif_a, motif_idx_b, "
        "motif_b, distance, n). Overlapping pairs are skipped unless --allow-overlaps.\n\n"
        "Example:\n\n    annostore spacing my.store --motif-a FOS --motif-b ETV6 --max-distance 150",
    )
    @common.guard
    @filter_options
    @output_options
    def spacing_cmd(
        store: Path = store_argument(),
        motif_a: Optional[List[str]] = typer.Option(None, "--motif-a", help="Only rows with this first motif."),
        motif_b: Optional[List[str]] = typer.Option(None, "--motif-b", help="Only rows with this second motif."),
        max_distance: int = typer.Option(100, "--max-distance", min=1, help="Keep distance < D."),
        ordered: bool = typer.Option(False, "--ordered", help="motif_a is always the left annotation."),
        allow_overlaps: bool = typer.Option(False, "--allow-overlaps", help="Keep overlaps with negative distances."),
        by: str = typer.Option("motif", "--by", help="motif, or cluster: motif families (--motif-a/-b then take "
                               "cluster labels, or a motif for its cluster)."),
        filters: dict = None,
        output: common.Output = None,
    ) -> None:
        from annostore.analysis import aggregate

        with common.open_store(store) as s:
            result = aggregate.spacing(
                s,
                max_distance=max_distance,
                symmetric=not ordered,
                allow_overlaps=allow_overlaps,
                by=by,
                motif_a=split_values(motif_a),
                motif_b=split_values(motif_b),
                stream=True,
                **filters,
            )
            output.write(result)
