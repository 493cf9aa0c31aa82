"""annostore.fimo: MEME FIMO numbers (worked example, brute force, pymemesuite), memelite
agreement when configured alike, outputs (table, batches, memelite shape, fimo.tsv, store)."""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import annostore
from annostore.compat.memelite import to_memelite
from annostore.core.fimo import fimo_batches
from annostore.core.fimo_tables import _pvalue_table, motif_pssm, prepare_background
from annostore.errors import BadInputError
from annostore.io.fimo_tsv import write_fimo_tsv
from annostore.io.motifs import read_motifs
from annostore.store.pipelines import scan_store

JASPAR = Path(__file__).resolve().parents[1] / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"

TINY_MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.3 C 0.2 G 0.2 T 0.3

MOTIF TINY1 tinyAlt
letter-probability matrix: alength= 4 w= 6 nsites= 10 E= 0
0.80 0.10 0.05 0.05
0.05 0.05 0.85 0.05
0.10 0.10 0.10 0.70
0 1 0 0
0.60 0.20 0.10 0.10
0.25 0.25 0.25 0.25
URL http://example.org/TINY1
"""
TINY_FA = ">seq1 first test sequence\nACGTAGTCAAGGTTTAGTCATTTT\n>seq2\nttagtcaNagtcag\n>seq3\nGGGGGGGGAGTCAC\n>chr2:101-120\nCCCCAGTCAGCCCCTGACTA\n"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny")
    (d / "tiny.meme").write_text(TINY_MEME)
    (d / "tiny.fa").write_text(TINY_FA)
    return d / "tiny.meme", d / "tiny.fa"


def _rows(table):
    df = table.to_pandas().sort_values(["p_value", "example_idx", "start", "strand"])
    return [(r.sequence_name, r.start + 1, r.end, r.strand, "%g" % r.score, "%.3g" % r.p_value, "%.3g" % r.q_value)
            for r in df.itertuples()]


# --------------------------------------------------------------------------------------------
# meme-reference §1.12 worked example


def test_worked_example_pssm(tiny):
    ms = read_motifs(tiny[0])
    bg = prepare_background("nrdb", ms)
    np.testing.assert_allclose(bg, [0.27455195, 0.22544805, 0.22544805, 0.27455195], atol=5e-9)
    matrix, scale, offset = motif_pssm(ms[0], bg)
    assert (scale, offset) == (109, -7)
    assert matrix.tolist() == [[930, 637, 532, 502], [502, 532, 971, 502], [607, 637, 637, 909],
                               [37, 996, 37, 37], [885, 744, 637, 607], [748, 779, 779, 748]]
    assert _pvalue_table(matrix, bg).shape == (6001,)


def test_worked_example_default(tiny):
    stats: dict = {}
    table = pa.Table.from_batches(list(fimo_batches(tiny[0], tiny[1], 0.01, matched_sequence=True, stats=stats)))
    assert stats["tests"] == {0: 92} and stats["pi0"] == {0: 1.0}
    assert sorted(_rows(table)) == sorted([
        ("seq3", 9, 14, "+", "8.18349", "0.000474", "0.0109"),
        ("seq2", 9, 14, "+", "8.18349", "0.000474", "0.0109"),
        ("chr2:101-120", 5, 10, "+", "8.18349", "0.000474", "0.0109"),
        ("chr2:101-120", 14, 19, "-", "8.18349", "0.000474", "0.0109"),
        ("seq1", 5, 10, "+", "7.89908", "0.00105", "0.0161"),
        ("seq1", 16, 21, "+", "7.89908", "0.00105", "0.0161"),
        ("chr2:101-120", 9, 14, "+", "4.3945", "0.0085", "0.112"),
    ])
    ms = dict(zip(zip(table["sequence_name"].to_pylist(), table["start"].to_pylist(), table["strand"].to_pylist()),
                  table["matched_sequence"].to_pylist()))
    assert ms[("seq2", 8, "+")] == "AGTCAG" and ms[("chr2:101-120", 13, "-")] == "AGTCAG"


@pytest.mark.parametrize(
    "kw,expected",
    [
        ({"bfile": "motif"}, {("8.30841", "0.000432"), ("7.72897", "0.00108"), ("5.1215", "0.00658")}),
        ({"bfile": "--uniform--"}, {("8.14414", "0.000977")}),
        ({"norc": True}, {("8.15596", "0.000239"), ("8.11927", "0.000486"), ("7.89908", "0.000775"),
                          ("7.81651", "0.00108"), ("4.41284", "0.00819")}),
    ],
)
def test_worked_example_variants(tiny, kw, expected):
    table = annostore.fimo(tiny[0], tiny[1], 0.01, **kw)
    got = {(s, p) for _, _, _, _, s, p, _ in _rows(table)}
    assert got == expected
    if kw.get("norc"):
        assert set(table["strand"].to_pylist()) == {"+"}
        row = [r for r in _rows(table) if r[0] == "seq3"]
        assert row == [("seq3", 9, 14, "+", "8.15596", "0.000239", row[0][6])]


def test_fimo_tsv_worked_example(tiny):
    table = annostore.fimo(tiny[0], tiny[1], 0.01, matched_sequence=True)
    from annostore.io.fasta import fasta_texts

    buf = io.StringIO()
    assert write_fimo_tsv(table, buf, texts=fasta_texts(tiny[1]), command_line="fimo test") == 7
    lines = buf.getvalue().split("\n")
    assert lines[0].split("\t") == ["motif_id", "motif_alt_id", "sequence_name", "start", "stop", "strand", "score",
                                    "p-value", "q-value", "matched_sequence"]
    body = [line.split("\t") for line in lines[1:8]]
    assert ["TINY1", "tinyAlt", "chr2", "114", "119", "-", "8.18349", "0.000474", "0.0109", "AGTCAG"] in body
    assert ["TINY1", "tinyAlt", "seq2", "9", "14", "+", "8.18349", "0.000474", "0.0109", "agtcag"] in body
    assert ["TINY1", "tinyAlt", "chr2", "109", "114", "+", "4.3945", "0.0085", "0.112", "AGCCCC"] == body[-1]
    assert [float(b[7]) for b in body] == sorted(float(b[7]) for b in body)
    assert lines[8] == "" and lines[9].startswith("#") and lines[11] == "# fimo test"
    text = io.StringIO()
    write_fimo_tsv(annostore.fimo(tiny[0], tiny[1], 0.01, qvalues=False), text, text=True, parse_genomic_coord=False)
    rows = [line.split("\t") for line in text.getvalue().rstrip("\n").split("\n")[1:]]
    assert [r[2] for r in rows] == ["seq1", "seq1", "seq2", "seq3", "chr2:101-120", "chr2:101-120", "chr2:101-120"]
    assert {r[8] for r in rows} == {""} and rows[-1][3:6] == ["14", "19", "-"]


# --------------------------------------------------------------------------------------------
# brute force: every 4^w word


def test_brute_force_three_column_motif():
    gen = np.random.default_rng(7)
    pwm = gen.dirichlet(np.ones(4) * 0.7, size=3).T  # (4, 3)
    seq = "".join(gen.choice(list("ACGT"), size=10))
    bg = prepare_background("nrdb")
    ms = read_motifs({"m3": pwm})
    matrix, scale, offset = motif_pssm(ms[0], bg)
    # P(S >= s) by enumerating all 64 words
    words = list(itertools.product(range(4), repeat=3))
    scores = np.array([sum(matrix[j, a] for j, a in enumerate(wd)) for wd in words])
    probs = np.array([np.prod([bg[a] for a in wd]) for wd in words])
    table = annostore.fimo(ms, [seq], threshold=1.0, qvalues=False)
    assert table.num_rows == 2 * 8  # every window, both strands
    codes = ["ACGT".index(c) for c in seq]
    for r in table.to_pylist():
        win = codes[r["start"]:r["end"]]
        if r["strand"] == "-":
            win = [3 - c for c in win[::-1]]
        s = sum(matrix[j, a] for j, a in enumerate(win))
        assert r["score"] == pytest.approx(s / scale + 3 * offset, abs=1e-12)
        assert r["p_value"] == pytest.approx(min(1.0, probs[scores >= s].sum()), rel=1e-12)
    # threshold is inclusive: use an attained p-value exactly
    p_mid = sorted(table["p_value"].to_pylist())[5]
    sub = annostore.fimo(ms, [seq], threshold=p_mid, qvalues=False)
    assert sub.num_rows == sum(p <= p_mid for p in table["p_value"].to_pylist())


def test_non_acgt_windows_skipped_and_not_counted():
    pwm = np.full((4, 4), 0.25)
    pwm[:, 0] = [1, 0, 0, 0]
    stats: dict = {}
    seqs = {"a": "ACGTNACGTA", "b": "acgtrycgta"}
    batches = list(fimo_batches({"m": pwm}, seqs, 1.0, stats=stats))
    t = pa.Table.from_batches(batches)
    # windows of width 4 without N/IUPAC: a: starts 0, 5, 6; b: 0, 6 -> 5 windows x 2 strands
    assert stats["tests"] == {0: 10}
    assert sorted(set(zip(t["sequence_name"].to_pylist(), t["start"].to_pylist()))) == [
        ("a", 0), ("a", 5), ("a", 6), ("b", 0), ("b", 6)]
    lower = annostore.fimo({"m": pwm}, {"b": "acgtacgtac"}, 1.0)
    upper = annostore.fimo({"m": pwm}, {"b": "ACGTACGTAC"}, 1.0)
    assert lower["score"].to_pylist() == upper["score"].to_pylist()


# --------------------------------------------------------------------------------------------
# pymemesuite (MEME 5.4.1 FIMO) differential


_PM_SCRIPT = textwrap.dedent(
    """
    import sys, json
    from pymemesuite.common import MotifFile, Sequence
    from pymemesuite.fimo import FIMO
    motif_path, fasta, thresh, norc, ids = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1", sys.argv[5].split(",")
    names, seqs = [], []
    for line in open(fasta):
        line = line.strip()
        if line.startswith(">"):
            names.append(line[1:].split()[0]); seqs.append("")
        elif line:
            seqs[-1] += line
    # one trailing N: pymemesuite's scan stops one window early, so this scans every real window
    sq = [Sequence(s + "N", name=n.encode()) for n, s in zip(names, seqs)]
    fimo = FIMO(both_strands=not norc, threshold=thresh)
    out = []
    with MotifFile(motif_path, symmetrical=not norc, pseudocount=0.1) as mf:
        bg = mf.background
        for motif in mf:
            if motif.accession.decode() not in ids:
                continue
            for m in fimo.score_motif(motif, sq, bg).matched_elements:
                s, e = sorted((m.start, m.stop))
                out.append([motif.accession.decode(), m.source.accession.decode(), s - 1, e, m.strand,
                            m.score, m.pvalue, m.qvalue])
    json.dump(out, sys.stdout)
    """
)


def _random_fasta(path: Path, seed: int, n: int, lo: int, hi: int) -> None:
    gen = np.random.default_rng(seed)
    with open(path, "w") as fh:
        for i in range(n):
            s = list(gen.choice(list("ACGT"), size=int(gen.integers(lo, hi))))
            if i % 7 == 3:  # a run of N and some IUPAC letters
                s[10:14] = "NNNN"
                s[30] = "R"
            seq = "".join(s)
            fh.write(f">s{i}\n{seq.lower() if i % 5 == 2 else seq}\n")


@pytest.mark.peer
def _pymemesuite(tmp_path, motif_file, fasta, thresh, norc, ids):
    script = tmp_path / "pm.py"
    script.write_text(_PM_SCRIPT)
    res = subprocess.run([sys.executable, str(script), str(motif_file), str(fasta), repr(thresh), "1" if norc else "0",
                          ",".join(ids)], capture_output=True, text=True, check=True)
    return {(a, b, c, d, e): (f, g, h) for a, b, c, d, e, f, g, h in json.loads(res.stdout)}


@pytest.mark.parametrize("norc,n_motifs,thresh", [(False, 24, 1e-4), (True, 8, 3e-4)])
def test_against_pymemesuite(tmp_path, norc, n_motifs, thresh):
    fasta = tmp_path / "r.fa"
    _random_fasta(fasta, seed=11 + norc, n=30, lo=50, hi=3000)
    ids = read_motifs(JASPAR).names[:n_motifs]
    theirs = _pymemesuite(tmp_path, JASPAR, fasta, thresh, norc, ids)
    table = annostore.fimo(JASPAR, fasta, thresh, norc=norc, motif_names=ids, qvalue_method="meme")
    ours = {(r["motif"], r["sequence_name"], r["start"], r["end"], r["strand"]): (r["score"], r["p_value"], r["q_value"])
            for r in table.to_pylist()}
    assert len(ours) > 50
    assert set(ours) == set(theirs)
    for key, (s, p, q) in ours.items():
        ts, tp, tq = theirs[key]
        assert "%g" % s == "%g" % ts, key
        assert "%.3g" % p == "%.3g" % tp, key
        assert "%.3g" % q == "%.3g" % tq, key  # same random stream: pi0 and q-values exactly MEME's


def test_sample_qvalues_close_to_meme(tmp_path):
    fasta = tmp_path / "r.fa"
    _random_fasta(fasta, seed=5, n=20, lo=1500, hi=2500)
    ids = read_motifs(JASPAR).names[:6]
    st_meme: dict = {}
    st_sample: dict = {}
    a = pa.Table.from_batches(list(fimo_batches(JASPAR, fasta, 1e-4, motif_names=ids, qvalue_method="meme", stats=st_meme)))
    b = pa.Table.from_batches(list(fimo_batches(JASPAR, fasta, 1e-4, motif_names=ids, qvalue_method="sample", stats=st_sample)))
    assert a.drop(["q_value"]).equals(b.drop(["q_value"]))
    for k, v in st_meme["pi0"].items():
        assert abs(v - st_sample["pi0"][k]) < 0.05


# --------------------------------------------------------------------------------------------
# memelite when configured alike


@pytest.mark.peer
def test_agrees_with_memelite_configured_alike():
    import memelite
    gen = np.random.default_rng(21)
    ms = read_motifs(JASPAR)
    sel = [ms[i] for i in range(40, 70) if ms[i].width >= 8]
    pwms = {m.key: m.pwm for m in sel}
    n, length = 30, 1500
    idx = gen.integers(0, 4, size=(n, length))
    onehot = np.zeros((n, 4, length), dtype=np.int8)
    np.put_along_axis(onehot, idx[:, None, :], 1, axis=1)
    theirs = memelite.fimo(pwms, onehot, threshold=1e-4)
    # memelite: uniform background, p + 1e-4 (no renormalisation): MEME pseudocount c = 4e-4 N, N = 20
    ours = annostore.fimo(pwms, onehot, 1e-4, bfile="uniform", motif_pseudo=4e-4 * 20, qvalues=False)
    ok = {(r["motif_idx"], int(r["sequence_name"]), r["start"], r["strand"]): r for r in ours.to_pylist()}
    ref = {}
    for df in theirs:
        for r in df.itertuples():
            ref[(int(r.motif_idx), int(r.sequence_name), int(r.start), r.strand)] = r
    common = set(ok) & set(ref)
    assert len(common) > 100
    assert len(common) / len(set(ok) | set(ref)) > 0.85  # only near-threshold hits differ
    bg = np.full(4, 0.25)
    log_ratio = []
    for key in common:
        m = sel[key[0]]
        _, scale, _ = motif_pssm(m, prepare_background(bg), 4e-4 * 20)
        # scores differ only by MEME's integer quantisation (<= 0.5 / scale per column)
        assert abs(ok[key]["score"] - ref[key].score) < m.width * 0.5 / scale + 0.01
        if ref[key][-1] > 0:  # memelite reports p = 0 for some top windows (peer-figures.md)
            log_ratio.append(abs(np.log(ok[key]["p_value"] / ref[key][-1])))
    # p-values: memelite's 0.1-bit bins vs MEME's integer null; a few % apart, rare top-bin outliers
    assert np.median(log_ratio) < 0.1
    assert np.percentile(log_ratio, 95) < 0.4


# --------------------------------------------------------------------------------------------
# shapes and outputs


def test_batches_concat_equals_table_and_memelite_shape():
    gen = np.random.default_rng(2)
    seqs = ["".join(gen.choice(list("ACGT"), size=800)) for _ in range(10)]
    ms = read_motifs(JASPAR)[100:112]
    full = annostore.fimo(ms, seqs, 1e-3)
    batches = list(fimo_batches(ms, seqs, 1e-3, batch_motifs=5))
    assert len(batches) == 3
    assert pa.Table.from_batches(batches).equals(full)
    mi = full["motif_idx"].to_numpy()
    assert np.all(np.diff(mi) >= 0)
    frames = to_memelite(full, n_motifs=len(ms))
    assert len(frames) == 12
    assert list(frames[0].columns) == ["motif_name", "motif_idx", "sequence_name", "start", "end", "strand", "score", "p-value"]
    assert sum(len(f) for f in frames) == full.num_rows
    for f in frames:
        if len(f):
            strands = f["strand"].tolist()
            assert strands == sorted(strands)  # '+' block first, like memelite
    by_seq = to_memelite(full, dim=1)
    assert sum(len(f) for f in by_seq) == full.num_rows
    assert annostore.fimo(ms, seqs, 1e-3, format="memelite")[3].equals(frames[3])


def test_attributions_are_span_sums():
    gen = np.random.default_rng(4)
    n, length = 6, 300
    idx = gen.integers(0, 4, size=(n, length))
    onehot = np.zeros((n, 4, length), dtype=np.int8)
    np.put_along_axis(onehot, idx[:, None, :], 1, axis=1)
    attr = gen.normal(size=(n, 4, length))
    t = annostore.fimo(read_motifs(JASPAR)[:20], onehot, 1e-3, attributions=attr)
    assert t.num_rows > 0
    proj = attr.sum(axis=1)
    for r in t.to_pylist():
        assert r["attribution"] == pytest.approx(proj[r["example_idx"], r["start"]:r["end"]].sum(), abs=1e-9)


def test_max_stored_scores_keeps_best():
    gen = np.random.default_rng(8)
    seqs = ["".join(gen.choice(list("ACGT"), size=400)) for _ in range(5)]
    ms = read_motifs(JASPAR)[:1]
    full = annostore.fimo(ms, seqs, 0.2, qvalues=False)
    kept = annostore.fimo(ms, seqs, 0.2, qvalues=False, max_stored_scores=100)
    assert 0 < kept.num_rows <= 100 < full.num_rows
    assert max(kept["p_value"].to_pylist()) <= sorted(full["p_value"].to_pylist())[99]


def test_bad_input():
    with pytest.raises(BadInputError):
        annostore.fimo(JASPAR, ["ACGT" * 10], threshold=0)
    with pytest.raises(BadInputError):
        annostore.fimo(JASPAR, ["ACGT" * 10], bfile=[0.5, 0.5])
    with pytest.raises(BadInputError):
        annostore.fimo(JASPAR, ["ACGT" * 10], motif_names=["no-such-motif"])
    with pytest.raises(BadInputError):
        annostore.fimo(JASPAR, ["ACGT" * 10], qvalue_method="bogus")


def test_scan_store_writes_one_run(tmp_path, tiny):
    store = annostore.open(tmp_path / "s.store")
    store.add_motifs(tiny[0])
    store.add_sequences(tiny[1])
    stats: dict = {}
    run_id = scan_store(store, threshold=0.01, run="tiny-scan", stats=stats)
    assert stats["rows"] == 7
    hits = store.query("SELECT * FROM hits ORDER BY example_idx, start")
    assert hits.num_rows == 7 and set(hits["run_id"].to_pylist()) == {run_id}
    assert sorted("%.3g" % q for q in hits["q_value"].to_pylist()) == sorted(["0.0109"] * 4 + ["0.0161"] * 2 + ["0.112"])
    runs = store.runs().to_pylist()
    run = [r for r in runs if r["run_id"] == run_id][0]
    assert run["name"] == "tiny-scan" and run["tool"] == "annostore.fimo"
    params = json.loads(run["params"]) if isinstance(run["params"], str) else run["params"]
    assert params["threshold"] == 0.01 and params["bfile"] == "nrdb"
    import hashlib

    assert run["input_sha256"] == hashlib.sha256(Path(tiny[0]).read_bytes()).hexdigest()
    store.close()


def test_cli_fimo_and_scan(tmp_path, tiny):
    from annostore_cli.app import app
    from typer.testing import CliRunner

    runner = CliRunner()
    res = runner.invoke(app, ["fimo", str(tiny[0]), str(tiny[1]), "--thresh", "0.01", "--oc", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    tsv = (tmp_path / "out" / "fimo.tsv").read_text().split("\n")
    assert "TINY1\ttinyAlt\tchr2\t105\t110\t+\t8.18349\t0.000474\t0.0109\tAGTCAG" in tsv
    res = runner.invoke(app, ["fimo", str(tiny[0]), str(tmp_path / "missing.fa")])
    assert res.exit_code == 66
    res = runner.invoke(app, ["fimo", str(tiny[0]), str(tiny[1]), "--thresh", "-1"])
    assert res.exit_code == 65
    store = tmp_path / "c.store"
    s = annostore.open(store)
    s.add_motifs(tiny[0])
    s.add_sequences(tiny[1])
    s.close()
    res = runner.invoke(app, ["scan", str(store), "--thresh", "0.01", "--name", "cli-scan"])
    assert res.exit_code == 0, res.output
    assert "7 hits" in res.output


def test_more_hits_than_expected_are_all_kept():
    # poly-A against an A-rich motif: every window hits, far above the buffer estimate
    pwm = np.array([[0.97, 0.01, 0.01, 0.01]] * 12).T
    seqs = {"polyA": "A" * 20000, "mixed": "ACGT" * 50}
    t = annostore.fimo({"a12": pwm}, seqs, 1e-4, norc=True, qvalues=False)
    starts = t.filter(pa.compute.equal(t["sequence_name"], "polyA"))["start"].to_pylist()
    assert starts == list(range(20000 - 12 + 1))


def test_word_codes_across_parallel_blocks():
    from annostore.core.fimo_kernels import _bad_prefix, _word_codes

    codes = np.random.default_rng(5).integers(0, 5, size=(1 << 16) * 2 + 37).astype(np.uint8)
    words = _word_codes(codes)
    digits = np.where(codes < 4, codes, 0).astype(np.uint64)
    padded = np.concatenate([digits, np.zeros(32, np.uint64)])
    for i in [0, 1, 65535 - 15, 65535, 65536, 65537, 131071, codes.shape[0] - 1, codes.shape[0] + 15]:
        expect = sum(int(padded[i + t]) << (30 - 2 * t) for t in range(16))
        assert int(words[i]) == expect
    assert _bad_prefix(codes).tolist() == [0] + np.cumsum(codes >= 4).tolist()


def test_scan_of_every_jaspar_motif_equals_brute_force():
    """Every filter path of the scan (bitmap groups with one- and two-step filters, dense
    strands) against plain window scores of MEME's integer matrices, for all 1,019 motifs."""
    from annostore.core.fimo import _prepare_sequences, _run_scan
    from annostore.core.fimo_plan import scan_plan
    from annostore.core.fimo_tables import _prepare_tables
    from annostore.core.sequences import load_sequences

    rng = np.random.default_rng(21)
    text = "".join(rng.choice(list("ACGT"), size=6000))
    text = text[:2500] + "N" * 7 + text[2507:]
    motifs = read_motifs(JASPAR)
    seqs = load_sequences([text, text[:1800]])
    sp = _prepare_sequences(seqs)
    bg = prepare_background("nrdb", motifs)
    codes = np.asarray(seqs.codes)
    n = codes.shape[0]
    seq_of = np.searchsorted(seqs.offsets, np.arange(n), side="right") - 1
    got, ref = set(), set()
    groups = dense = 0
    for g0 in range(0, len(motifs), 128):
        group = list(motifs)[g0 : g0 + 128]
        tabs = _prepare_tables(group, bg, 0.1, 1e-3)
        plan = scan_plan(tabs, False)
        groups += plan.n_groups
        dense += plan.n_dense
        ms, pos, sc = _run_scan(sp, tabs, False)
        got |= set(zip((ms + 2 * g0).tolist(), pos.tolist(), sc.tolist()))
        for k, mat in enumerate(tabs.matrices):
            w = mat.shape[0]
            p = np.arange(n - w + 1)
            ok = (seq_of[p] == seq_of[p + w - 1])
            for strand, m in ((0, mat), (1, mat[::-1, ::-1])):
                score = np.zeros(p.shape[0], dtype=np.int64)
                clean = ok.copy()
                for j in range(w):
                    c = codes[p + j]
                    clean &= c < 4
                    score += m[j][np.minimum(c, 3)]
                hit = np.flatnonzero(clean & (score >= tabs.cutoffs[k]))
                ref |= set(zip([2 * (g0 + k) + strand] * hit.size, hit.tolist(), score[hit].tolist()))
    assert got == ref and len(ref) > 10_000 and groups > 40 and dense > 10


