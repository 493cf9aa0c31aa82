"""--by cluster on count / pairs / spacing against a brute-force reference; motif_alt columns."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import annostore
from annostore.analysis import aggregate
from annostore.analysis.clusters import write_clusters
from annostore.core.motifs import Motif, MotifSet
from annostore.errors import BadInputError

CLUSTER = np.array([0, 0, 1, 1, 1, 2, 3, 3, 4, 5, 5, 5])
LABELS = ["A", "B", "C", "D", "E", "F"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    rng = np.random.default_rng(4)
    path = tmp_path_factory.mktemp("bycl") / "t.store"
    s = annostore.open(path)
    s.add_motifs(MotifSet([Motif(f"M{i}", rng.dirichlet(np.ones(4), size=6).T, alt_name=f"ALT{i}") for i in range(12)]))
    s.add_regions(pa.table({"chrom": ["chr1"] * 15, "start": np.arange(15) * 1000, "end": np.arange(15) * 1000 + 500,
                            "strand": ["+"] * 15}))
    n = 500
    start = rng.integers(0, 450, n)
    hits = pa.table({"example_idx": rng.integers(0, 15, n), "motif_idx": pa.array(rng.integers(0, 12, n), pa.int32()),
                     "start": start, "end": start + rng.integers(3, 12, n),
                     "strand": np.where(rng.random(n) < 0.5, "+", "-"), "p_value": rng.random(n) * 1e-4})
    with s.begin_run("hits", name="h") as run:
        run.write(hits)
    s.hits = hits.to_pandas()
    yield s
    s.close()


def _clustered(s):
    write_clusters(s, pa.table({"motif_idx": pa.array(range(12), pa.int32()), "cluster_idx": pa.array(CLUSTER, pa.int32()),
                                "cluster": [LABELS[c] for c in CLUSTER], "representative": [False] * 12}), {"test": True})


def test_needs_a_clustering_then_motif_alt(store):
    with pytest.raises(BadInputError, match="motifs cluster"):
        aggregate.count(store, by="cluster")
    r = aggregate.count(store, by="motif").to_pandas()
    assert list(r.columns) == ["motif_idx", "motif", "motif_alt", "n", "n_examples"]
    assert (r.motif_alt == "ALT" + r.motif_idx.astype(str)).all()
    p = aggregate.pairs(store).to_pandas()
    assert (p.motif_alt_b == "ALT" + p.motif_idx_b.astype(str)).all()


def test_count_by_cluster(store):
    _clustered(store)
    h = store.hits.assign(c=CLUSTER[store.hits.motif_idx])
    r = aggregate.count(store, by="cluster")
    df = r.to_pandas()
    assert list(df.columns) == ["cluster_idx", "cluster", "n", "n_examples"]
    assert dict(zip(df.cluster_idx, df.n)) == dict(Counter(h.c))
    assert dict(zip(df.cluster_idx, df.n_examples)) == h.groupby("c").example_idx.nunique().to_dict()
    assert (df.cluster == [LABELS[c] for c in df.cluster_idx]).all()
    assert r.to_dense().shape == (6,)
    ec = aggregate.count(store, by="example_cluster")
    assert ec.to_dense().shape == (15, 6)
    assert ec.to_dense().sum() == len(h)
    assert dict(Counter(zip(h.example_idx, h.c))) == {
        (e, c): n for e, c, n in zip(*(ec.to_pandas()[k] for k in ("example_idx", "cluster_idx", "n")))}


def test_pairs_by_cluster(store):
    _clustered(store)
    h = store.hits.assign(c=CLUSTER[store.hits.motif_idx])
    ref = Counter()
    for _, g in h.groupby("example_idx"):
        cnt = Counter(g.c)
        for a, b in itertools.permutations(cnt, 2):
            ref[(a, b)] += 1
        for a, k in cnt.items():
            if k > 1:
                ref[(a, a)] += 1
    df = aggregate.pairs(store, by="cluster").to_pandas()
    assert list(df.columns) == ["cluster_idx_a", "cluster_a", "cluster_idx_b", "cluster_b", "n"]
    assert dict(zip(zip(df.cluster_idx_a, df.cluster_idx_b), df.n)) == dict(ref)


def test_spacing_by_cluster(store):
    _clustered(store)
    h = store.hits.assign(c=CLUSTER[store.hits.motif_idx])
    ref = Counter()
    for _, g in h.groupby("example_idx"):
        rows = sorted(zip(g.start, g.end, g.c))
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                (s1, e1, a), (s2, e2, b) = rows[i], rows[j]
                d = s2 - e1
                if 0 <= d < 50:
                    ref[(a, b, d)] += 1
                    if a != b:
                        ref[(b, a, d)] += 1
    r = aggregate.spacing(store, by="cluster", max_distance=50)
    df = r.to_pandas()
    assert dict(zip(zip(df.cluster_idx_a, df.cluster_idx_b, df.distance), df.n)) == dict(ref)
    assert r.to_dense().shape == (6, 6, 50)
    one = aggregate.spacing(store, by="cluster", max_distance=50, motif_a="B", motif_b=["M0"]).to_pandas()
    assert set(one.cluster_a) <= {"B"} and set(one.cluster_b) <= {"A"} and len(one) > 0


def test_cli_by_cluster(store):
    from annostore_cli.app import app

    _clustered(store)
    path = str(store.path)
    store.close()
    try:
        runner = CliRunner()
        for cmd in (["count", path, "--by", "cluster", "-f", "csv"], ["pairs", path, "--by", "cluster", "-f", "csv"],
                    ["spacing", path, "--by", "cluster", "-f", "csv"]):
            r = runner.invoke(app, cmd)
            assert r.exit_code == 0, r.output
            assert "cluster" in r.stdout.splitlines()[0]
        assert runner.invoke(app, ["pairs", path, "--by", "family"]).exit_code == 65
    finally:
        store.con = annostore.open(path).con
