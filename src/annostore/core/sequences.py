"""Sequences: FASTA and one-hot input, held as one concatenated array of letter codes.

Letters are coded ``0, 1, 2, 3`` for ``A, C, G, T`` (either case; ``U`` counts
as ``T``) and ``4`` for anything else (``N``, IUPAC codes, gaps).  MEME's FIMO
skips every window that contains a code-4 letter, and so does annostore.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from annostore.core.alphabet import N_CODE, decode, encode
from annostore.errors import BadInputError, MissingInputError, located


#: the largest coordinate annostore accepts (2^40: far beyond any genome, far below int64)
MAX_COORDINATE = 1 << 40


@dataclass
class Sequences:
    """Many sequences as one array of letter codes.

    Attributes
    ----------
    names : list of str
        One name per sequence (FASTA name up to the first whitespace, or the index).
    codes : numpy.ndarray
        uint8 codes of all sequences concatenated: 0-3 = A, C, G, T; 4 = other.
    offsets : numpy.ndarray
        int64 ``(n + 1,)``; sequence ``i`` is ``codes[offsets[i]:offsets[i + 1]]``.
    """

    names: list
    codes: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.names)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def codes_of(self, i: int) -> np.ndarray:
        return self.codes[self.offsets[i] : self.offsets[i + 1]]

    def text(self, i: int) -> str:
        """Sequence ``i`` as upper-case text (``N`` for code 4)."""
        return decode(self.codes_of(i))

    def one_hot(self, i: int) -> np.ndarray:
        """Sequence ``i`` as a ``(4, L)`` int8 one-hot array (zero columns for N)."""
        return _one_hot_codes(self.codes_of(i))

    def __repr__(self) -> str:
        return f"Sequences({len(self)} sequences, {int(self.offsets[-1])} bp)"


def _one_hot_codes(codes: np.ndarray) -> np.ndarray:
    out = np.zeros((4, codes.shape[0]), dtype=np.int8)
    keep = codes < 4
    out[codes[keep], np.nonzero(keep)[0]] = 1
    return out


def one_hot_encode(sequence: str) -> np.ndarray:
    """Encode one sequence as a ``(4, L)`` int8 array, rows A, C, G, T.

    Case-insensitive; any other letter gives an all-zero column.
    """
    codes = encode(sequence)
    return _one_hot_codes(codes)


def _from_texts(names: list, texts: Iterable[bytes]) -> Sequences:
    chunks = [encode(t) for t in texts]
    lengths = np.array([len(c) for c in chunks], dtype=np.int64)
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    codes = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.uint8)
    return Sequences(list(names), np.ascontiguousarray(codes, dtype=np.uint8), offsets)


def load_sequences(source) -> Sequences:
    """Sequences from a FASTA path, ``.npy``/``.npz`` one-hot file, strings, or a one-hot array.

    Parameters
    ----------
    source : Sequences, str/path, list or dict of str, numpy array or torch tensor
        A one-hot array has shape ``(n, 4, L)`` (rows A, C, G, T); all-zero
        columns become N.  A ``.npz`` file is read from its key ``X``,
        ``seqs``, ``sequences`` or ``one_hot``, else its only array.

    Returns
    -------
    Sequences
    """
    if isinstance(source, Sequences):
        return source
    if isinstance(source, dict):
        return _from_texts([str(k) for k in source], [str(v).encode("ascii", "replace") for v in source.values()])
    if isinstance(source, (list, tuple)) and source and all(isinstance(s, str) for s in source):
        looks_like_paths = all(os.path.exists(s) for s in source)
        if not looks_like_paths:
            return _from_texts([str(i) for i in range(len(source))], [s.encode("ascii", "replace") for s in source])
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise MissingInputError(f"{path}: no such file")
        if path.suffix.lower() in (".npy", ".npz"):
            return from_one_hot(_load_array(path), source=str(path))
        from annostore.io.fasta import read_fasta

        return read_fasta(path)
    if hasattr(source, "detach") or isinstance(source, np.ndarray):
        return from_one_hot(source)
    raise BadInputError(f"cannot read sequences from a {type(source).__name__}")


def _load_array(path: Path) -> np.ndarray:
    from annostore.io.npy import read_array

    return read_array(path, keys=("X", "seqs", "sequences", "one_hot"), what="one-hot sequences")


def from_one_hot(array, source: str | None = None) -> Sequences:
    """Sequences from a one-hot ``(n, 4, L)`` array (numpy or torch); zero columns become N."""
    if hasattr(array, "detach"):
        array = array.detach().cpu().numpy()
    arr = np.asarray(array)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise BadInputError(located(f"one-hot sequences must be numbers, got dtype {arr.dtype}", source))
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1] != 4:
        raise BadInputError(located(f"one-hot sequences must have shape (n, 4, L), got {arr.shape}", source))
    if arr.shape[0] == 0 or arr.shape[2] == 0:
        raise BadInputError(located(f"one-hot sequences are empty: shape {arr.shape}", source))
    n, length = arr.shape[0], arr.shape[2]
    offsets = np.arange(n + 1, dtype=np.int64) * length
    names = [str(i) for i in range(n)]
    from annostore.core.parallel import small_work
    from annostore.core.sequence_kernels import KERNEL_DTYPES, _one_hot_codes

    not_one_hot = BadInputError(located("not a one-hot array: every column must be all zero or a single 1", source))
    if str(arr.dtype) not in KERNEL_DTYPES:  # float16, wide unsigned, complex: as values the kernel reads
        if np.iscomplexobj(arr):
            if np.any(arr.imag):
                raise not_one_hot
            arr = arr.real
        arr = arr.astype(np.float64 if np.issubdtype(arr.dtype, np.floating) else np.int64)
    with small_work(4.0 * arr.size):  # one pass, sequences in parallel
        codes, ok = _one_hot_codes(arr, N_CODE)
    if not ok:
        raise not_one_hot
    return Sequences(names, codes, offsets)
