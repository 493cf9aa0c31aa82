"""Motif input/output: MEME, JASPAR, PFM, dicts; malformed files; MEME background arithmetic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import annostore
from annostore.core.motifs import (
    NRDB,
    Motif,
    normalised_background,
    pseudocounted,
    symmetrised,
)
from annostore.errors import BadInputError, MissingInputError
from annostore.io.meme import read_background, write_meme
from annostore.io.motifs import read_motifs

JASPAR_VERT = str(Path(__file__).resolve().parents[1] / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme")

TINY = """MEME version 4

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

MOTIF TWO
letter-probability matrix: alength= 4 w= 2
0.5 0.5 0 0
0 0 0.5 0.5
"""


def write(tmp_path, text, name="m.meme", mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_tiny_meme_fields(tmp_path):
    ms = read_motifs(write(tmp_path, TINY))
    assert ms.names == ["TINY1", "TWO"]
    assert ms.keys == ["TINY1 tinyAlt", "TWO"]
    assert np.allclose(ms.background, [0.3, 0.2, 0.2, 0.3])
    m = ms[0]
    assert m.alt_name == "tinyAlt" and m.nsites == 10 and m.url == "http://example.org/TINY1"
    assert m.width == 6 and m.pwm.shape == (4, 6)
    assert np.allclose(m.pwm[:, 3], [0, 1, 0, 0])
    assert m.consensus == "AGTCAA"
    assert ms[1].nsites is None
    assert len(ms.sha256) == 64


@pytest.mark.peer
def test_jaspar_file_matches_memelite_reader():
    import memelite.io as memelite_io
    ms = read_motifs(JASPAR_VERT)
    ref = memelite_io.read_meme(JASPAR_VERT)
    assert len(ms) == len(ref) == 1019
    assert ms.keys == list(ref)
    for m, (key, pwm) in zip(ms, ref.items()):
        assert np.allclose(m.pwm, pwm, atol=2e-6)


def test_name_resolution(tmp_path):
    ms = read_motifs(write(tmp_path, TINY))
    assert ms.index("TINY1") == 0
    assert ms.index("TINY1 tinyAlt") == 0
    assert ms.index("tinyAlt") == 0
    with pytest.raises(BadInputError, match="unknown motif"):
        ms.index("nope")
    assert ms.select(["TWO", "TINY1"]).names == ["TWO", "TINY1"]


def test_ambiguous_alt_name():
    ms = read_motifs(JASPAR_VERT)
    alts = [m.alt_name for m in ms]
    dup = next(a for a in alts if alts.count(a) > 1)
    with pytest.raises(BadInputError, match="ambiguous"):
        ms.index(dup)


def test_crlf_version5_no_background_and_renormalising(tmp_path):
    text = (
        "MEME version 5.5.8\r\n\r\nALPHABET= ACGT\r\n\r\n"
        "MOTIF A1 with\"quote\r\nletter-probability matrix: alength= 4 w= 2 nsites= 5\r\n"
        "0.3 0.3 0.3 0.15\r\n0.25 0.25 0.25 0.25\r\n"
        "MOTIF SELECT DROP\r\nletter-probability matrix: w= 1\r\n1 0 0 0\r\n"
    )
    ms = read_motifs(write(tmp_path, text))
    assert ms.names == ["A1", "SELECT"]
    assert ms[0].alt_name == 'with"quote'
    assert ms.background is None
    assert np.allclose(ms[0].pwm[:, 0], np.array([0.3, 0.3, 0.3, 0.15]) / 1.05)
    assert np.allclose(ms[0].pwm.sum(axis=0), 1)


def test_matrix_without_w_ends_at_blank_line(tmp_path):
    text = "MEME version 4\n\nMOTIF X\nletter-probability matrix:\n1 0 0 0\n0 1 0 0\n0 0 1 0\n\nMOTIF Y\nletter-probability matrix:\n0 0 0 1\n"
    ms = read_motifs(write(tmp_path, text))
    assert [m.width for m in ms] == [3, 1]
    assert ms[0].consensus == "ACG" and ms[1].consensus == "T"


BAD_FILES = {
    "row_width": ("MEME version 4\nMOTIF X\nletter-probability matrix: w= 2\n0.5 0.5 0\n0.25 0.25 0.25 0.25\n", "has 3 values", 4),
    "w_mismatch_short": ("MEME version 4\nMOTIF X\nletter-probability matrix: w= 3\n1 0 0 0\n0 1 0 0\nMOTIF Y\n", "declares w= 3", 6),
    "w_mismatch_long": ("MEME version 4\nMOTIF X\nletter-probability matrix: w= 1\n1 0 0 0\n0 1 0 0\n", "more matrix rows", 5),
    "negative": ("MEME version 4\nMOTIF X\nletter-probability matrix: w= 1\n-0.1 0.5 0.3 0.3\n", ">= 0", 4),
    "non_numeric": ("MEME version 4\nMOTIF X\nletter-probability matrix: w= 1\n0.1 abc 0.3 0.6\n", "not a number", 4),
    "row_sum": ("MEME version 4\nMOTIF X\nletter-probability matrix: w= 1\n0.5 0.5 0.5 0.5\n", "sums to 2", 4),
    "no_motifs": ("MEME version 4\n\nALPHABET= ACGT\n", "no motifs", None),
    "duplicate": ("MEME version 4\nMOTIF X\nletter-probability matrix: w= 1\n1 0 0 0\nMOTIF X\nletter-probability matrix: w= 1\n1 0 0 0\n", "duplicate motif id 'X'", 5),
    "protein": ("MEME version 4\nALPHABET= ACDEFGHIKLMNPQRSTVWY\nMOTIF X\n", "not DNA", 2),
    "alength": ("MEME version 4\nMOTIF X\nletter-probability matrix: alength= 20 w= 1\n", "alength= 20", 3),
    "not_meme": ("hello world\n", "not a MEME motif file", 1),
    "empty": ("", "empty file", None),
    "no_matrix": ("MEME version 4\nMOTIF X\nURL http://x\n", "has no letter-probability matrix", 2),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_malformed_meme_files(tmp_path, case):
    text, message, line = BAD_FILES[case]
    path = write(tmp_path, text)
    with pytest.raises(BadInputError) as info:
        read_motifs(path)
    msg = str(info.value)
    assert message in msg
    assert str(path) in msg
    if line is not None:
        assert f"{path}:{line}:" in msg


def test_binary_junk(tmp_path):
    path = write(tmp_path, bytes(range(256)) * 4, "junk.meme", "wb")
    with pytest.raises(BadInputError, match="binary"):
        read_motifs(path)


def test_missing_file(tmp_path):
    with pytest.raises(MissingInputError):
        read_motifs(tmp_path / "nope.meme")


def test_jaspar_and_pfm_formats(tmp_path):
    jaspar = ">MA0001.3\tAGL3\nA  [ 0 3 79 40 ]\nC  [ 94 75 4 3 ]\nG  [ 1 0 3 4 ]\nT  [ 2 19 11 50 ]\n>MA0002.1 RUNX1\nA [ 10 0 ]\nC [ 0 10 ]\nG [ 0 0 ]\nT [ 0 0 ]\n"
    ms = read_motifs(write(tmp_path, jaspar, "m.jaspar"))
    assert ms.names == ["MA0001.3", "MA0002.1"] and ms[0].alt_name == "AGL3"
    assert ms[0].nsites == 97
    assert np.allclose(ms[0].pwm[:, 0], np.array([0, 94, 1, 2]) / 97)
    assert ms[1].consensus == "AC"
    pfm = "10 0 5\n0 10 5\n0 0 0\n0 0 0\n"
    one = read_motifs(write(tmp_path, pfm, "x.pfm"))
    assert one.names == ["x"] and one[0].consensus == "ACA"


def test_dict_and_list_input():
    import torch
    d = {"a": np.eye(4)[:, :3] * 2, "b": torch.full((4, 2), 0.25, dtype=torch.float64)}
    ms = read_motifs(d)
    assert ms.names == ["a", "b"] and np.allclose(ms[0].pwm.sum(0), 1)
    assert read_motifs([np.eye(4)]).names == ["0"]
    with pytest.raises(BadInputError, match=r"\(4, w\)"):
        read_motifs({"bad": np.ones((3, 5))})


def test_write_meme_roundtrip(tmp_path):
    src = read_motifs(write(tmp_path, TINY))
    out = tmp_path / "out.meme"
    write_meme(src, out, digits=8)
    back = read_motifs(out)
    assert back.keys == src.keys
    for a, b in zip(src, back):
        assert np.allclose(a.pwm, b.pwm, atol=1e-8)
        assert a.url == b.url
    assert np.allclose(back.background, src.background)


def test_meme_background_arithmetic():
    # meme-reference §1.2: NRDB made symmetric, +5e-7 normalisation
    assert np.allclose(symmetrised(NRDB), [0.27455195, 0.22544805, 0.22544805, 0.27455195], atol=5e-9)
    b = normalised_background([0.25] * 4)
    assert np.allclose(b, 0.25)
    m = Motif("x", np.array([[1.0], [0.0], [0.0], [0.0]]), nsites=10)
    p = pseudocounted(m, [0.3, 0.2, 0.2, 0.3], 0.1)
    assert np.allclose(p[:, 0], [(10 + 0.03) / 10.1, 0.02 / 10.1, 0.02 / 10.1, 0.03 / 10.1])
    m20 = Motif("y", np.array([[1.0], [0.0], [0.0], [0.0]]))
    assert np.isclose(pseudocounted(m20, [0.25] * 4)[0, 0], (20 + 0.025) / 20.1)


def test_read_background_file(tmp_path):
    p = write(tmp_path, "# order 0\nA 0.3\nC 0.2\nG 0.2\nT 0.3\nAA 0.1\n", "bg.txt")
    assert np.allclose(read_background(p), [0.3, 0.2, 0.2, 0.3])
    with pytest.raises(BadInputError, match="lacks letters"):
        read_background(write(tmp_path, "A 0.5\nC 0.5\n", "bg2.txt"))


def test_public_export():
    assert annostore.read_motifs is read_motifs
