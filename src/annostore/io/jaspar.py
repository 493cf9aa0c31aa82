"""JASPAR ``.jaspar`` and plain ``.pfm`` count matrices: ``>ID NAME`` headers, then four rows
(A, C, G, T), optionally ``A [ 1 2 3 ]``; counts are normalised to probabilities.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from annostore.core.motifs import ALPHABET, Motif
from annostore.errors import BadInputError, located
from annostore.io.meme import _probability


def _parse_jaspar(lines: list[str], path: Path) -> list[Motif]:
    motifs: list[Motif] = []
    header = None
    header_lineno = 0
    rows: dict[str, list[float]] = {}
    bare: list[list[float]] = []
    seen: dict[str, int] = {}

    def finish(end_lineno: int) -> None:
        nonlocal rows, bare, header
        if header is None and not rows and not bare:
            return
        if rows and bare:
            raise BadInputError(located("mixes labelled and bare count rows", path, end_lineno))
        if rows:
            missing = [a for a in ALPHABET if a not in rows]
            if missing:
                raise BadInputError(located(f"motif lacks rows for {''.join(missing)}", path, header_lineno))
            counts = [rows[a] for a in ALPHABET]
        else:
            if len(bare) != 4:
                raise BadInputError(
                    located(f"expected 4 rows of counts (A C G T), got {len(bare)}", path, header_lineno or 1)
                )
            counts = bare
        widths = {len(r) for r in counts}
        if len(widths) != 1 or 0 in widths:
            raise BadInputError(located("count rows have different lengths", path, header_lineno or 1))
        arr = np.array(counts, dtype=np.float64)
        totals = arr.sum(axis=0)
        if np.any(totals <= 0):
            raise BadInputError(located("a column has no counts", path, header_lineno or 1))
        words = (header or "").split()
        name = words[0] if words else path.stem
        alt = words[1] if len(words) > 1 else None
        if name in seen:
            raise BadInputError(
                located(f"duplicate motif id {name!r} (first defined on line {seen[name]})", path, header_lineno)
            )
        seen[name] = header_lineno
        motifs.append(Motif(name, np.ascontiguousarray(arr / totals), alt, float(totals[0]), None))
        rows, bare, header = {}, [], None

    for idx, line in enumerate(lines):
        lineno = idx + 1
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith(">"):
            finish(lineno)
            header = s[1:].strip()
            header_lineno = lineno
            continue
        m = re.match(r"^([ACGTU])\s*\[(.*)\]\s*$", s, re.IGNORECASE)
        if m:
            letter = m.group(1).upper().replace("U", "T")
            rows[letter] = [_probability(t, path, lineno) for t in m.group(2).split()]
            continue
        tokens = s.split()
        if tokens and re.fullmatch(r"[ACGTU]", tokens[0], re.IGNORECASE) and len(tokens) > 1:
            letter = tokens[0].upper().replace("U", "T")
            rows[letter] = [_probability(t, path, lineno) for t in tokens[1:]]
            continue
        bare.append([_probability(t, path, lineno) for t in tokens])
        if header is None and len(bare) == 1 and motifs:
            raise BadInputError(located("count rows without a '>' header", path, lineno))
    finish(len(lines))
    return motifs
