"""No crash, no partial write, no hole: every bad input gives one line and exit 65 (66 for a
missing or unreadable file), the store stays byte-for-byte unchanged, and ``query``/``export``
cannot read or write outside the store or inside its folder.

Each test reproduces one failure found by fuzzing the CLI (issue 8).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from meme_fixtures import SMALL_MEME
from typer.testing import CliRunner

from annostore_cli.app import app

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()

MEME = SMALL_MEME

FASTA = ">s0\nACGTACGTACGTACGTACGTACGTACGTACGT\n>s1\nGGGGCCCCAAAATTTTGGGGCCCCAAAATTTT\n"
FIMO_HEADER = "motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence\n"
SEQLETS_TSV = "example_idx\tstart\tend\tattribution\tp-value\n0\t2\t9\t3.5\t1e-6\n1\t4\t12\t-1.0\t1e-3\n"
TOMTOM_TSV = (
    "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\tTarget_consensus\tOrientation\n"
    "1\tM2\t0\t0.001\t0.002\t0.01\t2\tAC\tNG\t+\n0\tM1\t1\t0.0001\t0.0002\t0.001\t3\tACG\tACT\t-\n"
)


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def snapshot(store: Path) -> dict:
    """Every file of the store folder and its sha256: byte-for-byte."""
    return {
        str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(store.rglob("*"))
        if p.is_file()
    }


def assert_one_line_error(r, code: int) -> str:
    """Exit ``code``, exactly one line on stderr starting with 'error: ', no traceback."""
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code == code, (r.exit_code, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def assert_refused(store: Path, code: int, *args) -> str:
    before = snapshot(store)
    r = run(*args)
    line = assert_one_line_error(r, code)
    assert snapshot(store) == before
    return line


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A store with motifs and sequences, built once and copied per test."""
    root = tmp_path_factory.mktemp("template")
    store = root / "t.store"
    (root / "m.meme").write_text(MEME)
    (root / "s.fa").write_text(FASTA)
    for args in (("init", store), ("motifs", "add", store, root / "m.meme"), ("sequences", "add", store, root / "s.fa")):
        r = run(*args)
        assert r.exit_code == 0, r.stderr
    return store


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "my.store"
    shutil.copytree(template, path)
    return path


@pytest.fixture
def files(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "m.meme").write_text(MEME)
    (d / "s.fa").write_text(FASTA)
    (d / "seqlets.tsv").write_text(SEQLETS_TSV)
    (d / "tomtom.tsv").write_text(TOMTOM_TSV)
    return d


def corrupt_gzip(data: bytes) -> bytes:
    """A gzip stream with one byte of its deflate data flipped so that zlib itself fails."""
    raw = gzip.compress(data, mtime=0)
    for pos in range(10, len(raw) - 8):
        bad = bytearray(raw)
        bad[pos] ^= 0xFF
        try:
            gzip.decompress(bytes(bad))
        except zlib.error:
            return bytes(bad)
        except Exception:
            continue
    raise AssertionError("no single-byte flip gives a zlib.error")


# ---------------------------------------------------------------------------------------------
# tracebacks turned into exit 65


def test_corrupt_gzip_fasta_sequences_add(tmp_path):
    store = tmp_path / "e.store"
    assert run("init", store).exit_code == 0
    fa = tmp_path / "s.fa.gz"
    fa.write_bytes(corrupt_gzip(FASTA.encode() * 50))
    line = assert_refused(store, 65, "sequences", "add", store, fa)
    assert str(fa) in line


def test_corrupt_gzip_fasta_fimo(files):
    fa = files / "s.fa.gz"
    fa.write_bytes(corrupt_gzip(FASTA.encode() * 50))
    r = run("fimo", files / "m.meme", fa)
    assert str(fa) in assert_one_line_error(r, 65)


def test_corrupt_gzip_table(store, files):
    hits = files / "hits.tsv.gz"
    hits.write_bytes(corrupt_gzip((FIMO_HEADER + "M1\tone\ts0\t1\t3\t+\t5.0\t1e-4\t0.1\tACG\n" * 200).encode()))
    assert_refused(store, 65, "ingest", "hits", store, hits)