def test_clean_runs_and_segments_equal_a_plain_reference():
    from annostore.core.fimo_kernels import _clean_runs, _segments

    rng = np.random.default_rng(8)
    lens = rng.integers(0, 3000, size=60)
    lens[[3, 4, 17]] = 0  # empty sequences
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    codes = rng.integers(0, 4, size=int(offsets[-1])).astype(np.uint8)
    for a in rng.integers(0, codes.size, size=80):  # N runs, some across sequence boundaries
        codes[a : a + int(rng.integers(1, 40))] = 4
    ref_start, ref_len = [], []
    for s in range(len(lens)):
        i, b = int(offsets[s]), int(offsets[s + 1])
        while i < b:
            if codes[i] < 4:
                j = i
                while j < b and codes[j] < 4:
                    j += 1
                ref_start.append(i)
                ref_len.append(j - i)
                i = j
            else:
                i += 1
    start, length = _clean_runs(codes, offsets)
    assert start.tolist() == ref_start and length.tolist() == ref_len and len(ref_start) > 100
    for chunk in (4096, 1000, 7):
        lo, hi, end, bounds = _segments(offsets, chunk)
        ref = [(x, min(int(offsets[s + 1]), x + chunk), int(offsets[s + 1]))
               for s in range(len(lens)) for x in range(int(offsets[s]), int(offsets[s + 1]), chunk)]
        assert list(zip(lo.tolist(), hi.tolist(), end.tolist())) == ref
        ref_b, acc = [0], 0
        for k, (x, y, _) in enumerate(ref):
            acc += y - x
            if acc >= chunk:
                ref_b.append(k + 1)
                acc = 0
        if ref_b[-1] != len(ref):
            ref_b.append(len(ref))
        assert bounds.tolist() == ref_b and len(ref_b) > 2


