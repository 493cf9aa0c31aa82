"""Reading a store: query (read-only SQL) and export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from annostore_cli import options as common
from annostore_cli.commands.store import parse_params
from annostore_cli.options import output_options, store_argument


def register(app: typer.Typer) -> None:
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
    @output_options
    def query_command(
        store: Path = store_argument(),
        sql: str = typer.Argument(..., help="The SQL query ('-' to read it from stdin)."),
        param: Optional[List[str]] = typer.Option(None, "--param", "-p", help="A bound parameter NAME=VALUE (repeatable)."),
        output: common.Output = None,
    ) -> None:
        from annostore.errors import AnnostoreError
        from annostore.store.sandbox import check_output_path, check_read_only, check_spark_query, confine

        if sql == "-":
            sql = sys.stdin.read()
        params = parse_params(param)
        check_output_path(output.path, store)
        with common.open_store(store) as s:
            if s.engine == "spark":  # one SELECT over the store's views only (store/sandbox.py)
                from annostore.engine import spark

                check_spark_query(sql, spark.tables(s).names)
            else:
                check_read_only(s.con, sql)
                confine(s.con, s.path)
            try:
                table = s.query(sql, params) if (params or s.engine == "spark") else s.con.sql(sql)
            except AnnostoreError:
                raise
            except Exception as exc:  # duckdb.Error
                raise AnnostoreError(f"query failed: {common.one_line(exc)}") from None
            if table is None:
                return
            try:
                n = output.write(table)
            except AnnostoreError:
                raise
            except Exception as exc:  # duckdb errors surface while streaming
                raise AnnostoreError(f"query failed: {common.one_line(exc)}") from None
        common.info(f"{n} rows")

    @app.command(
        "export",
        help="Export a table/view (hits, seqlets, matches, motifs, regions, runs, ...) or a SELECT to a file "
        "or stdout. Formats: tsv, csv, jsonl, parquet; for hits and seqlets also bed (BED6 in genome "
        "coordinates where the regions have them; seqlets named by their pattern/TOMTOM label), for hits "
        "fimo-tsv (MEME fimo.tsv, 1-based inclusive), for seqlets fasta, for motifs meme.\n\n"
        "Example:\n\n    annostore export my.store hits -f parquet -o hits.parquet\n\n"
        "    annostore export my.store hits -f fimo-tsv --run fimo-1 > fimo.tsv\n\n"
        "    annostore export my.store seqlets -f bed -o seqlets.bed\n\n"
        "    annostore export my.store motifs -f meme -o motifs.meme",
    )
    @common.guard
    def export_command(
        store: Path = store_argument(),
        what: str = typer.Argument(..., metavar="TABLE|SQL", help="A table/view name or a SELECT statement."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="tsv, csv, jsonl, parquet, bed, fimo-tsv, fasta or meme."),
        output: Optional[str] = typer.Option(None, "--output", "-o", help="Output file (default: stdout)."),
        run: Optional[str] = typer.Option(None, "--run", help="Only this run (id or name)."),
    ) -> None:
        from annostore.io.export import export_store
        from annostore.store.sandbox import check_output_path, check_read_only, check_spark_query, confine

        check_output_path(output, store)
        with common.open_store(store) as s:
            if not what.strip().isidentifier():
                if s.engine == "spark":  # one SELECT over the store's views only (store/sandbox.py)
                    from annostore.engine import spark

                    check_spark_query(what, spark.tables(s).names)
                else:
                    check_read_only(s.con, what)
            confine(s.con, s.path)
            n = export_store(s, what, output or "-", fmt, run=run)
        common.info(f"{n} rows")