def test_corrupt_gzip_motifs(store, files):
    meme = files / "m.meme.gz"
    meme.write_bytes(corrupt_gzip(MEME.encode() * 3))
    assert_refused(store, 65, "motifs", "add", store, meme)


@pytest.mark.parametrize("value", [str(2**63), str(2**64 + 5), "99999999999999999999999"])
def test_bed_coordinate_overflow(tmp_path, value):
    store = tmp_path / "e.store"
    assert run("init", store).exit_code == 0
    bed = tmp_path / "r.bed"
    bed.write_text(f"chr1\t0\t100\nchr1\t10\t{value}\n")
    assert_refused(store, 65, "regions", "add", store, bed)


def _npz_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, attributions=arr)
    return buf.getvalue()


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def _huge_npy() -> bytes:
    """An .npy whose header claims a (100000, 4, 250000) float32 array (373 GiB) but holds 16 bytes."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 4, 250000), }"
    header = header.ljust(118) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\x00" * 16


ATTR = np.random.default_rng(0).normal(size=(2, 4, 32)).astype(np.float32)


def bad_arrays() -> dict:
    good = _npz_bytes(ATTR)
    flipped = bytearray(good)
    for i in range(60, len(flipped) - 60, 7):
        flipped[i] ^= 0x5A
    return {
        "truncated.npz": good[: len(good) // 2],
        "corrupt.npz": bytes(flipped),
        "huge.npy": _huge_npy(),
        "huge_in.npz": _zip_member("attributions.npy", _huge_npy()),
        "truncated.npy": _npy_bytes(ATTR)[:100],
        "text.npy": b"this is not numpy\n",
        "pickled.npy": _npy_bytes(np.array([{"a": 1}], dtype=object)),
    }


def _zip_member(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(bad_arrays()))
def test_bad_attribution_arrays_scan(store, files, name):
    path = files / name
    path.write_bytes(bad_arrays()[name])
    assert_refused(store, 65, "scan", store, "--attributions", path)


@pytest.mark.parametrize("name", sorted(bad_arrays()))
def test_bad_attribution_arrays_seqlets(store, files, name):
    path = files / name
    path.write_bytes(bad_arrays()[name])
    assert_refused(store, 65, "seqlets", store, "--attributions", path)


@pytest.mark.parametrize("name", sorted(bad_arrays()))
def test_bad_one_hot_arrays_fimo(files, name):
    path = files / name
    path.write_bytes(bad_arrays()[name])
    assert_one_line_error(run("fimo", files / "m.meme", path), 65)


def test_npy_named_npz_is_read_by_its_content(store, files):
    """An .npy file named .npz (or the reverse) is read by its content, not its name."""
    for name, data in (("a.npz", _npy_bytes(ATTR)), ("b.npy", _npz_bytes(ATTR))):
        path = files / name
        path.write_bytes(data)
        r = run("scan", store, "--attributions", path, "--thresh", "0.01")
        assert r.exit_code == 0, r.stderr


@pytest.mark.parametrize("suffix", [".feather", ".arrow"])
@pytest.mark.parametrize("content", [b"not arrow at all\n", b"ARROW1\x00\x00garbage", FIMO_HEADER.encode()])
def test_not_arrow(store, files, suffix, content):
    path = files / f"hits{suffix}"
    path.write_bytes(content)
    assert_refused(store, 65, "ingest", "hits", store, path)


@pytest.mark.parametrize("content", [b"PAR1garbagePAR1", b"PAR1", b"not parquet"])
def test_not_parquet(store, files, content):
    path = files / "hits.parquet"
    path.write_bytes(content)
    assert_refused(store, 65, "ingest", "hits", store, path)


# ---------------------------------------------------------------------------------------------
# missing and unreadable files: 66, one line


UNREADABLE_CASES = {
    "motifs add": lambda s, f, p: ("motifs", "add", s, p),
    "sequences add": lambda s, f, p: ("sequences", "add", s, p),
    "regions add": lambda s, f, p: ("regions", "add", s, p),
    "ingest hits": lambda s, f, p: ("ingest", "hits", s, p),
    "ingest seqlets": lambda s, f, p: ("ingest", "seqlets", s, p),
    "ingest seqlets --matches": lambda s, f, p: ("ingest", "seqlets", s, f / "seqlets.tsv", "--matches", p),
    "ingest matches": lambda s, f, p: ("ingest", "matches", s, p),
    "scan --attributions": lambda s, f, p: ("scan", s, "--attributions", p),
    "seqlets --attributions": lambda s, f, p: ("seqlets", s, "--attributions", p),
    "fimo MOTIFS": lambda s, f, p: ("fimo", p, f / "s.fa"),
    "fimo SEQS": lambda s, f, p: ("fimo", f / "m.meme", p),
    "tomtom QUERY": lambda s, f, p: ("tomtom", p, f / "m.meme", "--oc", f / "out"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE_CASES))
def test_missing_file_66(store, files, case):
    args = UNREADABLE_CASES[case](store, files, files / "nope.txt")
    assert "nope.txt" in assert_refused(store, 66, *args)


@pytest.mark.parametrize("case", sorted(UNREADABLE_CASES))
def test_folder_instead_of_file_66(store, files, case):
    """A folder where a file is expected cannot be read: 66, one line (works as root too)."""
    folder = files / "a_folder.tsv"
    folder.mkdir()
    args = UNREADABLE_CASES[case](store, files, folder)
    assert "a_folder.tsv" in assert_refused(store, 66, *args)


def _without_read_permission() -> list[str] | None:
    """A command prefix that runs without the right to read others' files, also as root.

    As root, ``chmod 000`` does not stop reading (CAP_DAC_OVERRIDE); ``setpriv`` drops that
    capability and CAP_DAC_READ_SEARCH, so a mode-000 file is unreadable as it is for a user.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


