"""Seeded property-based fuzzing of the CLI, as a user would meet it (issue 8).

Valid files of every input kind (MEME, JASPAR, FASTA plain and gzip, BED, fimo.tsv, seqlet TSV,
tomtom.tsv, .npy/.npz attributions, Parquet hits) are mutated (bytes flipped, cut, inserted or
repeated; lines dropped, swapped or repeated; fields replaced by NaN, inf, huge, negative or empty
values) and handed to the command that reads them, in process (typer's CliRunner). Every run must
end in one of two ways:

* exit 0, and the store still opens and answers queries, or
* exit 65 (bad data) or 66 (missing/unreadable file) with exactly one ``error: ...`` line on
  stderr, no traceback, and the store byte-for-byte unchanged.

The search is derandomised (the same examples on every run). ``ANNOSTORE_FUZZ_EXAMPLES`` sets the
examples per input kind (default 25: about a minute in all on one core).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from annostore_cli.app import app

runner = CliRunner()
N_EXAMPLES = int(os.environ.get("ANNOSTORE_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=N_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.3 C 0.2 G 0.2 T 0.3

MOTIF M1 one
letter-probability matrix: alength= 4 w= 3 nsites= 20 E= 0
0.7 0.1 0.1 0.1
0.1 0.7 0.1 0.1
0.1 0.1 0.1 0.7

MOTIF M2
letter-probability matrix: alength= 4 w= 2 nsites= 20 E= 0
0.25 0.25 0.25 0.25
0.0 0.0 1.0 0.0
URL http://example.org/M2
"""

JASPAR = """>MA0001.1 AGL3
A  [ 0  3 79 40 66 48 65 11 65  0 ]
C  [94 75  4  3  1  2  5  2  3  3 ]
G  [ 1  0  3  4  1  0  5  3 28 88 ]
T  [ 2 19 11 50 29 47 22 81  1  6 ]
>MA0002.1 RUNX1
A  [10 12  4  1  2  2  0  0  0  8 13 ]
C  [ 2  2  7  1  0  8  0  0  1  2  2 ]
G  [ 3  1  1  0 23  0 26 26  0  0  4 ]
T  [11 11 14 24  1 16  0  0 25 16  7 ]
"""

SEQ_LEN = 40
_rng = np.random.default_rng(8)
SEQS = ["".join("ACGT"[i] for i in _rng.integers(0, 4, SEQ_LEN)) for _ in range(3)]
FASTA = "".join(f">chr{i + 1}:100-{100 + SEQ_LEN} seq{i}\n{s[:25]}\n{s[25:]}\n" for i, s in enumerate(SEQS))
BED = "chr1\t100\t140\tr0\t0\t+\nchr2\t5\t45\tr1\t0\t-\nchr1\t1000\t1040\tr2\t.\t.\n"
FIMO_TSV = (
    "motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence\n"
    "M1\tone\tchr1:100-140\t1\t3\t+\t5.0\t1e-4\t0.1\tACG\n"
    "M2\t\tchr2:100-140\t5\t6\t-\t2.0\t2e-3\t0.2\tGG\n"
    "M1\tone\tchr3:100-140\t38\t40\t+\t1.5\t0.01\t\tAAT\n"
    "# FIMO (Find Individual Motif Occurrences): Version 5.5.8\n"
)
SEQLETS_TSV = "example_idx\tstart\tend\tattribution\tp-value\n0\t2\t9\t3.5\t1e-6\n1\t4\t12\t-1.0\t1e-3\n2\t30\t40\t0.5\t0.004\n"
TOMTOM_TSV = (
    "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\tTarget_consensus\tOrientation\n"
    "1\tM2\t0\t0.001\t0.002\t0.01\t2\tAC\tNG\t+\n0\tM1\t1\t0.0001\t0.0002\t0.001\t3\tACG\tACT\t-\n"
    "2\tM1\t0\t0.3\t0.6\t0.5\t3\tACG\tACT\t+\n"
    "# Tomtom (Motif Comparison Tool): Version 5.5.8\n"
)
ATTR = np.random.default_rng(0).normal(size=(3, 4, SEQ_LEN)).astype(np.float32)


