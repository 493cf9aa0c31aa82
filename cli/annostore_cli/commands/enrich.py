"""``annostore enrich pairs|spacing``: which co-occurrences and spacings are more than chance
(thin over annostore.analysis.enrich; the tests are stated in docs/semantics.md)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import filter_options, output_options, split_values, store_argument

enrich_app = typer.Typer(
    help="Enrichment statistics over a store: co-occurrence (Fisher's exact test) and spacing "
    "(binomial against uniform placement), Benjamini-Hochberg q-values.\n\n"
    "Example:\n\n    annostore enrich spacing my.store --min-attribution 0.5 --orientation -o spacing.tsv",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_BY = typer.Option("motif", "--by", help="Group annotations by motif, or by motif cluster (table motif_clusters).")


@enrich_app.command(
    "pairs",
    help="Co-occurrence enrichment per pair of motifs (motif_a, motif_b, n_both, n_a, n_b, n_examples, "
    "expected, odds_ratio, p_value, q_value): presence/absence per example, Fisher's exact test "
    "(one-sided 'greater' by default), BH over all pairs tested. The universe is every example of the "
    "store (or of --examples).\n\n"
    "Example:\n\n    annostore enrich pairs my.store --min-attribution 0.5 --min-examples 10",
)
@common.guard
@filter_options
@output_options
def pairs_cmd(
    store: Path = store_argument(),
    by: str = _BY,
    min_examples: int = typer.Option(1, "--min-examples", min=1, help="Test only keys present in >= N examples."),
    alternative: str = typer.Option("greater", "--alternative", help="greater (more co-occurrence) or two-sided."),
    filters: dict = None,
    output: common.Output = None,
) -> None:
    from annostore.analysis.enrich import enrich_pairs

    with common.open_store(store) as s:
        output.write(enrich_pairs(s, by=by, min_examples=min_examples, alternative=alternative, **filters))


@enrich_app.command(
    "spacing",
    help="Spacing enrichment per pair of motifs and distance (motif_a, motif_b, distance, n, expected, "
    "p_value, q_value; + orientation with --orientation): one-sided binomial of the pairs at each "
    "distance against uniform placement in these examples (analytic, or --null shuffle), given the "
    "pair's number of pairs within --max-distance; BH over all (pair, distance) tests.\n\n"
    "Example:\n\n    annostore enrich spacing my.store --max-distance 100 --orientation --min-attribution 0.5",
)
@common.guard
@filter_options
@output_options
def spacing_cmd(
    store: Path = store_argument(),
    max_distance: int = typer.Option(100, "--max-distance", min=1, help="Test distances 0 .. D-1."),
    by: str = _BY,
    orientation: bool = typer.Option(False, "--orientation",
                                     help="Split by orientation: which motif is upstream, same/opposite strand."),
    null: str = typer.Option("analytic", "--null", help="analytic (uniform placement formula) or shuffle (empirical)."),
    shuffles: int = typer.Option(10, "--shuffles", min=1, help="Shuffle null: number of replicates."),
    seed: int = typer.Option(0, "--seed", help="Shuffle null: seed."),
    min_pairs: int = typer.Option(1, "--min-pairs", min=1, help="Test only pairs with >= N pairs within D."),
    all_distances: bool = typer.Option(False, "--all-distances",
                                       help="Report every distance of each pair (n = 0 rows too)."),
    motif_a: Optional[List[str]] = typer.Option(None, "--motif-a", help="Report only pairs with this motif (or cluster)."),
    motif_b: Optional[List[str]] = typer.Option(None, "--motif-b", help="... and this one (either order)."),
    filters: dict = None,
    output: common.Output = None,
) -> None:
    from annostore.analysis.enrich import enrich_spacing

    with common.open_store(store) as s:
        result = enrich_spacing(
            s, max_distance=max_distance, by=by, orientation=orientation, null=null, shuffles=shuffles, seed=seed,
            min_pairs=min_pairs, all_distances=all_distances, motif_a=split_values(motif_a),
            motif_b=split_values(motif_b), **filters,
        )
        output.write(result)


def register(app: typer.Typer) -> None:
    app.add_typer(enrich_app, name="enrich",
                  short_help="Co-occurrence and spacing enrichment (Fisher / binomial, BH q-values).")
