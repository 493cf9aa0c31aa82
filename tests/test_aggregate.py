"""Store-level count / pairs / spacing (annostore.analysis.aggregate) on stores built through the API.

Oracles: tangermeme 1.6 where the semantics coincide, and a brute-force Python reference of
the documented store semantics (docs/semantics.md) where they differ on purpose.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest
import tangermeme.annotate as T
import torch

import annostore
from annostore.analysis import aggregate
from annostore.errors import BadInputError

pytestmark = pytest.mark.peer  # tangermeme is the oracle: installed by the test extra, never skipped

N_MOTIFS = 12


def _hits_table(rng: np.random.Generator, n: int, n_ex: int, overlaps: bool) -> pa.Table:
    ex = np.sort(rng.integers(0, n_ex, n))
    w = rng.integers(3, 12, n)
    if overlaps:
        start = rng.integers(0, 300, n)
    else:  # sequential, non-overlapping per example
        gap = rng.integers(0, 40, n)
        start = np.zeros(n, dtype=np.int64)
        pos: dict[int, int] = {}
        for i in range(n):
            start[i] = pos.get(int(ex[i]), 0) + gap[i]
            pos[int(ex[i])] = int(start[i] + w[i])
    perm = rng.permutation(n)
    return pa.table(
        {
            "example_idx": ex[perm].astype(np.int64),
            "motif_idx": rng.integers(0, N_MOTIFS, n)[perm].astype(np.int32),
            "start": start[perm].astype(np.int64),
            "end": (start + w)[perm].astype(np.int64),
            "strand": np.where(rng.random(n) < 0.5, "+", "-"),
            "score": rng.normal(size=n),
            "p_value": rng.random(n) * 1e-4,
            "attribution": rng.normal(size=n),
        }
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    rng = np.random.default_rng(7)
    path = tmp_path_factory.mktemp("agg") / "t.store"
    s = annostore.open(path)
    from annostore.core.motifs import Motif, MotifSet

    s.add_motifs(MotifSet([Motif(f"M{i}", rng.dirichlet(np.ones(4), size=6).T, alt_name=f"ALT{i}") for i in range(N_MOTIFS)]))
    s.add_regions(pa.table({"chrom": ["chr1"] * 25, "start": np.arange(25) * 1000, "end": np.arange(25) * 1000 + 999,
                          "strand": ["+"] * 25}))
    flat = _hits_table(rng, 400, 20, overlaps=False)
    dense = _hits_table(rng, 300, 10, overlaps=True)
    with s.begin_run("hits", name="flat") as run:
        run.write(flat)
    with s.begin_run("hits", name="dense") as run:
        run.write(dense)
    # seqlets = the flat table's coordinates; matches: ranks 1 and 2
    seq = flat.select(["example_idx", "start", "end", "attribution", "p_value"]).append_column(
        "sign", pa.array(np.ones(flat.num_rows, dtype=np.int8))
    )
    with s.begin_run("seqlets", name="seqlets") as run:
        run.write(seq)
    seqlet_run = run.run_id
    m1 = flat["motif_idx"].to_numpy()
    m2 = (m1 + 1) % N_MOTIFS
    n = flat.num_rows
    matches = pa.table(
        {
            "seqlet_run_id": np.full(2 * n, seqlet_run, dtype=np.int32),
            "seqlet_id": np.r_[np.arange(n), np.arange(n)].astype(np.int64),
            "rank": np.r_[np.ones(n), np.full(n, 2)].astype(np.int32),
            "motif_idx": np.r_[m1, m2].astype(np.int32),
            "p_value": np.r_[flat["p_value"].to_numpy(), np.full(n, 0.5)],
            "orientation": np.r_[flat["strand"].to_numpy(zero_copy_only=False), np.full(n, "+")],
        }
    )
    with s.begin_run("matches", name="matches", parent_run_id=seqlet_run) as run:
        run.write(matches)
    s.flat, s.dense = flat.to_pandas(), dense.to_pandas()
    yield s
    s.close()


# ---------------------------------------------------------------------------------------------
# brute-force reference of the documented store semantics


def _order_key(r):
    return (r.start, r.end, r.motif_idx)


def _ref_pairs(df, unique: bool, symmetric: bool) -> Counter:
    out: Counter = Counter()
    for _e, g in df.groupby("example_idx"):
        rows = sorted(g.itertuples(), key=_order_key)
        if unique:
            first: dict[int, int] = {}
            counts = Counter(r.motif_idx for r in rows)
            for r in rows:
                first.setdefault(r.motif_idx, r.start)
            motifs = sorted(first, key=lambda m: (first[m], m))
            for a, b in itertools.combinations(motifs, 2):
                out[(a, b)] += 1
                if symmetric:
                    out[(b, a)] += 1
            for m, c in counts.items():
                if c > 1:
                    out[(m, m)] += 1
        else:
            for p, q in itertools.combinations(rows, 2):
                a, b = p.motif_idx, q.motif_idx
                if symmetric and a > b:
                    a, b = b, a
                out[(a, b)] += 1
                if symmetric and a != b:
                    out[(b, a)] += 1
    return out


def _ref_spacing(df, max_distance: int, symmetric: bool, allow_overlaps: bool) -> Counter:
    out: Counter = Counter()
    for _e, g in df.groupby("example_idx"):
        rows = sorted(g.itertuples(), key=_order_key)
        for p, q in itertools.combinations(rows, 2):
            d = q.start - p.end
            if d >= max_distance or (d < 0 and not allow_overlaps):
                continue
            out[(p.motif_idx, q.motif_idx, d)] += 1
            if symmetric and p.motif_idx != q.motif_idx:
                out[(q.motif_idx, p.motif_idx, d)] += 1
    return out


def _counter(result, cols) -> Counter:
    t = result.to_arrow()
    return Counter({tuple(int(x) for x in k): int(n) for *k, n in zip(*(t[c].to_pylist() for c in cols), t["n"].to_pylist())})


# ---------------------------------------------------------------------------------------------


def test_count_matches_tangermeme(store):
    df = store.flat
    r = aggregate.count(store, runs="flat")
    assert r.to_arrow().column_names == ["example_idx", "motif_idx", "motif", "motif_alt", "n"]
    dense = r.to_dense()
    assert dense.shape == (25, N_MOTIFS)  # sized from the regions and motifs tables
    X = torch.tensor(np.c_[df.example_idx, df.motif_idx])
    expected = T.count_annotations(X, dtype=torch.int64, shape=(25, N_MOTIFS))
    assert np.array_equal(dense, expected.numpy())
    assert torch.equal(r.to_torch(), expected)
    assert set(r.to_pandas()["motif"]) <= {f"M{i}" for i in range(N_MOTIFS)}
    by_motif = aggregate.count(store, runs="flat", by="motif").to_dense()
    assert np.array_equal(by_motif, expected.sum(0).numpy())
    by_example = aggregate.count(store, runs="flat", by="example").to_dense()
    assert np.array_equal(by_example, expected.sum(1).numpy())
    # batches stream and add up
    assert sum(b.num_rows for b in aggregate.count(store, runs="flat", stream=True)) == len(r)


def test_filters(store):
    df = store.flat
    sel = df[(df.p_value <= 5e-5) & (df.attribution >= 0.2) & df.example_idx.between(3, 9) & df.motif_idx.isin([1, 4])]
    r = aggregate.count(
        store, runs=["flat"], max_p=5e-5, min_attribution=0.2, examples=range(3, 10), motifs=["M1", "ALT4"]
    )
    assert _counter(r, ["example_idx", "motif_idx"]) == Counter(zip(sel.example_idx, sel.motif_idx))
    r2 = aggregate.count(store, runs="flat", max_p=5e-5, min_attribution=0.2, examples=[3, 4, 5, 6, 7, 8, 9],
                         motifs=[1, "M4 ALT4"])
    assert r2.to_arrow().equals(r.to_arrow())
    # default run = the latest hits run ("dense"); "all" = both
    assert aggregate.count(store, by="motif").to_dense().sum() == len(store.dense)
    assert aggregate.count(store, runs="all", by="motif").to_dense().sum() == len(store.dense) + len(df)
    ann = aggregate.annotations(store, runs="flat", examples=[2]).to_pandas()
    assert len(ann) == (df.example_idx == 2).sum() and list(ann.start) == sorted(ann.start)
    with pytest.raises(BadInputError):
        aggregate.count(store, motifs=["nope"])
    with pytest.raises(BadInputError):
        aggregate.count(store, runs="nope")
    with pytest.raises(BadInputError):
        aggregate.count(store, source="bogus")
    with pytest.raises(BadInputError):
        aggregate.count(store, by="bogus")


@pytest.mark.parametrize("unique", [True, False])
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("run", ["flat", "dense"])
def test_pairs_reference(store, unique, symmetric, run):
    df = store.flat if run == "flat" else store.dense
    r = aggregate.pairs(store, runs=run, unique=unique, symmetric=symmetric)
    assert _counter(r, ["motif_idx_a", "motif_idx_b"]) == _ref_pairs(df, unique, symmetric)
    assert r.to_dense().shape == (N_MOTIFS, N_MOTIFS)


def test_pairs_agree_with_tangermeme(store):
    df = store.dense
    X = torch.tensor(np.c_[df.example_idx, df.motif_idx])
    # symmetric, every instance: identical to tangermeme
    got = aggregate.pairs(store, runs="dense", unique=False).to_torch()
    assert torch.equal(got, T.pairwise_annotations(X, unique=False, shape=N_MOTIFS))
    # unique: tangermeme never counts the diagonal; off the diagonal identical
    got = aggregate.pairs(store, runs="dense").to_dense()
    expected = T.pairwise_annotations(X, shape=N_MOTIFS).numpy()
    np.fill_diagonal(got, 0)
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("max_distance", [1, 13, 100])
def test_spacing_matches_tangermeme(store, symmetric, max_distance):
    df = store.flat  # non-overlapping: tangermeme's semantics apply exactly
    r = aggregate.spacing(store, runs="flat", max_distance=max_distance, symmetric=symmetric)
    X = torch.tensor(np.c_[df.example_idx, df.motif_idx, df.start, df.end])
    expected = T.pairwise_annotations_spacing(
        X, max_distance=max_distance, symmetric=symmetric, dtype=torch.int64, shape=N_MOTIFS
    )
    assert torch.equal(r.to_torch(), expected)


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("allow_overlaps", [True, False])
def test_spacing_overlaps_reference(store, symmetric, allow_overlaps):
    r = aggregate.spacing(store, runs="dense", max_distance=30, symmetric=symmetric, allow_overlaps=allow_overlaps)
    ref = _ref_spacing(store.dense, 30, symmetric, allow_overlaps)
    assert _counter(r, ["motif_idx_a", "motif_idx_b", "distance"]) == ref
    assert any(k[2] < 0 for k in ref) == allow_overlaps
    dense = r.to_dense()
    offset = r.offsets[2]
    assert dense.sum() == sum(ref.values())
    for (a, b, d), n in list(ref.items())[:20]:
        assert dense[a, b, d - offset] == n


def test_spacing_motif_filter(store):
    full = aggregate.spacing(store, runs="flat", symmetric=False).to_pandas()
    part = aggregate.spacing(store, runs="flat", symmetric=False, motif_a="M2", motif_b=["M3", "M5"]).to_pandas()
    sel = full[(full.motif_a == "M2") & full.motif_b.isin(["M3", "M5"])].reset_index(drop=True)
    assert len(sel) and part.equals(sel)


def test_seqlets_source(store):
    df = store.flat
    r = aggregate.count(store, source="seqlets")
    X = torch.tensor(np.c_[df.example_idx, df.motif_idx])
    assert np.array_equal(r.to_dense(), T.count_annotations(X, dtype=torch.int64, shape=(25, N_MOTIFS)).numpy())
    # top_k=2 adds the rank-2 match of every seqlet; naming the matches run works too
    assert aggregate.count(store, source="seqlets", top_k=2, by="motif").to_dense().sum() == 2 * len(df)
    assert aggregate.count(store, source="seqlets", runs="matches", by="motif").to_dense().sum() == len(df)
    # max_p filters on the TOMTOM p-value: rank-2 matches have p = 0.5
    assert aggregate.count(store, source="seqlets", top_k=2, max_p=0.1, by="motif").to_dense().sum() == len(df)
    sp = aggregate.spacing(store, source="seqlets", max_distance=50).to_torch()
    X4 = torch.tensor(np.c_[df.example_idx, df.motif_idx, df.start, df.end])
    assert torch.equal(sp, T.pairwise_annotations_spacing(X4, max_distance=50, dtype=torch.int64, shape=N_MOTIFS))


def test_result_conversions(store):
    r = aggregate.pairs(store, runs="flat")
    assert len(r) == r.to_arrow().num_rows and r.to_pandas().shape[0] == len(r)
    assert r.motif_names[:2] == ["M0", "M1"]
    from annostore.analysis.results import Result

    big = Result(pa.table({"i": [0, 2], "n": [5, 300]}), kind="count_motif", index=("i",), shape=(4,))
    assert big.to_dense().tolist() == [5, 0, 300, 0]
    with pytest.raises(OverflowError):
        big.to_torch(torch.uint8)
    with pytest.raises(OverflowError):
        big.to_dense(np.int8)
    with pytest.raises(BadInputError):
        Result(pa.table({"i": [7], "n": [1]}), kind="count_motif", index=("i",), shape=(4,)).to_dense()
    empty = aggregate.count(store, runs="flat", examples=[24])
    assert len(empty) == 0 and empty.to_dense().shape == (25, N_MOTIFS) and empty.to_dense().sum() == 0


def test_cli(store, tmp_path):
    import json

    from annostore_cli.app import app
    from typer.testing import CliRunner

    store.con.execute("CHECKPOINT")
    path = tmp_path / "copy.store"
    import shutil

    # a read-only copy so the CLI can open it while the fixture holds the write lock
    shutil.copytree(store.path, path)
    runner = CliRunner()
    res = runner.invoke(app, ["count", str(path), "--run", "flat", "--by", "motif", "-f", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    expected = aggregate.count(store, runs="flat", by="motif").to_pandas()
    assert [r["n"] for r in rows] == expected["n"].tolist()
    res = runner.invoke(app, ["spacing", str(path), "--run", "flat", "--motif-a", "M2", "--ordered", "-f", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "motif_idx_a,motif_a,motif_alt_a,motif_idx_b,motif_b,motif_alt_b,distance,n"
    res = runner.invoke(app, ["pairs", str(path), "--motif", "nope"])
    assert res.exit_code == 65


def test_store_methods_delegate(store):
    assert store.count(runs="flat").to_arrow().equals(aggregate.count(store, runs="flat").to_arrow())
    assert store.pairs(runs="flat").to_arrow().equals(aggregate.pairs(store, runs="flat").to_arrow())
    assert store.spacing(runs="flat", max_distance=20).to_arrow().equals(
        aggregate.spacing(store, runs="flat", max_distance=20).to_arrow()
    )
