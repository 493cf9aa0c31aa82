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
        "(integers are example_idx). Validated; all or nothing.\n\n"
        "Example:\n\n    annostore ingest hits my.store fimo.tsv --name fimo-1",
    )
    @common.guard
    @new_run_options("hits")
    def ingest_hits(
        store: Path = store_argument(),
        path: Path = typer.Argument(..., metavar="FILE", help="Hits file."),
        name: Optional[str] = None,
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="fimo-tsv, tsv, csv or parquet (default: guessed)."),
        tool: Optional[str] = typer.Option(None, "--tool", help="Tool that made the file (provenance)."),
        tool_version: Optional[str] = typer.Option(None, "--tool-version", help="Its version (provenance)."),
        param: Optional[List[str]] = typer.Option(None, "--param", "-p", help="A run parameter NAME=VALUE to record."),
    ) -> None:
        with common.open_store(store, write=True) as s:
            run_id = s.add_hits(path, run=name, format=fmt, tool=tool, tool_version=tool_version,
                                params=parse_params(param), progress=common.show_progress())
            n = next(r["n_rows"] for r in s.runs().to_pylist() if r["run_id"] == run_id)
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
        path: Path = typer.Argument(..., metavar="FILE", help="Seqlets file."),
        matches: Optional[Path] = typer.Option(None, "--matches", help="tomtom.tsv (or a matches table) for these seqlets."),
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
            run_id = _ingest(s, path, run=name, format=fmt, tool=tool)
            common.info(f"run {run_id}: seqlets")
            typer.echo(str(run_id))
            if matches is not None:
                mid = ingest_matches(s, matches, seqlet_run=run_id, run=None if name is None else f"{name}-matches")
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
        path: Path = typer.Argument(..., metavar="FILE", help="Matches file."),
        seqlet_run: Optional[str] = typer.Option(None, "--seqlet-run", help="The seqlets run (id or name)."),
        name: Optional[str] = None,
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="tsv, csv or parquet (default: guessed)."),
    ) -> None:
        from annostore.store.ingest import ingest_matches

        with common.open_store(store, write=True) as s:
            mid = ingest_matches(s, path, seqlet_run=seqlet_run, run=name, format=fmt)
        common.info(f"run {mid}: matches")
        typer.echo(str(mid))