def _npy() -> bytes:
    buf = io.BytesIO()
    np.save(buf, ATTR)
    return buf.getvalue()


def _npz() -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, attributions=ATTR)
    return buf.getvalue()


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


HITS_COLUMNS = {
    "motif": ["M1", "M2", "M1"],
    "example_idx": [0, 1, 2],
    "start": [0, 4, 37],
    "end": [3, 6, 40],
    "strand": ["+", "-", "+"],
    "score": [5.0, 2.0, 1.5],
    "p_value": [1e-4, 2e-3, 0.01],
    "q_value": [0.1, 0.2, None],
}

# kind -> (file name, valid content, store template, command); "{S}" the store, "{F}" the file,
# "{D}" the input folder (holding the valid companions m.meme, s.fa, seqlets.tsv).
KINDS = {
    "meme": ("m.meme", MEME.encode(), "empty", ["motifs", "add", "{S}", "{F}"]),
    "jaspar": ("m.jaspar", JASPAR.encode(), "empty", ["motifs", "add", "{S}", "{F}"]),
    "fasta": ("s.fa", FASTA.encode(), "motifs", ["sequences", "add", "{S}", "{F}"]),
    "fasta_gz": ("s.fa.gz", gzip.compress(FASTA.encode(), mtime=0), "motifs", ["sequences", "add", "{S}", "{F}"]),
    "fimo_fasta": ("q.fa", FASTA.encode(), None, ["fimo", "{D}/m.meme", "{F}", "--thresh", "0.5"]),
    "fimo_meme": ("q.meme", MEME.encode(), None, ["fimo", "{F}", "{D}/s.fa", "--thresh", "0.5"]),
    "bed": ("r.bed", BED.encode(), "empty", ["regions", "add", "{S}", "{F}"]),
    "fimo_tsv": ("fimo.tsv", FIMO_TSV.encode(), "full", ["ingest", "hits", "{S}", "{F}"]),
    "seqlets_tsv": ("seqlets.tsv", SEQLETS_TSV.encode(), "full", ["ingest", "seqlets", "{S}", "{F}"]),
    "tomtom_tsv": ("tomtom.tsv", TOMTOM_TSV.encode(), "full",
                   ["ingest", "seqlets", "{S}", "{D}/seqlets.tsv", "--matches", "{F}"]),
    "npy": ("a.npy", _npy(), "full", ["seqlets", "{S}", "--attributions", "{F}", "--threshold", "0.2"]),
    "npz": ("a.npz", _npz(), "full", ["scan", "{S}", "--attributions", "{F}", "--thresh", "0.05"]),
    "parquet": ("hits.parquet", _parquet(pa.table(HITS_COLUMNS)), "full", ["ingest", "hits", "{S}", "{F}"]),
}

TEXT_KINDS = {"meme", "jaspar", "fasta", "fimo_fasta", "fimo_meme", "bed", "fimo_tsv", "seqlets_tsv", "tomtom_tsv"}

NASTY = [b"", b"nan", b"NaN", b"-nan", b"inf", b"-inf", b"Infinity", b"NA", b"null", b"-1", b"0", b"1e309", b"-0",
         b"9223372036854775808", b"99999999999999999999999", b"1.5", b"+", b"-", b".", b"*", b"\x00", b"\xff\xfe",
         b"#", b">", b"MOTIF", b"\t", b" ", b"\r", b"'; DROP TABLE motifs; --", b"\xc3\x28", b"1e-400"]


# ---------------------------------------------------------------------------------------------
# mutations


