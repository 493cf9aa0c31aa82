"""The examples: the regions and sequences groups."""

from __future__ import annotations

from pathlib import Path

import typer

from annostore_cli import options as common
from annostore_cli.options import store_argument


def register(app: typer.Typer) -> None:
    regions_app = typer.Typer(help="Add the store's regions (examples).\n\nExample:\n\n    annostore regions add my.store peaks.bed",
                              no_args_is_help=True)
    app.add_typer(regions_app, name="regions")

    @regions_app.command(
        "add",
        help="Add regions from a BED file (3-6 columns, 0-based half-open): row i becomes example_idx i "
        "with its chrom/start/end/name/strand.\n\nExample:\n\n    annostore regions add my.store peaks.bed",
    )
    @common.guard
    def regions_add(store: Path = store_argument(), path: Path = typer.Argument(..., metavar="BED", help="BED file.")) -> None:
        with common.open_store(store, write=True) as s:
            n = s.add_regions(path)
        common.info(f"added {n} regions")

    sequences_app = typer.Typer(help="Add the store's sequences (examples).\n\nExample:\n\n    annostore sequences add my.store seqs.fa",
                                no_args_is_help=True)
    app.add_typer(sequences_app, name="sequences")

    @sequences_app.command(
        "add",
        help="Add sequences from a FASTA file (plain or .gz): record i becomes example_idx i.\n\n"
        "Example:\n\n    annostore sequences add my.store seqs.fa",
    )
    @common.guard
    def sequences_add(store: Path = store_argument(), path: Path = typer.Argument(..., metavar="FASTA", help="FASTA file.")) -> None:
        with common.open_store(store, write=True) as s:
            n = s.add_sequences(path)
        common.info(f"added {n} sequences")
