"""TOMTOM: MEME's worked example, enumerated p-values, seqlet fast path vs MEME path, memelite."""

from __future__ import annotations

import io
import itertools
import math
import warnings

import numpy as np
import pytest

from annostore.core.annotate import _match_seqlets, annotate_seqlets
from annostore.core.motifs import Motif, MotifSet
from annostore.core.tomtom import tomtom
from annostore.errors import BadInputError
from annostore.io.motifs import read_motifs
from annostore.io.tomtom_tsv import write_tomtom_tsv
from annostore.store.pipelines import annotate_store
from meme_fixtures import QUERY_MEME, TARGET_MEME



@pytest.fixture(scope="module")
def example(tmp_path_factory):
    d = tmp_path_factory.mktemp("tomtom")
    (d / "q.meme").write_text(QUERY_MEME)
    (d / "t.meme").write_text(TARGET_MEME)
    return d / "q.meme", d / "t.meme"


def _tsv_rows(table):
    buf = io.StringIO()
    write_tomtom_tsv(table, buf)
    lines = buf.getvalue().split("\n")
    return [ln.split("\t") for ln in lines[1 : 1 + table.num_rows]]


def test_worked_example_ed(example):
    # meme-reference.md §2.7: MEME 5.5.8 `tomtom -text -thresh 1`
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = tomtom(*example, thresh=1)
    assert _tsv_rows(t) == [
        ["Q1", "TA", "0", "0.000144668", "0.000434004", "0.000868008", "4", "ACGT", "ACGTT", "-"],
        ["Q1", "TC", "1", "0.549253", "1.64776", "0.82388", "3", "ACGT", "ATCG", "+"],
        ["Q1", "TB", "-3", "0.755367", "2.2661", "0.906441", "1", "ACGT", "TGA", "+"],
    ]
    assert t.column("rank").to_pylist() == [1, 2, 3]
    assert t.column("target_idx").to_pylist() == [0, 2, 1]


def test_worked_example_variants(example):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pearson = tomtom(*example, dist="pearson", thresh=1)
        incomplete = tomtom(*example, complete_scores=False, thresh=1)
    row = _tsv_rows(pearson)[0]
    assert row[1:4] == ["TA", "1", "0.00601455"] and row[8:] == ["TACGT", "+"]
    row = _tsv_rows(incomplete)[0]
    assert row[1:5] == ["TA", "0", "0.000578704", "0.00173611"]


def test_threshold_and_n_nearest(example):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert tomtom(*example, thresh=0.5).column("target").to_pylist() == ["TA"]  # MEME default -thresh 0.5
        assert tomtom(*example, thresh=1.0, evalue=True).column("target").to_pylist() == ["TA"]
        assert tomtom(*example, n_nearest=2).column("target").to_pylist() == ["TA", "TC"]
        norc = tomtom(*example, norc=True)
    assert set(norc.column("orientation").to_pylist()) == {"+"}


def _enumerated_p(q, targets, k_obs, L):
    """Brute force of MEME's complete-score null for a tiny case (pseudocounted inputs)."""
    cols = np.concatenate([m.T for m in targets], axis=0)
    s = -np.sqrt(((q.T[:, None, :] - cols[None, :, :]) ** 2).sum(-1))
    t = cols.shape[0]
    k1, k2 = max(math.floor(t / 2) - 1, 0), max(math.ceil(t / 2) - 1, 0)
    for i in range(s.shape[0]):
        srt = np.sort(s[i])
        s[i] -= (srt[k1] + srt[k2]) / 2
    off = math.floor(s.min())
    scale = math.floor(100 / (s.max() - off))
    m = np.floor((s - off) * scale + 0.5).astype(int)
    z = -off * scale
    Q = q.shape[1]
    surv = []
    for c in range(1, Q + L):
        a, b = max(0, Q - c), min(Q - 1, Q - c + L - 1)
        n = b - a + 1
        hits = sum(
            1 for combo in itertools.product(range(t), repeat=n)
            if sum(m[a + i, j] for i, j in enumerate(combo)) + (Q - n) * z >= k_obs
        )
        surv.append(hits / t**n)
    return 1 - np.prod((1 - np.array(surv)) ** 2), m, z


