"""The examples: the regions and sequences groups."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import store_argument


def register(app: typer.Typer) -> None:
    regions_app = typer.Typer(help="Add the store's regions (examples).\n\nExample:\n\n    annostore regions add my.store peaks.bed",
                              no_args_is_help=True)
    app.add_typer(regions_app, name="regions")

    @regions_app.command(
        "add",
        help="Add regions from a BED or narrowPeak file (0-based half-open): row i becomes example_idx i "
        "with its chrom/start/end/name/strand. With --width W each example is the W-bp window centred at the "
        "peak's summit (narrowPeak column 10; the midpoint without one); with --genome the windows' sequences "
        "are taken from the genome FASTA (plain, .fai built when missing, or bgzip with .gzi) and windows that "
        "run off a chromosome are dropped with a count on stderr (as ChromBPNet does) unless --pad. The "
        "regions keep the peak's line (peak_idx), coordinates and summit; unnamed peaks are named "
        "chrom:start-end after their window.\n\n"
        "Example:\n\n    annostore regions add my.store peaks.bed\n\n"
        "    annostore regions add my.store peaks.narrowPeak --genome hg38.fa --width 2114",
    )
    @common.guard
    def regions_add(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="PEAKS", readable=False, help="BED or narrowPeak file."),
        genome: Optional[Path] = typer.Option(None, "--genome", readable=False, help="Genome FASTA: add the windows' sequences."),
        width: Optional[int] = typer.Option(None, "--width", min=1, help="Window width centred at the summit."),
        pad: bool = typer.Option(False, "--pad", help="Keep windows that run off a chromosome, padded with N."),
    ) -> None:
        with common.open_store(store, write=True) as s:
            if genome is None and width is None:
                n = s.add_regions(path)
            else:
                from annostore.store.genomic import add_peak_regions

                out = add_peak_regions(s, path, genome=genome, width=width, pad=pad)
                n = out["added"]
                if out["dropped"]:
                    common.err(f"note: dropped {out['dropped']} windows that run off their chromosome (--pad keeps them)")
        common.info(f"added {n} regions" + (" with their sequences" if genome is not None else ""))

    sequences_app = typer.Typer(help="Add the store's sequences (examples).\n\nExample:\n\n    annostore sequences add my.store seqs.fa",
                                no_args_is_help=True)
    app.add_typer(sequences_app, name="sequences")

    @sequences_app.command(
        "add",
        help="Add sequences from a FASTA file (plain or .gz): record i becomes example_idx i.\n\n"
        "Example:\n\n    annostore sequences add my.store seqs.fa",
    )
    @common.guard
    def sequences_add(store: Path = store_argument(), path: Path = typer.Argument(..., metavar="FASTA", readable=False, help="FASTA file.")) -> None:
        with common.open_store(store, write=True) as s:
            n = s.add_sequences(path)
        common.info(f"added {n} sequences")
