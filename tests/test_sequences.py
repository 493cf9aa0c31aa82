"""Sequence input: FASTA (plain, gzip), strings, one-hot arrays."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from annostore.core.sequences import from_one_hot, load_sequences, one_hot_encode
from annostore.errors import BadInputError, MissingInputError
from annostore.io.fasta import read_fasta


def test_fasta_plain_and_gzip(tmp_path):
    text = ">seq1 first test\nACGTAGTC\nAAGG\r\n>seq2\nttagtcaNagtcag\n"
    p = tmp_path / "a.fa"
    p.write_text(text)
    g = tmp_path / "a.fa.gz"
    g.write_bytes(gzip.compress(text.encode()))
    for path in (p, g):
        s = read_fasta(path)
        assert s.names == ["seq1", "seq2"]
        assert s.lengths.tolist() == [12, 14]
        assert s.text(0) == "ACGTAGTCAAGG"
        assert s.text(1) == "TTAGTCANAGTCAG"
        assert s.codes_of(1)[7] == 4


@pytest.mark.parametrize(
    "text, message",
    [
        ("ACGT\n>x\nACGT\n", "before the first"),
        (">x\n>y\nACGT\n", "is empty"),
        (">x\nAC\n>x\nGT\n", "duplicate sequence name"),
        ("\n\n", "no FASTA records"),
    ],
)
def test_fasta_errors(tmp_path, text, message):
    p = tmp_path / "bad.fa"
    p.write_text(text)
    with pytest.raises(BadInputError, match=message):
        read_fasta(p)


def test_fasta_missing(tmp_path):
    with pytest.raises(MissingInputError):
        load_sequences(str(tmp_path / "nope.fa"))


def test_one_hot_roundtrip():
    import torch
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 4, size=(3, 30))
    X = np.zeros((3, 4, 30), dtype=np.int8)
    for i in range(3):
        X[i, idx[i], np.arange(30)] = 1
    X[1, :, 5] = 0
    for arr in (X, torch.from_numpy(X).float()):
        s = load_sequences(arr)
        assert len(s) == 3 and s.lengths.tolist() == [30] * 3
        assert s.text(1)[5] == "N"
        assert np.array_equal(s.one_hot(0), X[0])
    with pytest.raises(BadInputError, match="one-hot"):
        from_one_hot(np.ones((2, 4, 5)))
    with pytest.raises(BadInputError, match=r"\(n, 4, L\)"):
        from_one_hot(np.zeros((2, 5, 5)))


def test_npz_and_strings(tmp_path):
    X = np.stack([one_hot_encode("ACGTN"), one_hot_encode("TTTTT")])
    np.savez(tmp_path / "x.npz", X=X)
    assert load_sequences(str(tmp_path / "x.npz")).text(0) == "ACGTN"
    s = load_sequences(["acgu", "NNA"])
    assert s.text(0) == "ACGT" and s.names == ["0", "1"]
    assert load_sequences({"a": "AC"}).names == ["a"]


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int32", "int64", "float32", "float64", "float16", "uint16",
                                   "complex64"])
def test_one_hot_codes_equal_a_plain_reference_for_every_dtype(dtype):
    rng = np.random.default_rng(3)
    idx = rng.integers(0, 5, size=(37, 301))  # 4: an all-zero column (N)
    x = np.zeros((37, 5, 301), dtype=dtype)
    np.put_along_axis(x, idx[:, None, :], 1, axis=1)
    x = np.ascontiguousarray(x[:, :4])
    s = from_one_hot(x)
    assert s.codes.tolist() == idx.reshape(-1).tolist() and s.offsets.tolist() == list(range(0, 37 * 301 + 1, 301))
    assert s.names == [str(i) for i in range(37)]
    if dtype == "float32":  # a strided view (one dtype: each layout is one more compilation)
        assert from_one_hot(x[:, :, ::2]).codes.tolist() == idx[:, ::2].reshape(-1).tolist()
    if dtype != "bool":
        for bad in (2, -1, 0.5) if dtype.startswith("float") else (2,):
            y = x.copy()
            y[30, 2, 7] = bad
            with pytest.raises(BadInputError, match="not a one-hot array"):
                from_one_hot(y)
    y = x.copy()
    y[36, :2, 300] = 1  # two ones in a column
    with pytest.raises(BadInputError, match="not a one-hot array"):
        from_one_hot(y)
    if dtype.startswith("complex"):
        y = x.copy()
        y[3, 1, 4] += 1j
        with pytest.raises(BadInputError, match="not a one-hot array"):
            from_one_hot(y)
    if dtype.startswith("float"):
        y = x.astype(dtype)
        y[0, 0, 0] = np.nan
        with pytest.raises(BadInputError, match="not a one-hot array"):
            from_one_hot(y)
