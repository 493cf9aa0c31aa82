"""The ``annostore`` typer application.

Every module of :mod:`annostore_cli.commands` registers its commands on :data:`app` through a
``register(app)`` function; this module only holds the global options. A command module that
fails to import stops the CLI with its traceback: breakage is never hidden.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Optional

import typer

from annostore_cli import commands
from annostore_cli import options as common

app = typer.Typer(
    name="annostore",
    help=(
        "A DuckDB/Parquet annotation store for regulatory genomics: call seqlets, run TOMTOM "
        "and FIMO, and count, pair and space annotations with SQL.\n\n" + common.EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)



def _version(value: bool) -> None:
    if value:
        from annostore import __version__

        typer.echo(f"annostore {__version__}")
        raise typer.Exit()


# commands that hand pyarrow pandas objects or ask it for some (and so does the Spark engine)
_PANDAS_COMMANDS = {"plot", "demo"}


@app.callback()
def main_options(
    ctx: typer.Context,
    threads: Optional[int] = typer.Option(
        None, "--threads", min=1, envvar="ANNOSTORE_THREADS", help="Threads for DuckDB and numba (default: all cores)."
    ),
    memory_limit: Optional[str] = typer.Option(
        None, "--memory-limit", envvar="ANNOSTORE_MEMORY_LIMIT", help="DuckDB memory limit, e.g. 4GB."
    ),
    engine: str = typer.Option(
        "duckdb", "--engine", envvar="ANNOSTORE_ENGINE",
        help="Where count, pairs, spacing, query and export run: duckdb (in-process) or spark (Spark SQL over "
        "the store's Parquet; pip install 'annostore[spark]').",
    ),
    spark_master: Optional[str] = typer.Option(
        None, "--spark-master", envvar="ANNOSTORE_SPARK_MASTER",
        help="Spark master URL for --engine spark (default local[*]; e.g. spark://host:7077).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or messages on stderr."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    common.settings.threads = threads
    common.settings.memory_limit = memory_limit
    common.settings.quiet = quiet
    from annostore.engine import engine_name
    from annostore.errors import BadInputError

    try:
        common.settings.engine = engine_name(engine)
    except BadInputError as exc:
        raise typer.BadParameter(str(exc), param_hint="--engine") from None
    common.settings.spark_master = spark_master
    if common.settings.console and ctx.invoked_subcommand not in _PANDAS_COMMANDS and common.settings.engine == "duckdb":
        common.pyarrow_without_pandas()


for _info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
    importlib.import_module(f"{commands.__name__}.{_info.name}").register(app)


def main() -> None:
    """The ``annostore`` console script."""
    common.settings.console = True
    app()


if __name__ == "__main__":
    main()