@pytest.mark.parametrize("case", ["motifs add", "ingest hits", "fimo SEQS", "scan --attributions"])
def test_unreadable_file_66(store, files, tmp_path, case):
    prefix = _without_read_permission()
    if prefix is None:
        pytest.fail("running as root without setpriv: cannot make a file unreadable")
    secret = files / "secret.txt"
    secret.write_text(MEME)
    secret.chmod(0)
    args = [str(a) for a in UNREADABLE_CASES[case](store, files, secret)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO / "cli")]))
    before = snapshot(store)
    try:
        proc = subprocess.run(
            [*prefix, sys.executable, "-m", "annostore_cli.app", *args],
            capture_output=True, text=True, env=env, timeout=300,
        )
    finally:
        secret.chmod(0o644)
    assert proc.returncode == 66, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "secret.txt" in lines[0], proc.stderr
    assert snapshot(store) == before


# ---------------------------------------------------------------------------------------------
# atomic multi-part ingest


def test_ingest_seqlets_with_bad_matches_commits_nothing(store, files):
    bad = files / "bad_tomtom.tsv"
    bad.write_text(TOMTOM_TSV.replace("\n1\tM2", "\n7\tM2"))
    line = assert_refused(store, 65, "ingest", "seqlets", store, files / "seqlets.tsv", "--matches", bad)
    assert "not among the 2 seqlets" in line
    r = run("runs", store)
    assert r.exit_code == 0 and len(r.stdout.strip().splitlines()) <= 1  # header only


def test_ingest_seqlets_with_matches_both_committed(store, files):
    r = run("ingest", "seqlets", store, files / "seqlets.tsv", "--matches", files / "tomtom.tsv", "--run", "s1")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.split() == ["1", "2"]
    r = run("query", store, "SELECT name, kind, parent_run_id, n_rows FROM runs ORDER BY run_id")
    assert r.stdout.splitlines()[1:] == ["s1\tseqlets\t\t2", "s1-matches\tmatches\t1\t2"]


# ---------------------------------------------------------------------------------------------
# bad values: NaN/inf never stored; required columns never null; TSV and Parquet alike

HIT = ["M1", "one", "s0", "1", "3", "+", "5.0", "1e-4", "0.1", "ACG"]