@st.composite
def byte_mutation(draw, data: bytes) -> bytes:
    n = len(data)
    op = draw(st.sampled_from(["flip", "cut", "insert", "truncate", "repeat", "zero"]))
    i = draw(st.integers(0, max(n - 1, 0)))
    j = draw(st.integers(i, min(n, i + 64)))
    if op == "flip" and n:
        b = bytearray(data)
        b[i] ^= draw(st.integers(1, 255))
        return bytes(b)
    if op == "cut":
        return data[:i] + data[j:]
    if op == "insert":
        return data[:i] + draw(st.binary(min_size=1, max_size=16)) + data[i:]
    if op == "truncate":
        return data[:i]
    if op == "repeat":
        return data[:j] + data[i:j] + data[j:]
    b = bytearray(data)
    b[i:j] = bytes(j - i)
    return bytes(b)


@st.composite
def text_mutation(draw, data: bytes) -> bytes:
    lines = data.split(b"\n")
    op = draw(st.sampled_from(["field", "field", "field", "drop_line", "swap_lines", "repeat_line", "bytes",
                               "crlf", "sep"]))
    k = draw(st.integers(0, len(lines) - 1))
    if op == "field":
        fields = lines[k].replace(b"\t", b" \t ").split(b" ")
        idx = [i for i, f in enumerate(fields) if f.strip() and f != b"\t"]
        if idx:
            i = draw(st.sampled_from(idx))
            fields[i] = draw(st.sampled_from(NASTY))
            lines[k] = b" ".join(fields).replace(b" \t ", b"\t")
        return b"\n".join(lines)
    if op == "drop_line":
        del lines[k]
    elif op == "swap_lines":
        m = draw(st.integers(0, len(lines) - 1))
        lines[k], lines[m] = lines[m], lines[k]
    elif op == "repeat_line":
        lines.insert(k, lines[k])
    elif op == "crlf":
        return data.replace(b"\n", b"\r\n")
    elif op == "sep":
        lines[k] = lines[k].replace(b"\t", draw(st.sampled_from([b" ", b",", b"\t\t", b""])))
    else:
        return draw(byte_mutation(data))
    return b"\n".join(lines)


def _nasty_value(typ: pa.DataType):
    if pa.types.is_floating(typ):
        return st.sampled_from([float("nan"), float("inf"), float("-inf"), -1.0, 2.0, 0.0, 1e-300, None])
    if pa.types.is_integer(typ):
        return st.sampled_from([-1, 0, 2**62, 2**63 - 1, -(2**63), 39, 40, 41, None])
    return st.sampled_from(["", "M3", "+", "-", "*", None, "'; DROP TABLE motifs; --", "\x00"])


@st.composite
def parquet_mutation(draw, data: bytes) -> bytes:
    op = draw(st.sampled_from(["value", "value", "drop_column", "rename", "retype", "bytes", "empty"]))
    cols = dict(HITS_COLUMNS)
    table = pa.table(cols)
    name = draw(st.sampled_from(list(cols)))
    if op == "value":
        typ = table.schema.field(name).type
        row = draw(st.integers(0, 2))
        values = list(cols[name])
        values[row] = draw(_nasty_value(typ))
        try:
            cols[name] = pa.array(values, typ)
        except (pa.ArrowInvalid, OverflowError, TypeError):
            cols[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
        return _parquet(pa.table(cols))
    if op == "drop_column":
        del cols[name]
        return _parquet(pa.table(cols))
    if op == "rename":
        cols[name + "_x"] = cols.pop(name)
        return _parquet(pa.table(cols))
    if op == "retype":
        cols[name] = pa.array([None if v is None else str(v) for v in cols[name]], pa.string())
        return _parquet(pa.table(cols))
    if op == "empty":
        return _parquet(pa.table({}) if draw(st.booleans()) else table.slice(0, 0))
    return draw(byte_mutation(data))


@st.composite
def npy_mutation(draw, data: bytes) -> bytes:
    op = draw(st.sampled_from(["value", "shape", "bytes", "bytes"]))
    arr = ATTR.copy()
    if op == "value":
        idx = tuple(draw(st.integers(0, s - 1)) for s in arr.shape)
        arr[idx] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 1e30, 0.0]))
    elif op == "shape":
        shape = draw(st.sampled_from([(3, SEQ_LEN), (2, 4, SEQ_LEN), (3, 4, SEQ_LEN - 1), (3, 5, SEQ_LEN), (3,),
                                      (0, 4, SEQ_LEN), (3, 4, SEQ_LEN, 1), (3, 4, 0)]))
        arr = np.resize(arr, shape).astype(draw(st.sampled_from([np.float32, np.float64, np.int8, np.bool_])))
    else:
        return draw(byte_mutation(data))
    buf = io.BytesIO()
    if data[:2] == b"PK":
        np.savez_compressed(buf, attributions=arr)
    else:
        np.save(buf, arr)
    return buf.getvalue()


