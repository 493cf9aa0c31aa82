"""Motif families: linkage vs scipy, JASPAR properties, the store table, collapse through the store, CLI."""

from __future__ import annotations

import collections
import json

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import annostore
from annostore.analysis.clusters import cluster_motifs, store_clusters
from annostore.analysis.collapse import collapse_hits
from annostore.core.linkage import cut, linkage
from annostore.errors import BadInputError
from annostore.io.motifs import read_motifs

AP1 = ("FOS", "JUN", "BATF", "ATF3", "JDP2")


@pytest.mark.parametrize("method", ["average", "complete"])
def test_linkage_equals_scipy(method):
    from scipy.cluster.hierarchy import fcluster, linkage as sp_linkage
    from scipy.spatial.distance import squareform

    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 3))
    D = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    Z = linkage(D, method)
    Zs = sp_linkage(squareform(D, checks=False), method)
    np.testing.assert_allclose(Z[:, 2], Zs[:, 2], rtol=1e-12)
    for t in (0.5, 1.0, 2.0):
        ours = cut(Z, 60, t)
        theirs = fcluster(Zs, t, "distance")
        # same partition (labels may differ)
        assert len(set(zip(ours, theirs))) == len(set(ours)) == len(set(theirs))


@pytest.fixture(scope="module")
def jaspar_clusters(jaspar_path):
    return cluster_motifs(jaspar_path)


def test_jaspar_families(jaspar_clusters):
    df = jaspar_clusters.to_pandas()
    alt = df.motif_alt.str.upper()
    ctcf = df[alt.isin(["CTCF", "CTCFL"])]
    assert set(ctcf.motif_alt.str.upper()) == {"CTCF", "CTCFL"} and ctcf.cluster_idx.nunique() == 1
    ap1 = df[alt.apply(lambda a: any(p.startswith(AP1) for p in a.split("::")))]
    assert len(ap1) >= 30 and ap1.cluster_idx.nunique() <= 3
    # unrelated families stay apart
    one_each = ["CTCF", "FOS::JUN", "GATA1", "FOXA1", "SOX2", "ELK1", "MYC", "KLF4", "CEBPB", "TP53", "RUNX1",
                "STAT3", "REST", "IRF1", "NRF1", "TEAD1", "MEF2C", "SRF", "E2F1", "YY1", "PAX5", "NFKB1"]
    first = {a: int(df[alt == a].cluster_idx.iloc[0]) for a in one_each}
    assert len(set(first.values())) == len(one_each), first
    assert 100 <= jaspar_clusters.n_clusters <= 400
    # numbering: by size, one representative per cluster, readable unique labels
    sizes = df.groupby("cluster_idx").size()
    assert list(sizes) == sorted(sizes, reverse=True)
    assert (df.groupby("cluster_idx").representative.sum() == 1).all()
    assert df.groupby("cluster_idx").cluster.nunique().eq(1).all() and df.cluster.nunique() == len(sizes)
    assert df[alt == "CTCF"].cluster.iloc[0] == "CTCF"
    assert "JUN" in df[alt == "FOS::JUN"].cluster.iloc[0]


def test_deterministic_and_store_free_inputs(jaspar_path):
    mset = read_motifs(jaspar_path)
    sub = mset.select([m.name for m in list(mset)[:60]])
    a = cluster_motifs(sub)
    b = cluster_motifs({m.name: m.pwm for m in sub}, motif_idx=range(100, 160))
    assert a.labels.tolist() == b.labels.tolist()
    assert b.table["motif_idx"].to_pylist() == list(range(100, 160))
    with pytest.raises(BadInputError):
        cluster_motifs(sub, threshold=2)
    with pytest.raises(BadInputError):
        cluster_motifs(sub, linkage="single")
    with pytest.raises(BadInputError):
        cluster_motifs(sub, dist="kullback")


def _family_subset(jaspar_path):
    mset = read_motifs(jaspar_path)
    keep = [m.name for m in mset if (m.alt_name or "").upper().split("::")[0].startswith(AP1 + ("CTCF", "GATA"))]
    keep += [m.name for m in list(mset)[:40] if m.name not in keep]
    return mset.select(keep)


@pytest.fixture()
def fam_store(tmp_path, jaspar_path):
    s = annostore.open(tmp_path / "f.store")
    s.add_motifs(_family_subset(jaspar_path))
    s.add_regions(pa.table({"chrom": ["chr1"] * 6, "start": np.arange(6) * 1000, "end": np.arange(6) * 1000 + 400,
                            "strand": ["+"] * 6}))
    yield s
    s.close()


