"""The Spark engine: a store's queries and aggregations run as Spark SQL.

What runs where (see README, "When one machine is not enough"):

* the fact tables (``hits``, ``seqlets``, ``matches``) are the committed runs' Parquet files,
  read by Spark directly (the store folder must be on storage every executor can read);
* the small tables (``motifs``, ``regions``, ``runs``, ...) come from the store's snapshot and
  reach Spark as broadcast tables; ``sequences`` is read from ``sequences.parquet`` when the
  store has it;
* the queries are the same ``sql/*.sql`` files DuckDB runs, transpiled by
  :mod:`annostore.engine.sqlport`;
* name resolution, filters and the motif-name columns stay in Python on the driver.

The SparkSession is made once per process (``master``: ``--spark-master`` /
``ANNOSTORE_SPARK_MASTER``, default ``local[*]``) with the UI off and the driver bound to
127.0.0.1 for local masters; a session the program already made (e.g. under ``spark-submit``)
is used as it is.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Mapping, Optional

import pyarrow as pa

from annostore import resources
from annostore.store import schema
from annostore.errors import AnnostoreError
from annostore.engine import sqlport

DEFAULT_MASTER = "local[*]"
KINDS = ("hits", "seqlets", "matches")
_lock = threading.Lock()
_session = None


def master_url(master: Optional[str] = None) -> str:
    """The Spark master: ``master``, else ``ANNOSTORE_SPARK_MASTER``, else ``local[*]``."""
    return master or os.environ.get("ANNOSTORE_SPARK_MASTER") or DEFAULT_MASTER


def session(master: Optional[str] = None):
    """The process's SparkSession (created on first use; later calls reuse it).

    Raises
    ------
    AnnostoreError
        pyspark is not installed (``pip install 'annostore[spark]'``) or Spark cannot start.
    """
    global _session
    with _lock:
        if _session is not None:
            return _session
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise AnnostoreError("the Spark engine needs pyspark: pip install 'annostore[spark]'") from None
        active = SparkSession.getActiveSession()
        if active is not None and master is None:  # e.g. made by a spark-submit script: use it
            _session = active
            return active
        url = master_url(master)
        builder = (
            SparkSession.builder.master(url)
            .appName("annostore")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", os.environ.get("ANNOSTORE_SPARK_PARTITIONS", "8"))
        )
        if url.startswith("local"):
            builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
            # the local executors' Python (the distributed scan's tasks) is this one, with annostore
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # noqa: BLE001 - Java/launcher failures
            raise AnnostoreError(f"cannot start Spark ({url}): {exc}") from None
        spark.sparkContext.setLogLevel("ERROR")
        _session = spark
        return spark


def stop() -> None:
    """Stop the process's SparkSession (a later call to :func:`session` starts a new one)."""
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None


# ---------------------------------------------------------------------------------------------
# a store's tables as Spark views


def _spark_type(typ: pa.DataType) -> str:
    if pa.types.is_int32(typ):
        return "INT"
    if pa.types.is_int64(typ):
        return "BIGINT"
    if pa.types.is_int8(typ):
        return "TINYINT"
    if pa.types.is_float64(typ):
        return "DOUBLE"
    if pa.types.is_string(typ):
        return "STRING"
    raise AnnostoreError(f"no Spark type for {typ}")  # pragma: no cover - schema.py has only these


def _fact_view(spark, store: Any, kind: str, files: list[str]):
    fields = schema.FACT_TABLES[kind]
    ddl = ", ".join(f"`{f.name}` {_spark_type(f.type)}" for f in fields)
    if files:
        df = spark.read.schema(ddl).parquet(*files)
    else:
        df = spark.createDataFrame([], ddl)
    df.select(*[f"`{f.name}`" for f in fields]).createOrReplaceTempView(kind)


def _small_view(spark, name: str, table: pa.Table) -> None:
    from pyspark.sql import functions as F

    # JSON / timestamp-with-zone columns go over as strings (Spark has no JSON type)
    columns = []
    for field in table.schema:
        col = table[field.name]
        if isinstance(field.type, pa.ExtensionType) or pa.types.is_large_string(field.type):
            col = col.cast(pa.string())
        columns.append(col)
    table = pa.Table.from_arrays(columns, names=table.column_names)
    df = spark.createDataFrame(table) if table.num_rows else spark.createDataFrame([], _ddl(table.schema))
    F.broadcast(df).createOrReplaceTempView(name)


def _ddl(arrow_schema: pa.Schema) -> str:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema).simpleString()[len("struct<"):-1]


class SparkTables:
    """The Spark views of one store snapshot (made by :func:`attach`)."""

    def __init__(self, store: Any, spark) -> None:
        self.store = store
        self.spark = spark
        self.key = None
        self.names: set = set()  # the registered views (what a user's query may read)

    def register(self) -> None:
        store = self.store
        files = store._committed_files()
        key = (str(store.path.resolve()), tuple((k, tuple(v)) for k, v in sorted(files.items())))
        if key == self.key:
            return
        spark = self.spark
        names = set(KINDS) | {"hits_genomic", "seqlets_genomic"}
        for kind in KINDS:
            _fact_view(spark, store, kind, [str((store.path / f).resolve()) for f in files[kind]])
        for (name,) in store.con.execute(resources.sql("engine_small_tables")).fetchall():
            names.add(name)
            if name == "sequences":
                side = store.path / "sequences.parquet"
                if side.is_file():
                    spark.read.parquet(str(side.resolve())).createOrReplaceTempView("sequences")
                    continue
            _small_view(spark, name, store.con.sql(f'SELECT * FROM "{name}"').to_arrow_table())
        for view in ("store_view_hits_genomic", "store_view_seqlets_genomic"):
            spark.sql(sqlport.to_spark(resources.sql(view)))
        self.key = key
        self.names = names


def tables(store: Any, master: Optional[str] = None) -> SparkTables:
    """The store's tables registered as Spark views (re-registered when its runs changed)."""
    cached = getattr(store, "_spark_tables", None)
    if cached is None:
        cached = SparkTables(store, session(master or getattr(store, "spark_master", None)))
        store._spark_tables = cached
    cached.register()
    return cached


def run_sql(store: Any, sql_text: str, params: Optional[Mapping[str, Any]] = None) -> pa.Table:
    """Run a DuckDB-dialect query (a ``sql/`` file's text or a user's SELECT) on Spark.

    Returns
    -------
    pyarrow.Table
        The result, with the column names and order of the DuckDB query.
    """
    spark_tables = tables(store)
    text = sqlport.to_spark(sql_text, params)
    try:
        df = spark_tables.spark.sql(text)
        table = df.toArrow()
    except AnnostoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyspark's AnalysisException and friends
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AnnostoreError(f"Spark query failed: {first}") from None
    # DuckDB reports every result column as nullable; Spark marks counts NOT NULL
    return table.cast(pa.schema([f.with_nullable(True) for f in table.schema]))