def mutation_for(kind: str, data: bytes):
    if kind == "parquet":
        return parquet_mutation(data)
    if kind in ("npy", "npz"):
        return npy_mutation(data)
    if kind == "fasta_gz":
        text = gzip.decompress(data)
        return st.one_of(byte_mutation(data), text_mutation(text).map(lambda t: gzip.compress(t, mtime=0)))
    return text_mutation(data)


# ---------------------------------------------------------------------------------------------
# stores


def _run(args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("fuzz")
    inputs = root / "inputs"
    inputs.mkdir()
    (inputs / "m.meme").write_text(MEME)
    (inputs / "s.fa").write_text(FASTA)
    (inputs / "seqlets.tsv").write_text(SEQLETS_TSV)
    out = {"inputs": inputs}
    for name, steps in {
        "empty": [],
        "motifs": [["motifs", "add"]],
        "full": [["motifs", "add"], ["sequences", "add"]],
    }.items():
        store = root / f"{name}.store"
        assert _run(["init", store]).exit_code == 0
        for step in steps:
            f = inputs / ("m.meme" if step[0] == "motifs" else "s.fa")
            r = _run([*step, store, f])
            assert r.exit_code == 0, r.stderr
        out[name] = store
    return out


def snapshot(store: Path) -> dict:
    return {str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store.rglob("*")) if p.is_file()}


def check(kind: str, content: bytes, templates: dict) -> int:
    name, _, template, command = KINDS[kind]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / name
        path.write_bytes(content)
        store = None
        before = None
        if template is not None:
            store = tmp / "s.store"
            shutil.copytree(templates[template], store)
            before = snapshot(store)
        args = [a.replace("{S}", str(store)).replace("{F}", str(path)).replace("{D}", str(templates["inputs"]))
                for a in command]
        if command[0] == "fimo":
            args += ["--oc", str(tmp / "out")]
        r = _run(args)
        where = f"{kind}: {args} on {content[:300]!r}"
        assert r.exception is None or isinstance(r.exception, SystemExit), f"{where}: {r.exception!r}"
        assert "Traceback" not in r.stderr, where
        if r.exit_code == 0:
            if store is not None:
                q = _run(["query", store, "SELECT (SELECT count(*) FROM hits), (SELECT count(*) FROM seqlets), "
                          "(SELECT count(*) FROM matches), (SELECT count(*) FROM motifs)"])
                assert q.exit_code == 0, f"{where}: store unusable: {q.stderr}"
                assert _run(["info", store]).exit_code == 0, where
            return 0
        assert r.exit_code in (65, 66), f"{where}: exit {r.exit_code}: {r.stderr}"
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), f"{where}: {r.stderr!r}"
        if store is not None:
            assert snapshot(store) == before, f"{where}: store changed"
        return r.exit_code


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_valid_file_is_accepted(kind, templates):
    """The unmutated files pass (so the fuzz starts from valid input)."""
    assert check(kind, KINDS[kind][1], templates) == 0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_fuzz_cli(kind, templates):
    content = KINDS[kind][1]

    @FUZZ
    @given(mutated=mutation_for(kind, content))
    def inner(mutated):
        check(kind, mutated, templates)

    inner()
