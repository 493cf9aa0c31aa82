"""The DNA alphabet, decided once for all of annostore.

Letters are coded ``A, C, G, T -> 0, 1, 2, 3`` in either case; ``U``/``u`` count as ``T``
(RNA input reads as DNA, as MEME's DNA alphabet does); every other byte (``N``, IUPAC
ambiguity codes, gaps) is code ``4`` (:data:`N_CODE`), and FIMO skips every window holding one.
PWMs and one-hot arrays have their rows in the same order, ``A, C, G, T``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ALPHABET = "ACGT"
N_CODE = 4

#: the two strands, in the order of strand codes 0 (+) and 1 (-)
STRANDS = ("+", "-")

#: byte -> letter code (uint8, 256 entries)
CODES = np.full(256, N_CODE, dtype=np.uint8)
for _i, _letters in enumerate(("Aa", "Cc", "Gg", "TtUu")):
    for _c in _letters:
        CODES[ord(_c)] = _i
del _i, _letters, _c

#: letter code -> upper-case letter byte (``N`` for code 4)
LETTERS = np.frombuffer(b"ACGTN", dtype=np.uint8)
#: letter code -> the complementary letter byte
COMPLEMENT_LETTERS = np.frombuffer(b"TGCAN", dtype=np.uint8)


def encode(sequence: Any) -> np.ndarray:
    """Letter codes (uint8) of a ``str``, ``bytes`` or uint8 byte array."""
    if isinstance(sequence, str):
        sequence = sequence.encode("ascii", "replace")
    if isinstance(sequence, (bytes, bytearray, memoryview)):
        sequence = np.frombuffer(sequence, dtype=np.uint8)
    return CODES[np.asarray(sequence, dtype=np.uint8)]


def decode(codes: np.ndarray, *, reverse_complement: bool = False) -> str:
    """The upper-case text of letter codes (optionally of their reverse complement)."""
    codes = np.minimum(np.asarray(codes), N_CODE)
    if reverse_complement:
        return COMPLEMENT_LETTERS[codes[::-1]].tobytes().decode("ascii")
    return LETTERS[codes].tobytes().decode("ascii")