def test_store_cluster_table_and_replace(fam_store):
    s = fam_store
    with pytest.raises(BadInputError, match="motifs cluster"):
        store_clusters(s, required=True)
    res = s.cluster_motifs()
    t = s.motif_clusters()
    assert t.num_rows == len(s.motif_set()) and t["cluster_idx"].null_count == 0
    assert t.column_names == ["motif_idx", "motif", "motif_alt", "cluster_idx", "cluster", "representative"]
    params = json.loads(s.query("SELECT params FROM motif_clustering")["params"][0].as_py())
    assert params["threshold"] == 1e-3 and params["linkage"] == "average" and params["n_clusters"] == res.n_clusters
    s.cluster_motifs(threshold=1e-6, linkage="complete")
    assert s.query("SELECT count(*) AS n FROM motif_clustering")["n"][0].as_py() == 1
    assert s.query("SELECT count(*) AS n FROM motif_clusters")["n"][0].as_py() == t.num_rows
    assert s.motif_clusters()["cluster_idx"].to_numpy().max() >= res.n_clusters - 1  # finer cut, more clusters
    s.add_motifs({"EXTRA": np.eye(4)})
    with pytest.raises(BadInputError, match="again"):
        store_clusters(s, required=True)


def _planted_hits(s, rng):
    """~30 redundant hits (random motifs of two families) at each of 3 sites per example."""
    fams = s.motif_clusters().to_pandas()
    ap1 = fams[fams.motif_alt.str.upper().str.startswith(AP1)].motif_idx.to_numpy()
    gata = fams[fams.motif_alt.str.upper().str.startswith("GATA")].motif_idx.to_numpy()
    rows = []
    for ex in range(6):
        for site in (30, 150, 300):
            for _ in range(30):
                pool = ap1 if rng.random() < 0.6 else gata
                m = int(rng.choice(pool))
                st = site + int(rng.integers(-2, 3))
                rows.append((ex, m, st, st + 10, "+" if rng.random() < 0.5 else "-", float(rng.random() * 1e-4)))
    cols = list(zip(*rows))
    return pa.table({"example_idx": pa.array(cols[0], pa.int64()), "motif_idx": pa.array(cols[1], pa.int32()),
                     "start": pa.array(cols[2], pa.int64()), "end": pa.array(cols[3], pa.int64()),
                     "strand": pa.array(cols[4]), "p_value": pa.array(cols[5])})


@pytest.mark.parametrize("by", ["cluster", "motif", "any"])
def test_store_collapse_equals_in_memory(fam_store, by):
    s = fam_store
    s.cluster_motifs()
    rng = np.random.default_rng(9)
    hits = _planted_hits(s, rng)
    with s.begin_run("hits", name="raw") as run:
        run.write(hits)
    src = run.run_id
    new = s.collapse("raw", name=f"fam-{by}", by=by, overlap=0.5, batch_rows=37)  # batches cut examples
    got = s.query(f"SELECT * FROM hits WHERE run_id = {new} ORDER BY example_idx, start, motif_idx, strand").to_pandas()
    ref = collapse_hits(hits, by=by, clusters=s.motif_clusters().to_pandas().cluster_idx.to_numpy(), overlap=0.5)
    ref = ref.to_pandas().sort_values(["example_idx", "start", "motif_idx", "strand"]).reset_index(drop=True)
    assert got.n_merged.sum() == hits.num_rows
    assert got[["example_idx", "motif_idx", "start", "end", "strand", "n_merged"]].values.tolist() == \
        ref[["example_idx", "motif_idx", "start", "end", "strand", "n_merged"]].values.tolist()
    runs = s.runs().to_pandas().set_index("run_id")
    assert runs.loc[new, "parent_run_id"] == src and json.loads(runs.loc[new, "params"])["by"] == by
    if by == "cluster":  # the planted-site property: ~30 hits per site -> one per site per family present
        cl = s.motif_clusters().to_pandas().cluster_idx.to_numpy()
        h = hits.to_pandas()
        h["site"] = (h.start + 2) // 100
        expected = h.assign(c=cl[h.motif_idx]).groupby(["example_idx", "site"]).c.nunique().groupby("example_idx").sum()
        assert got.groupby("example_idx").size().tolist() == expected.tolist()
        assert expected.max() <= 3 * 5  # AP-1 in <= 3 clusters, GATA in <= 2 (built-in JASPAR)
    if by == "any":
        assert (got.groupby("example_idx").size() == 3).all()
        assert got.clusters.notna().all() and got.clusters.str.contains(",").any()


def test_collapse_needs_clusters(fam_store):
    s = fam_store
    with s.begin_run("hits", name="raw") as run:
        run.write(pa.table({"example_idx": [0], "motif_idx": pa.array([0], pa.int32()), "start": [1], "end": [9],
                            "strand": ["+"], "p_value": [1e-5]}))
    with pytest.raises(BadInputError, match="motifs cluster"):
        s.collapse("raw")
    with pytest.raises(BadInputError):
        s.collapse("nope", by="motif")
    n_runs = s.runs().num_rows
    with pytest.raises(BadInputError):
        s.collapse("raw", by="family")
    assert s.runs().num_rows == n_runs  # store unchanged
    s.collapse("raw", by="motif", keep="max-attribution", name="m")  # NULL attributions rank last
    assert s.query("SELECT n_merged FROM hits WHERE run_id = (SELECT run_id FROM runs WHERE name = 'm')")[
        "n_merged"].to_pylist() == [1]


