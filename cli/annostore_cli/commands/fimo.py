"""FIMO commands: ``fimo`` (standalone, MEME fimo.tsv) and ``scan`` (into a store's hits)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import new_run_options, split_values, store_argument


def _bfile(value: Optional[str]):
    return "nrdb" if value is None else value


def register(app: typer.Typer) -> None:
    @app.command(
        "fimo",
        help=(
            "Scan sequences with motifs like MEME's fimo and write its fimo.tsv: same columns, "
            "same numbers (NRDB background, pseudocount 0.1, p <= --thresh, q-values), "
            "coordinates 1-BASED INCLUSIVE like MEME.\n\n"
            "Writes --oc DIR/fimo.tsv, or to stdout (sorted by p-value; with --text: scan order, no q-values).\n\n"
            "Example: annostore fimo motifs.meme seqs.fa --thresh 1e-4 --oc fimo_out"
        ),
    )
    @common.guard
    def fimo_command(
        motifs: Path = typer.Argument(..., metavar="MOTIFS", readable=False, help="Motif file (MEME, JASPAR .jaspar, .pfm)."),
        sequences: Path = typer.Argument(..., metavar="SEQS", readable=False, help="FASTA file (plain or .gz), or .npy/.npz one-hot."),
        thresh: float = typer.Option(1e-4, "--thresh", help="Keep sites with p-value <= this."),
        norc: bool = typer.Option(False, "--norc", help="Scan only the given strand."),
        bfile: Optional[str] = typer.Option(
            None, "--bfile", "--bgfile", help="Background: --nrdb-- (default), --uniform--, --motif--, or a MEME background file."
        ),
        motif_pseudo: float = typer.Option(0.1, "--motif-pseudo", help="Total pseudocount added to the motifs."),
        text: bool = typer.Option(False, "--text", help="Stream rows to stdout in scan order; no q-values (MEME --text)."),
        no_qvalue: bool = typer.Option(False, "--no-qvalue", help="Do not compute q-values (column prints 0)."),
        oc: Optional[Path] = typer.Option(None, "--oc", readable=False, help="Output folder; fimo.tsv is written inside it."),
        motif: Optional[List[str]] = typer.Option(None, "--motif", help="Only this motif id (repeatable)."),
        max_stored_scores: int = typer.Option(100000, "--max-stored-scores", help="Hits kept per motif, as MEME (0: no limit)."),
        no_pgc: bool = typer.Option(False, "--no-pgc", help="Do not parse genomic coordinates from name:START-END names."),
        qvalue_method: str = typer.Option("auto", "--qvalue-method", help="auto, meme (MEME's exact random stream) or sample."),
        skip_matched_sequence: bool = typer.Option(False, "--skip-matched-sequence", help="Leave matched_sequence empty."),
        device: Optional[str] = typer.Option(
            None, "--device", help="Scan with torch on this device: cuda, cuda:N, cpu or auto (CUDA when present); same hits. Default: the numba CPU scan."
        ),
    ) -> None:
        common.apply_threads()
        from annostore.core.fimo import fimo
        from annostore.io.fasta import fasta_texts
        from annostore.io.fimo_tsv import write_fimo_tsv

        qvalues = not (text or no_qvalue)
        if text and not common.settings.quiet:
            common.err("Warning: text mode turns off computation of q-values")
        table = fimo(
            str(motifs), str(sequences), thresh, bfile=_bfile(bfile), norc=norc, motif_pseudo=motif_pseudo,
            qvalues=qvalues, qvalue_method=qvalue_method, matched_sequence=not skip_matched_sequence,
            max_stored_scores=None if (text or max_stored_scores <= 0) else max_stored_scores, motif_names=split_values(motif),
            device=device,
        )
        texts = None
        if not skip_matched_sequence and sequences.suffix.lower() not in (".npy", ".npz"):
            texts = fasta_texts(sequences)
        command_line = common.command_line()
        kw = dict(text=text, qvalues=qvalues, parse_genomic_coord=not no_pgc, texts=texts, command_line=command_line)
        if oc is not None and not text:
            oc.mkdir(parents=True, exist_ok=True)
            with open(oc / "fimo.tsv", "w", encoding="utf-8") as fh:
                n = write_fimo_tsv(table, fh, **kw)
            common.info(f"{n} hits written to {oc / 'fimo.tsv'}")
        else:
            n = write_fimo_tsv(table, sys.stdout, **kw)
            common.info(f"{n} hits")

    @app.command(
        "scan",
        help=(
            "Scan the store's sequences with its motifs (MEME FIMO numbers) and store the hits as one run.\n\n"
            "Prints the run id and the number of hits on stderr. With the global --engine spark the scan runs "
            "as Spark tasks (--spark-master) and gives the same hits, committed here like a local scan.\n\n"
            "Example: annostore scan my.store --thresh 1e-4 --attributions attr.npz --name fimo-1e4"
        ),
    )
    @common.guard
    @new_run_options("hits")
    def scan_command(
        store: Path = store_argument(),
        motifs: Optional[List[str]] = typer.Option(None, "--motifs", help="Motif names to scan (comma separated or repeated; default all)."),
        thresh: float = typer.Option(1e-4, "--thresh", help="Keep sites with p-value <= this."),
        norc: bool = typer.Option(False, "--norc", help="Scan only the given strand."),
        bfile: Optional[str] = typer.Option(None, "--bfile", help="Background: nrdb (default), uniform, motif, or a MEME background file."),
        motif_pseudo: float = typer.Option(0.1, "--motif-pseudo", help="Total pseudocount added to the motifs."),
        attributions: Optional[Path] = typer.Option(
            None, "--attributions",
            readable=False, help="Adds the attribution sum per hit: (n, L) or (n, 4, L) .npy/.npz, a model tool's file (ChromBPNet/bpnet "
            "h5, bpnet-lite/Fi-NeMo npz, bigWig) or a stored track name (default: the store's track, if any)."),
        min_attribution: Optional[float] = typer.Option(
            None, "--min-attribution", help="Keep only hits whose attribution sum is >= this."),
        no_qvalue: bool = typer.Option(False, "--no-qvalue", help="Do not compute q-values."),
        device: Optional[str] = typer.Option(
            None, "--device", help="Scan with torch on this device: cuda, cuda:N, cpu or auto (CUDA when present); same hits. Default: the numba CPU scan."
        ),
        name: Optional[str] = None,
    ) -> None:
        common.apply_threads()
        from annostore.store.pipelines import check_scan_engine, scan_store

        # --engine spark: FIMO over Spark tasks, committed here like a local scan (same hits)
        check_scan_engine(common.settings.engine or "duckdb", device=device)
        st = common.open_store(store, write=True)
        try:
            stats: dict = {}
            run_id = scan_store(
                st, split_values(motifs), threshold=thresh, bfile=_bfile(bfile), norc=norc, motif_pseudo=motif_pseudo,
                qvalues=not no_qvalue, attributions=None if attributions is None else str(attributions), run=name, stats=stats,
                min_attribution=min_attribution,
                device=device,
            )
        finally:
            st.close()
        common.err(f"run {run_id}: {stats.get('rows', 0)} hits")
