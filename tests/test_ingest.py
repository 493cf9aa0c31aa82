"""Readers of external result files: MEME fimo.tsv / --text, memelite FIMO frames, seqlet frames,
tomtom.tsv, BED, FASTA; ingest into a store and export back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import annostore
from annostore.errors import BadInputError, MissingInputError
from annostore.io.bed import read_bed
from annostore.io.tables import read_table_batches

N_SEQ, LEN = 8, 120


def _random_seqs(rng):
    return ["".join(rng.choice(list("ACGT"), LEN)) for _ in range(N_SEQ)]


@pytest.fixture(scope="module")
def fixture(tmp_path_factory, jaspar_path):
    """A store with 8 JASPAR motifs and 6 random sequences, plus memelite's FIMO hits on them."""
    from memelite import fimo
    from tangermeme.io import read_meme

    tmp = tmp_path_factory.mktemp("ingest")
    rng = np.random.default_rng(7)
    seqs = _random_seqs(rng)
    fasta = tmp / "s.fa"
    fasta.write_text("".join(f">seq{i}\n{s}\n" for i, s in enumerate(seqs)))
    motifs = read_meme(str(jaspar_path))
    keys = list(motifs)[:12]
    sub = {k: motifs[k] for k in keys}
    X = np.zeros((N_SEQ, 4, LEN), dtype=np.float32)
    for i, s in enumerate(seqs):
        X[i, ["ACGT".index(c) for c in s], np.arange(LEN)] = 1
    frames = fimo(sub, X, threshold=1e-2)
    meme = tmp / "sub.meme"
    annostore.write_meme(annostore.read_motifs(sub), meme)
    return {"tmp": tmp, "fasta": fasta, "frames": frames, "keys": keys, "meme": meme, "seqs": seqs}


@pytest.fixture
def store(tmp_path, fixture):
    s = annostore.open(tmp_path / "s.store")
    s.add_motifs(fixture["meme"])
    s.add_sequences(fixture["fasta"])
    yield s
    s.close()


def _hits(store, order="example_idx, start, motif_idx, strand"):
    return store.query(f"SELECT example_idx, motif_idx, start, \"end\", strand, score, p_value FROM hits ORDER BY {order}")


def _expected(frames):
    df = pd.concat([f for f in frames if len(f)], ignore_index=True)
    return df.sort_values(["sequence_name", "start", "motif_idx", "strand"]).reset_index(drop=True)


def test_memelite_frames_list_and_files(store, fixture, tmp_path):
    expected = _expected(fixture["frames"])
    assert len(expected) > 20
    run = store.add_hits(fixture["frames"], run="memelite")
    got = _hits(store).to_pandas()
    np.testing.assert_array_equal(got["example_idx"], expected["sequence_name"])
    np.testing.assert_array_equal(got["motif_idx"], expected["motif_idx"])
    np.testing.assert_array_equal(got["start"], expected["start"])
    np.testing.assert_array_equal(got["end"], expected["end"])
    np.testing.assert_array_equal(got["strand"], expected["strand"])
    np.testing.assert_array_equal(got["score"], expected["score"])
    np.testing.assert_array_equal(got["p_value"], expected["p-value"])
    # the same frame saved as Parquet and as TSV gives the same rows
    df = pd.concat(fixture["frames"], ignore_index=True)
    df.to_parquet(tmp_path / "f.parquet")
    df.to_csv(tmp_path / "f.tsv", sep="\t", index=False)
    r2 = store.add_hits(tmp_path / "f.parquet")
    r3 = store.add_hits(tmp_path / "f.tsv")
    counts = store.query("SELECT run_id, count(*) AS n, sum(start) AS s, sum(p_value) AS p FROM hits GROUP BY 1 ORDER BY 1").to_pylist()
    assert [c["run_id"] for c in counts] == [run, r2, r3]
    assert len({(c["n"], c["s"]) for c in counts}) == 1
    assert counts[0]["p"] == pytest.approx(counts[2]["p"], rel=1e-12)


def _fimo_tsv(frames, seqs, names, text_mode=False, crlf=False, old_header=False):
    df = _expected(frames)
    lines = []
    if old_header:
        lines.append("#pattern name\tsequence name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched sequence")
    else:
        lines.append("motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence")
    for row in df.itertuples():
        mid, alt = row.motif_name.split(" ", 1)
        seq = seqs[row.sequence_name][row.start:row.end]
        q = "" if text_mode else "0.5"
        if old_header:
            lines.append(f"{mid}\t{names[row.sequence_name]}\t{row.start + 1}\t{row.end}\t{row.strand}\t{row.score:.6g}\t{row[8]:.3g}\t{q}\t{seq}")
        else:
            lines.append(f"{mid}\t{alt}\t{names[row.sequence_name]}\t{row.start + 1}\t{row.end}\t{row.strand}\t{row.score:.6g}\t{row[8]:.3g}\t{q}\t{seq}")
    if not text_mode:
        lines += ["", "# FIMO (Find Individual Motif Occurrences): Version 5.5.8 compiled on Nov 2026",
                  "# The format of this file is described at https://meme-suite.org/meme/doc/fimo-output-format.html.",
                  "# fimo --oc out sub.meme s.fa"]
    nl = "\r\n" if crlf else "\n"
    return nl.join(lines) + nl


