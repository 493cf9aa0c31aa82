"""One SQL text, two engines: the ``sql/*.sql`` files (DuckDB dialect) transpiled for Spark.

The queries are written once, for DuckDB.  For Spark they are parsed with sqlglot, their
``$name`` parameters are replaced by typed literals (Spark binds no arrays), and two rewrites
keep the results identical:

* ``row_number() OVER ()`` (a unique row id, used only to break full ties) becomes
  ``row_number() OVER (PARTITION BY <the plain columns of that SELECT> ORDER BY ...)``: Spark
  requires an ordered window, and an unpartitioned one would move all rows to one task.  Rows
  with equal plain columns are indistinguishable to the query, so numbering them within their
  group is the same tie-break.
* ``t.* REPLACE (expr AS col)`` (DuckDB; used by ``select_by_cluster.sql``) is expanded into
  ``t``'s columns, ``col`` replaced in place, when ``t`` is a subquery whose columns are named
  (Spark has no ``REPLACE`` in a star).

Everything else the ``sql/`` files use (``GROUP BY ALL``, ``unnest(range())``, ``//``, array
parameters) has a sqlglot translation.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional

from annostore.errors import AnnostoreError


def _sqlglot():
    try:
        import sqlglot
        from sqlglot import exp
    except ImportError:  # pragma: no cover - the spark extra installs it
        raise AnnostoreError("the Spark engine needs sqlglot: pip install 'annostore[spark]'") from None
    return sqlglot, exp


def literal(value: Any):
    """A sqlglot expression for a Python parameter value (None, bool, int, float, str, list)."""
    _, exp = _sqlglot()
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return exp.cast(exp.Literal.string(repr(value).replace("inf", "Infinity").replace("nan", "NaN")),
                            "DOUBLE")
        return exp.cast(exp.Literal.string(repr(value)), "DOUBLE")  # exact: the shortest round-trip text
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        return exp.Array(expressions=[literal(v) for v in items])
    raise AnnostoreError(f"cannot pass a {type(value).__name__} as a SQL parameter to Spark")


def bind(tree, params: Optional[Mapping[str, Any]]):
    """Replace ``$name`` placeholders by literals (a missing name is an error)."""
    _, exp = _sqlglot()
    params = dict(params or {})

    def replace(node):
        if isinstance(node, exp.Placeholder):
            name = node.name
            if not name:
                raise AnnostoreError("positional ? parameters are not supported by the Spark engine; use $name")
            if name not in params:
                raise AnnostoreError(f"SQL parameter ${name} has no value")
            return literal(params[name])
        return node

    return tree.transform(replace)


def _partition_row_ids(tree):
    """``row_number() OVER ()`` -> numbered within groups of equal plain columns (see module doc)."""
    _, exp = _sqlglot()
    for window in list(tree.find_all(exp.Window)):
        if not isinstance(window.this, exp.RowNumber):
            continue
        if window.args.get("partition_by") or window.args.get("order"):
            continue
        select = window.find_ancestor(exp.Select)
        if select is None:
            continue
        columns = []
        for projection in select.expressions:
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(inner, exp.Column):
                columns.append(exp.column(inner.name, quoted=True))
        if not columns:
            continue
        window.set("partition_by", [c.copy() for c in columns])
        window.set("order", exp.Order(expressions=[exp.Ordered(this=columns[0].copy())]))
    return tree


def _expand_star_replace(tree):
    """``a.* REPLACE (e AS c)`` over a subquery ``a`` with named columns -> ``a.x, ..., e AS c, ...``."""
    _, exp = _sqlglot()
    for column in list(tree.find_all(exp.Column)):
        star = column.this
        if not isinstance(star, exp.Star) or not star.args.get("replace"):
            continue
        select = column.find_ancestor(exp.Select)
        alias = column.table
        source = None
        for sub in select.find_all(exp.Subquery):
            if sub.alias == alias and sub.find_ancestor(exp.Select) is select:
                source = sub.this
                break
        if source is None or not isinstance(source, exp.Select):
            raise AnnostoreError(f"cannot translate {column.sql('duckdb')} for Spark (its columns are not known)")
        names = [e.alias_or_name for e in source.expressions]
        if any(not n or n == "*" for n in names):
            raise AnnostoreError(f"cannot translate {column.sql('duckdb')} for Spark (unnamed columns)")
        replace = {r.alias: r.this for r in star.args["replace"]}
        out = []
        for name in names:
            if name in replace:
                out.append(exp.alias_(replace[name].copy(), name, quoted=True))
            else:
                out.append(exp.column(name, table=alias, quoted=True))
        position = select.expressions.index(column)
        select.set("expressions", select.expressions[:position] + out + select.expressions[position + 1:])
    return tree


def to_spark(sql_text: str, params: Optional[Mapping[str, Any]] = None) -> str:
    """Spark SQL for a DuckDB query (``sql/*.sql`` text or a user's SELECT), parameters bound."""
    return translate(sql_text, params, dialect="spark")


def translate(sql_text: str, params: Optional[Mapping[str, Any]] = None, *, dialect: str = "spark") -> str:
    """``sql_text`` (DuckDB) with parameters bound and the rewrites applied, written for ``dialect``
    (``"duckdb"`` too: the tests run the rewritten query on DuckDB against the original).

    Raises
    ------
    AnnostoreError
        The text does not parse, or a parameter has no value.
    """
    sqlglot, _ = _sqlglot()
    try:
        statements = [s for s in sqlglot.parse(sql_text, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise AnnostoreError(f"cannot translate the query for Spark: {exc}") from None
    if len(statements) != 1:
        raise AnnostoreError(f"expected one SQL statement, got {len(statements)}")
    tree = bind(statements[0], params)
    tree = _partition_row_ids(tree)
    tree = _expand_star_replace(tree)
    return tree.sql(dialect=dialect, comments=False)
