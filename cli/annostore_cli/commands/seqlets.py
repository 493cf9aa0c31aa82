"""``annostore seqlets``: call seqlets on attributions and store them as a run."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import new_run_options

SEQLETS_HELP = """Call seqlets on attributions (tangermeme 1.6 recursive_seqlets) and store them as a run.

ATTRIBUTIONS is a .npy/.npz file of projected (n, L) or per-letter (n, 4, L) attributions
(summed over the letters), one row per example of the store in example_idx order; or a model
tool's file: ChromBPNet .counts_scores.h5/.profile_scores.h5, kundajelab/bpnet counts_scores.h5,
bpnet-lite .attr.npz (+ .ohe.npz), Fi-NeMo regions .npz, a bigWig (hypothetical scores are
projected with the one-hot; longer rows are centre-cropped to the examples); or the name of a
track kept with 'annostore attributions add' (the default: the latest such track). With
--sequences, the examples' FASTA is added to a store that has none yet. Positive and negative
seqlets are called by default (sign column +1/-1); a negative seqlet overlapping a positive one
is dropped. Prints the run id on stdout.

Example:

    annostore seqlets my.store --attributions attr.npz --sequences peaks.fa

    annostore seqlets my.store -a attr.npy -t 0.001 --flanks 3 --sign positive

    annostore seqlets my.store -a peaks.counts_scores.h5
"""


def register(app: typer.Typer) -> None:
    @app.command("seqlets", help=SEQLETS_HELP, short_help="Call seqlets on attributions into the store.")
    @common.guard
    @new_run_options("seqlets")
    def seqlets_command(
        store_path: Path = typer.Argument(..., metavar="STORE", readable=False, help="The store folder (created when missing)."),
        attributions: Optional[Path] = typer.Option(
            None, "--attributions", "-a", readable=False, help="Attribution file or stored track name (default: the store's track)."
        ),
        sequences: Optional[Path] = typer.Option(
            None, "--sequences", readable=False, help="FASTA of the examples (added when the store has no examples)."
        ),
        key: Optional[str] = typer.Option(None, "--key", help="Array name inside an .npz with several arrays."),
        threshold: float = typer.Option(0.01, "--threshold", "-t", help="p-value threshold (strict <, at most 1)."),
        min_len: int = typer.Option(4, "--min-len", min=1, help="Smallest seqlet core length."),
        max_len: int = typer.Option(25, "--max-len", min=1, help="Largest seqlet core length."),
        flanks: int = typer.Option(0, "--flanks", min=0, help="Bases added on each side of every seqlet."),
        n_bins: int = typer.Option(1000, "--n-bins", min=2, help="Bins of the null distribution."),
        control: Optional[Path] = typer.Option(
            None, "--control", readable=False, help="Control attributions (.npy/.npz): choose the threshold by estimated FDR."
        ),
        target_fdr: float = typer.Option(0.1, "--target-fdr", help="FDR target with --control."),
        sign: str = typer.Option("both", "--sign", help="positive, negative or both."),
        name: Optional[str] = None,
    ) -> None:
        from annostore.errors import BadInputError
        from annostore.store.pipelines import call_seqlets_store

        if sign not in ("positive", "negative", "both"):
            raise BadInputError(f"--sign must be positive, negative or both, not {sign!r}")
        common.apply_threads()
        with common.open_store(store_path, write=True) as store:
            run_id = call_seqlets_store(
                store,
                attributions,
                threshold=threshold,
                min_seqlet_len=min_len,
                max_seqlet_len=max_len,
                additional_flanks=flanks,
                n_bins=n_bins,
                X_control=control,
                target_fdr=target_fdr,
                sign=sign,
                run=name,
                sequences=sequences,
                key=key,
            )
            runs = store.runs().to_pylist()
            n_rows = next((r["n_rows"] for r in runs if r["run_id"] == run_id), 0)
        common.info(f"stored {n_rows} seqlets as run {run_id}")
        typer.echo(run_id)