@pytest.mark.parametrize("text_mode, crlf, old_header", [(False, False, False), (True, True, False), (False, True, True)])
def test_meme_fimo_tsv_is_one_based(store, fixture, tmp_path, text_mode, crlf, old_header):
    names = [f"seq{i}" for i in range(N_SEQ)]
    path = tmp_path / "fimo.tsv"
    path.write_bytes(_fimo_tsv(fixture["frames"], fixture["seqs"], names, text_mode, crlf, old_header).encode())
    store.add_hits(path)
    expected = _expected(fixture["frames"])
    got = _hits(store).to_pandas()
    np.testing.assert_array_equal(got["start"], expected["start"])  # 1-based start -> 0-based
    np.testing.assert_array_equal(got["end"], expected["end"])
    np.testing.assert_array_equal(got["example_idx"], expected["sequence_name"])
    np.testing.assert_array_equal(got["motif_idx"], expected["motif_idx"])
    q = store.query("SELECT q_value FROM hits")["q_value"]
    assert q.null_count == (len(q) if text_mode else 0)
    run = store.runs().to_pylist()[0]
    assert run["tool"] == "fimo" and run["input_sha256"] and run["n_rows"] == len(expected)


def test_fimo_tsv_round_trip_through_export(store, fixture, tmp_path):
    store.add_hits(fixture["frames"])
    out = tmp_path / "out.tsv"
    store.export("hits", out, "fimo-tsv")
    text = out.read_text().splitlines()
    assert text[0].split("\t") == ["motif_id", "motif_alt_id", "sequence_name", "start", "stop", "strand", "score",
                                   "p-value", "q-value", "matched_sequence"]
    first = text[1].split("\t")
    seq = fixture["seqs"][int(first[2][3:])]
    matched = seq[int(first[3]) - 1:int(first[4])]
    if first[5] == "-":
        matched = matched[::-1].translate(str.maketrans("ACGT", "TGCA"))
    assert first[9] == matched
    with annostore.open(tmp_path / "b.store") as b:
        b.add_motifs(fixture["meme"])
        b.add_sequences(fixture["fasta"])
        b.add_hits(out)
        assert b.query("SELECT example_idx, motif_idx, start, \"end\", strand FROM hits ORDER BY ALL") == \
            store.query("SELECT example_idx, motif_idx, start, \"end\", strand FROM hits ORDER BY ALL")


def test_seqlet_frame_and_tomtom_tsv(store, tmp_path):
    seqlets = pd.DataFrame(
        {"example_idx": np.array([3, 0, 5], dtype=np.int64), "start": np.array([10, 40, 2], dtype=np.int64),
         "end": np.array([22, 55, 14], dtype=np.int64), "attribution": [4.5, -2.0, 3.25], "p-value": [1e-9, 1e-6, 2e-5]}
    )
    path = tmp_path / "seqlets.tsv"
    seqlets.to_csv(path, sep="\t", index=False)
    names = store.motif_set().names
    tomtom = tmp_path / "tomtom.tsv"
    tomtom.write_text(
        "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\tTarget_consensus\tOrientation\n"
        f"0\t{names[2]}\t1\t1e-04\t0.0008\t0.001\t8\tACGT\tACGT\t+\n"
        f"0\t{names[1]}\t-2\t1e-05\t0.00008\t0.001\t9\tACGT\tACGT\t-\n"
        f"2\t{names[0]}\t0\t0.003\t0.024\t0.1\t6\tACGT\tACGT\t+\n"
        "\n# Tomtom (Motif Comparison Tool): Version 5.5.8\n# tomtom -no-ssc -oc out q.meme t.meme\n"
    )
    sid = store.add_seqlets(path, matches=tomtom)
    s = store.query("SELECT seqlet_id, example_idx, start, \"end\", attribution, p_value, sign FROM seqlets ORDER BY seqlet_id")
    assert s["example_idx"].to_pylist() == [3, 0, 5] and s["sign"].to_pylist() == [1, -1, 1]
    assert s["p_value"].to_pylist() == [1e-9, 1e-6, 2e-5]
    m = store.query("SELECT seqlet_id, rank, motif, motif_idx, p_value, e_value, \"offset\", overlap, orientation, seqlet_run_id "
                    "FROM matches ORDER BY seqlet_id, rank").to_pylist()
    assert [(r["seqlet_id"], r["rank"], r["motif_idx"]) for r in m] == [(0, 1, 1), (0, 2, 2), (2, 1, 0)]
    assert m[0]["offset"] == -2 and m[0]["orientation"] == "-" and m[0]["seqlet_run_id"] == sid


