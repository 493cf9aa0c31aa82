"""``annostore ingest hits|seqlets|matches``: external result files into a store, one atomic run each."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from annostore_cli import options as common
from annostore_cli.commands.store import parse_params
from annostore_cli.options import new_run_options, store_argument


def register(app: typer.Typer) -> None:
    ingest_app = typer.Typer(
        help="Ingest result files (FIMO hits, seqlets, TOMTOM matches) as atomic runs.\n\n"
        "Example:\n\n    annostore ingest hits my.store fimo.tsv",
        no_args_is_help=True,
    )
    app.add_typer(ingest_app, name="ingest")

    @ingest_app.command(
        "hits",
        help="Ingest motif hits: MEME fimo.tsv or fimo --text output (1-based, converted to 0-based), or a "
        "memelite/tangermeme FIMO frame saved as Parquet/TSV/CSV (motif_name, sequence_name, start, end, "
        "strand, score, p-value). sequence_name is matched to the store's region/sequence names "
        "(integers are example_idx); into a store without examples the names are registered as examples "
        "(chr:start-end names as genomic regions; a note on stderr). Validated; all or nothing.\n\n"
        "Example:\n\n    annostore ingest hits my.store fimo.tsv --name fimo-1",
    )
    @common.guard
    @new_run_options("hits")
    def ingest_hits(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="FILE", readable=False, help="Hits file."),
        name: Optional[str] = None,
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="fimo-tsv, tsv, csv or parquet (default: guessed)."),
        tool: Optional[str] = typer.Option(None, "--tool", help="Tool that made the file (provenance)."),
        tool_version: Optional[str] = typer.Option(None, "--tool-version", help="Its version (provenance)."),
        param: Optional[List[str]] = typer.Option(None, "--param", "-p", help="A run parameter NAME=VALUE to record."),
    ) -> None:
        with common.open_store(store, write=True) as s:
            had_examples = s.example_lengths() is not None
            run_id = s.add_hits(path, run=name, format=fmt, tool=tool, tool_version=tool_version,
                                params=parse_params(param), progress=common.show_progress())
            n = next(r["n_rows"] for r in s.runs().to_pylist() if r["run_id"] == run_id)
            if not had_examples and s.example_lengths() is not None:
                n_ex, n_gen = s.con.execute("SELECT count(*), count(chrom) FROM regions").fetchall()[0]
                common.err(f"note: the store had no examples; registered the {n_ex} sequence names as examples "
                           f"({n_gen} chrom:start-end names as genomic regions)")
        common.info(f"run {run_id}: {n} hits")
        typer.echo(str(run_id))

    @ingest_app.command(
        "seqlets",
        help="Ingest seqlets (a tangermeme recursive_seqlets table: example_idx, start, end, attribution, "
        "p-value; TSV/CSV/Parquet), optionally with their TOMTOM matches (tomtom.tsv whose Query_ID are "
        "seqlet row numbers) as a second run.\n\n"
        "Example:\n\n    annostore ingest seqlets my.store seqlets.tsv --matches tomtom.tsv",
    )
    @common.guard
    @new_run_options("seqlets")
    def ingest_seqlets(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="FILE", readable=False, help="Seqlets file."),
        matches: Optional[Path] = typer.Option(None, "--matches", readable=False, help="tomtom.tsv (or a matches table) for these seqlets."),
        name: Optional[str] = None,
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="tsv, csv or parquet (default: guessed)."),
        tool: Optional[str] = typer.Option(None, "--tool", help="Tool that made the file (provenance)."),
    ) -> None:
        from annostore.store.ingest import ingest_matches
        from annostore.store.ingest import ingest_seqlets as _ingest

        with common.open_store(store, write=True) as s:
            if matches is not None and not matches.exists():
                from annostore.errors import MissingInputError

                raise MissingInputError(f"{matches}: no such file")
            with s.atomic():  # the seqlets and their matches: both runs or neither
                run_id = _ingest(s, path, run=name, format=fmt, tool=tool)
                mid = None
                if matches is not None:
                    mid = ingest_matches(s, matches, seqlet_run=run_id, run=None if name is None else f"{name}-matches")
            common.info(f"run {run_id}: seqlets")
            typer.echo(str(run_id))
            if mid is not None:
                common.info(f"run {mid}: matches")
                typer.echo(str(mid))

    @ingest_app.command(
        "matches",
        help="Ingest TOMTOM matches (tomtom.tsv whose Query_ID are seqlet row numbers, or a table with "
        "seqlet_id, motif, p_value, ...) for a seqlets run (default: the latest).\n\n"
        "Example:\n\n    annostore ingest matches my.store tomtom.tsv --seqlet-run seqlets-1",
    )
    @common.guard
    @new_run_options("matches")
    def ingest_matches_command(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="FILE", readable=False, help="Matches file."),
        seqlet_run: Optional[str] = typer.Option(None, "--seqlet-run", help="The seqlets run (id or name)."),
        name: Optional[str] = None,
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="tsv, csv or parquet (default: guessed)."),
    ) -> None:
        from annostore.store.ingest import ingest_matches

        with common.open_store(store, write=True) as s:
            mid = ingest_matches(s, path, seqlet_run=seqlet_run, run=name, format=fmt)
        common.info(f"run {mid}: matches")
        typer.echo(str(mid))

    @ingest_app.command(
        "modisco",
        help="Ingest modisco-lite results (modisco_results.h5): each pattern becomes a motif named like "
        "pos_patterns.pattern_0 (PFM from its 'sequence', CWM kept; sub-patterns too; motifs already in the store "
        "are reused), its seqlets a seqlets run in example coordinates and the pattern labels a matches run "
        "(rank 1, orientation from is_revcomp). Seqlet positions are relative to modisco's centred window: the "
        "file's window_size, else --window (default modisco's 400). The store's examples must be the rows "
        "the attributions were computed on (e.g. regions add --width 2114).\n\n"
        "Example:\n\n    annostore ingest modisco my.store modisco_results.h5",
    )
    @common.guard
    @new_run_options("seqlets")
    def ingest_modisco_command(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="FILE", readable=False, help="modisco_results.h5"),
        window: Optional[int] = typer.Option(None, "--window", min=1, help="modisco's --window, for files that do not record it."),
        name: Optional[str] = None,
    ) -> None:
        from annostore.store.genomic import ingest_modisco

        with common.open_store(store, write=True) as s:
            out = ingest_modisco(s, path, window=window, name=name)
        if not out["window_from_file"]:
            common.err(f"note: {path} records no window_size; seqlets placed in a {out['window_size']}-bp centred window "
                       "(--window)")
        common.info(f"{out['motifs_added']} motifs added; run {out['seqlet_run']}: {out['n_seqlets']} seqlets; "
                    f"run {out['matches_run']}: pattern labels")
        typer.echo(str(out["seqlet_run"]))
        typer.echo(str(out["matches_run"]))

    @ingest_app.command(
        "finemo",
        help="Ingest Fi-NeMo hits (hits.tsv: chr, start, end, ..., motif_name, hit_coefficient, ..., strand, "
        "peak_name, peak_id; 0-based genome coordinates) as a hits run in example coordinates: examples by "
        "peak_id (the regions' peak line), else peak_name, else by overlap; motifs by name (ingest the modisco "
        "patterns first). score = hit_coefficient_global, attribution = hit_importance.\n\n"
        "Example:\n\n    annostore ingest finemo my.store finemo_out/hits.tsv",
    )
    @common.guard
    @new_run_options("hits")
    def ingest_finemo_command(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="FILE", readable=False, help="Fi-NeMo hits.tsv"),
        window: Optional[int] = typer.Option(
            None, "--window", min=1, help="Fi-NeMo's region width, for hits without genome coordinates (chr NA)."),
        name: Optional[str] = None,
    ) -> None:
        from annostore.store.genomic import ingest_finemo

        with common.open_store(store, write=True) as s:
            run_id = ingest_finemo(s, path, window=window, name=name)
            n = next(r["n_rows"] for r in s.runs().to_pylist() if r["run_id"] == run_id)
        common.info(f"run {run_id}: {n} hits")
        typer.echo(str(run_id))
