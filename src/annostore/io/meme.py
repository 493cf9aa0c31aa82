"""MEME minimal motif format, versions 4 and 5: ``MEME version``, ``ALPHABET= ACGT``, ``strands:``,
an optional ``Background letter frequencies`` block, then ``MOTIF id [alt]`` with a
``letter-probability matrix: alength= 4 w= W nsites= N`` and W rows of four probabilities;
also MEME background files (``A 0.3`` lines).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from annostore.core.motifs import _ROW_SUM_TOLERANCE, ALPHABET, Motif
from annostore.errors import BadInputError, located
from annostore.io.files import existing, read_text


def read_background(path) -> np.ndarray:
    """Read a MEME Markov background file (``--bfile``); only the order-0 block is used."""
    path = existing(path)
    freqs: dict[str, float] = {}
    for lineno, line in enumerate(read_text(path, "a MEME background file").splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        parts = s.split()
        if len(parts) != 2:
            raise BadInputError(located(f"expected 'letter probability', got {s[:60]!r}", path, lineno))
        kmer, value = parts
        if len(kmer) != 1:
            continue  # higher-order blocks are ignored, as FIMO does
        letter = kmer.upper()
        if letter == "U":
            letter = "T"
        if letter not in ALPHABET:
            raise BadInputError(located(f"letter {kmer!r} is not in the DNA alphabet ACGT", path, lineno))
        freqs[letter] = _probability(value, path, lineno)
    missing = [a for a in ALPHABET if a not in freqs]
    if missing:
        raise BadInputError(located(f"background file lacks letters {''.join(missing)}", path))
    b = np.array([freqs[a] for a in ALPHABET])
    if b.sum() <= 0:
        raise BadInputError(located("background frequencies sum to 0", path))
    return b / b.sum()


def _probability(token: str, path, lineno: int) -> float:
    try:
        value = float(token)
    except ValueError:
        raise BadInputError(located(f"not a number: {token[:40]!r}", path, lineno)) from None
    if not np.isfinite(value) or value < 0:
        raise BadInputError(located(f"probability must be a finite number >= 0, got {token!r}", path, lineno))
    return value


_VERSION = re.compile(r"^MEME version\s+(\d+)")


_KEYVAL = re.compile(r"(\w+)\s*=\s*(\S+)")


def _parse_meme(lines: list[str], path: Path):
    motifs: list[Motif] = []
    background = None
    seen_version = False
    seen_ids: dict[str, int] = {}
    with_matrix: set = set()  # ids whose letter-probability matrix was read
    n = len(lines)
    i = 0
    current = None  # (name, alt, lineno, url_index)

    def content(k: int) -> str:
        return lines[k].strip()

    while i < n:
        line = content(i)
        lineno = i + 1
        if not line or line.startswith("#"):
            i += 1
            continue
        if not seen_version:
            if _VERSION.match(line):
                seen_version = True
                i += 1
                continue
            raise BadInputError(
                located(f"not a MEME motif file: expected 'MEME version N' first, got {line[:60]!r}", path, lineno)
            )
        if line.startswith("ALPHABET"):
            if line.startswith("ALPHABET="):
                alph = line[len("ALPHABET=") :].strip().upper()
                if alph not in ("ACGT", "ACGU"):
                    raise BadInputError(
                        located(f"alphabet {alph!r} is not DNA: annostore handles DNA (ACGT) motifs only", path, lineno)
                    )
            else:
                m = re.search(r'ALPHABET\s+(?:"[^"]*"\s+)?(\S+)', line)
                kind = m.group(1) if m else ""
                if kind.upper() not in ("DNA-LIKE", "RNA-LIKE"):
                    raise BadInputError(
                        located("custom non-DNA alphabet: annostore handles DNA (ACGT) motifs only", path, lineno)
                    )
                # skip the custom alphabet block; its letters must still be ACGT in order
                while i < n and not content(i).startswith("END ALPHABET"):
                    i += 1
            i += 1
            continue
        if line.startswith("strands:"):
            i += 1
            continue
        if line.startswith("Background letter frequencies"):
            background, i = _parse_background_block(lines, i + 1, path)
            continue
        if line.startswith("MOTIF"):
            words = line.split()
            if len(words) < 2:
                raise BadInputError(located("MOTIF line without an id", path, lineno))
            name = words[1]
            alt = words[2] if len(words) > 2 else None
            if name in seen_ids:
                raise BadInputError(
                    located(f"duplicate motif id {name!r} (first defined on line {seen_ids[name]})", path, lineno)
                )
            seen_ids[name] = lineno
            current = (name, alt, lineno)
            i += 1
            continue
        if line.startswith("letter-probability matrix"):
            if current is None:
                raise BadInputError(located("letter-probability matrix before any MOTIF line", path, lineno))
            if current[0] in with_matrix:
                raise BadInputError(located(f"second letter-probability matrix for motif {current[0]!r}", path, lineno))
            motif, i = _parse_matrix(lines, i, path, current)
            motifs.append(motif)
            with_matrix.add(motif.name)
            continue
        if line.startswith("log-odds matrix"):
            # a PSSM block: skip its rows (we use the letter-probability matrix)
            i += 1
            while i < n and content(i) and _is_numeric_row(content(i)):
                i += 1
            continue
        if line.startswith("URL"):
            if motifs and current is not None and motifs[-1].name == current[0]:
                url = line[3:].strip() or None
                last = motifs[-1]
                motifs[-1] = Motif(last.name, last.pwm, last.alt_name, last.nsites, url)
            i += 1
            continue
        if _is_numeric_row(line):
            if current is not None and motifs and motifs[-1].name == current[0]:
                raise BadInputError(
                    located(
                        f"more matrix rows than w= {motifs[-1].width} declared for motif {current[0]!r}", path, lineno
                    )
                )
            raise BadInputError(located("matrix row outside a letter-probability matrix", path, lineno))
        # other lines (MEME/STREME text output sections, free text) are ignored
        i += 1

    if not seen_version:
        raise BadInputError(located("empty file: no 'MEME version' line and no motifs", path))
    missing = [name for name in seen_ids if name not in with_matrix]
    if missing:
        raise BadInputError(
            located(f"motif {missing[0]!r} has no letter-probability matrix", path, seen_ids[missing[0]])
        )
    return motifs, background


def _is_numeric_row(line: str) -> bool:
    first = line.split()[0] if line.split() else ""
    try:
        float(first)
        return True
    except ValueError:
        return False


def _parse_background_block(lines: list[str], i: int, path: Path):
    values: dict[str, float] = {}
    start = i
    while i < len(lines) and len(values) < 4:
        s = lines[i].strip()
        if not s or s.startswith("#"):
            if values:
                break
            i += 1
            continue
        tokens = s.split()
        if len(tokens) % 2 != 0 or tokens[0] in ("MOTIF", "ALPHABET"):
            raise BadInputError(located(f"malformed background line {s[:60]!r}", path, i + 1))
        for letter, value in zip(tokens[::2], tokens[1::2]):
            letter_u = "T" if letter.upper() == "U" else letter.upper()
            if letter_u not in ALPHABET:
                raise BadInputError(located(f"background letter {letter!r} is not in ACGT", path, i + 1))
            values[letter_u] = _probability(value, path, i + 1)
        i += 1
    if len(values) != 4:
        raise BadInputError(located("background block must give A, C, G and T", path, start))
    b = np.array([values[a] for a in ALPHABET])
    if abs(b.sum() - 1.0) > _ROW_SUM_TOLERANCE:
        raise BadInputError(located(f"background frequencies sum to {b.sum():g}, not 1", path, start))
    return b / b.sum(), i


def _parse_matrix(lines: list[str], i: int, path: Path, current):
    name, alt, _ = current
    header = lines[i].strip()
    header_lineno = i + 1
    fields = dict(_KEYVAL.findall(header.split(":", 1)[1] if ":" in header else ""))
    alength = fields.get("alength")
    if alength is not None:
        try:
            alength_value = int(alength)
        except ValueError:
            raise BadInputError(located(f"alength= {alength!r} is not an integer", path, header_lineno)) from None
        if alength_value != 4:
            raise BadInputError(
                located(f"alength= {alength}: annostore handles DNA (4-letter) motifs only", path, header_lineno)
            )
    width = None
    if "w" in fields:
        try:
            width = int(fields["w"])
        except ValueError:
            raise BadInputError(located(f"w= {fields['w']!r} is not an integer", path, header_lineno)) from None
        if width <= 0:
            raise BadInputError(located(f"w= {width}: width must be positive", path, header_lineno))
    nsites = None
    if "nsites" in fields:
        try:
            nsites = float(fields["nsites"])
        except ValueError:
            raise BadInputError(located(f"nsites= {fields['nsites']!r} is not a number", path, header_lineno)) from None
        if not np.isfinite(nsites) or nsites <= 0:
            nsites = None
    rows: list[list[float]] = []
    i += 1
    n = len(lines)
    while i < n:
        s = lines[i].strip()
        if width is not None and len(rows) == width:
            break
        if not s:
            if width is None and rows:
                break
            if width is not None and rows:
                raise BadInputError(
                    located(f"blank line inside matrix of {name!r}: {len(rows)} of w= {width} rows read", path, i + 1)
                )
            i += 1
            continue
        if s.startswith("#"):
            i += 1
            continue
        if not _is_numeric_row(s):
            if width is not None:
                raise BadInputError(
                    located(
                        f"motif {name!r} declares w= {width} but has {len(rows)} matrix rows "
                        f"(got {s[:40]!r} on this line)",
                        path,
                        i + 1,
                    )
                )
            break
        tokens = s.split()
        if len(tokens) != 4:
            raise BadInputError(
                located(f"matrix row of motif {name!r} has {len(tokens)} values, expected 4 (A C G T)", path, i + 1)
            )
        row = [_probability(t, path, i + 1) for t in tokens]
        if any(v > 1.0 + 1e-6 for v in row):
            raise BadInputError(located(f"probability above 1 in motif {name!r}: {s[:60]!r}", path, i + 1))
        total = sum(row)
        if abs(total - 1.0) > _ROW_SUM_TOLERANCE:
            raise BadInputError(
                located(f"matrix row of motif {name!r} sums to {total:g}, not 1 (tolerance 0.1)", path, i + 1)
            )
        rows.append([v / total for v in row])
        i += 1
    if width is not None and len(rows) != width:
        raise BadInputError(
            located(f"motif {name!r} declares w= {width} but the file ends after {len(rows)} rows", path, header_lineno)
        )
    if not rows:
        raise BadInputError(located(f"motif {name!r} has an empty matrix", path, header_lineno))
    pwm = np.ascontiguousarray(np.array(rows, dtype=np.float64).T)
    return Motif(name, pwm, alt, nsites, None), i


def write_meme(motifs, path_or_file, background=None, *, digits: int = 6) -> None:
    """Write motifs in MEME minimal format (version 4, DNA, both strands).

    Parameters
    ----------
    motifs : anything :func:`read_motifs` accepts
    path_or_file : path or text file object
    background : (4,) array, optional
        Written as the background block; defaults to the set's own background,
        else uniform.
    digits : int
        Decimal places of the probabilities.
    """
    from annostore.io.motifs import read_motifs

    mset = read_motifs(motifs)
    bg = background if background is not None else mset.background
    bg = np.full(4, 0.25) if bg is None else np.asarray(bg, dtype=np.float64)
    out = io.StringIO()
    out.write("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n")
    out.write("Background letter frequencies\n")
    out.write(" ".join(f"{a} {v:.{digits}f}" for a, v in zip(ALPHABET, bg)) + "\n\n")
    for m in mset:
        out.write(f"MOTIF {m.name}{' ' + m.alt_name if m.alt_name else ''}\n\n")
        nsites = f"{m.nsites:g}" if m.nsites else "20"
        out.write(f"letter-probability matrix: alength= 4 w= {m.width} nsites= {nsites} E= 0\n")
        for col in m.pwm.T:
            out.write(" ".join(f"{v:.{digits}f}" for v in col) + "\n")
        if m.url:
            out.write(f"\nURL {m.url}\n")
        out.write("\n")
    text = out.getvalue()
    if hasattr(path_or_file, "write"):
        path_or_file.write(text)
    else:
        Path(path_or_file).write_text(text, encoding="utf-8")
