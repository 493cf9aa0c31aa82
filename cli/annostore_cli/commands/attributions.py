"""``annostore attributions add|list``: keep projected attribution tracks in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import store_argument

LAYOUTS = (
    "ChromBPNet <prefix>.counts_scores.h5 / .profile_scores.h5 (blosc; raw/seq + shap/seq or projected_shap/seq), "
    "kundajelab/bpnet counts_scores.h5 (hyp_scores, input_seqs), bpnet-lite <prefix>.attr.npz (+ <prefix>.ohe.npz), "
    "Fi-NeMo regions .npz (sequences, contributions), a bigWig (read over the store's regions), or a .npy/.npz of "
    "(n, L) or (n, 4, L) scores"
)


def register(app: typer.Typer) -> None:
    attr_app = typer.Typer(
        help="Keep attribution scores in the store, so seqlets, scan and plot logo use them without the file.\n\n"
        "Example:\n\n    annostore attributions add my.store peaks.counts_scores.h5 --name counts",
        no_args_is_help=True,
    )
    app.add_typer(attr_app, name="attributions")

    @attr_app.command(
        "add",
        help=f"Add a projected per-base attribution track read from FILE: {LAYOUTS}. Hypothetical scores are "
        "projected with the one-hot (the file's or the store's sequences); rows longer than the examples are "
        "centre-cropped; shorter rows or another row count than the store's examples are errors.\n\n"
        "Example:\n\n    annostore attributions add my.store peaks.counts_scores.h5 --name counts",
    )
    @common.guard
    def attributions_add(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="FILE", readable=False, help="The attribution file."),
        name: Optional[str] = typer.Option(None, "--name", help="Track name (default: the file name up to its first dot)."),
        key: Optional[str] = typer.Option(None, "--key", help="Array name inside a .npz file."),
    ) -> None:
        from annostore.store.genomic import add_attribution_track

        with common.open_store(store, write=True) as s:
            out = add_attribution_track(s, path, name=name, key=key)
        common.info(f"attributions {out['name']!r}: {out['n_examples']} examples x {out['length']} bp "
                    f"({out['layout']})")

    @attr_app.command(
        "list",
        help="List the store's attribution tracks with their provenance.\n\n"
        "Example:\n\n    annostore attributions list my.store",
    )
    @common.guard
    @common.output_options
    def attributions_list(store: Path = store_argument(), output: common.Output = None) -> None:
        from annostore.store.genomic import attribution_tracks

        with common.open_store(store) as s:
            output.write(attribution_tracks(s))
