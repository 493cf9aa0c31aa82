"""Store commands: init, info, migrate, runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from annostore_cli import options as common
from annostore_cli.options import output_options, store_argument


def parse_params(params: Optional[List[str]]) -> Optional[dict]:
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


def register(app: typer.Typer) -> None:
    @app.command(
        "init",
        help="Create a store (a folder with a DuckDB file and Parquet runs) and apply all migrations.\n\n"
        "Example:\n\n    annostore init my.store",
    )
    @common.guard
    def init_command(store: Path = store_argument()) -> None:
        with common.open_store(store, write=True) as s:
            common.info(f"store {s.path} ready (schema version {s.schema_version})")

    @app.command(
        "info",
        help="Summarise a store: schema/storage versions, row counts, runs, size.\n\n"
        "Example:\n\n    annostore info my.store\n\n    annostore info my.store --json",
    )
    @common.guard
    def info_command(
        store: Path = store_argument(),
        json_out: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    ) -> None:
        with common.open_store(store) as s:
            info = s.info()
        if json_out:
            typer.echo(json.dumps(info, default=str))
            return
        for key, value in info.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            typer.echo(f"{key}\t{value}")

    @app.command(
        "migrate",
        help="Apply pending schema migrations to a store (or list them with --list).\n\n"
        "Example:\n\n    annostore migrate my.store\n\n    annostore migrate my.store --list",
    )
    @common.guard
    def migrate_command(
        store: Path = store_argument(),
        list_only: bool = typer.Option(False, "--list", help="Only list applied and pending migrations."),
    ) -> None:
        import annostore.store.db as db
        from annostore.errors import MissingInputError
        from annostore.store import migrate

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
    @output_options
    def runs_command(
        store: Path = store_argument(),
        output: common.Output = None,
    ) -> None:
        with common.open_store(store) as s:
            output.write(s.runs())