def _hit(**change) -> str:
    row = dict(zip(["motif_id", "motif_alt_id", "sequence_name", "start", "stop", "strand", "score", "p-value",
                    "q-value", "matched_sequence"], HIT))
    row.update(change)
    return FIMO_HEADER + "\t".join(row.values()) + "\n"


BAD_HIT_VALUES = {
    "score_nan": {"score": "nan"},
    "score_inf": {"score": "inf"},
    "score_minus_inf": {"score": "-inf"},
    "score_empty": {"score": ""},
    "p_empty": {"p-value": ""},
    "p_NA": {"p-value": "NA"},
    "p_nan": {"p-value": "NaN"},
    "q_nan": {"q-value": "nan"},
    "q_inf": {"q-value": "inf"},
}


@pytest.mark.parametrize("name", sorted(BAD_HIT_VALUES))
def test_bad_hit_values_tsv(store, files, name):
    path = files / "hits.tsv"
    path.write_text(_hit(**BAD_HIT_VALUES[name]))
    assert_refused(store, 65, "ingest", "hits", store, path)


def test_empty_q_value_is_null(store, files):
    """MEME's fimo --text leaves q-value empty: a nullable column."""
    path = files / "hits.tsv"
    path.write_text(_hit(**{"q-value": ""}))
    assert run("ingest", "hits", store, path).exit_code == 0
    r = run("query", store, "SELECT q_value IS NULL, p_value, score FROM hits")
    assert r.stdout.splitlines()[1:] == ["true\t0.0001\t5"]


def _hits_parquet(path: Path, **change) -> None:
    cols = {"motif": ["M1"], "sequence_name": ["s0"], "start": [0], "end": [3], "strand": ["+"],
            "score": [5.0], "p_value": [1e-4], "q_value": [0.1]}
    cols.update(change)
    pq.write_table(pa.table(cols), path)


BAD_HIT_PARQUET = {
    "score_nan": {"score": [float("nan")]},
    "score_inf": {"score": [float("inf")]},
    "score_null": {"score": pa.array([None], pa.float64())},
    "p_nan": {"p_value": [float("nan")]},
    "p_null": {"p_value": pa.array([None], pa.float64())},
    "q_nan": {"q_value": [float("nan")]},
    "q_inf": {"q_value": [float("inf")]},
}


@pytest.mark.parametrize("name", sorted(BAD_HIT_PARQUET))
def test_bad_hit_values_parquet(store, files, name):
    path = files / "hits.parquet"
    _hits_parquet(path, **BAD_HIT_PARQUET[name])
    assert_refused(store, 65, "ingest", "hits", store, path)


def test_parquet_without_columns(store, files):
    path = files / "empty.parquet"
    pq.write_table(pa.table({}), path)
    assert_refused(store, 65, "ingest", "hits", store, path)
    assert_refused(store, 65, "ingest", "seqlets", store, path)


BAD_SEQLET_VALUES = {
    "attribution_nan": ("3.5", "nan"),
    "attribution_inf": ("3.5", "inf"),
    "attribution_empty": ("3.5", ""),
    "p_empty": ("1e-6", ""),
    "p_nan": ("1e-6", "nan"),
}


@pytest.mark.parametrize("name", sorted(BAD_SEQLET_VALUES))
def test_bad_seqlet_values_tsv(store, files, name):
    old, new = BAD_SEQLET_VALUES[name]
    text = SEQLETS_TSV.splitlines()
    col = 3 if name.startswith("attribution") else 4
    fields = text[1].split("\t")
    fields[col] = new
    text[1] = "\t".join(fields)
    path = files / "seqlets.tsv"
    path.write_text("\n".join(text) + "\n")
    assert_refused(store, 65, "ingest", "seqlets", store, path)


