"""recursive_seqlets against tangermeme 1.6 (bit-identical rows), negative seqlets, the store."""

import warnings

import numpy as np
import pandas as pd
import pytest
import tangermeme.seqlet as peer_seqlet
import torch

from annostore.core.seqlets import _CAP, recursive_seqlets
from annostore.errors import BadInputError
from annostore.store.pipelines import call_seqlets_store

pytestmark = pytest.mark.peer  # tangermeme is the oracle: installed by the test extra, never skipped

COLS = ["example_idx", "start", "end", "attribution", "p-value"]


def _attributions(seed, n, L, dtype=np.float64, scale=0.1):
    """Gaussian noise with planted positive and negative bumps (some at the edges)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, L)) * scale
    for i in range(n):
        for _ in range(rng.integers(0, 5)):
            w = int(rng.integers(3, 22))
            s = int(rng.integers(0, L - w + 1))
            X[i, s : s + w] += rng.choice([-1.0, 1.0, 1.0]) * rng.exponential(0.6)
    X[0, :6] += 1.0
    X[-1, L - 8 :] += 1.0
    return X.astype(dtype)


def _by_position(df):
    return df.sort_values(["example_idx", "start"], ignore_index=True)


def _assert_identical(ours, theirs):
    assert list(ours.columns[:5]) == COLS
    assert [str(t) for t in ours.dtypes[:5]] == [str(t) for t in theirs.dtypes]
    a, b = _by_position(ours), _by_position(theirs)
    assert len(a) == len(b)
    for col in COLS:
        np.testing.assert_array_equal(a[col].to_numpy(), b[col].to_numpy(), err_msg=col)
    # sorted by p-value like the peer (its order among ties is arbitrary)
    assert np.all(np.diff(ours["p-value"].to_numpy()) >= 0)


CASES = [
    # seed, n, L, dtype, kwargs
    (0, 20, 400, np.float64, {}),
    (1, 15, 300, np.float32, {}),
    (2, 10, 500, np.float32, dict(threshold=0.05, additional_flanks=3)),
    (3, 25, 200, np.float64, dict(threshold=0.001, min_seqlet_len=3, max_seqlet_len=12)),
    (4, 8, 150, np.float64, dict(min_seqlet_len=1, max_seqlet_len=4, threshold=0.2)),
    (5, 12, 100, np.float64, dict(max_seqlet_len=60, additional_flanks=20)),
    (6, 6, 120, np.float64, dict(n_bins=37, threshold=0.3)),
    (7, 5, 60, np.float64, dict(threshold=1.0)),
    (8, 5, 60, np.float64, dict(min_seqlet_len=6, max_seqlet_len=6, threshold=0.5)),
]


@pytest.mark.parametrize("seed, n, L, dtype, kwargs", CASES)
def test_identical_to_tangermeme(seed, n, L, dtype, kwargs):
    X = _attributions(seed, n, L, dtype)
    theirs = peer_seqlet.recursive_seqlets(torch.from_numpy(X), **kwargs)
    ours = recursive_seqlets(X, **kwargs)
    assert len(theirs) > 0 or kwargs.get("threshold", 0.01) <= 0
    _assert_identical(ours, theirs)
    # torch input gives the same
    _assert_identical(recursive_seqlets(torch.from_numpy(X), **kwargs), theirs)


def test_ties_and_many_seqlets_per_example():
    # integer-valued attributions: many equal p-values; length-1 seqlets overflow the first pass
    rng = np.random.default_rng(11)
    X = rng.integers(-2, 3, size=(6, 90)).astype(np.float64)
    for kwargs in (dict(threshold=0.2), dict(threshold=1.0, min_seqlet_len=1, max_seqlet_len=1)):
        theirs = peer_seqlet.recursive_seqlets(torch.from_numpy(X), **kwargs)
        ours = recursive_seqlets(X, **kwargs)
        _assert_identical(ours, theirs)
    assert ours.groupby("example_idx").size().max() > _CAP


def test_edges_constant_and_threshold_limits():
    X = _attributions(9, 5, 80)
    for t in (0.0, -0.5):
        assert len(recursive_seqlets(X, threshold=t)) == 0
    const = recursive_seqlets(np.full((3, 50), 0.7))
    assert len(const) == 0 and [str(t) for t in const.dtypes] == ["int64"] * 3 + ["float64"] * 2
    # a seqlet touching the right edge ends at L
    Y = np.random.default_rng(0).normal(size=(4, 100)) * 0.05
    Y[2, 93:] += 2.0
    got = recursive_seqlets(Y)
    assert ((got["example_idx"] == 2) & (got["end"] == 100)).any()
    # spans longer than the examples do not exist: max_seqlet_len > L is max_seqlet_len = L
    pd.testing.assert_frame_equal(recursive_seqlets(Y, max_seqlet_len=150, threshold=0.2),
                                  recursive_seqlets(Y, max_seqlet_len=100, threshold=0.2))


def test_fdr_mode_identical():
    X = _attributions(12, 30, 200)
    Xc = np.random.default_rng(13).normal(size=(40, 180)) * 0.1
    for target in (0.1, 1e-12):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = peer_seqlet.recursive_seqlets(
                torch.from_numpy(X), X_control=torch.from_numpy(Xc), target_fdr=target, return_fdr=True
            )
            ours = recursive_seqlets(X, X_control=Xc, target_fdr=target, return_fdr=True)
        _assert_identical(ours.seqlets, theirs.seqlets)
        assert list(ours.fdr.columns) == list(theirs.fdr.columns)
        assert list(ours.fdr.dtypes) == list(theirs.fdr.dtypes)
        np.testing.assert_array_equal(ours.fdr.to_numpy(), theirs.fdr.to_numpy())
    assert len(ours.seqlets) == 0
    with pytest.warns(UserWarning, match="target FDR"):
        recursive_seqlets(X, X_control=Xc, target_fdr=1e-12)


def test_projection_of_per_letter_attributions():
    rng = np.random.default_rng(3)
    X3 = rng.normal(size=(5, 4, 120)).astype(np.float32) * 0.05
    X3[:, 1, 40:52] += 0.6
    want = recursive_seqlets(X3.sum(axis=1))
    got = recursive_seqlets(torch.from_numpy(X3))
    pd.testing.assert_frame_equal(got, want)
    assert len(got) >= 5


def _overlaps(a, b):
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


@pytest.mark.parametrize("flanks", [0, 4])
def test_negative_and_both(flanks):
    X = _attributions(21, 12, 300)
    pos = peer_seqlet.recursive_seqlets(torch.from_numpy(X), additional_flanks=flanks)
    neg = peer_seqlet.recursive_seqlets(torch.from_numpy(-X), additional_flanks=flanks)
    pos_rows = pos[["example_idx", "start", "end"]].to_numpy()
    keep = [not any(_overlaps(r, p) for p in pos_rows) for r in neg[["example_idx", "start", "end"]].to_numpy()]
    want = neg[keep].assign(attribution=lambda d: -d["attribution"])
    assert 0 < len(want) < len(neg) or flanks == 0

    got = recursive_seqlets(X, sign="negative", additional_flanks=flanks)
    assert (got["sign"] == -1).all() and got["sign"].dtype == np.int8
    assert (got["attribution"] < 0).all()
    _assert_identical(got, want)

    both = recursive_seqlets(X, sign="both", additional_flanks=flanks)
    assert len(both) == len(pos) + len(want)
    _assert_identical(both[both["sign"] == 1].reset_index(drop=True), pos)
    _assert_identical(both[both["sign"] == -1].reset_index(drop=True), want)
    assert np.all(np.diff(both["p-value"].to_numpy()) >= 0)


@pytest.mark.parametrize(
    "X, kwargs, msg",
    [
        (np.array([[0.1, np.nan, 0.3, 0.2]]), {}, "NaN"),
        (np.array([[0.1, 0.2], [np.inf, 0.0]]), {}, "NaN/inf"),
        (np.zeros(10), {}, "shape"),
        (np.zeros((2, 3, 10)), {}, "n, 4, L"),
        (np.zeros((0, 10)), {}, "empty"),
        (np.ones((2, 10)), dict(threshold=1.5), "threshold"),
        (np.ones((2, 10)), dict(threshold=float("nan")), "threshold"),
        (np.ones((2, 10)), dict(return_fdr=True), "X_control"),
        (np.ones((2, 10)), dict(sign="up"), "sign"),
        (np.ones((2, 10)), dict(min_seqlet_len=5, max_seqlet_len=4), "max_seqlet_len"),
        (np.ones((2, 10)), dict(X_control=np.zeros((1, 3, 4))), "X_control|n, 4, L"),
        ("no-such-file.npz", {}, "no such"),
    ],
)
def test_errors(X, kwargs, msg):
    with pytest.raises((BadInputError, FileNotFoundError), match=msg):
        recursive_seqlets(X, **kwargs)


class _FakeRun:
    def __init__(self, store):
        self.store = store
        self.run_id = len(store.runs)
        self.tables = []

    def write(self, table):
        self.tables.append(table)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.store.runs.append(self)


class _FakeStore:
    def __init__(self, lengths):
        self.lengths = None if lengths is None else np.asarray(lengths, dtype=np.int64)
        self.runs = []
        self.added = None

    def example_lengths(self):
        return self.lengths

    def add_sequences(self, source):
        self.added = source

    def begin_run(self, kind, **kw):
        assert kind == "seqlets" and kw["tool"] == "annostore.recursive_seqlets"
        run = _FakeRun(self)
        run.kw = kw
        return run


def test_call_seqlets_store_fake(tmp_path):
    X = _attributions(31, 8, 200)
    path = tmp_path / "attr.npz"
    np.savez(path, attributions=X)
    store = _FakeStore([200] * 8)
    run_id = call_seqlets_store(store, path, threshold=0.01, run="r1")
    assert run_id == 0
    (run,) = store.runs
    table = run.tables[0]
    assert table.column_names == ["example_idx", "start", "end", "attribution", "p_value", "sign"]
    want = recursive_seqlets(X, sign="both")
    assert table.num_rows == len(want)
    got = table.to_pandas()
    np.testing.assert_array_equal(np.sort(got["p_value"]), np.sort(want["p-value"]))
    assert set(got["sign"]) <= {1, -1}
    assert run.kw["input"] == str(path) and len(run.kw["input_sha256"]) == 64
    assert run.kw["params"]["threshold"] == 0.01

    with pytest.raises(BadInputError, match="8 examples of attributions but the store has 9"):
        call_seqlets_store(_FakeStore([200] * 9), X)
    with pytest.raises(BadInputError, match="longest example of the store has 250"):
        call_seqlets_store(_FakeStore([250] * 8), X)
    # shorter examples: nothing past their end
    short = _FakeStore([120] * 8)
    X2 = X[:, :200].copy()
    call_seqlets_store(short, X2, sign="positive")
    rows = short.runs[0].tables[0].to_pandas()
    assert (rows["start"] < 120).all() and (rows["end"] <= 120).all()
    # sequences added to a store without examples
    empty = _FakeStore(None)
    call_seqlets_store(empty, X, sequences=["ACGT" * 50] * 8)
    assert empty.added is not None and len(empty.runs) == 1
    with pytest.raises(BadInputError, match="8 examples of attributions but 3 sequences"):
        call_seqlets_store(_FakeStore(None), X, sequences=["ACGT" * 50] * 3)


def test_call_seqlets_store_real(tmp_path):
    import annostore as store_mod
    X = _attributions(41, 6, 150)
    seqs = ["".join(np.random.default_rng(i).choice(list("ACGT"), 150)) for i in range(6)]
    with store_mod.open(tmp_path / "s.store") as store:
        run_id = call_seqlets_store(store, X, sequences=seqs, sign="both", run="mine")
        got = store.con.execute(
            "SELECT example_idx, start, \"end\", attribution, p_value, sign FROM seqlets WHERE run_id = ? "
            "ORDER BY example_idx, start, sign",
            [run_id],
        ).df()
    want = _by_position(recursive_seqlets(X, sign="both").sort_values(["example_idx", "start", "sign"]))
    assert len(got) == len(want) > 0
    np.testing.assert_array_equal(got["start"].to_numpy(), want["start"].to_numpy())
    np.testing.assert_array_equal(got["p_value"].to_numpy(), want["p-value"].to_numpy())


def test_cli_seqlets(tmp_path):
    from annostore_cli.app import app
    from typer.testing import CliRunner

    X = _attributions(51, 5, 120).astype(np.float32)
    np.savez(tmp_path / "attr.npz", attributions=X)
    rng = np.random.default_rng(0)
    fasta = tmp_path / "s.fa"
    fasta.write_text("".join(f">s{i}\n{''.join(rng.choice(list('ACGT'), 120))}\n" for i in range(5)))
    store = tmp_path / "cli.store"
    runner = CliRunner()
    res = runner.invoke(app, ["seqlets", str(store), "--attributions", str(tmp_path / "attr.npz"),
                              "--sequences", str(fasta), "--sign", "positive", "--flanks", "2", "--name", "p"])
    assert res.exit_code == 0, res.output
    run_id = int(res.stdout.strip().splitlines()[-1])
    import annostore

    with annostore.open(store, read_only=True) as s:
        got = s.con.execute("SELECT start, \"end\", p_value FROM seqlets WHERE run_id = ? ORDER BY example_idx, start",
                            [run_id]).df()
    want = _by_position(recursive_seqlets(X, additional_flanks=2))
    np.testing.assert_array_equal(got["start"].to_numpy(), want["start"].to_numpy())
    np.testing.assert_array_equal(got["p_value"].to_numpy(), want["p-value"].to_numpy())
    bad = runner.invoke(app, ["seqlets", str(store), "--attributions", str(tmp_path / "missing.npz")])
    assert bad.exit_code == 66
    bad = runner.invoke(app, ["seqlets", str(store), "--attributions", str(tmp_path / "attr.npz"), "--threshold", "2"])
    assert bad.exit_code == 65


def test_seqlets_longer_than_examples():
    X = _attributions(61, 4, 30)
    empty = recursive_seqlets(X, min_seqlet_len=40, max_seqlet_len=45)
    assert len(empty) == 0 and list(empty.columns) == COLS
    theirs = peer_seqlet.recursive_seqlets(torch.from_numpy(X), min_seqlet_len=40, max_seqlet_len=45)
    assert len(theirs) == 0
    # a huge max_seqlet_len costs nothing: the null stops at the longest example
    _assert_identical(recursive_seqlets(X, max_seqlet_len=10**6, threshold=0.5),
                      peer_seqlet.recursive_seqlets(torch.from_numpy(X), max_seqlet_len=30, threshold=0.5))
