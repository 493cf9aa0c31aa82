"""Store commands: init, info, query, export, migrate, runs, and the motifs/regions/sequences groups."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from . import common

FORMAT_HELP = "Output format: tsv, csv, jsonl or parquet (default: from the -o suffix, else tsv)."


def open_store(path: Path, read_only: bool):
    """Open a store with the global --threads / --memory-limit."""
    import annostore

    return annostore.open(
        path, read_only=read_only, threads=common.settings.threads, memory_limit=common.settings.memory_limit
    )


def _output(table, output: Optional[str], fmt: Optional[str]) -> int:
    from annostore.export import write_table

    return write_table(table, output or "-", fmt)


def _parse_params(params: Optional[List[str]]) -> Optional[dict]:
    if not params:
        return None
    from annostore.errors import BadInputError

    out = {}
    for item in params:
        if "=" not in item:
            raise BadInputError(f"parameter {item!r} must be NAME=VALUE")
        key, value = item.split("=", 1)
        for conv in (int, float):
            try:
                out[key] = conv(value)
                break
            except ValueError:
                continue
        else:
            out[key] = value
    return out


STORE_ARG = typer.Argument(..., metavar="STORE", help="The store folder (e.g. my.store).")


def register(app: typer.Typer) -> None:
    @app.command(
        "init",
        help="Create a store (a folder with a DuckDB file and Parquet runs) and apply all migrations.\n\n"
        "Example:\n\n    annostore init my.store",
    )
    @common.guard
    def init_command(store: Path = STORE_ARG) -> None:
        with open_store(store, read_only=False) as s:
            common.info(f"store {s.path} ready (schema version {s.schema_version})")

    @app.command(
        "info",
        help="Summarise a store: schema/storage versions, row counts, runs, size.\n\n"
        "Example:\n\n    annostore info my.store\n\n    annostore info my.store --json",
    )
    @common.guard
    def info_command(
        store: Path = STORE_ARG,
        json_out: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    ) -> None:
        with open_store(store, read_only=True) as s:
            info = s.info()
        if json_out:
            typer.echo(json.dumps(info, default=str))
            return
        for key, value in info.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            typer.echo(f"{key}\t{value}")

    @app.command(
        "query",
        help="Run SQL against a store opened read-only and print the result.\n\n"
        "Tables: motifs, regions, sequences, runs; views: hits, seqlets, matches, hits_genomic, "
        "seqlets_genomic. Bind values with $name and -p name=value. SQL '-' reads it from stdin.\n\n"
        "Example:\n\n"
        "    annostore query my.store \"SELECT motif, count(*) FROM hits GROUP BY ALL ORDER BY 2 DESC LIMIT 10\"\n\n"
        "    annostore query my.store \"SELECT * FROM hits WHERE p_value < $p\" -p p=1e-5 -f parquet -o top.parquet",
    )
    @common.guard
    def query_command(
        store: Path = STORE_ARG,
        sql: str = typer.Argument(..., help="The SQL query ('-' to read it from stdin)."),
        param: Optional[List[str]] = typer.Option(None, "--param", "-p", help="A bound parameter NAME=VALUE (repeatable)."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    ) -> None:
        from annostore.errors import AnnostoreError

        if sql == "-":
            sql = sys.stdin.read()
        params = _parse_params(param)
        with open_store(store, read_only=True) as s:
            if params:
                table = s.query(sql, params)
            else:
                try:
                    rel = s.con.sql(sql)
                except Exception as exc:  # duckdb.Error
                    raise AnnostoreError(f"query failed: {exc}") from None
                if rel is None:
                    return
                table = rel
            try:
                n = _output(table, output, fmt)
            except AnnostoreError:
                raise
            except Exception as exc:  # duckdb errors surface while streaming
                raise AnnostoreError(f"query failed: {exc}") from None
        common.info(f"{n} rows")

    @app.command(
        "export",
        help="Export a table/view (hits, seqlets, matches, motifs, regions, runs, ...) or a SELECT to a file "
        "or stdout. Formats: tsv, csv, jsonl, parquet; for hits also bed (BED6) and fimo-tsv "
        "(MEME fimo.tsv, 1-based inclusive).\n\n"
        "Example:\n\n    annostore export my.store hits -f parquet -o hits.parquet\n\n"
        "    annostore export my.store hits -f fimo-tsv --run fimo-1 > fimo.tsv",
    )
    @common.guard
    def export_command(
        store: Path = STORE_ARG,
        what: str = typer.Argument(..., metavar="TABLE|SQL", help="A table/view name or a SELECT statement."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="tsv, csv, jsonl, parquet, bed or fimo-tsv."),
        output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
        run: Optional[str] = typer.Option(None, "--run", help="Only this run (id or name)."),
    ) -> None:
        from annostore.export import export_store

        with open_store(store, read_only=True) as s:
            n = export_store(s, what, output or "-", fmt, run=run)
        common.info(f"{n} rows")

    @app.command(
        "migrate",
        help="Apply pending schema migrations to a store (or list them with --list).\n\n"
        "Example:\n\n    annostore migrate my.store\n\n    annostore migrate my.store --list",
    )
    @common.guard
    def migrate_command(
        store: Path = STORE_ARG,
        list_only: bool = typer.Option(False, "--list", help="Only list applied and pending migrations."),
    ) -> None:
        import annostore.db as db
        from annostore import migrate
        from annostore.errors import MissingInputError

        dbfile = store / "annostore.duckdb"
        if not dbfile.is_file():
            raise MissingInputError(f"no annostore store at {store}")
        con = db.connect(dbfile, read_only=list_only)
        try:
            if list_only:
                for row in migrate.applied(con):
                    typer.echo(f"{row['version']:04d}\t{row['name']}\tapplied\t{row['applied_at']}")
                for m in migrate.pending(con):
                    typer.echo(f"{m.version:04d}\t{m.name}\tpending\t")
                return
            done = migrate.migrate(con)
        finally:
            con.close()
        common.info(f"applied {len(done)} migration(s)" + (": " + ", ".join(m.name for m in done) if done else ""))

    @app.command(
        "runs",
        help="List the store's runs with their provenance.\n\nExample:\n\n    annostore runs my.store -f jsonl",
    )
    @common.guard
    def runs_command(
        store: Path = STORE_ARG,
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    ) -> None:
        with open_store(store, read_only=True) as s:
            _output(s.runs(), output, fmt)

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
        store: Path = STORE_ARG,
        path: Path = typer.Argument(..., metavar="FILE", help="Motif file."),
        motif_format: Optional[str] = typer.Option(None, "--format", help="Force the format: meme, jaspar, pfm."),
    ) -> None:
        with open_store(store, read_only=False) as s:
            added = s.add_motifs(path, format=motif_format)
        common.info(f"added {len(added)} motifs")

    @motifs_app.command(
        "list",
        help="List the store's motifs (motif_idx, id, alt name, width, consensus).\n\n"
        "Example:\n\n    annostore motifs list my.store -f csv",
    )
    @common.guard
    def motifs_list(
        store: Path = STORE_ARG,
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
        output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
    ) -> None:
        from annostore import resources

        with open_store(store, read_only=True) as s:
            _output(s.con.sql(resources.sql("store_motif_list")), output, fmt)

    regions_app = typer.Typer(help="Add the store's regions (examples).\n\nExample:\n\n    annostore regions add my.store peaks.bed",
                              no_args_is_help=True)
    app.add_typer(regions_app, name="regions")

    @regions_app.command(
        "add",
        help="Add regions from a BED file (3-6 columns, 0-based half-open): row i becomes example_idx i "
        "with its chrom/start/end/name/strand.\n\nExample:\n\n    annostore regions add my.store peaks.bed",
    )
    @common.guard
    def regions_add(store: Path = STORE_ARG, path: Path = typer.Argument(..., metavar="BED", help="BED file.")) -> None:
        with open_store(store, read_only=False) as s:
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
    def sequences_add(store: Path = STORE_ARG, path: Path = typer.Argument(..., metavar="FASTA", help="FASTA file.")) -> None:
        with open_store(store, read_only=False) as s:
            n = s.add_sequences(path)
        common.info(f"added {n} sequences")
