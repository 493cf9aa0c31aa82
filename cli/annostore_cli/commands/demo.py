"""``annostore demo``: the whole tutorial flow on a built-in synthetic example."""

from __future__ import annotations

from pathlib import Path

import typer

from annostore_cli import options as common

DEMO_HELP = """Run the whole annotation flow on a built-in synthetic example (no downloads).

Makes random sequences with planted AP-1, ETS and a spaced CEBP -> CTCF pair, builds a store
in DIR (the demo folder is the store) with the built-in JASPAR 2026 vertebrates motifs, computes attributions with
a small torch model made from the motif PWMs, calls seqlets, annotates them with TOMTOM, scans
with FIMO, and prints the top motifs, the recovered families, the top co-occurring pairs and
the planted pair's spacing peak. Writes logo.png, pairs.png and spacing.png into DIR.

Example:

    annostore demo demo-out

    annostore demo demo-out --n-sequences 200 --seed 1
"""


def register(app: typer.Typer) -> None:
    @app.command("demo", help=DEMO_HELP, short_help="Run the tutorial flow end to end on a built-in example.")
    @common.guard
    def demo_command(
        directory: Path = typer.Argument(Path("annostore-demo"), readable=False, help="Output folder (created)."),
        n_sequences: int = typer.Option(2000, "--n-sequences", "-n", min=2, help="Number of synthetic sequences."),
        seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same data and results)."),
        json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON instead of tables."),
    ) -> None:
        import json
        import sys

        from annostore.example.demo import demo

        common.apply_threads()
        result = demo(
            directory,
            n_sequences=n_sequences,
            seed=seed,
            threads=common.settings.threads,
            progress=common.show_progress(),
            print_tables=not json_out,
            file=sys.stdout,
        )
        if json_out:
            typer.echo(json.dumps(result.to_dict(), default=str))
        common.info(f"demo outputs in {directory}")
        if not result.recovered:
            common.err("warning: the demo did not recover everything it planted")
            raise typer.Exit(1)
