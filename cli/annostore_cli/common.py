"""Shared pieces of the CLI: global settings, error-to-exit-code mapping, stderr console.

Exit codes: 0 ok, 1 error, 2 usage, 65 bad input data, 66 missing input file,
75 store locked by another process (retry later).
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from typing import Callable, Optional

import typer

EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 error, 2 usage, 65 bad input data, 66 missing input file, "
    "75 store locked by another process (retry later)."
)


@dataclass
class Settings:
    """Global options given before the command (``annostore --threads 4 count ...``)."""

    threads: Optional[int] = None
    memory_limit: Optional[str] = None
    quiet: bool = False


settings = Settings()


def err(message: str) -> None:
    """Write a message line to stderr (never stdout: stdout carries data)."""
    typer.echo(message, err=True)


def info(message: str) -> None:
    """A progress/info message on stderr, silenced by ``--quiet``."""
    if not settings.quiet:
        typer.echo(message, err=True)


def show_progress() -> bool:
    """Rich progress bars only when stderr is a terminal and not ``--quiet``."""
    return (not settings.quiet) and sys.stderr.isatty()


def guard(fn: Callable) -> Callable:
    """Run a command, turning annostore errors into a one-line message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from annostore.errors import AnnostoreError

        try:
            return fn(*args, **kwargs)
        except AnnostoreError as exc:
            err(f"error: {exc}")
            raise typer.Exit(exc.exit_code) from None
        except FileNotFoundError as exc:
            err(f"error: {exc}")
            raise typer.Exit(66) from None
        except KeyboardInterrupt:
            err("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def apply_threads() -> None:
    """Apply ``--threads`` to numba (DuckDB gets it through ``annostore.open``)."""
    if settings.threads:
        import numba

        numba.set_num_threads(min(settings.threads, numba.config.NUMBA_NUM_THREADS))
