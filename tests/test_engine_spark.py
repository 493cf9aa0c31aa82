"""The Spark engine gives DuckDB's answers: every aggregation and filter, queries and exports,
on random small stores.  One SparkSession for the whole test session (the ``spark`` fixture of
conftest.py: local[2], UI off, driver bound to 127.0.0.1); few tests, small data (Spark is slow to start)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import annostore
from annostore.errors import AnnostoreError


def _random_store(path, seed: int):
    rng = np.random.default_rng(seed)
    n_motifs, n_examples = 6, 25
    with annostore.open(path) as s:
        s.add_motifs({f"M{i}": np.full((4, 3 + i % 4), 0.25) for i in range(n_motifs)})
        s.add_regions(pa.table({"chrom": ["c1", "c2"] * (n_examples // 2) + ["c1"] * (n_examples % 2),
                                "start": np.arange(n_examples) * 1000,
                                "end": np.arange(n_examples) * 1000 + 400,
                                "strand": rng.choice(["+", "-"], n_examples)}))
        for r in range(2):
            n = int(rng.integers(500, 2000))
            start = rng.integers(0, 380, n)
            table = pa.table({
                "example_idx": rng.integers(0, n_examples, n),
                "motif_idx": rng.integers(0, n_motifs, n).astype(np.int32),
                "start": start, "end": start + rng.integers(1, 15, n),
                "strand": rng.choice(["+", "-"], n),
                "score": rng.normal(size=n), "p_value": rng.random(n) * 1e-3,
                "attribution": rng.normal(size=n),
            })
            table = pa.concat_tables([table, table.slice(0, 50)])  # full ties
            with s.begin_run("hits", name=f"h{r}") as run:
                run.write(table)
        n = 300
        start = rng.integers(0, 380, n)
        with s.begin_run("seqlets", name="sq") as run:
            run.write(pa.table({"example_idx": rng.integers(0, n_examples, n), "start": start,
                                "end": start + rng.integers(3, 15, n), "attribution": rng.normal(size=n)}))
        seqlet_run = run.run_id
        m = 600
        with s.begin_run("matches", name="mt", parent_run_id=seqlet_run) as run:
            run.write(pa.table({"seqlet_id": np.repeat(np.arange(n), 2), "rank": np.tile([1, 2], n).astype(np.int32),
                                "motif_idx": rng.integers(0, n_motifs, m).astype(np.int32),
                                "p_value": rng.random(m) * 1e-2, "orientation": rng.choice(["+", "-"], m)}))
    return path


CASES = [
    ("count", {}),
    ("count", {"by": "motif", "runs": "all", "max_p": 5e-4}),
    ("count", {"by": "example", "motifs": ["M1", "M3"], "min_attribution": 0.0}),
    ("count", {"source": "seqlets", "top_k": 2}),
    ("pairs", {"runs": "h0"}),
    ("pairs", {"unique": False, "symmetric": False, "examples": range(3, 17)}),
    ("pairs", {"symmetric": False, "source": "seqlets"}),
    ("spacing", {"max_distance": 25}),
    ("spacing", {"max_distance": 40, "symmetric": False, "allow_overlaps": True, "runs": "all"}),
    ("spacing", {"max_distance": 60, "motif_a": "M2", "examples": [1, 2, 3, 5, 8, 13]}),
    ("annotations", {"max_p": 2e-4}),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_spark_equals_duckdb(spark, tmp_path, seed):
    path = _random_store(tmp_path / f"r{seed}.store", seed)
    with annostore.open(path, read_only=True) as s:
        for fn, kw in CASES:
            duck = getattr(s, fn)(**kw).to_arrow()
            sp = getattr(s, fn)(engine="spark", **kw).to_arrow()
            assert duck.num_rows > 0, (fn, kw)
            assert sp.schema == duck.schema, (fn, kw)
            assert sp.to_pylist() == duck.to_pylist(), (fn, kw)
        with annostore.open(path, read_only=True, engine="spark") as sp_store:
            sql = ("SELECT g.chrom, g.genomic_strand, count(*) AS n, round(sum(g.score), 6) AS s "
                   "FROM hits_genomic g JOIN motifs m USING (motif_idx) WHERE m.width > 3 GROUP BY ALL ORDER BY ALL")
            assert sp_store.query(sql).to_pylist() == s.query(sql).to_pylist()
            out_d, out_s = tmp_path / "d.tsv", tmp_path / "s.tsv"
            s.export("SELECT * FROM hits WHERE p_value < 1e-4 ORDER BY run_id, example_idx, start, motif_idx, strand, "
                     "score", out_d)
            sp_store.export("SELECT * FROM hits WHERE p_value < 1e-4 ORDER BY run_id, example_idx, start, motif_idx, "
                            "strand, score", out_s)
            assert out_s.read_text() == out_d.read_text() and out_d.read_text().count("\n") > 1
            with pytest.raises(AnnostoreError, match="Spark query failed"):
                sp_store.query("SELECT nope FROM hits")


def test_spark_cluster_axis_and_enrich(spark, tmp_path):
    from annostore.analysis.clusters import write_clusters
    from annostore.analysis.enrich import enrich_pairs

    path = _random_store(tmp_path / "c.store", 3)
    with annostore.open(path) as w:
        write_clusters(w, pa.table({"motif_idx": pa.array(range(6), pa.int32()),
                                    "cluster_idx": pa.array([0, 0, 1, 1, 2, 2], pa.int32()),
                                    "cluster": ["A", "A", "B", "B", "C", "C"],
                                    "representative": [True, False, True, False, True, False]}), {"test": True})
    with annostore.open(path, read_only=True) as s, annostore.open(path, read_only=True, engine="spark") as sp:
        for fn, kw in [("count", {"by": "cluster"}), ("pairs", {"by": "cluster"}),
                       ("spacing", {"by": "cluster", "max_distance": 30})]:
            duck = getattr(s, fn)(**kw).to_arrow()
            assert duck.num_rows > 0
            assert getattr(sp, fn)(**kw).to_arrow().to_pylist() == duck.to_pylist(), (fn, kw)
        duck = enrich_pairs(s).to_arrow()
        assert duck.num_rows > 0
        assert _rows(enrich_pairs(sp).to_arrow()) == _rows(duck)


def _rows(table):
    """Rows with NaN made comparable (NaN != NaN)."""
    return [{k: ("NaN" if isinstance(v, float) and v != v else v) for k, v in row.items()}
            for row in table.to_pylist()]
