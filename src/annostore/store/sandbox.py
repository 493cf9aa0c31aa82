"""The SQL sandbox of ``annostore query`` and ``annostore export``.

User SQL runs on a store opened read-only, and in addition:

* only one read-only statement runs: ``SELECT`` (with ``WITH``, ``VALUES``, ``FROM``-first,
  ``DESCRIBE``, ``SHOW``, ``SUMMARIZE``, ``UNPIVOT``) or ``EXPLAIN``; ``COPY``, ``EXPORT``,
  ``ATTACH``, ``SET``, ``PRAGMA``, ``CALL``, ``INSTALL``/``LOAD``, DDL and DML are refused before
  anything runs (:func:`check_read_only`);
* the connection can read the store's own files only: DuckDB's ``enable_external_access`` is
  turned off, ``allowed_directories`` holds the store folder, and ``lock_configuration`` stops
  the SQL from turning either back (:func:`confine`); ``read_text('/etc/hostname')`` or
  ``read_csv('/anywhere')`` fail with a permission error;
* no output file may be written inside the store folder (:func:`check_output_path`), so an
  export cannot overwrite ``annostore.duckdb`` or a run's Parquet file.

The Python API (``Store.query``/``Store.sql``) is not sandboxed: a Python caller can already do
anything its process can.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

import duckdb

from ..errors import AnnostoreError, BadInputError

__all__ = ["check_read_only", "confine", "check_output_path", "one_line"]

_ALLOWED = {"SELECT", "EXPLAIN"}


def one_line(exc: BaseException) -> str:
    """The first line of a (DuckDB) error message: DuckDB adds context lines and a caret."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but a single read-only statement (BadInputError, exit 65).

    A statement that does not parse raises AnnostoreError ``query failed: ...`` (exit 1).
    """
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise AnnostoreError(f"query failed: {one_line(exc)}") from None
    if len(statements) != 1:
        raise BadInputError(f"give exactly one SQL statement (got {len(statements)})")
    kind = statements[0].type.name
    if kind not in _ALLOWED:
        raise BadInputError(
            f"only read-only queries can run here (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN), not {kind}"
        )


def confine(con: duckdb.DuckDBPyConnection, store_path: str | os.PathLike) -> None:
    """Let ``con`` read files inside the store folder only, and lock its configuration."""
    root = str(Path(store_path).resolve()).rstrip(os.sep) + os.sep
    locked = con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]
    if locked:  # the same database instance, confined before (in this process): already in force
        external = con.execute("SELECT current_setting('enable_external_access')").fetchone()[0]
        allowed = con.execute("SELECT current_setting('allowed_directories')").fetchone()[0] or []
        if external or root not in allowed:
            raise AnnostoreError("cannot confine the store's connection: its configuration is locked")
        return
    con.execute("SET allowed_directories = $dirs", {"dirs": [root]})
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def check_output_path(output: Optional[Any], store_path: str | os.PathLike) -> None:
    """Refuse an output path inside the store folder (symlinks resolved); ``None``/``-`` is stdout."""
    if output is None or str(output) == "-":
        return
    store = Path(store_path).resolve()
    out = Path(output)
    # resolve the parent (it may not exist yet) and keep the file name: catches symlinked folders
    target = out.resolve() if out.exists() else out.parent.resolve() / out.name
    if target == store or _inside(target, store):
        raise BadInputError(f"{output}: refusing to write inside the store folder {store_path}; choose a path outside it")
