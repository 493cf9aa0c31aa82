"""The Spark translation of sql/*.sql without Spark: bound literals and the row-id rewrite,
written back as DuckDB SQL, give the same results as the original parameterised query."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from annostore import resources
from annostore.engine import engine_name, sqlport
from annostore.errors import AnnostoreError, BadInputError

MARKER = "-- @annotations"


def _compose(name: str) -> str:
    return resources.sql(name).replace(MARKER, resources.sql("select_hits").strip().rstrip(";"))


@pytest.fixture(scope="module")
def con():
    rng = np.random.default_rng(7)
    n = 4000
    start = rng.integers(0, 300, n)
    hits = pa.table({
        "run_id": np.where(rng.random(n) < 0.8, 1, 2).astype(np.int32),
        "example_idx": rng.integers(0, 30, n),
        "motif_idx": rng.integers(0, 7, n).astype(np.int32),
        "start": start,
        "end": start + rng.integers(1, 12, n),
        "strand": rng.choice(["+", "-"], n),
        "score": rng.normal(size=n),
        "p_value": rng.random(n) * 1e-3,
        "attribution": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
    })
    # exact duplicates (full ties) to exercise the row-id rewrite
    hits = pa.concat_tables([hits, hits.slice(0, 300)])
    c = duckdb.connect()
    c.register("hits_arrow", hits)
    c.execute("CREATE TABLE hits AS SELECT * REPLACE (CASE WHEN isnan(attribution) THEN NULL ELSE attribution END "
              "AS attribution) FROM hits_arrow")
    return c


BASE = {"runs": [1], "motifs": None, "max_p": None, "min_attribution": None, "example_lo": None,
        "example_hi": None, "examples": None}
CASES = [
    ("count_example_motif", {}),
    ("count_motif", {"max_p": 5e-4}),
    ("count_example", {"motifs": [1, 3, 5], "runs": [1, 2]}),
    ("pairs_unique", {"symmetric": True}),
    ("pairs_unique", {"symmetric": False, "min_attribution": 0.0}),
    ("pairs_all_symmetric", {"examples": [1, 4, 9, 16]}),
    ("pairs_all_ordered", {"example_lo": 3, "example_hi": 20}),
    ("spacing_pairs", {"max_distance": 30, "bin": 32, "symmetric": True, "allow_overlaps": False,
                       "motif_a": None, "motif_b": None}),
    ("spacing_pairs", {"max_distance": 60, "bin": 60, "symmetric": False, "allow_overlaps": True,
                       "motif_a": [2], "motif_b": [0, 2, 4], "runs": [1, 2]}),
]


@pytest.mark.parametrize("name,extra", CASES)
def test_translated_queries_give_the_same_rows(con, name, extra):
    params = {**BASE, **extra}
    text = _compose(name)
    expected = con.execute(text, params).fetchall()
    translated = sqlport.translate(text, params, dialect="duckdb")
    assert "$" not in translated
    got = con.execute(translated).fetchall()
    assert got == expected
    assert len(expected) > 0
    spark_text = sqlport.to_spark(text, params)
    assert "EXPLODE" in spark_text or "explode" in spark_text.lower() or name.startswith("count")


def test_row_id_rewrite_partitions_by_plain_columns():
    text = sqlport.translate("SELECT row_number() OVER () AS rid, a, b, a // 3 AS c FROM t", {}, dialect="spark")
    assert "PARTITION BY `a`, `b`" in text and "ORDER BY `a`" in text


def test_star_replace_is_expanded(con):
    inner = resources.sql("select_hits").strip().rstrip(";")
    text = resources.sql("select_by_cluster").replace(MARKER, inner)
    con.execute("CREATE OR REPLACE TABLE motif_clusters AS SELECT i AS motif_idx, i // 3 AS cluster_idx "
                "FROM range(7) t(i)")
    params = dict(BASE)
    expected = con.execute(f"SELECT * FROM ({text}) ORDER BY ALL", params).fetchall()
    translated = sqlport.translate(text, params, dialect="duckdb")
    assert "REPLACE" not in translated.upper()
    assert con.execute(f"SELECT * FROM ({translated}) ORDER BY ALL").fetchall() == expected
    assert "REPLACE" not in sqlport.to_spark(text, params).upper()


def test_literals_are_exact_and_typed():
    assert sqlport.translate("SELECT $x AS x", {"x": 0.1}, dialect="duckdb") == "SELECT CAST('0.1' AS DOUBLE) AS x"
    assert sqlport.translate("SELECT $x AS x", {"x": None}, dialect="spark") == "SELECT NULL AS x"
    assert sqlport.translate("SELECT $x AS x", {"x": [3, 1]}, dialect="spark") == "SELECT ARRAY(3, 1) AS x"
    assert sqlport.translate("SELECT $x AS x", {"x": True}, dialect="spark") == "SELECT TRUE AS x"
    assert sqlport.translate("SELECT $x AS x", {"x": "it's"}, dialect="spark") == "SELECT 'it\\'s' AS x"
    with pytest.raises(AnnostoreError, match=r"\$y has no value"):
        sqlport.translate("SELECT $y", {}, dialect="spark")
    with pytest.raises(AnnostoreError, match="one SQL statement"):
        sqlport.translate("SELECT 1; SELECT 2", {}, dialect="spark")


def test_engine_name(monkeypatch):
    monkeypatch.delenv("ANNOSTORE_ENGINE", raising=False)
    assert engine_name() == "duckdb"
    assert engine_name("Spark") == "spark"
    monkeypatch.setenv("ANNOSTORE_ENGINE", "spark")
    assert engine_name() == "spark"
    assert engine_name("duckdb") == "duckdb"
    with pytest.raises(BadInputError, match="unknown engine 'polars'"):
        engine_name("polars")


def test_cli_engine_options(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from annostore_cli.app import app

    monkeypatch.delenv("ANNOSTORE_ENGINE", raising=False)
    runner = CliRunner()
    res = runner.invoke(app, ["--engine", "polars", "count", str(tmp_path / "x.store")])
    assert res.exit_code == 2 and "unknown engine 'polars'" in res.output
    res = runner.invoke(app, ["--engine", "spark", "scan", str(tmp_path / "x.store"), "--device", "cpu"])
    assert res.exit_code == 65 and "--device needs the local scan" in res.stderr
    assert not (tmp_path / "x.store").exists()
    help_text = runner.invoke(app, ["--help"]).output
    assert "--engine" in help_text and "--spark-master" in help_text
