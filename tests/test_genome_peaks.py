"""Genome FASTA random access (plain/.fai, bgzip/.gzi) and narrowPeak windows."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from annostore.errors import BadInputError, MissingInputError
from annostore.io.genome import build_gzi, open_genome, read_fai, read_gzi
from annostore.io.peaks import peak_windows, read_peaks, window_sequences
from genomic_files import fasta_text, random_genome, write_bgzf, write_narrowpeak


@pytest.fixture(scope="module")
def genome():
    return random_genome(1)


def _random_intervals(genome, n=200, seed=2):
    rng = np.random.default_rng(seed)
    names = list(genome)
    out = []
    for _ in range(n):
        c = names[rng.integers(len(names))]
        size = len(genome[c])
        s = int(rng.integers(0, size))
        e = int(rng.integers(s, min(size, s + 400) + 1))
        out.append((c, s, e))
    return out


@pytest.mark.parametrize("width,newline", [(60, "\n"), (50, "\r\n"), (7, "\n")])
def test_plain_fasta_builds_fai_and_fetches(tmp_path, genome, width, newline):
    path = tmp_path / "g.fa"
    path.write_bytes(fasta_text(genome, width, newline).encode())
    with open_genome(path) as g:
        assert g.chrom_sizes == {k: len(v) for k, v in genome.items()}
        for c, s, e in _random_intervals(genome):
            assert g.fetch(c, s, e) == genome[c][s:e].upper().encode()
    assert (tmp_path / "g.fa.fai").exists()
    entries = read_fai(tmp_path / "g.fa.fai")
    assert [e.linebases for e in entries] == [width] * 3
    assert [e.linewidth for e in entries] == [width + len(newline)] * 3
    with open_genome(path) as g:  # the written index is read back
        assert g.fetch("chr2", 100, 180) == genome["chr2"][100:180].upper().encode()


@pytest.mark.peer
def test_fai_equals_pyfaidx(tmp_path, genome):
    import pyfaidx

    ours, theirs = tmp_path / "a", tmp_path / "b"
    ours.mkdir()
    theirs.mkdir()
    for d in (ours, theirs):
        (d / "g.fa").write_text(fasta_text(genome, 61))
    open_genome(ours / "g.fa").close()
    fa = pyfaidx.Fasta(str(theirs / "g.fa"))
    assert (ours / "g.fa.fai").read_text() == (theirs / "g.fa.fai").read_text()
    with open_genome(ours / "g.fa") as g:
        for c, s, e in _random_intervals(genome, 50):
            assert g.fetch(c, s, e).decode() == str(fa[c][s:e]).upper()


@pytest.mark.parametrize("with_gzi", [True, False])
def test_bgzip_fasta(tmp_path, genome, with_gzi):
    text = fasta_text(genome, 60).encode()
    path = tmp_path / "g.fa.gz"
    write_bgzf(path, text, block=997)
    gzi = build_gzi(path)
    assert len(gzi) == (len(text) + 996) // 997  # every block after the first, plus the EOF block
    if with_gzi:
        from annostore.io.genome import write_gzi

        write_gzi(gzi, tmp_path / "g.fa.gz.gzi")
    with open_genome(path) as g:
        for c, s, e in _random_intervals(genome):
            assert g.fetch(c, s, e) == genome[c][s:e].upper().encode()
    assert read_gzi(tmp_path / "g.fa.gz.gzi") == gzi


def test_plain_gzip_is_refused(tmp_path, genome):
    path = tmp_path / "g.fa.gz"
    path.write_bytes(gzip.compress(fasta_text(genome).encode()))
    with pytest.raises(BadInputError, match="plain gzip.*bgzip"):
        open_genome(path)
    assert not (tmp_path / "g.fa.gz.fai").exists()


def test_bad_fasta(tmp_path):
    path = tmp_path / "g.fa"
    path.write_text(">a\nACGTACGT\nACG\nACGTACGT\n")
    with pytest.raises(BadInputError, match=r"g.fa:4: different line length"):
        open_genome(path)
    path.write_text("ACGT\n>a\nACGT\n")
    with pytest.raises(BadInputError, match="before the first"):
        open_genome(path)
    with pytest.raises(MissingInputError):
        open_genome(tmp_path / "nope.fa")


def test_fetch_edges_and_padding(tmp_path):
    path = tmp_path / "g.fa"
    path.write_text(">a\nACGTA\nCCGTT\n>b\nGG\n")
    with open_genome(path) as g:
        assert g.fetch("a", 3, 8) == b"TACCG"
        with pytest.raises(BadInputError, match="runs off a"):
            g.fetch("a", 8, 12)
        assert g.fetch("a", -2, 3, pad=True) == b"NNACG"
        assert g.fetch("a", 8, 12, pad=True) == b"TTNN"
        assert g.fetch("b", -1, 4, pad=True) == b"NGGNN"
        with pytest.raises(BadInputError, match="no sequence named 'c'"):
            g.fetch("c", 0, 1)


def test_read_only_folder_keeps_index_in_memory(tmp_path, genome):
    d = tmp_path / "ro"
    d.mkdir()
    (d / "g.fa").write_text(fasta_text(genome))
    d.chmod(0o555)
    try:
        with open_genome(d / "g.fa") as g:
            assert g.fetch("chr1", 10, 20) == genome["chr1"][10:20].upper().encode()
    finally:
        d.chmod(0o755)


def test_narrowpeak_windows(tmp_path, genome):
    peaks = tmp_path / "p.narrowPeak"
    rows = [("chr1", 1000, 1400, "p0", 150), ("chr2", 200, 301, "p1", -1), ("chr1", 4800, 4990, "p2", 150),
            ("chrM", 10, 100, ".", 5)]
    write_narrowpeak(peaks, rows)
    table = read_peaks(peaks)
    assert table["summit"].to_pylist() == [150, -1, 150, 5]
    assert table["name"].to_pylist() == ["p0", "p1", "p2", None]
    sizes = {k: len(v) for k, v in genome.items()}
    win, dropped = peak_windows(table, 200, sizes)
    assert dropped == 2  # p2 runs off chr1's end, the chrM peak off chrM's start
    assert win["start"].to_pylist() == [1150 - 100, 250 - 100]
    assert win["end"].to_pylist() == [1250, 350]
    assert win["peak_idx"].to_pylist() == [0, 1]
    assert win["peak_start"].to_pylist() == [1000, 200]
    padded, dropped = peak_windows(table, 200, sizes, pad=True)
    assert dropped == 0 and padded.num_rows == 4
    path = tmp_path / "g.fa"
    path.write_text(fasta_text(genome))
    with open_genome(path) as g:
        seqs = window_sequences(g, padded, pad=True)
    assert seqs[0] == genome["chr1"][1050:1250].upper()
    assert seqs[2] == genome["chr1"][4850:].upper() + "N" * 50
    assert seqs[3] == "N" * 85 + genome["chrM"][:115].upper()
    with pytest.raises(BadInputError, match="chrX"):
        peak_windows(read_peaks_text(tmp_path, "chrX\t1\t10\n"), 4, sizes)


def read_peaks_text(tmp_path, text):
    p = tmp_path / "x.bed"
    p.write_text(text)
    return read_peaks(p)


def test_bed3_and_bad_peaks(tmp_path):
    t = read_peaks_text(tmp_path, "track name=x\nchr1\t10\t20\nchr1\t30\t41\n")
    assert t["summit"].to_pylist() == [-1, -1]
    win, _ = peak_windows(t, 4)
    assert win["start"].to_pylist() == [13, 33] and win["end"].to_pylist() == [17, 37]
    with pytest.raises(BadInputError, match=r"x.bed:1: end 5 is not after start 10"):
        read_peaks_text(tmp_path, "chr1\t10\t5\n")
    with pytest.raises(BadInputError, match="summit offset 50 is outside"):
        read_peaks_text(tmp_path, "chr1\t10\t20\t.\t0\t.\t1\t1\t1\t50\n")
