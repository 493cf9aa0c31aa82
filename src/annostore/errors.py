"""Exceptions raised by annostore.

Every error a user can cause derives from :class:`AnnostoreError`.  Each class
carries the process exit code the CLI uses for it (BSD ``sysexits`` values), so
the CLI maps errors to exit codes in exactly one place.
"""

from __future__ import annotations


class AnnostoreError(Exception):
    """Base class: a clear, user-facing error (exit code 1)."""

    exit_code = 1


class BadInputError(AnnostoreError, ValueError):
    """Input data is malformed or inconsistent (exit code 65, EX_DATAERR).

    Raised before anything is written: the store is unchanged.
    """

    exit_code = 65


class MissingInputError(AnnostoreError, FileNotFoundError):
    """An input file or store does not exist (exit code 66, EX_NOINPUT)."""

    exit_code = 66


class StoreLockedError(AnnostoreError):
    """Another process holds the store's write lock (exit code 75, EX_TEMPFAIL; retry later)."""

    exit_code = 75


class SchemaError(AnnostoreError):
    """The store's schema cannot be used by this version of annostore (exit code 1)."""

    exit_code = 1


def located(message: str, path: object = None, line: int | None = None) -> str:
    """Prefix ``message`` with ``path:line:`` when known (compiler-style locations)."""
    where = ""
    if path is not None:
        where = f"{path}"
        if line is not None:
            where += f":{line}"
        where += ": "
    return where + message
