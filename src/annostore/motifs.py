"""Motifs: reading and writing MEME and JASPAR files, backgrounds, pseudocounts.

A motif is a ``(4, w)`` float64 matrix of letter probabilities, rows A, C, G, T,
each column summing to 1.  Files are parsed strictly: anything malformed raises
:class:`~annostore.errors.BadInputError` naming the file and line.

Supported inputs of :func:`read_motifs`:

* MEME minimal motif format, versions 4 and 5 (``MEME version``, ``ALPHABET=``,
  ``strands:``, optional ``Background letter frequencies`` block, ``MOTIF id
  [alt]``, ``letter-probability matrix:`` with optional ``alength= w= nsites=
  E=``, ``URL``); CRLF line endings, ``#`` comments and blank lines are fine.
  Columns whose probabilities sum to within 0.1 of 1 are renormalised, as MEME
  does.
* JASPAR ``.jaspar`` (``>ID NAME`` then ``A [ counts ]`` rows) and raw ``.pfm``
  (optional ``>`` header, then four rows of counts A, C, G, T); counts become
  probabilities and ``nsites`` the column total.
* A dict ``{name: (4, w) array or tensor}`` (tangermeme style), a list of
  ``(4, w)`` arrays (named ``"0"``, ``"1"``, ...), or a :class:`MotifSet`.
"""

from __future__ import annotations

import collections.abc
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional

import numpy as np

from .errors import BadInputError, MissingInputError, located

ALPHABET = "ACGT"

#: MEME's built-in non-redundant database (NRDB) DNA frequencies, A C G T.
NRDB = np.array([0.281774, 0.222020, 0.228876, 0.267330])

#: MEME's default motif site count when ``nsites`` is absent (DEFAULT_SITE_COUNT).
DEFAULT_NSITES = 20.0

_ROW_SUM_TOLERANCE = 0.1


@dataclass(frozen=True, eq=False)
class Motif:
    """One motif: a ``(4, w)`` letter-probability matrix plus its MEME metadata.

    Parameters
    ----------
    name : str
        The motif id (first word after ``MOTIF`` in a MEME file).
    pwm : numpy.ndarray
        ``(4, w)`` float64 probabilities, rows A, C, G, T, columns summing to 1.
        No pseudocount is applied (see :func:`pseudocounted`).
    alt_name : str, optional
        The alternate name (second word after ``MOTIF``).
    nsites : float, optional
        Number of sites from the matrix header; ``None`` when absent (MEME then
        uses 20 for its pseudocount).
    url : str, optional
        The ``URL`` line.
    """

    name: str
    pwm: np.ndarray
    alt_name: Optional[str] = None
    nsites: Optional[float] = None
    url: Optional[str] = None

    @property
    def width(self) -> int:
        return int(self.pwm.shape[1])

    @property
    def key(self) -> str:
        """``"id alt"`` (or ``"id"``): the dict key tangermeme/memelite ``read_meme`` give."""
        return f"{self.name} {self.alt_name}" if self.alt_name else self.name

    @property
    def consensus(self) -> str:
        """The most probable letter of each column (first letter on ties)."""
        return "".join(ALPHABET[i] for i in np.argmax(self.pwm, axis=0))

    def reverse_complement(self) -> "Motif":
        """The motif of the other strand (rows and columns reversed, valid for ACGT order)."""
        return Motif(self.name, np.ascontiguousarray(self.pwm[::-1, ::-1]), self.alt_name, self.nsites, self.url)

    def __repr__(self) -> str:
        return f"Motif({self.key!r}, width={self.width})"