@pytest.mark.parametrize("name", ["attribution_nan", "attribution_inf", "p_nan", "p_null", "attribution_null"])
def test_bad_seqlet_values_parquet(store, files, name):
    cols = {"example_idx": [0, 1], "start": [2, 4], "end": [9, 12], "attribution": [3.5, -1.0], "p_value": [1e-6, 1e-3]}
    column = "attribution" if name.startswith("attribution") else "p_value"
    value = {"nan": float("nan"), "inf": float("inf"), "null": None}[name.split("_")[1]]
    cols[column] = pa.array([value, cols[column][1]], pa.float64())
    path = files / "seqlets.parquet"
    pq.write_table(pa.table(cols), path)
    assert_refused(store, 65, "ingest", "seqlets", store, path)


def test_nan_attributions_refused(store, files):
    arr = ATTR.copy()
    arr[0, 1, 5] = np.nan
    for cmd in (("scan", store, "--attributions"), ("seqlets", store, "--attributions")):
        path = files / "nan.npy"
        np.save(path, arr)
        assert_refused(store, 65, *cmd, path)
    arr[0, 1, 5] = np.inf
    np.save(path, arr)
    assert_refused(store, 65, "seqlets", store, "--attributions", path)


def test_bad_matches_values(store, files):
    assert run("ingest", "seqlets", store, files / "seqlets.tsv").exit_code == 0
    for old, new in (("0.001\t0.002", "nan\t0.002"), ("0.001\t0.002", "\t0.002"), ("0.002\t0.01", "inf\t0.01")):
        path = files / "m.tsv"
        path.write_text(TOMTOM_TSV.replace(old, new))
        assert_refused(store, 65, "ingest", "matches", store, path)


# ---------------------------------------------------------------------------------------------
# query / export sandbox


@pytest.fixture
def hits_store(store, files) -> Path:
    path = files / "hits.tsv"
    path.write_text(_hit())
    assert run("ingest", "hits", store, path, "--run", "h").exit_code == 0
    return store


def _outside(tmp_path: Path) -> Path:
    return tmp_path / "outside"


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1 AS x) TO '{out}/x.csv'",
        "COPY hits TO '{out}/hits.parquet' (FORMAT parquet)",
        "EXPORT DATABASE '{out}/db'",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_blob('{store}/annostore.duckdb')",
        "ATTACH '{out}/new.duckdb' AS other",
        "CREATE TABLE t AS SELECT 1",
        "INSERT INTO motifs (motif_idx) VALUES (99)",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "INSTALL httpfs",
        "LOAD httpfs",
        "PRAGMA enable_profiling",
        "SELECT 1; COPY (SELECT 1) TO '{out}/y.csv'",
        "CALL pragma_version()",
    ],
)
def test_query_sandbox(hits_store, tmp_path, sql):
    out = _outside(tmp_path)
    out.mkdir()
    sql = sql.format(out=out, store=hits_store)
    before = snapshot(hits_store)
    r = run("query", hits_store, sql)
    assert r.exit_code != 0, r.stdout
    assert_one_line_error(r, r.exit_code)
    assert r.exit_code in (1, 65)
    assert list(out.iterdir()) == []
    assert snapshot(hits_store) == before
    assert run("query", hits_store, "SELECT count(*) FROM hits").stdout.splitlines()[1:] == ["1"]


def test_query_cannot_overwrite_a_run_file(hits_store):
    part = next(hits_store.glob("hits/**/*.parquet"))
    before = snapshot(hits_store)
    r = run("query", hits_store, f"COPY (SELECT 1 AS x) TO '{part}' (FORMAT parquet)")
    assert r.exit_code != 0
    assert snapshot(hits_store) == before
    assert run("query", hits_store, "SELECT count(*) FROM hits").stdout.splitlines()[1:] == ["1"]


def test_query_still_reads_the_store(hits_store):
    r = run("query", hits_store, "SELECT h.motif, m.width FROM hits h JOIN motifs m USING (motif_idx)")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["M1\t3"]
    r = run("query", hits_store, "WITH x AS (SELECT 2 AS v) SELECT v FROM x")
    assert r.stdout.splitlines()[1:] == ["2"]
    r = run("query", hits_store, "SELECT * FROM hits WHERE p_value < $p", "-p", "p=1")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 2


