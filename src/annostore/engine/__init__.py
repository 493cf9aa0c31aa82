"""Query engines: DuckDB (the default, in-process) and Spark (:mod:`annostore.engine.spark`).

``engine="spark"`` (Python), ``--engine spark`` / ``ANNOSTORE_ENGINE=spark`` (CLI) run the
store's aggregations, queries and exports as Spark SQL; see :mod:`annostore.engine.spark`.
"""

from __future__ import annotations

import os
from typing import Optional

from annostore.errors import BadInputError

ENGINES = ("duckdb", "spark")


def engine_name(engine: Optional[str] = None) -> str:
    """The engine to use: ``engine``, else ``ANNOSTORE_ENGINE``, else ``"duckdb"``.

    Raises
    ------
    BadInputError
        Not one of ``duckdb``, ``spark``.
    """
    name = (engine or os.environ.get("ANNOSTORE_ENGINE") or "duckdb").strip().lower()
    if name not in ENGINES:
        raise BadInputError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
    return name
