"""The ``annostore`` typer application.

Each ``commands_*.py`` module registers its commands on :data:`app` through a
``register(app)`` function; this module only holds the global options.
"""

from __future__ import annotations

import importlib
from typing import Optional

import typer

from . import common

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

_COMMAND_MODULES = (
    "commands_demo",
    "commands_store",
    "commands_ingest",
    "commands_aggregate",
    "commands_fimo",
    "commands_seqlets",
    "commands_tomtom",
    "commands_plot",
)


def _version(value: bool) -> None:
    if value:
        from annostore import __version__

        typer.echo(f"annostore {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    threads: Optional[int] = typer.Option(
        None, "--threads", min=1, envvar="ANNOSTORE_THREADS", help="Threads for DuckDB and numba (default: all cores)."
    ),
    memory_limit: Optional[str] = typer.Option(
        None, "--memory-limit", envvar="ANNOSTORE_MEMORY_LIMIT", help="DuckDB memory limit, e.g. 4GB."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or messages on stderr."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    common.settings.threads = threads
    common.settings.memory_limit = memory_limit
    common.settings.quiet = quiet


for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(f".{_name}", __package__)
    except ModuleNotFoundError as _exc:  # a command module not written yet
        if _exc.name != f"{__package__}.{_name}":
            raise
        continue
    _module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
