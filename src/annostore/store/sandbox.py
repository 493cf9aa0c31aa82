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

With ``--engine spark`` the SQL runs on Spark, which has no such switches; instead the query is
parsed (sqlglot, as written and as transpiled for Spark) and refused unless it is one ``SELECT``
(``WITH``, set operations) that reads only the store's views and CTEs: no DDL/DML, ``SET``,
``ADD JAR``, ``LOAD``, ``INSERT OVERWRITE DIRECTORY``, no table functions or file paths as tables
(``parquet.`/path```, ``read_csv(...)``), no qualified names (``global_temp.x``) and no
functions that reach outside (``reflect``, ``java_method``, ``read_*``)
(:func:`check_spark_query`).

The Python API (``Store.query``/``Store.sql``) is not sandboxed: a Python caller can already do
anything its process can.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Optional

import duckdb

from ..errors import AnnostoreError, BadInputError

__all__ = ["check_read_only", "check_spark_query", "confine", "check_output_path", "one_line"]

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


#: functions a Spark query may not call: they reach files, the JVM or the environment
_SPARK_DENIED_FUNCTIONS = {"reflect", "java_method", "try_reflect", "glob", "getenv", "current_setting",
                           "input_file_name", "input_file_block_start", "input_file_block_length"}


def check_spark_query(sql: str, tables: Iterable[str]) -> None:
    """Refuse anything but one SELECT over ``tables`` (the store's Spark views) and its CTEs.

    Checked on the query as written (DuckDB dialect) and as transpiled for Spark.

    Raises
    ------
    BadInputError
        The query does not parse, is not a single SELECT/WITH, or reads anything else (exit 65).
    """
    from annostore.engine import sqlport

    allowed = {t.lower() for t in tables}
    _check_spark_tree(sql, "duckdb", allowed)
    try:
        spark_text = sqlport.to_spark(sql, _placeholder_values(sql))
    except AnnostoreError as exc:
        raise BadInputError(one_line(exc)) from None
    _check_spark_tree(spark_text, "spark", allowed)


def _placeholder_values(sql: str) -> dict:
    """A NULL for every ``$name`` (the check sees the query's shape, not its values)."""
    import sqlglot
    from sqlglot import exp

    try:
        return {p.name: None for tree in sqlglot.parse(sql, read="duckdb") if tree is not None
                for p in tree.find_all(exp.Placeholder) if p.name}
    except sqlglot.errors.ParseError:
        return {}


def _check_spark_tree(sql: str, dialect: str, allowed: set) -> None:
    import sqlglot
    from sqlglot import exp

    try:
        trees = [t for t in sqlglot.parse(sql, read=dialect) if t is not None]
    except sqlglot.errors.SqlglotError as exc:
        raise BadInputError(f"query does not parse: {one_line(exc)}") from None
    if len(trees) != 1:
        raise BadInputError(f"give exactly one SQL statement (got {len(trees)})")
    tree = trees[0]
    set_ops = tuple(getattr(exp, n) for n in ("SetOperation", "Union", "Intersect", "Except") if hasattr(exp, n))
    if not isinstance(tree, (exp.Select, *set_ops)):
        raise BadInputError(f"only a SELECT (or WITH ... SELECT) runs on Spark here, not {tree.key.upper()}")
    if tree.find(exp.Into) is not None or any(tree.find(getattr(exp, n)) is not None for n in (
            "Insert", "Create", "Drop", "Delete", "Update", "Merge", "Command", "Set", "LoadData", "Cache", "Alter")
            if hasattr(exp, n)):
        raise BadInputError("only a read-only SELECT runs on Spark here (no INTO, DDL, DML, SET or commands)")
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise BadInputError(f"table functions cannot run on Spark here: {table.sql(dialect)}")
        if table.args.get("db") or table.args.get("catalog"):
            raise BadInputError(f"only the store's views can be read on Spark, not {table.sql(dialect)}")
        if table.name.lower() not in allowed | ctes:
            raise BadInputError(f"unknown table {table.name!r}; the store's views are: {', '.join(sorted(allowed))}")
    for func in tree.find_all(exp.Func):
        name = (func.name if isinstance(func, exp.Anonymous) else func.key).lower()
        if name.startswith("read") or name in _SPARK_DENIED_FUNCTIONS:
            raise BadInputError(f"function {name}() cannot run on Spark here (it reaches outside the store)")
