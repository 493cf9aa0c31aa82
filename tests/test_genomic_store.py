"""Real-data flow into a store: peaks + genome, attribution tracks, modisco-lite, Fi-NeMo, exports."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import annostore
from annostore.errors import BadInputError
from annostore.store.genomic import (add_attribution_track, add_peak_regions, ingest_finemo, ingest_modisco,
                                     read_attribution_track, regions_table, store_attributions)
from genomic_files import (fasta_text, one_hot, random_genome, write_chrombpnet_h5, write_modisco_h5,
                           write_narrowpeak)

W = 100  # example width
L = 160  # attribution file width (longer: centre-cropped)


@pytest.fixture(scope="module")
def genome():
    return random_genome(11, {"chr1": 3000, "chr2": 2000})


@pytest.fixture()
def inputs(tmp_path, genome):
    fa = tmp_path / "genome.fa"
    fa.write_text(fasta_text(genome, 60))
    peaks = tmp_path / "peaks.narrowPeak"
    rows = [("chr1", 400, 700, "p0", 120), ("chr1", 10, 90, "edge", 20),  # edge: window runs off chr1's start
            ("chr2", 1000, 1300, ".", -1), ("chr1", 2000, 2100, "p3", 50), ("chr2", 1800, 1990, "p4", 10)]
    write_narrowpeak(peaks, rows)
    return fa, peaks, rows


def _store(tmp_path, inputs):
    fa, peaks, _ = inputs
    s = annostore.open(tmp_path / "s.store")
    info = add_peak_regions(s, peaks, genome=fa, width=W)
    return s, info


def test_regions_from_peaks_and_genome(tmp_path, inputs, genome):
    s, info = _store(tmp_path, inputs)
    with s:
        assert info == {"added": 4, "dropped": 1}
        reg = regions_table(s).to_pylist()
        assert [r["peak_idx"] for r in reg] == [0, 2, 3, 4]
        assert [r["name"] for r in reg] == ["p0", "chr2:1100-1200", "p3", "p4"]  # unnamed: its window
        centres = [520, 1150, 2050, 1810]
        assert [r["start"] for r in reg] == [c - W // 2 for c in centres]
        seqs = s.sequences()
        for i, r in enumerate(reg):
            assert seqs.text(i) == genome[r["chrom"]][r["start"]:r["end"]].upper().replace("N", "N")
        peak_cols = s.con.sql("SELECT peak_start, peak_end, summit FROM regions ORDER BY example_idx").fetchall()
        assert peak_cols[0] == (400, 700, 120) and peak_cols[1] == (1000, 1300, -1)


def test_coordinates_round_trip_to_bed(tmp_path, inputs):
    s, _ = _store(tmp_path, inputs)
    with s:
        s.add_motifs({"m1": np.full((4, 6), 0.25)})
        reg = regions_table(s).to_pylist()
        sites = [("chr1", 530, 536, "+"), ("chr2", 1100, 1106, "-"), ("chr1", 2094, 2100, "+")]
        rows = []
        for c, gs, ge, st in sites:
            ex = next(r for r in reg if r["chrom"] == c and r["start"] <= gs and ge <= r["end"])
            rows.append({"motif": "m1", "example_idx": ex["example_idx"], "start": gs - ex["start"],
                         "end": ge - ex["start"], "strand": st, "p_value": 1e-5})
        s.add_hits(pa.Table.from_pylist(rows))
        out = tmp_path / "hits.bed"
        s.export("hits", out, format="bed")
        bed = [line.split("\t") for line in out.read_text().splitlines()]
        assert sorted((b[0], int(b[1]), int(b[2]), b[5]) for b in bed) == sorted(sites)


def test_attribution_track_and_seqlets_h5_equals_cropped_npz(tmp_path, inputs, genome):
    s, _ = _store(tmp_path, inputs)
    with s:
        reg = regions_table(s).to_pylist()
        off = L // 2 - W // 2
        seqs = [genome[r["chrom"]][r["start"] - off:r["start"] - off + L] for r in reg]
        raw = one_hot(seqs)
        rng = np.random.default_rng(12)
        hyp = rng.normal(size=raw.shape).astype(np.float16)
        hyp[:, :, off + 30:off + 40] *= 12  # a strong span to call
        h5 = tmp_path / "x.counts_scores.h5"
        write_chrombpnet_h5(h5, raw, hyp, projected=False)
        proj = (hyp.astype(np.float64) * raw).sum(axis=1)[:, off:off + W]
        np.save(tmp_path / "cropped.npy", proj)
        X = store_attributions(s, h5)
        np.testing.assert_array_equal(X, proj)
        r_h5 = s.call_seqlets(str(h5), threshold=0.05)
        r_npy = s.call_seqlets(str(tmp_path / "cropped.npy"), threshold=0.05)
        added = add_attribution_track(s, h5, name="counts")
        assert added == {"name": "counts", "layout": "chrombpnet-h5", "n_examples": 4, "length": W}
        np.testing.assert_array_equal(read_attribution_track(s), proj.astype(np.float32))
        r_track = s.call_seqlets(store_attributions(s, None), threshold=0.05)
        q = "SELECT example_idx, start, \"end\", attribution, p_value FROM seqlets WHERE run_id = {} ORDER BY ALL"
        a, b, c = (s.con.sql(q.format(r)).fetchall() for r in (r_h5, r_npy, r_track))
        assert len(a) > 0 and a == b == c
        with pytest.raises(BadInputError, match="already has an attribution track named 'counts'"):
            add_attribution_track(s, h5, name="counts")
        bad = tmp_path / "bad.counts_scores.h5"
        write_chrombpnet_h5(bad, raw[:3], hyp[:3])
        with pytest.raises(BadInputError, match="the file has 3 rows but the store has 4 examples"):
            add_attribution_track(s, bad)
        assert s.con.sql("SELECT count(*) FROM attributions").fetchall()[0][0] == 1


def _modisco(tmp_path, n_examples=4):
    rng = np.random.default_rng(13)

    def pat(w, n):
        start = rng.integers(0, 60 - w, n)
        return {"sequence": rng.dirichlet(np.ones(4), size=w), "contrib": rng.normal(size=(w, 4)), "start": start,
                "end": start + w, "example_idx": rng.integers(0, n_examples, n),
                "is_revcomp": rng.integers(0, 2, n).astype(bool), "seqlet_contrib": rng.normal(size=(n, w, 4))}

    pats = {"pos_patterns.pattern_0": pat(8, 5), "neg_patterns.pattern_0": pat(6, 2)}
    path = tmp_path / "modisco_results.h5"
    write_modisco_h5(path, pats, window=60)
    return path, pats


def test_ingest_modisco_and_finemo(tmp_path, inputs):
    s, _ = _store(tmp_path, inputs)
    with s:
        path, pats = _modisco(tmp_path)
        out = ingest_modisco(s, path, name="modisco")
        assert out["motifs_added"] == 2 and out["n_seqlets"] == 7 and out["window_size"] == 60
        motifs = s.con.sql("SELECT name, cwm FROM motifs ORDER BY motif_idx").fetchall()
        assert [m[0] for m in motifs] == ["pos_patterns.pattern_0", "neg_patterns.pattern_0"]
        np.testing.assert_allclose(np.array(motifs[0][1]), pats["pos_patterns.pattern_0"]["contrib"].T)
        off = W // 2 - 60 // 2
        got = s.con.sql(f"SELECT start, sign FROM seqlets WHERE run_id = {out['seqlet_run']} ORDER BY seqlet_id").fetchall()
        assert [g[0] for g in got] == (np.r_[pats["pos_patterns.pattern_0"]["start"],
                                             pats["neg_patterns.pattern_0"]["start"]] + off).tolist()
        labels = s.con.sql(f"SELECT motif, orientation FROM matches WHERE run_id = {out['matches_run']} "
                           "ORDER BY seqlet_id").fetchall()
        assert [m[0] for m in labels] == ["pos_patterns.pattern_0"] * 5 + ["neg_patterns.pattern_0"] * 2
        # Fi-NeMo hits on the same peaks file (peak_id = its line; peak 1 was dropped at the edge)
        reg = regions_table(s).to_pylist()
        hits = tmp_path / "hits.tsv"
        header = ("chr\tstart\tend\tstart_untrimmed\tend_untrimmed\tmotif_name\thit_coefficient\t"
                  "hit_coefficient_global\thit_similarity\thit_correlation\thit_importance\thit_importance_sq\t"
                  "strand\tpeak_name\tpeak_id\n")
        r2 = reg[1]
        hits.write_text(header + f"chr2\t{r2['start'] + 5}\t{r2['start'] + 13}\t0\t0\tpos_patterns.pattern_0\t"
                                 "0.1\t0.2\t0.9\t0.9\t1.5\t2.0\t-\t.\t2\n")
        run = ingest_finemo(s, hits)
        assert s.con.sql(f"SELECT example_idx, start, \"end\", strand, attribution FROM hits WHERE run_id = {run}"
                         ).fetchall() == [(1, 5, 13, "-", 1.5)]


def test_bad_modisco_changes_nothing(tmp_path, inputs):
    s, _ = _store(tmp_path, inputs)
    with s:
        path, _ = _modisco(tmp_path, n_examples=9)  # seqlets on examples the store lacks
        before = (s.con.sql("SELECT count(*) FROM motifs").fetchall(), s.runs().num_rows)
        with pytest.raises(BadInputError, match="outside the store's examples"):
            ingest_modisco(s, path)
        assert (s.con.sql("SELECT count(*) FROM motifs").fetchall(), s.runs().num_rows) == before


@pytest.mark.peer
def test_finemo_writer_hits_ingested(tmp_path, inputs):
    import polars as pl
    from finemo.data_io import write_hits

    s, _ = _store(tmp_path, inputs)
    with s:
        path, _ = _modisco(tmp_path)
        ingest_modisco(s, path)
        reg = regions_table(s).to_pylist()
        half = 40  # Fi-NeMo's regions: 80 bp around the summit
        peaks = pl.DataFrame({"peak_id": [r["peak_idx"] for r in reg], "chr": [r["chrom"] for r in reg],
                              "chr_id": [0, 1, 0, 1], "peak_region_start": [r["start"] + W // 2 - half for r in reg],
                              "peak_name": [r["name"] for r in reg]})
        hits = pl.DataFrame({"peak_id": [0, 2, 4], "motif_id": [0, 1, 0], "hit_start": [3, 10, 60],
                             "hit_coefficient": [0.5, 0.25, 1.0], "hit_similarity": [0.9, 0.8, 0.7],
                             "hit_importance": [2.0, 1.0, 3.0], "hit_importance_sq": [4.0, 1.0, 9.0]})
        motifs = pl.DataFrame({"motif_id": [0, 1], "motif_name": ["pos_patterns.pattern_0", "neg_patterns.pattern_0"],
                               "motif_start": [1, 0], "motif_end": [7, 6], "strand": ["+", "-"], "lambda": [0.7, 0.7]})
        qc = pl.DataFrame({"peak_id": [r["peak_idx"] for r in reg], "global_scale": [1.0] * 4})
        write_hits(hits, peaks, motifs, qc, str(tmp_path / "finemo"), motif_width=8)
        run = ingest_finemo(s, tmp_path / "finemo" / "hits.tsv")
        got = s.con.sql(f"SELECT example_idx, start, \"end\", motif, strand FROM hits WHERE run_id = {run} "
                        "ORDER BY example_idx").fetchall()
        off = W // 2 - half
        assert got == [(0, off + 3 + 1, off + 3 + 7, "pos_patterns.pattern_0", "+"),
                       (1, off + 10, off + 16, "neg_patterns.pattern_0", "-"),
                       (3, off + 60 + 1, off + 60 + 7, "pos_patterns.pattern_0", "+")]
        bed = tmp_path / "hits.bed"
        s.export("hits", bed, format="bed")
        ours = sorted(tuple(line.split("\t")[:3]) for line in bed.read_text().splitlines())
        theirs = sorted(tuple(line.split("\t")[:3]) for line in (tmp_path / "finemo" / "hits.bed").read_text().splitlines())
        assert ours == theirs


def test_regions_from_bgzip_genome(tmp_path, inputs, genome):
    from genomic_files import write_bgzf

    _, peaks, _ = inputs
    gz = tmp_path / "genome.fa.gz"
    write_bgzf(gz, fasta_text(genome, 80).encode(), block=1500)
    with annostore.open(tmp_path / "b.store") as s:
        with pytest.warns(UserWarning, match="1 windows ran off their chromosome"):
            assert s.add_regions(peaks, genome=gz, width=W) == 4
        seqs = s.sequences()
        for i, r in enumerate(regions_table(s).to_pylist()):
            assert seqs.text(i) == genome[r["chrom"]][r["start"]:r["end"]].upper()
    assert (tmp_path / "genome.fa.gz.fai").exists() and (tmp_path / "genome.fa.gz.gzi").exists()


def test_unrecorded_track_files_are_removed_on_open(tmp_path, inputs):
    s, _ = _store(tmp_path, inputs)
    s.close()
    orphan = tmp_path / "s.store" / "attributions" / "x-deadbeef.parquet"
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"PAR1")
    with annostore.open(tmp_path / "s.store") as s:
        assert not orphan.exists()
        assert s.info()["attribution_tracks"] == 0


def test_pad_and_bigwig_track(tmp_path, inputs, genome):
    import pyBigWig

    fa, peaks, _ = inputs
    with annostore.open(tmp_path / "p.store") as s:
        assert add_peak_regions(s, peaks, genome=fa, width=W, pad=True) == {"added": 5, "dropped": 0}
        reg = regions_table(s).to_pylist()
        edge = reg[1]  # peak "edge": centre 30, window [-20, 80)
        assert edge["name"] == "edge" and edge["chrom"] == "chr1" and edge["start"] is None
        assert s.sequences().text(1) == "N" * 20 + genome["chr1"][:80].upper()
        track = np.random.default_rng(14).normal(size=3000)
        bw = pyBigWig.open(str(tmp_path / "t.bw"), "w")
        bw.addHeader([("chr1", 3000), ("chr2", 2000)])
        bw.addEntries("chr1", 0, values=track.tolist(), span=1, step=1)
        bw.close()
        with pytest.raises(BadInputError, match="example 1 has no genomic coordinates"):
            add_attribution_track(s, tmp_path / "t.bw")
    with annostore.open(tmp_path / "q.store") as s:
        add_peak_regions(s, peaks, genome=fa, width=W)
        add_attribution_track(s, tmp_path / "t.bw", name="bw")
        X = s.attributions("bw")
        r0 = regions_table(s).to_pylist()[0]
        np.testing.assert_allclose(X[0], track[r0["start"]:r0["end"]], rtol=1e-6)
        assert not X[1].any()  # chr2 has no data in the bigWig