def test_pi0_sample_counts_equal_brute_force_pvalues():
    from annostore.core.fimo import _prepare_sequences
    from annostore.core.fimo_pi0_kernels import _sample_first
    from annostore.core.fimo_tables import _prepare_tables, pi0_tables
    from annostore.core.qvalues import lambda_first
    from annostore.core.sequences import load_sequences

    ms = read_motifs(JASPAR)
    group = [ms[i] for i in (0, 7, 300)]
    seqs = ["".join(np.random.default_rng(k).choice(list("ACGTN"), p=[0.24] * 4 + [0.04], size=300)) for k in range(3)]
    sp = _prepare_sequences(load_sequences(seqs))
    bg = prepare_background("nrdb", ms)
    tabs = _prepare_tables(group, bg, 0.1, 1e-4)
    q_flat, qoff, bk_flat = pi0_tables(tabs)
    code4 = (sp.words >> np.uint32(24)).astype(np.uint8)
    for k in range(len(group)):
        w = int(tabs.widths[k])
        mat = tabs.matrices[k]
        # every test in scan order: clean windows, '+' then '-'
        pvals = []
        for r0, rl in zip(sp.run_start.tolist(), sp.run_len.tolist()):
            for p in range(r0, r0 + rl - w + 1):
                c = sp.codes[p : p + w]
                fwd = int(mat[np.arange(w), c].sum())
                rev = int(mat[np.arange(w)[::-1], 3 - c].sum())
                pvals += [tabs.pvs[k][fwd], tabs.pvs[k][rev]]
        items = np.arange(0, len(pvals), 3, dtype=np.int64)
        got = _sample_first(items, 2, code4, sp.run_start, sp.run_len, w,
                            q_flat[qoff[k] : qoff[k + 1]].reshape((2, (w + 3) // 4, 256)),
                            bk_flat[tabs.pv_off[k] : tabs.pv_off[k + 1]])
        assert got.tolist() == lambda_first(np.asarray(pvals)[items]).tolist()