def test_unknown_sequence_names_name_both_counts(store, fixture, tmp_path):
    names = [f"other{i}" for i in range(N_SEQ)]
    path = tmp_path / "fimo.tsv"
    path.write_text(_fimo_tsv(fixture["frames"], fixture["seqs"], names))
    with pytest.raises(BadInputError, match=rf"names {N_SEQ} sequences, {N_SEQ} of them not among the store's {N_SEQ}"):
        store.add_hits(path)
    assert store.runs().num_rows == 0


@pytest.mark.parametrize(
    "content, message",
    [
        ("motif_id\tsequence_name\tstart\n", "missing column"),
        ("motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence\n"
         "MA0002.3\tx\tseq0\t5\t14\t+\n", ":2: expected 10 fields, found 6"),
        ("motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence\n"
         "MA0002.3\tx\tseq0\tfive\t14\t+\t1\t0.1\t\tA\n", "cannot convert value"),
        ("\x00\x01\x02binary junk", "binary"),
    ],
)
def test_malformed_tables(store, tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(BadInputError, match=message):
        store.add_hits(path)
    assert store.runs().num_rows == 0 and not list((store.path / ".tmp").glob("run-*"))


def test_missing_file(store, tmp_path):
    with pytest.raises(MissingInputError):
        store.add_hits(tmp_path / "nope.tsv")


def test_bed_reader(tmp_path):
    path = tmp_path / "p.bed"
    path.write_text("track name=x\nbrowser position chr1\n#comment\nchr1\t10\t20\tA\t0\t+\r\nchr2\t5\t9\r\n")
    t = read_bed(path)
    assert t.to_pylist() == [
        {"chrom": "chr1", "start": 10, "end": 20, "name": "A", "strand": "+"},
        {"chrom": "chr2", "start": 5, "end": 9, "name": None, "strand": None},
    ]
    for bad, msg in [("chr1\t10\n", ":1: a BED line needs at least 3 fields"), ("chr1\t10\t5\n", ":1: end 5 is not after"),
                     ("chr1\t1\t5\tx\t0\t*\n", "unknown strand"), ("chr1\t-1\t5\n", "negative start")]:
        path.write_text(bad)
        with pytest.raises(BadInputError, match=msg):
            read_bed(path)


def test_regions_then_sequences_and_genomic_view(tmp_path):
    bed = tmp_path / "p.bed"
    bed.write_text("chrom\tstart\tend\tname\tscore\tstrand\nchr1\t100\t110\tpA\t0\t+\nchr2\t1000\t1010\tpB\t0\t-\n")
    fa = tmp_path / "s.fa"
    fa.write_text(">pA\nACGTACGTAC\n>pB\nGGGGGCCCCC\n>extra\nAAAA\n")
    with annostore.open(tmp_path / "g.store") as s:
        s.add_motifs({"M": np.full((4, 3), 0.25)})
        assert s.add_regions(bed) == 2
        with pytest.raises(BadInputError, match="3 sequences but the store has 2 regions"):
            s.add_sequences(fa)
        with s.begin_run("hits") as run:
            run.write(pa.table({"example_idx": [0, 1], "motif": ["M", "M"], "start": [2, 2], "end": [5, 5], "strand": ["+", "+"]}))
        g = s.query("SELECT chrom, genomic_start, genomic_end, genomic_strand, region_name FROM hits_genomic ORDER BY example_idx").to_pylist()
        assert g == [
            {"chrom": "chr1", "genomic_start": 102, "genomic_end": 105, "genomic_strand": "+", "region_name": "pA"},
            {"chrom": "chr2", "genomic_start": 1005, "genomic_end": 1008, "genomic_strand": "-", "region_name": "pB"},
        ]
        out = tmp_path / "h.bed"
        s.export("hits", out, "bed")
        assert out.read_text().splitlines()[0] == "chr1\t102\t105\tM\t0\t+"


def test_table_reader_skips_comment_rows(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1\t2\n# note\tx\n3\t4\n")
    t = pa.concat_tables(list(read_table_batches(path)))
    assert t.column("a").to_pylist() == ["1", "3"] or t.column("a").to_pylist() == [1, 3]


def test_parquet_written_is_readable_without_annostore(store, fixture):
    store.add_hits(fixture["frames"])
    files = store.runs()["files"].to_pylist()[0]
    t = pq.read_table(store.path / files[0])
    assert t.num_rows == sum(len(f) for f in fixture["frames"])
    assert t.column_names[:4] == ["run_id", "example_idx", "motif_idx", "motif"]


def test_streaming_text_reader_matches_whole_read(store, fixture, tmp_path, monkeypatch):
    from annostore.io import tables as ingest

    names = [f"seq{i}" for i in range(N_SEQ)]
    path = tmp_path / "fimo.tsv"
    path.write_text(_fimo_tsv(fixture["frames"], fixture["seqs"], names))
    whole = pa.concat_tables(list(read_table_batches(path)))
    monkeypatch.setattr(ingest, "WHOLE_READ_BYTES", 0)
    parts = list(read_table_batches(path, batch_rows=7))
    assert pa.concat_tables(parts).equals(whole)
    store.add_hits(path)
    assert store.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == whole.num_rows
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\n1\t2\n3\n")
    with pytest.raises(BadInputError, match=":3: expected 2 fields, found 1"):
        list(read_table_batches(bad))


def test_comment_row_with_full_field_count_is_skipped(store, tmp_path):
    path = tmp_path / "fimo.tsv"
    path.write_text(
        "motif_id\tmotif_alt_id\tsequence_name\tstart\tstop\tstrand\tscore\tp-value\tq-value\tmatched_sequence\n"
        f"{store.motif_set().names[0]}\tx\tseq0\t1\t5\t+\t1\t0.01\t\tACGTA\n"
        "# a\tb\tc\t1\t2\t+\t1\t0.5\t\tAC\n"
    )
    store.add_hits(path)
    assert store.query("SELECT count(*) AS n FROM hits")["n"][0].as_py() == 1


def test_parquet_string_names_and_strands_read_as_dictionaries(store, fixture, tmp_path):
    """Parquet string columns (sequence names, strand) are read as dictionaries; same rows, same checks."""
    df = pd.concat(fixture["frames"], ignore_index=True)
    named = df.assign(sequence_name=[f"seq{i}" for i in df["sequence_name"]])
    named.to_parquet(tmp_path / "named.parquet")
    r1 = store.add_hits(df)
    r2 = store.add_hits(tmp_path / "named.parquet")
    rows = store.query(
        "SELECT run_id, list(example_idx || ':' || motif || ':' || start || strand ORDER BY example_idx, start, "
        "motif_idx, strand) AS r FROM hits GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    assert [r["run_id"] for r in rows] == [r1, r2] and rows[0]["r"] == rows[1]["r"]
    import hashlib

    sha = hashlib.sha256((tmp_path / "named.parquet").read_bytes()).hexdigest()
    assert store.runs()["input_sha256"].to_pylist() == [None, sha]  # hashed in a thread during the ingest
    assert set(store.query("SELECT DISTINCT strand FROM hits")["strand"].to_pylist()) == {"+", "-"}
    # the written file keeps plain string columns and the annostore key-value metadata
    f = pq.read_schema(store.path / store.runs()["files"].to_pylist()[1][0])
    assert f.field("motif").type == pa.string() and f.field("strand").type == pa.string()
    assert b"annostore.run_id" in f.metadata
    n_runs = store.runs().num_rows
    for bad_strand in (".", "", "+-", "plus"):
        bad = named.copy()
        bad.loc[3, "strand"] = bad_strand
        bad.to_parquet(tmp_path / "bad.parquet")
        with pytest.raises(BadInputError, match=r"1 of \d+ rows have strand not '\+' or '-'"):
            store.add_hits(tmp_path / "bad.parquet")
        with pytest.raises(BadInputError, match=r"1 of \d+ rows have strand not '\+' or '-'"):
            store.add_hits(bad.assign(sequence_name=df["sequence_name"]))  # plain (non-dictionary) strings
        if bad_strand:  # TSV: read as dictionaries too ("" is a missing value there)
            bad.to_csv(tmp_path / "bad.tsv", sep="\t", index=False)
            with pytest.raises(BadInputError, match=r"1 of \d+ rows have strand not '\+' or '-'"):
                store.add_hits(tmp_path / "bad.tsv")
    named.to_csv(tmp_path / "named.tsv", sep="\t", index=False)
    r3 = store.add_hits(tmp_path / "named.tsv")
    got = store.query("SELECT list(example_idx || ':' || motif || ':' || start || strand ORDER BY example_idx, start, "
                      "motif_idx, strand) AS r FROM hits WHERE run_id = $r", {"r": r3})["r"][0].as_py()
    assert got == rows[0]["r"]
    n_runs += 1
    bad = named.copy()
    bad.loc[2, "sequence_name"] = "nope"
    bad.to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(BadInputError, match="1 of them not among"):
        store.add_hits(tmp_path / "bad.parquet")
    assert store.runs().num_rows == n_runs
