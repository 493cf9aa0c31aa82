"""modisco-lite results and Fi-NeMo hits: layouts, coordinates, errors."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from annostore.errors import BadInputError
from annostore.io.finemo import finemo_to_examples, read_finemo_hits
from annostore.io.modisco import DEFAULT_WINDOW, read_modisco
from genomic_files import write_modisco_h5


def _pattern(rng, w, n, window):
    seq = rng.dirichlet(np.ones(4), size=w)
    start = rng.integers(0, window - w, n)
    return {"sequence": seq, "contrib": rng.normal(size=(w, 4)), "start": start, "end": start + w,
            "example_idx": rng.integers(0, 6, n), "is_revcomp": rng.integers(0, 2, n).astype(bool),
            "seqlet_contrib": rng.normal(size=(n, w, 4))}


@pytest.fixture()
def modisco_file(tmp_path):
    rng = np.random.default_rng(5)
    pats = {"pos_patterns.pattern_0": _pattern(rng, 8, 4, 40), "pos_patterns.pattern_1": _pattern(rng, 6, 3, 40),
            "neg_patterns.pattern_0": _pattern(rng, 5, 2, 40),
            "pos_patterns.pattern_0.subpattern_0": _pattern(rng, 8, 2, 40)}
    path = tmp_path / "modisco_results.h5"
    write_modisco_h5(path, pats, window=40)
    return path, pats


def test_modisco_patterns_and_seqlets(modisco_file):
    path, pats = modisco_file
    res = read_modisco(path)
    assert res.window_size == 40 and res.window_from_file
    names = [p.name for p in res.all_patterns()]
    assert names == ["pos_patterns.pattern_0", "pos_patterns.pattern_0.subpattern_0", "pos_patterns.pattern_1",
                     "neg_patterns.pattern_0"]
    p0 = res.patterns[0]
    np.testing.assert_allclose(p0.pfm, (pats["pos_patterns.pattern_0"]["sequence"]).T)
    np.testing.assert_array_equal(p0.cwm, pats["pos_patterns.pattern_0"]["contrib"].T)
    table = res.seqlets(example_length=100, n_examples=6)
    off = 100 // 2 - 40 // 2
    want = np.concatenate([pats[k]["start"] for k in ("pos_patterns.pattern_0", "pos_patterns.pattern_1",
                                                      "neg_patterns.pattern_0")]) + off
    assert table["start"].to_pylist() == want.tolist()
    assert table["sign"].to_pylist() == [1] * 7 + [-1] * 2
    assert table["pattern"].to_pylist()[:5] == ["pos_patterns.pattern_0"] * 4 + ["pos_patterns.pattern_1"]
    np.testing.assert_allclose(table["attribution"].to_numpy()[:4],
                               pats["pos_patterns.pattern_0"]["seqlet_contrib"].sum(axis=(1, 2)))
    rc = pats["pos_patterns.pattern_0"]["is_revcomp"]
    assert table["strand"].to_pylist()[:4] == ["-" if r else "+" for r in rc]
    with pytest.raises(BadInputError, match="outside the store's examples"):
        res.seqlets(example_length=30, n_examples=6)
    with pytest.raises(BadInputError, match="--window 50 but the file records window_size 40"):
        read_modisco(path, window=50)


def test_modisco_without_window_attribute(tmp_path):
    rng = np.random.default_rng(6)
    path = tmp_path / "old.h5"
    write_modisco_h5(path, {"pos_patterns.pattern_0": _pattern(rng, 8, 3, 400)}, window=None)
    res = read_modisco(path)
    assert res.window_size == DEFAULT_WINDOW and not res.window_from_file
    assert read_modisco(path, window=300).window_size == 300


def test_bad_modisco_files(tmp_path):
    import h5py

    p = tmp_path / "x.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("shap", data=np.zeros(3))
    with pytest.raises(BadInputError, match="no pos_patterns/neg_patterns"):
        read_modisco(p)
    rng = np.random.default_rng(7)
    pat = _pattern(rng, 8, 3, 40)
    pat["sequence"] = pat["sequence"][:, :3]
    write_modisco_h5(p, {"pos_patterns.pattern_0": pat}, window=40)
    with pytest.raises(BadInputError, match=r"pos_patterns.pattern_0/sequence must be \(w, 4\)"):
        read_modisco(p)
    pat = _pattern(rng, 8, 3, 40)
    pat["end"] = pat["end"][:2]
    write_modisco_h5(p, {"pos_patterns.pattern_0": pat}, window=40)
    with pytest.raises(BadInputError, match="lengths differ"):
        read_modisco(p)


@pytest.mark.peer
def test_modisco_lite_writer(tmp_path):
    from modiscolite import core, io

    rng = np.random.default_rng(8)
    n, length = 4, 50
    one_hot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, length))]
    hyp = rng.normal(size=(n, length, 4)).astype(np.float32)
    contrib = hyp * one_hot
    tracks = core.TrackSet(one_hot, contrib, hyp)
    seqlets = tracks.create_seqlets([core.Seqlet(0, 3, 13, False), core.Seqlet(2, 20, 30, True),
                                     core.Seqlet(3, 40, 50, False)])
    pattern = core.SeqletSet(seqlets)
    path = tmp_path / "modisco_results.h5"
    io.save_hdf5(str(path), [pattern], None, window_size=length)
    res = read_modisco(path)
    assert res.window_size == length
    p = res.patterns[0]
    assert p.name == "pos_patterns.pattern_0"
    np.testing.assert_allclose(p.pfm, pattern.sequence.T / pattern.sequence.T.sum(axis=0))
    table = res.seqlets(example_length=length, n_examples=n)
    assert table["example_idx"].to_pylist() == [0, 2, 3]
    assert table["start"].to_pylist() == [3, 20, 40]
    assert table["strand"].to_pylist() == ["+", "-", "+"]
    np.testing.assert_allclose(table["attribution"].to_numpy(),
                               [contrib[0, 3:13].sum(), contrib[2, 20:30].sum(), contrib[3, 40:50].sum()], rtol=1e-5)


FINEMO_HEADER = ("chr\tstart\tend\tstart_untrimmed\tend_untrimmed\tmotif_name\thit_coefficient\t"
                 "hit_coefficient_global\thit_similarity\thit_correlation\thit_importance\thit_importance_sq\t"
                 "strand\tpeak_name\tpeak_id\n")


def _hits(tmp_path, rows):
    p = tmp_path / "hits.tsv"
    p.write_text(FINEMO_HEADER + "".join(
        f"{c}\t{s}\t{e}\t{s - 2}\t{e + 2}\t{m}\t0.5\t0.7\t0.9\t0.9\t1.25\t2.5\t{st}\t{pn}\t{pid}\n"
        for c, s, e, m, st, pn, pid in rows))
    return p


REGIONS = pa.table({
    "example_idx": pa.array([0, 1, 2], pa.int64()), "chrom": ["chr1", "chr1", "chr2"],
    "start": pa.array([100, 1000, 50], pa.int64()), "end": pa.array([200, 1100, 150], pa.int64()),
    "name": ["a", "b", "c"], "length": pa.array([100, 100, 100], pa.int64()),
    "peak_idx": pa.array([0, 2, 3], pa.int64()),  # peak 1 was dropped at the chromosome edge
})


def test_finemo_hits_by_peak_id_name_and_overlap(tmp_path):
    rows = [("chr1", 110, 118, "pos_patterns.pattern_0", "+", "a", 0),
            ("chr1", 1090, 1100, "pos_patterns.pattern_1", "-", "b", 2),
            ("chr2", 50, 55, "neg_patterns.pattern_0", "+", "c", 3)]
    table = read_finemo_hits(_hits(tmp_path, rows))
    out = finemo_to_examples(table, REGIONS)
    assert out["example_idx"].to_pylist() == [0, 1, 2]
    assert out["start"].to_pylist() == [10, 90, 0] and out["end"].to_pylist() == [18, 100, 5]
    assert out["score"].to_pylist() == [0.7] * 3 and out["attribution"].to_pylist() == [1.25] * 3
    by_name = finemo_to_examples(table.drop_columns(["peak_id"]), REGIONS)
    assert by_name["example_idx"].to_pylist() == [0, 1, 2]
    by_overlap = finemo_to_examples(table.drop_columns(["peak_id", "peak_name"]), REGIONS)
    assert by_overlap["example_idx"].to_pylist() == [0, 1, 2]


def test_finemo_hits_errors(tmp_path):
    table = read_finemo_hits(_hits(tmp_path, [("chr1", 110, 118, "m", "+", "x", 1)]))
    with pytest.raises(BadInputError, match="1 hits match no store example by peak_id"):
        finemo_to_examples(table, REGIONS)
    table = read_finemo_hits(_hits(tmp_path, [("chr1", 190, 210, "m", "+", "a", 0)]))
    with pytest.raises(BadInputError, match=r"row 1 lies outside example 0 \(\[90, 110\) of 100 bp\)"):
        finemo_to_examples(table, REGIONS)
    bad = tmp_path / "bad.tsv"
    bad.write_text("chr\tstart\tend\nchr1\t1\t2\n")
    with pytest.raises(BadInputError, match="not a Fi-NeMo hits table"):
        read_finemo_hits(bad)


def test_finemo_hits_without_genome_coordinates(tmp_path):
    rows = [("NA", 3, 11, "m", "+", "NA", 2)]
    table = read_finemo_hits(_hits(tmp_path, rows))
    out = finemo_to_examples(table, REGIONS, window=60)  # Fi-NeMo's 60-bp windows inside 100-bp examples
    assert out["example_idx"].to_pylist() == [1]  # peak_id 2 is the regions' peak_idx 2
    assert out["start"].to_pylist() == [3 + 100 // 2 - 60 // 2] and out["end"].to_pylist() == [11 + 20]
