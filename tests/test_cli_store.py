"""CLI over the store: init/motifs/sequences/regions/ingest/query/export/info/runs/migrate,
exit codes, and bad input leaving the store unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from annostore_cli.app import app
from meme_fixtures import SMALL_MEME
from typer.testing import CliRunner

runner = CliRunner()

GOOD_MEME = SMALL_MEME

HEADER = "MEME version 5\n\nALPHABET= ACGT\n\n"


def motif(name: str, rows: list[str], w: int | None = None) -> str:
    w = len(rows) if w is None else w
    return f"MOTIF {name}\nletter-probability matrix: alength= 4 w= {w}\n" + "\n".join(rows) + "\n\n"


ROW = "0.25 0.25 0.25 0.25"
BAD_MEME = {
    "wrong_row_width": HEADER + motif("A", [ROW, "0.5 0.5 0.0"]),
    "w_mismatch": HEADER + motif("A", [ROW, ROW], w=3),
    "negative": HEADER + motif("A", [ROW, "0.5 0.6 -0.1 0.0"]),
    "non_numeric": HEADER + motif("A", [ROW, "0.5 abc 0.25 0.25"]),
    "no_motifs": HEADER,
    "duplicate_ids": HEADER + motif("A", [ROW]) + motif("A", [ROW]),
    "protein_alphabet": "MEME version 5\n\nALPHABET= ACDEFGHIKLMNPQRSTVWY\n\n" + motif("A", [ROW]),
    "binary_junk": "\x00\x01\x02\xff\xfe garbage \x00",
}

VALID_MEME = {
    "crlf": GOOD_MEME.replace("\n", "\r\n").replace("M1", "C1").replace("M2", "C2"),
    "v5_no_background": HEADER + motif("V5", [ROW, ROW]),
    "renormalise": HEADER + motif("R1", ["0.26 0.26 0.26 0.26", "0.245 0.245 0.245 0.245"]),
    "quotes_and_sql": HEADER + motif("x'\";DROP", [ROW]) + motif("SELECT", [ROW], w=1) + motif("end", [ROW]),
}


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "my.store"
    meme = tmp_path / "good.meme"
    meme.write_text(GOOD_MEME)
    fa = tmp_path / "s.fa"
    fa.write_text(">s0\nACGTACGTACGTACGT\n>s1\nGGGGCCCCAAAATTTT\n")
    assert run("init", path).exit_code == 0
    assert run("motifs", "add", path, meme).exit_code == 0
    assert run("sequences", "add", path, fa).exit_code == 0
    return path


def snapshot(store: Path) -> tuple:
    out = run("query", store, "SELECT (SELECT count(*) FROM motifs), (SELECT count(*) FROM runs), (SELECT count(*) FROM regions), (SELECT count(*) FROM hits)")
    assert out.exit_code == 0, out.stderr
    files = sorted(str(p.relative_to(store)) for p in store.rglob("*") if p.is_file() and not p.name.startswith("annostore.duckdb"))
    return out.stdout, files


def fimo_tsv(rows: list[str]) -> str:
    return "motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence\n" + "".join(r + "\n" for r in rows)


GOOD_ROW = "M1\tone\ts0\t1\t3\t+\t5.0\t1e-4\t0.1\tACG"


def test_full_flow(store, tmp_path):
    hits = tmp_path / "fimo.tsv"
    hits.write_text(fimo_tsv([GOOD_ROW, "M2\t\ts1\t5\t6\t-\t2.0\t2e-3\t0.2\tGG"]))
    r = run("ingest", "hits", store, hits, "--name", "fimo-1")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() == "1"
    r = run("query", store, "SELECT motif, count(*) AS n FROM hits GROUP BY ALL ORDER BY 2 DESC, 1")
    assert r.exit_code == 0 and r.stdout.splitlines() == ["motif\tn", "M1\t1", "M2\t1"]
    r = run("query", store, "SELECT start FROM hits WHERE p_value < $p", "-p", "p=1e-3", "-f", "csv")
    assert r.stdout.splitlines() == ["start", "0"]
    r = run("query", store, "-", "-f", "jsonl", input="SELECT example_idx, strand FROM hits ORDER BY 1")
    assert [json.loads(x) for x in r.stdout.splitlines()] == [{"example_idx": 0, "strand": "+"}, {"example_idx": 1, "strand": "-"}]
    out = tmp_path / "h.parquet"
    assert run("export", store, "hits", "-o", out).exit_code == 0
    assert pq.read_table(out).num_rows == 2
    r = run("export", store, "hits", "-f", "fimo-tsv", "--run", "fimo-1")
    assert r.exit_code == 0 and r.stdout.splitlines()[1].split("\t")[:6] == ["M1", "one", "s0", "1", "3", "+"]
    r = run("export", store, "hits", "-f", "bed")
    assert r.stdout.splitlines()[0] == "s0\t0\t3\tM1\t400\t+"
    r = run("info", store, "--json")
    info = json.loads(r.stdout)
    assert info["hits"] == 2 and info["motifs"] == 2 and info["sequences"] == 2 and info["schema_version"] >= 1
    r = run("runs", store, "-f", "jsonl")
    assert json.loads(r.stdout)["name"] == "fimo-1"
    r = run("motifs", "list", store)
    assert r.stdout.splitlines()[1].split("\t")[:4] == ["0", "M1", "one", "3"]
    r = run("migrate", store, "--list")
    assert r.exit_code == 0 and "applied" in r.stdout


@pytest.mark.parametrize("name", sorted(BAD_MEME))
def test_bad_meme_exit_65_store_unchanged(store, tmp_path, name):
    path = tmp_path / f"{name}.meme"
    path.write_bytes(BAD_MEME[name].encode("latin-1"))
    before = snapshot(store)
    r = run("motifs", "add", store, path)
    assert r.exit_code == 65, (r.stdout, r.stderr)
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    assert snapshot(store) == before


@pytest.mark.parametrize("name", sorted(VALID_MEME))
def test_unusual_but_valid_meme_accepted(store, tmp_path, name):
    path = tmp_path / f"{name}.meme"
    path.write_bytes(VALID_MEME[name].encode())
    r = run("motifs", "add", store, path)
    assert r.exit_code == 0, r.stderr
    r = run("query", store, "SELECT name FROM motifs ORDER BY motif_idx")
    names = r.stdout.splitlines()[1:]
    assert len(names) > 2
    if name == "quotes_and_sql":
        assert names[2:] == ["x'\";DROP", "SELECT", "end"]
        hits = tmp_path / "h.tsv"
        hits.write_text(fimo_tsv(["x'\";DROP\t\ts0\t1\t4\t+\t1\t0.5\t\tACGT", "SELECT\t\ts1\t2\t2\t-\t1\t0.5\t\tG"]))
        assert run("ingest", "hits", store, hits).exit_code == 0
        r = run("query", store, "SELECT motif FROM hits ORDER BY example_idx")
        assert r.stdout.splitlines()[1:] == ["x'\";DROP", "SELECT"]


BAD_HITS = {
    "missing_columns": "motif_id\tsequence_name\tstart\nM1\ts0\t1\n",
    "truncated_row": fimo_tsv([GOOD_ROW, "M1\tone\ts0\t1"]),
    "p_above_one": fimo_tsv(["M1\tone\ts0\t1\t3\t+\t5.0\t1.5\t0.1\tACG"]),
    "p_nan": fimo_tsv(["M1\tone\ts0\t1\t3\t+\t5.0\tnan\t0.1\tACG"]),
    "stop_before_start": fimo_tsv(["M1\tone\ts0\t5\t3\t+\t5.0\t0.1\t0.1\tACG"]),
    "negative_coordinate": fimo_tsv(["M1\tone\ts0\t-4\t3\t+\t5.0\t0.1\t0.1\tACG"]),
    "absurd_coordinate": fimo_tsv(["M1\tone\ts0\t1\t99999999999\t+\t5.0\t0.1\t0.1\tACG"]),
    "unknown_strand": fimo_tsv(["M1\tone\ts0\t1\t3\t*\t5.0\t0.1\t0.1\tACG"]),
    "unknown_motif": fimo_tsv(["NOPE\tone\ts0\t1\t3\t+\t5.0\t0.1\t0.1\tACG"]),
    "unknown_sequence": fimo_tsv(["M1\tone\tchrX\t1\t3\t+\t5.0\t0.1\t0.1\tACG"]),
    "non_numeric_start": fimo_tsv(["M1\tone\ts0\tone\t3\t+\t5.0\t0.1\t0.1\tACG"]),
    "binary": "\x00\x00\x01PK junk",
}


@pytest.mark.parametrize("name", sorted(BAD_HITS))
def test_bad_hits_exit_65_store_unchanged(store, tmp_path, name):
    path = tmp_path / f"{name}.tsv"
    path.write_text(BAD_HITS[name])
    before = snapshot(store)
    r = run("ingest", "hits", store, path)
    assert r.exit_code == 65, (name, r.stdout, r.stderr)
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    assert snapshot(store) == before


def test_error_messages_are_specific(store, tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text(BAD_HITS["truncated_row"])
    assert f"{path}:3:" in run("ingest", "hits", store, path).stderr
    path.write_text(BAD_HITS["p_above_one"])
    assert "p_value outside [0, 1]" in run("ingest", "hits", store, path).stderr


def test_exit_codes_missing_and_usage(store, tmp_path):
    assert run("ingest", "hits", store, tmp_path / "nope.tsv").exit_code == 66
    assert run("info", tmp_path / "no.store").exit_code == 66
    assert run("query", tmp_path / "no.store", "SELECT 1").exit_code == 66
    assert run("motifs", "add", store, tmp_path / "nope.meme").exit_code == 66
    assert run("query", store).exit_code == 2
    r = run("query", store, "SELEC 1")
    assert r.exit_code == 1 and "query failed" in r.stderr


def test_query_and_export_are_read_only(store):
    r = run("query", store, "CREATE TABLE t (x INTEGER)")
    assert r.exit_code == 65 and "only read-only queries" in r.stderr
    r = run("query", store, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'")
    assert r.stdout.splitlines()[1] == "0"


def test_regions_add_and_mismatch(tmp_path):
    store = tmp_path / "r.store"
    bed = tmp_path / "p.bed"
    bed.write_text("chr1\t0\t16\ts0\nchr1\t100\t116\ts1\nchr2\t5\t21\ts2\n")
    fa = tmp_path / "s.fa"
    fa.write_text(">s0\nACGTACGTACGTACGT\n>s1\nGGGGCCCCAAAATTTT\n")
    assert run("regions", "add", store, bed).exit_code == 0
    r = run("sequences", "add", store, fa)
    assert r.exit_code == 65 and "2 sequences but the store has 3 regions" in r.stderr


def test_ingest_seqlets_with_matches_and_matches_alone(store, tmp_path):
    seqlets = tmp_path / "seqlets.tsv"
    seqlets.write_text("example_idx\tstart\tend\tattribution\tp-value\n0\t2\t9\t3.5\t1e-6\n1\t4\t12\t-1.0\t1e-3\n")
    tomtom = tmp_path / "tomtom.tsv"
    tomtom.write_text(
        "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\tTarget_consensus\tOrientation\n"
        "1\tM2\t0\t0.001\t0.002\t0.01\t2\tAC\tNG\t+\n0\tM1\t1\t0.0001\t0.0002\t0.001\t3\tACG\tACT\t-\n"
        "# Tomtom (Motif Comparison Tool): Version 5.5.8\n"
    )
    r = run("ingest", "seqlets", store, seqlets, "--matches", tomtom, "--name", "s1")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.split() == ["1", "2"]
    r = run("query", store, "SELECT m.seqlet_id, m.motif, s.example_idx FROM matches m JOIN seqlets s USING (seqlet_id) ORDER BY 1")
    assert r.stdout.splitlines()[1:] == ["0\tM1\t0", "1\tM2\t1"]
    r = run("runs", store, "-f", "jsonl")
    runs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["name"], x["kind"], x["parent_run_id"]) for x in runs] == [("s1", "seqlets", None), ("s1-matches", "matches", 1)]
    # a second matches run for the same seqlets; a Query_ID beyond the run's seqlets is refused
    assert run("ingest", "matches", store, tomtom, "--seqlet-run", "s1").exit_code == 0
    bad = tmp_path / "bad_tomtom.tsv"
    bad.write_text(tomtom.read_text().replace("\n1\tM2", "\n7\tM2"))
    r = run("ingest", "matches", store, bad)
    assert r.exit_code == 65 and "not among the 2 seqlets" in r.stderr