@pytest.mark.parametrize("target", ["annostore.duckdb", "x.tsv", "hits/new.parquet", "."])
@pytest.mark.parametrize("command", ["query", "export"])
def test_no_output_inside_the_store(hits_store, target, command):
    what = "SELECT * FROM hits" if command == "query" else "hits"
    out = hits_store / target
    before = snapshot(hits_store)
    r = run(command, hits_store, what, "-o", out)
    assert_one_line_error(r, 65)
    assert snapshot(hits_store) == before
    assert run("query", hits_store, "SELECT count(*) FROM hits").stdout.splitlines()[1:] == ["1"]


@pytest.mark.parametrize("args", [("count", "{S}", "-o", "{S}/counts.tsv"), ("pairs", "{S}", "-o", "{S}/hits"),
                                  ("runs", "{S}", "-o", "{S}/annostore.duckdb"),
                                  ("plot", "pairs", "{S}", "-o", "{S}/p.png")])
def test_no_command_writes_inside_the_store(hits_store, args):
    before = snapshot(hits_store)
    assert_one_line_error(run(*[a.replace("{S}", str(hits_store)) for a in args]), 65)
    assert snapshot(hits_store) == before


def test_no_output_inside_the_store_via_symlink(hits_store, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(hits_store)
    before = snapshot(hits_store)
    assert_one_line_error(run("export", hits_store, "hits", "-o", link / "annostore.duckdb"), 65)
    assert snapshot(hits_store) == before


def test_export_outside_the_store_works(hits_store, tmp_path):
    r = run("export", hits_store, "hits", "-f", "parquet", "-o", tmp_path / "h.parquet")
    assert r.exit_code == 0, r.stderr
    assert pq.read_table(tmp_path / "h.parquet").num_rows == 1


def test_duckdb_errors_are_one_line(hits_store):
    for sql in ("SELECT nope FROM hits", "SELECT * FROM nowhere", "SELEC 1", "SELECT 1 +"):
        r = run("query", hits_store, sql)
        line = assert_one_line_error(r, r.exit_code)
        assert r.exit_code in (1, 65) and "LINE" not in line


# ---------------------------------------------------------------------------------------------
# Python API details


@pytest.mark.peer
def test_annotate_seqlets_with_tangermeme_motif_dict(jaspar_path):
    """tangermeme's test_annotate_seqlets_dict_motifs: read_meme's dict == the file's path, also
    when the file's nsites (2000 in JASPAR) differ from the default 20."""
    import pandas as pd
    from tangermeme.io import read_meme

    import annostore

    rng = np.random.default_rng(1)
    X = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(10, 60))].transpose(0, 2, 1)
    start = rng.integers(0, 40, 30)
    seqlets = pd.DataFrame({"example_idx": rng.integers(0, 10, 30), "start": start, "end": start + rng.integers(4, 20, 30)})
    by_path = annostore.annotate_seqlets(X, seqlets, str(jaspar_path), n_nearest=3)
    by_dict = annostore.annotate_seqlets(X, seqlets, read_meme(str(jaspar_path)), n_nearest=3)
    np.testing.assert_array_equal(by_path[0].numpy(), by_dict[0].numpy())
    np.testing.assert_array_equal(by_path[1].numpy(), by_dict[1].numpy())


def test_to_memelite_keeps_input_order(tmp_path):
    import annostore
    from annostore.compat.memelite import to_memelite

    names = ["chr1", "chr10", "chr2", "chrX", "chr9"]
    seqs = tmp_path / "s.fa"
    seqs.write_text("".join(f">{n}\n{'ACGTGGGCCCAAATTT' * 2}\n" for n in names))
    motifs = tmp_path / "m.meme"
    motifs.write_text(MEME)
    hits = annostore.fimo(str(motifs), str(seqs), threshold=1.0, qvalues=False)
    by_sequence = to_memelite(hits, dim=1)
    assert [f["sequence_name"].iloc[0] for f in by_sequence] == names
    for frame in to_memelite(hits, dim=0):
        for strand in "+-":
            order = list(dict.fromkeys(frame.loc[frame["strand"] == strand, "sequence_name"]))
            assert order == names, order