def test_p_values_enumerated():
    rng = np.random.default_rng(3)
    tg = MotifSet([Motif(f"T{i}", rng.dirichlet(np.ones(4), size=w).T) for i, w in enumerate((2, 3, 2))])
    qm = MotifSet([Motif("q", rng.dirichlet(np.ones(4) * 0.5, size=2).T)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = tomtom(qm, tg)
    from annostore.core.tomtom import _prepare_targets, _pseudo

    bg = np.full(4, 0.25)
    prep = _prepare_targets(tg, bg, 0.1, True)
    q = _pseudo(qm[0].pwm, None, bg, 0.1)
    for row in res.to_pylist():
        L = tg[row["target_idx"]].width
        e = 2 * row["target_idx"] + (row["orientation"] == "-")
        tmat = prep.matrices[e]
        # observed complete score of the reported alignment, recomputed from the scaled matrix
        _, m, z = _enumerated_p(q, prep.matrices, 0, L)
        col0 = int(prep.starts[e])
        k_obs = 0
        for i in range(q.shape[1]):
            j = i + row["offset"]
            k_obs += m[i, col0 + j] if 0 <= j < tmat.shape[1] else z
        p, _, _ = _enumerated_p(q, prep.matrices, k_obs, L)
        assert row["p_value"] == pytest.approx(float(np.float32(p)), rel=1e-6)


def _one_hot(codes):
    codes = np.asarray(codes)
    X = np.zeros((codes.shape[0], 4, codes.shape[1]), dtype=np.int8)
    for a in range(4):
        X[:, a, :] = codes == a
    return X


def test_fast_path_equals_meme_path(jaspar_path):
    """Seqlet annotation (shared column types) == tomtom() on the windows written as motifs."""
    tset = read_motifs(jaspar_path)[:80]
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 4, size=(12, 40))
    codes[2, 7] = 4  # an N inside a window
    X = _one_hot(codes)
    starts = rng.integers(0, 15, size=12)
    widths = rng.integers(5, 26, size=12)
    seqlets = np.stack([np.arange(12), starts, starts + widths], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast, _ = _match_seqlets(X, seqlets, tset, 3)
        windows = []
        for i, (e, s, t) in enumerate(seqlets):
            w = X[e, :, s:t].astype(float)
            w[:, w.sum(0) == 0] = 0.25
            windows.append(Motif(f"s{i}", w))
        ref = tomtom(MotifSet(windows, background=np.full(4, 0.25)), tset, n_nearest=3)
    ref_idx = np.array(ref.column("target_idx").to_pylist()).reshape(12, 3)
    ref_p = np.array(ref.column("p_value").to_pylist()).reshape(12, 3)
    np.testing.assert_array_equal(fast.idx, ref_idx)
    np.testing.assert_allclose(fast.p, ref_p, rtol=1e-6)
    np.testing.assert_array_equal(fast.offset, np.array(ref.column("offset").to_pylist()).reshape(12, 3))
    np.testing.assert_array_equal(fast.overlap, np.array(ref.column("overlap").to_pylist()).reshape(12, 3))
    orient = np.where(np.array(ref.column("orientation").to_pylist()) == "-", 1, 0).reshape(12, 3)
    np.testing.assert_array_equal(fast.orient, orient)


def test_offsets_and_orientation_with_reverse_complement(jaspar_path):
    tset = read_motifs(jaspar_path)
    target = tset.index("MA0139.2")  # CTCF, width 15+
    pwm = tset[target].pwm
    L = pwm.shape[1]
    sub = pwm[:, 2:12]
    qs = MotifSet([Motif("fwd", sub), Motif("rev", np.ascontiguousarray(sub[::-1, ::-1]))])
    res = tomtom(qs, tset, n_nearest=1).to_pylist()
    assert [r["target_idx"] for r in res] == [target, target]
    assert (res[0]["orientation"], res[0]["offset"], res[0]["overlap"]) == ("+", 2, 10)
    assert (res[1]["orientation"], res[1]["offset"], res[1]["overlap"]) == ("-", L - 12, 10)


def _planted(jaspar_path, names, seed=0):
    tset = read_motifs(jaspar_path)
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, size=(len(names), 50))
    rows = []
    for i, name in enumerate(names):
        pwm = tset[tset.index(name)].pwm
        cons = pwm.argmax(axis=0)
        codes[i, 10 : 10 + cons.shape[0]] = cons
        rows.append((i, 8, 12 + cons.shape[0]))
    return tset, _one_hot(codes), np.array(rows)


@pytest.mark.peer
def test_best_match_agrees_with_memelite(jaspar_path):
    import torch
    from tangermeme.annotate import annotate_seqlets as peer

    names = ["MA0139.2", "MA0035.5", "MA0099.4", "MA0645.2", "MA0476.2", "MA0098.4"]
    tset, X, rows = _planted(jaspar_path, names)
    idx, p = annotate_seqlets(torch.from_numpy(X), rows, tset, n_nearest=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pandas as pd

        pidx, pp = peer(torch.from_numpy(X), pd.DataFrame(rows), tset.to_dict(), n_nearest=1, n_jobs=1)
    assert idx.dtype == torch.int32 and p.dtype == torch.float64 and tuple(idx.shape) == (len(names), 1)
    assert idx[:, 0].tolist() == pidx[:, 0].tolist()
    assert np.all(p.numpy() < 1e-3)
    # memelite's p-values are approximations of the same quantity
    np.testing.assert_allclose(p.numpy(), pp.numpy(), rtol=0.5)


def test_tutorial_flow_ap1_etv6(jaspar_path):
    """2,000 bp synthetic sequence, two AP-1 sites and one ETV6 site; seqlets placed over them."""
    import torch

    rng = np.random.default_rng(7)
    codes = rng.integers(0, 4, size=(1, 2000))
    lut = {c: i for i, c in enumerate("ACGT")}
    sites = {500: "ATGACTCAT", 1200: "GTGAGTCAC", 1600: "CCGGAAGTG"}
    for pos, s in sites.items():
        codes[0, pos : pos + len(s)] = [lut[c] for c in s]
    X = torch.from_numpy(_one_hot(codes))
    seqlets = np.array([(0, pos - 2, pos + len(s) + 2) for pos, s in sites.items()])
    idx, p = annotate_seqlets(X, seqlets, str(jaspar_path), n_nearest=5)
    tset = read_motifs(jaspar_path)
    best = [tset[i].alt_name.upper() for i in idx[:, 0].tolist()]
    ap1 = ("FOS", "JUN", "BATF", "ATF", "JDP", "BACH", "NFE2", "MAF")
    assert any(best[0].startswith(f) for f in ap1), best
    assert any(best[1].startswith(f) for f in ap1), best
    top5_etv = [tset[i].alt_name.upper() for i in idx[2].tolist()]
    assert any(n.startswith(("ETV", "ETS", "ELK", "ELF", "ERG", "FLI", "GABPA", "SPI", "EHF", "ETV6")) for n in top5_etv)
    assert np.all(np.diff(p.numpy(), axis=1) >= 0)


def test_bad_input(jaspar_path):
    X = _one_hot(np.zeros((2, 30), dtype=int))
    tset = read_motifs(jaspar_path)[:60]
    with pytest.raises(BadInputError):
        annotate_seqlets(X, np.array([[0, 5, 3]]), tset)
    with pytest.raises(BadInputError):
        annotate_seqlets(X, np.array([[5, 0, 10]]), tset)
    with pytest.raises(BadInputError):
        annotate_seqlets(X, np.array([[0, 0, 10]]), tset, n_nearest=0)
    with pytest.raises(BadInputError):
        annotate_seqlets(X[:, :3], np.array([[0, 0, 10]]), tset)
    with pytest.raises(BadInputError):
        tomtom(tset[:1], tset, dist="kullback")
    idx, p = annotate_seqlets(X, np.zeros((0, 3), dtype=int), tset, n_nearest=2)
    assert tuple(idx.shape) == (0, 2)


def test_annotate_store(tmp_path, jaspar_path):
    import pyarrow as pa

    import annostore

    tset, X, rows = _planted(jaspar_path, ["MA0139.2", "MA0035.5", "MA0645.2"])
    store = annostore.open(tmp_path / "s.store")
    store.add_motifs(read_motifs(jaspar_path)[:200])
    store.add_sequences(X)
    with store.begin_run("seqlets", tool="test") as run:
        run.write(pa.table({
            "example_idx": pa.array(rows[:, 0], pa.int64()), "start": pa.array(rows[:, 1], pa.int64()),
            "end": pa.array(rows[:, 2], pa.int64()), "sign": pa.array([1, 1, 1], pa.int8()),
        }))
        seqlet_run = run.run_id
    run_id = annotate_store(store, n_nearest=2)
    got = store.con.execute(
        "SELECT seqlet_id, rank, motif_idx, motif, p_value, orientation, seqlet_run_id FROM matches "
        "WHERE run_id = ? ORDER BY seqlet_id, rank", [run_id]
    ).fetchall()
    sub = store.motif_set()
    idx, p = annotate_seqlets(X, rows, sub, n_nearest=2)
    assert [(r[0], r[1], r[2]) for r in got] == [(s, k + 1, int(idx[s, k])) for s in range(3) for k in range(2)]
    np.testing.assert_allclose([r[4] for r in got], p.numpy().reshape(-1))
    assert {r[6] for r in got} == {seqlet_run}
    assert got[0][3] == sub[int(idx[0, 0])].name


def test_cli_tomtom_text_and_annotate(example, tmp_path, jaspar_path):
    import pyarrow as pa
    from annostore_cli.app import app
    from typer.testing import CliRunner

    import annostore

    runner = CliRunner()
    res = runner.invoke(app, ["tomtom", str(example[0]), str(example[1]), "--text", "--thresh", "1"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split("\t")[:4] == ["Query_ID", "Target_ID", "Optimal_offset", "p-value"]
    assert lines[1] == "Q1\tTA\t0\t0.000144668\t0.000434004\t0.000868008\t4\tACGT\tACGTT\t-"
    assert lines[4] == "" and lines[5].startswith("#")
    res = runner.invoke(app, ["tomtom", str(tmp_path / "missing.meme"), str(example[1]), "--text"])
    assert res.exit_code == 66

    tset, X, rows = _planted(jaspar_path, ["MA0139.2"])
    path = tmp_path / "c.store"
    store = annostore.open(path)
    store.add_motifs(read_motifs(jaspar_path)[:100])
    store.add_sequences(X)
    with store.begin_run("seqlets", tool="test") as run:
        run.write(pa.table({"example_idx": pa.array([0], pa.int64()), "start": pa.array([8], pa.int64()),
                            "end": pa.array([int(rows[0, 2])], pa.int64()), "sign": pa.array([1], pa.int8())}))
    store.close()
    res = runner.invoke(app, ["annotate", str(path), "--n-nearest", "3", "--motifs", "MA0139.2",
                              "--motifs", "MA0002.3"])
    assert res.exit_code == 0, res.output
    run_id = int(res.stdout.strip().splitlines()[-1])
    store = annostore.open(path, read_only=True)
    got = store.con.execute("SELECT rank, motif FROM matches WHERE run_id = ? ORDER BY rank", [run_id]).fetchall()
    assert got == [(1, "MA0139.2"), (2, "MA0002.3")]
