"""The real-data flow through the CLI: regions add --genome, attributions add, modisco/Fi-NeMo
ingest, hits into a store without examples, BED/FASTA/MEME exports; bad files exit 65/66."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from typer.testing import CliRunner

from annostore_cli.app import app
from genomic_files import (fasta_text, one_hot, random_genome, write_chrombpnet_h5, write_modisco_h5,
                           write_narrowpeak)

runner = CliRunner()
W, L = 100, 140


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def flow(tmp_path):
    genome = random_genome(21, {"chr1": 2500, "chr2": 1500})
    fa = tmp_path / "genome.fa"
    fa.write_text(fasta_text(genome, 70))
    peaks = tmp_path / "peaks.narrowPeak"
    write_narrowpeak(peaks, [("chr1", 300, 600, "a", 100), ("chr2", 5, 60, "edge", 10), ("chr2", 700, 900, "b", -1),
                             ("chr1", 1900, 2300, "c", 250)])
    store = tmp_path / "s.store"
    r = run("regions", "add", store, peaks, "--genome", fa, "--width", W)
    assert r.exit_code == 0, r.output
    assert "dropped 1 windows" in r.stderr
    return tmp_path, genome, store


def _snapshot(store):
    r = run("query", store, "SELECT (SELECT count(*) FROM motifs), (SELECT count(*) FROM runs), "
                            "(SELECT count(*) FROM regions), (SELECT count(*) FROM attributions)")
    assert r.exit_code == 0, r.output
    files = sorted(str(p.relative_to(store)) for p in store.rglob("*") if p.is_file()
                   and not p.name.startswith("annostore.duckdb"))
    return r.stdout, files


def test_flow_attributions_seqlets_exports(flow):
    tmp_path, genome, store = flow
    regions = [("chr1", 400 - W // 2), ("chr2", 800 - W // 2), ("chr1", 2150 - W // 2)]
    off = L // 2 - W // 2
    raw = one_hot([genome[c][s - off:s - off + L] for c, s in regions])
    rng = np.random.default_rng(22)
    hyp = rng.normal(size=raw.shape).astype(np.float16)
    hyp[:, :, off + 40:off + 48] = 9
    h5 = tmp_path / "model.counts_scores.h5"
    write_chrombpnet_h5(h5, raw, hyp)
    r = run("attributions", "add", store, h5)
    assert r.exit_code == 0, r.output
    assert "attributions 'model': 3 examples x 100 bp (chrombpnet-h5)" in r.stderr
    r = run("seqlets", store, "--threshold", "0.05")  # the stored track, no file
    assert r.exit_code == 0, r.output
    r = run("export", store, "seqlets", "-f", "bed")
    assert r.exit_code == 0, r.output
    bed = [line.split("\t") for line in r.stdout.splitlines()]
    assert bed and all(b[0] in ("chr1", "chr2") for b in bed)
    for b in bed:  # genome coordinates: inside the windows
        assert any(b[0] == c and s <= int(b[1]) < int(b[2]) <= s + W for c, s in regions)
    r = run("export", store, "seqlets", "-f", "fasta")
    assert r.exit_code == 0, r.output
    records = r.stdout.split(">")[1:]
    first = records[0].splitlines()
    chrom, span = first[0].split(" ")[1].split(":")
    a, b = (int(x) for x in span.split("-"))
    assert "".join(first[1:]) == genome[chrom][a:b].upper()
    meme = tmp_path / "m.meme"
    meme.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF M1 one\nletter-probability matrix: alength= 4 w= 3\n"
                    "1 0 0 0\n0 1 0 0\n0 0 1 0\n")
    assert run("motifs", "add", store, meme).exit_code == 0
    r = run("export", store, "motifs", "-f", "meme")
    assert r.exit_code == 0 and "MOTIF M1 one" in r.stdout
    r = run("scan", store, "--thresh", "0.01", "--min-attribution", "1")
    assert r.exit_code == 0, r.output
    r = run("query", store, "SELECT count(*), min(attribution) >= 1 FROM hits")
    n, ok = r.stdout.splitlines()[1].split("\t")
    assert ok in ("true", "") or int(n) == 0
    r = run("plot", "logo", store, "--example", 0, "-o", tmp_path / "logo.png")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "logo.png").stat().st_size > 1000


def test_modisco_finemo_cli_and_bad_files(flow):
    tmp_path, _, store = flow
    rng = np.random.default_rng(23)
    start = rng.integers(0, 40, 4)
    pat = {"sequence": rng.dirichlet(np.ones(4), size=10), "contrib": rng.normal(size=(10, 4)), "start": start,
           "end": start + 10, "example_idx": np.array([0, 1, 2, 0]), "is_revcomp": np.array([0, 1, 0, 0], bool)}
    h5 = tmp_path / "modisco_results.h5"
    write_modisco_h5(h5, {"pos_patterns.pattern_0": pat}, window=None)
    r = run("ingest", "modisco", store, h5, "--window", 50)
    assert r.exit_code == 0, r.output
    assert "records no window_size" in r.stderr
    r = run("export", store, "seqlets", "-f", "bed")
    assert {line.split("\t")[3] for line in r.stdout.splitlines()} == {"pos_patterns.pattern_0"}
    before = _snapshot(store)
    bad_window = run("ingest", "modisco", store, h5, "--window", 500)  # seqlets beyond the examples
    assert bad_window.exit_code == 65 and bad_window.stderr.count("\n") == 1
    hits = tmp_path / "hits.tsv"
    hits.write_text("chr\tstart\tend\tmotif_name\tstrand\tpeak_name\tpeak_id\nchr1\t10\t20\tnope\t+\ta\t0\n")
    r = run("ingest", "finemo", store, hits)
    assert r.exit_code == 65 and "lies outside example 0" in r.stderr
    hits.write_text("chr\tstart\tend\tmotif_name\tstrand\tpeak_name\tpeak_id\nchr1\t360\t370\tnope\t+\ta\t0\n")
    r = run("ingest", "finemo", store, hits)
    assert r.exit_code == 65 and "not in the store's" in r.stderr
    gz = tmp_path / "g.fa.gz"
    gz.write_bytes(gzip.compress(b">chr1\nACGT\n"))
    r = run("regions", "add", tmp_path / "other.store", tmp_path / "peaks.narrowPeak", "--genome", gz, "--width", 4)
    assert r.exit_code == 65 and "bgzip" in r.stderr
    assert run("attributions", "add", store, tmp_path / "nope.h5").exit_code == 66
    short = tmp_path / "short.counts_scores.h5"
    write_chrombpnet_h5(short, np.eye(4, dtype=np.int8)[None, :, [0] * 50].repeat(3, 0),
                        np.zeros((3, 4, 50), np.float16))
    r = run("attributions", "add", store, short)
    assert r.exit_code == 65 and "length 50 but the examples have 100 bases" in r.stderr
    assert _snapshot(store) == before


def test_hits_into_store_without_examples(tmp_path):
    store = tmp_path / "h.store"
    meme = tmp_path / "m.meme"
    meme.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF M1\nletter-probability matrix: alength= 4 w= 3\n"
                    "1 0 0 0\n0 1 0 0\n0 0 1 0\n")
    assert run("motifs", "add", store, meme).exit_code == 0
    fimo = tmp_path / "fimo.tsv"
    fimo.write_text("motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\t"
                    "matched_sequence\nM1\t\tchr3:1000-1200\t11\t13\t+\t5\t1e-4\t0.1\tACG\n"
                    "M1\t\tchr1:50-90\t1\t3\t-\t5\t1e-4\t0.1\tACG\nM1\t\tmyseq\t2\t4\t+\t5\t1e-4\t0.1\tACG\n")
    r = run("ingest", "hits", store, fimo)
    assert r.exit_code == 0, r.output
    assert "registered the 3 sequence names as examples (2 chrom:start-end names" in r.stderr
    r = run("export", store, "hits", "-f", "bed")
    assert sorted(r.stdout.splitlines()) == sorted([
        "chr3\t1010\t1013\tM1\t400\t+", "chr1\t50\t53\tM1\t400\t-", "myseq\t1\t4\tM1\t400\t+"])


def test_attributions_list(flow):
    tmp_path, genome, store = flow
    np.save(tmp_path / "a.npy", np.ones((3, W)))
    assert run("attributions", "add", store, tmp_path / "a.npy", "--name", "ones").exit_code == 0
    r = run("attributions", "list", store, "-f", "csv")
    assert r.exit_code == 0 and r.stdout.splitlines()[1].startswith("\"ones\",\"npy\",")
    assert run("attributions", "add", store, tmp_path / "a.npy", "--name", "bad name").exit_code == 65
