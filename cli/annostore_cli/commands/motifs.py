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
        path: Path = typer.Argument(..., metavar="FILE", help="Motif file."),
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
