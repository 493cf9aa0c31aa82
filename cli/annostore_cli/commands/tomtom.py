"""``annostore tomtom`` (MEME-compatible motif comparison) and ``annostore annotate`` (label a
store's seqlets with their best TOMTOM matches)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import new_run_options, store_argument


def register(app: typer.Typer) -> None:
    app.command("tomtom", short_help="Compare query motifs with target motifs (MEME tomtom numbers).")(tomtom_cmd)
    app.command("annotate", short_help="Label a store's seqlets with TOMTOM matches (a matches run).")(annotate_cmd)


@common.guard
def tomtom_cmd(
    query: Path = typer.Argument(..., readable=False, help="Query motifs (MEME, JASPAR or PFM file)."),
    target: Path = typer.Argument(..., readable=False, help="Target motif database (MEME, JASPAR or PFM file)."),
    thresh: float = typer.Option(0.5, "--thresh", "-thresh", help="Significance threshold on the q-value (E-value with --evalue)."),
    evalue: bool = typer.Option(False, "--evalue", "-evalue", help="Apply --thresh to the E-value instead of the q-value."),
    dist: str = typer.Option("ed", "--dist", "-dist", help="Column similarity: ed (MEME default), pearson or sandelin."),
    min_overlap: int = typer.Option(1, "--min-overlap", "-min-overlap", min=1, help="Minimum overlap of query and target."),
    norc: bool = typer.Option(False, "--norc", "-norc", help="Do not compare reverse complements of the targets."),
    incomplete: bool = typer.Option(False, "--incomplete-scores", "-incomplete-scores", help="Score aligned columns only."),
    motif_pseudo: float = typer.Option(0.1, "--motif-pseudo", "-motif-pseudo", min=0.0, help="Pseudocount for query and target motifs."),
    n_nearest: Optional[int] = typer.Option(None, "--n-nearest", min=1, help="Keep at most this many targets per query."),
    text: bool = typer.Option(False, "--text", "-text", help="Write the TSV to stdout instead of OC/tomtom.tsv."),
    oc: Path = typer.Option(Path("tomtom_out"), "--oc", "-oc", readable=False, help="Output folder (created or overwritten) for tomtom.tsv."),
) -> None:
    """Compare every query motif with every target motif, MEME tomtom style, and write MEME's
    tomtom.tsv (Query_ID Target_ID Optimal_offset p-value E-value q-value Overlap Query_consensus
    Target_consensus Orientation).  Defaults are MEME's: -dist ed, complete scores, -min-overlap 1,
    both orientations, -thresh 0.5 on q-values, pseudocount 0.1.

    Example:

        annostore tomtom query.meme JASPAR2026_CORE_vertebrates_non-redundant.meme --text
    """
    import warnings

    common.apply_threads()
    from annostore.core.tomtom import tomtom
    from annostore.io.tomtom_tsv import write_tomtom_tsv

    if not evalue and thresh > 1:
        from annostore.errors import BadInputError

        raise BadInputError(f"--thresh ({thresh:g}) must be at most 1 unless --evalue is given")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = tomtom(
            str(query), str(target), dist=dist, n_nearest=n_nearest, thresh=thresh, evalue=evalue,
            min_overlap=min_overlap, norc=norc, complete_scores=not incomplete, motif_pseudo=motif_pseudo,
        )
    for w in caught:
        common.info(f"warning: {w.message}")
    command = common.command_line()
    if text:
        write_tomtom_tsv(table, sys.stdout, command=command)
        return
    oc.mkdir(parents=True, exist_ok=True)
    out = oc / "tomtom.tsv"
    with out.open("w", encoding="utf-8") as fh:
        write_tomtom_tsv(table, fh, command=command)
    common.info(f"{table.num_rows} matches written to {out}")


@common.guard
@new_run_options("matches")
def annotate_cmd(
    store: Path = store_argument(),
    seqlet_run: Optional[str] = typer.Option(None, "--seqlet-run", help="Seqlets run id or name (default: the latest)."),
    motifs: Optional[List[str]] = typer.Option(
        None, "--motifs", help="Target motifs: stored motif names (repeatable) or a motif file whose motifs are stored "
        "(default: all stored motifs)."),
    n_nearest: int = typer.Option(1, "--n-nearest", min=1, help="Matches kept per seqlet (rank 1 = best)."),
    dist: str = typer.Option("ed", "--dist", help="Column similarity: ed, pearson or sandelin."),
    norc: bool = typer.Option(False, "--norc", help="Do not compare reverse complements of the motifs."),
    name: Optional[str] = None,
) -> None:
    """Annotate the seqlets of a store with TOMTOM (MEME p-values) against the stored motifs and
    store the matches as a new matches run; prints its run id.  The matches then label seqlets in
    count/pairs/spacing with --source seqlets.

    Example:

        annostore annotate my.store --n-nearest 5
    """
    common.apply_threads()
    from annostore.store.pipelines import annotate_store

    st = common.open_store(store, write=True)
    try:
        sel = None
        if motifs:
            sel = motifs if not (len(motifs) == 1 and Path(motifs[0]).is_file()) else motifs[0]
        run_id = annotate_store(st, seqlet_run=seqlet_run, motifs=sel, n_nearest=n_nearest, dist=dist, norc=norc,
                                run=name)
    finally:
        st.close()
    common.info(f"matches run {run_id} written")
    typer.echo(str(run_id))