def test_cli_cluster_and_collapse(tmp_path, jaspar_path):
    from annostore_cli.app import app

    path = tmp_path / "c.store"
    s = annostore.open(path)
    s.add_motifs(_family_subset(jaspar_path))
    s.add_regions(pa.table({"chrom": ["chr1"] * 6, "start": np.arange(6) * 1000, "end": np.arange(6) * 1000 + 400,
                            "strand": ["+"] * 6}))
    s.close()
    runner = CliRunner()
    r = runner.invoke(app, ["motifs", "cluster", str(path), "--linkage", "single"])
    assert r.exit_code == 65
    r = runner.invoke(app, ["motifs", "cluster", str(path), "-f", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].startswith("motif_idx,motif,motif_alt,cluster_idx,cluster")
    with annostore.open(path) as s:
        with s.begin_run("hits", name="raw") as run:
            run.write(_planted_hits(s, np.random.default_rng(1)))
    r = runner.invoke(app, ["collapse", str(path), "--run", "raw", "--name", "fam"])
    assert r.exit_code == 0, r.output
    with annostore.open(path, read_only=True) as s:
        assert s.runs().to_pandas().name.tolist() == ["raw", "fam"]
    r = runner.invoke(app, ["collapse", str(path), "--run", "raw", "--name", "fam2", "--overlap", "2"])
    assert r.exit_code == 65


def test_plot_clusters(tmp_path, jaspar_path, fam_store):
    from annostore.plots.clusters import plot_clusters

    res = cluster_motifs(_family_subset(jaspar_path))
    out = tmp_path / "c.png"
    ax = plot_clusters(res, 4, output=out)
    assert out.stat().st_size > 5000 and "4 of" in ax.get_title()
    label = res.table["cluster"][0].as_py()
    ax = plot_clusters(res, clusters=[label, 1])
    assert "2 of" in ax.get_title()
    with pytest.raises(BadInputError):
        plot_clusters(res, clusters=["no such family"])
    # from a store (stored partition) and through the CLI
    from annostore_cli.app import app

    fam_store.cluster_motifs()
    path = str(fam_store.path)
    fam_store.close()
    r = CliRunner().invoke(app, ["plot", "clusters", path, "--top", "3", "-o", str(tmp_path / "s.png")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "s.png").stat().st_size > 5000


def test_collapse_seqlet_labels_per_cluster(fam_store):
    s = fam_store
    s.cluster_motifs()
    cl = s.motif_clusters().to_pandas().cluster_idx.to_numpy()
    rng = np.random.default_rng(2)
    n_seq = 40
    start = rng.integers(0, 300, n_seq)
    with s.begin_run("seqlets", name="sq") as run:
        run.write(pa.table({"example_idx": rng.integers(0, 6, n_seq), "start": start, "end": start + 12,
                            "attribution": rng.random(n_seq) + 0.1}))
    seq_run = run.run_id
    rows = []
    for sid in range(n_seq):
        motifs = rng.choice(len(cl), size=5, replace=False)
        for r, m in enumerate(motifs, 1):
            rows.append((sid, r, int(m), float(1e-6 * r)))
    t = pa.table({"seqlet_id": pa.array([r[0] for r in rows], pa.int64()), "rank": pa.array([r[1] for r in rows], pa.int32()),
                  "motif_idx": pa.array([r[2] for r in rows], pa.int32()), "p_value": [r[3] for r in rows]})
    with s.begin_run("matches", name="lab", parent_run_id=seq_run) as run:
        run.write(t)
    new = s.collapse("lab", name="lab-fam", top_k=4)
    got = s.query(f"SELECT seqlet_id, rank, motif_idx, n_merged FROM matches WHERE run_id = {new} "
                  "ORDER BY seqlet_id, rank").to_pandas()
    ref = []
    df = t.to_pandas()
    df = df[df["rank"] <= 4].assign(c=lambda d: cl[d.motif_idx])
    for sid, g in df.groupby("seqlet_id"):
        g = g.sort_values("rank")
        firsts = g.drop_duplicates("c")
        for r, (_, row) in enumerate(firsts.iterrows(), 1):
            ref.append((sid, r, row.motif_idx, int((g.c == row.c).sum())))
    assert [tuple(x) for x in got.values.tolist()] == ref
    runs = s.runs().to_pandas().set_index("run_id")
    assert runs.loc[new, "kind"] == "matches" and runs.loc[new, "parent_run_id"] == seq_run
    with pytest.raises(BadInputError):
        s.collapse("lab", by="motif")


def test_logo_labels_by_cluster(fam_store):
    from annostore.plots.logo import store_annotations

    s = fam_store
    s.cluster_motifs()
    hits = _planted_hits(s, np.random.default_rng(3))
    with s.begin_run("hits", name="raw") as run:
        run.write(hits)
    by_motif = store_annotations(s, 0, 0, 400, "hits")
    by_family = store_annotations(s, 0, 0, 400, "hits", label_by="cluster")
    assert len(by_motif) == len(by_family) == 90
    labels = set(s.motif_clusters()["cluster"].to_pylist())
    assert set(by_family["label"]) <= labels and by_family["label"].nunique() < by_motif["label"].nunique()
    with pytest.raises(BadInputError):
        store_annotations(s, 0, 0, 400, "hits", label_by="family")
