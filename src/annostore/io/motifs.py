"""Reading motifs from anything a user holds: a MEME or JASPAR/PFM file (sniffed), a
``MotifSet``, a ``{name: (4, w) array}`` dict (e.g. tangermeme's ``read_meme``), or a list of arrays.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Optional

import numpy as np

from annostore.core.arrays import as_numpy
from annostore.core.motifs import Motif, MotifSet
from annostore.errors import BadInputError, located
from annostore.io.files import decode_text, existing, sniff_format
from annostore.io.jaspar import _parse_jaspar
from annostore.io.meme import _parse_meme


def read_motifs(source, format: Optional[str] = None) -> MotifSet:
    """Read motifs from a file, a dict, a list of arrays, or a :class:`MotifSet`.

    Parameters
    ----------
    source : str, os.PathLike, dict, list or MotifSet
        A MEME (``.meme``, ``.txt``, anything else), JASPAR (``.jaspar``) or
        raw PFM (``.pfm``) file; ``{name: (4, w) array}``; ``[(4, w) array, ...]``.
    format : {"meme", "jaspar", "pfm"}, optional
        Force a file format instead of guessing from the suffix and content.

    Returns
    -------
    MotifSet
        Motifs in file order.

    Raises
    ------
    BadInputError
        On a malformed file (with file and line), an empty file, duplicate ids,
        a non-DNA alphabet or bad probabilities.
    MissingInputError
        If the file does not exist.
    """
    if isinstance(source, MotifSet):
        return source
    if isinstance(source, dict):
        return _from_arrays(list(source.items()))
    if isinstance(source, (list, tuple)) and (not source or not isinstance(source[0], (str, os.PathLike))):
        return _from_arrays([(str(i), m) for i, m in enumerate(source)])
    if not isinstance(source, (str, os.PathLike)):
        raise BadInputError(f"cannot read motifs from a {type(source).__name__}")
    path = existing(source)
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    lines = decode_text(raw, path, "a motif file").splitlines()
    fmt = (format or _guess_format(path, lines)).lower()
    if fmt == "meme":
        motifs, background = _parse_meme(lines, path)
    elif fmt in ("jaspar", "pfm"):
        motifs, background = _parse_jaspar(lines, path), None
    else:
        raise BadInputError(f"unknown motif format {format!r} (meme, jaspar or pfm)")
    if not motifs:
        raise BadInputError(located("no motifs found", path))
    return MotifSet(motifs, background, str(path), sha)


def _guess_format(path: Path, lines: list[str]) -> str:
    """meme, jaspar or pfm: from :func:`annostore.io.files.sniff_format` (suffix, first bytes),
    else from the first line that is not a comment ('>' starts a JASPAR record)."""
    kind = sniff_format(path)
    if kind in ("meme", "jaspar", "pfm"):
        return kind
    for line in lines:
        s = line.strip()
        if s and not s.startswith("#"):
            return "jaspar" if s.startswith(">") else "meme"
    return "meme"


def _from_arrays(items) -> MotifSet:
    motifs = []
    for name, value in items:
        arr = as_numpy(value, np.float64)
        if arr.ndim != 2 or arr.shape[0] != 4 or arr.shape[1] == 0:
            raise BadInputError(f"motif {name!r}: expected a (4, w) array, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise BadInputError(f"motif {name!r}: probabilities must be finite and >= 0")
        totals = arr.sum(axis=0)
        if np.any(totals <= 0):
            raise BadInputError(f"motif {name!r}: a column sums to 0")
        motifs.append(Motif(str(name), np.ascontiguousarray(arr / totals)))
    return MotifSet(motifs)