@dataclass(eq=False)
class MotifSet(collections.abc.Sequence):
    """An ordered collection of motifs with the file's background and provenance.

    ``motif_set[i]`` is the i-th motif in file order; :meth:`index` resolves a
    name.  ``background`` is the file's ``Background letter frequencies`` block
    (``None`` when it has none).
    """

    motifs: list = field(default_factory=list)
    background: Optional[np.ndarray] = None
    source: Optional[str] = None
    sha256: Optional[str] = None

    def __post_init__(self) -> None:
        self._by_name: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._by_alt: dict[str, list[int]] = {}
        for i, motif in enumerate(self.motifs):
            if motif.name in self._by_name:
                raise BadInputError(located(f"duplicate motif id {motif.name!r}", self.source))
            self._by_name[motif.name] = i
            self._by_key.setdefault(motif.key, i)
            if motif.alt_name:
                self._by_alt.setdefault(motif.alt_name, []).append(i)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return MotifSet(self.motifs[i], self.background, self.source, self.sha256)
        return self.motifs[i]

    def __len__(self) -> int:
        return len(self.motifs)

    def __iter__(self) -> Iterator[Motif]:
        return iter(self.motifs)

    def __repr__(self) -> str:
        return f"MotifSet({len(self)} motifs, source={self.source!r})"

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.motifs]

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.motifs]

    def index(self, name: str) -> int:  # type: ignore[override]
        """Position of a motif named by id, ``"id alt"`` key, or unambiguous alt name."""
        if name in self._by_name:
            return self._by_name[name]
        if name in self._by_key:
            return self._by_key[name]
        alts = self._by_alt.get(name, [])
        if len(alts) == 1:
            return alts[0]
        if len(alts) > 1:
            ids = ", ".join(self.motifs[i].name for i in alts[:5])
            raise BadInputError(f"motif name {name!r} is ambiguous: it is the alt name of {ids}; use the id")
        raise BadInputError(f"unknown motif {name!r} (not an id, 'id alt' key or alt name of {len(self)} motifs)")

    def select(self, names: Iterable[str]) -> "MotifSet":
        """A new set with the named motifs, in the order given."""
        return MotifSet([self.motifs[self.index(n)] for n in names], self.background, self.source, self.sha256)

    def to_dict(self) -> dict:
        """``{key: pwm}`` in file order, like ``tangermeme.io.read_meme``."""
        return {m.key: m.pwm for m in self.motifs}


# --------------------------------------------------------------------------------------------
# backgrounds and pseudocounts (MEME semantics, meme-reference §1.2-1.3)


def normalised_background(background) -> np.ndarray:
    """MEME's final background step: ``(b + 5e-7) / (sum(b) + 4 * 5e-7)``."""
    b = np.asarray(background, dtype=np.float64)
    return (b + 5e-7) / (b.sum() + 4 * 5e-7)


def symmetrised(background) -> np.ndarray:
    """Average complementary letters (A with T, C with G), then :func:`normalised_background`."""
    b = np.asarray(background, dtype=np.float64)
    at = (b[0] + b[3]) / 2.0
    cg = (b[1] + b[2]) / 2.0
    return normalised_background(np.array([at, cg, cg, at]))


def pseudocounted(motif: Motif, background, pseudocount: float = 0.1) -> np.ndarray:
    """MEME's motif pseudocount: ``(N p + c b) / (N + c)`` with ``N = nsites`` (20 if absent)."""
    if pseudocount == 0:
        return motif.pwm.copy()
    n = motif.nsites if motif.nsites and motif.nsites > 0 else DEFAULT_NSITES
    b = np.asarray(background, dtype=np.float64)[:, None]
    return (n * motif.pwm + pseudocount * b) / (n + pseudocount)


def read_background(path) -> np.ndarray:
    """Read a MEME Markov background file (``--bfile``); only the order-0 block is used."""
    path = _existing(path)
    freqs: dict[str, float] = {}
    for lineno, line in enumerate(_text_lines(path), 1):
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


# --------------------------------------------------------------------------------------------
# reading


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
    path = _existing(source)
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    lines = _decode(raw, path).splitlines()
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


def _existing(source) -> Path:
    path = Path(source)
    if not path.exists():
        raise MissingInputError(f"{path}: no such file")
    if path.is_dir():
        raise BadInputError(f"{path}: is a directory, not a file")
    return path


def _decode(raw: bytes, path) -> str:
    if b"\x00" in raw[:65536]:
        raise BadInputError(located("binary data, not a text motif file", path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(located(f"not UTF-8 text (byte {exc.start})", path)) from None


def _text_lines(path) -> list[str]:
    return _decode(Path(path).read_bytes(), path).splitlines()


def _guess_format(path: Path, lines: list[str]) -> str:
    suffix = path.suffix.lower()
    if suffix == ".jaspar":
        return "jaspar"
    if suffix == ".pfm":
        return "pfm"
    for line in lines:
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith(">"):
            return "jaspar"
        return "meme"
    return "meme"


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
            if any(m.name == current[0] for m in motifs):
                raise BadInputError(located(f"second letter-probability matrix for motif {current[0]!r}", path, lineno))
            motif, i = _parse_matrix(lines, i, path, current)
            motifs.append(motif)
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
    missing = [name for name in seen_ids if not any(m.name == name for m in motifs)]
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


def _from_arrays(items) -> MotifSet:
    motifs = []
    for name, value in items:
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[0] != 4 or arr.shape[1] == 0:
            raise BadInputError(f"motif {name!r}: expected a (4, w) array, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise BadInputError(f"motif {name!r}: probabilities must be finite and >= 0")
        totals = arr.sum(axis=0)
        if np.any(totals <= 0):
            raise BadInputError(f"motif {name!r}: a column sums to 0")
        motifs.append(Motif(str(name), np.ascontiguousarray(arr / totals)))
    return MotifSet(motifs)


# --------------------------------------------------------------------------------------------
# writing


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
