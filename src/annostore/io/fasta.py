"""FASTA: ``>name description`` header lines, then sequence lines; ``;`` lines are comments.

Plain, gzip or bgzip (see :mod:`annostore.io.files`).  Names are the header up to the first
whitespace and must be unique; sequences must be ASCII and non-empty.  Letters are kept as
written here; :mod:`annostore.core.alphabet` decides what they mean (A/C/G/T either case,
U as T, anything else N).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from annostore.core.sequences import Sequences, _from_texts
from annostore.errors import BadInputError, located
from annostore.io.files import read_bytes


def records(path) -> Iterator[tuple[str, bytes, int]]:
    """The records of a FASTA file (plain, gzip or bgzip) as ``(name, sequence bytes, header line)``,
    letters as written (case kept).

    The name of a record is its header up to the first whitespace.  Raises
    :class:`BadInputError` for binary data, text before the first header, empty
    records, duplicate names, non-ASCII sequence characters, or a file without records.
    """
    path = Path(path)
    raw = read_bytes(path)
    if b"\x00" in raw[:65536]:
        raise BadInputError(located("binary data, not a FASTA file", path))
    seen: dict[str, int] = {}
    name: str | None = None
    parts: list[bytes] = []
    header_line = 0
    for lineno, line in enumerate(raw.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith(b">"):
            if name is not None:
                yield name, _joined(name, parts, path, header_line), header_line
            try:
                header = line[1:].decode("utf-8").strip()
            except UnicodeDecodeError:
                raise BadInputError(located("header is not UTF-8 text", path, lineno)) from None
            name = header.split()[0] if header.split() else ""
            if not name:
                raise BadInputError(located("FASTA header without a name", path, lineno))
            if name in seen:
                raise BadInputError(located(f"duplicate sequence name {name!r} (first on line {seen[name]})", path, lineno))
            seen[name] = lineno
            parts = []
            header_line = lineno
            continue
        if line.startswith(b";"):
            continue
        if name is None:
            raise BadInputError(located("sequence data before the first '>' header", path, lineno))
        if any(b > 127 for b in line[:4096]):
            raise BadInputError(located("non-ASCII characters in sequence", path, lineno))
        parts.append(line)
    if name is not None:
        yield name, _joined(name, parts, path, header_line), header_line
    if not seen:
        raise BadInputError(located("no FASTA records (expected lines starting with '>')", path))


def _joined(name: str, parts: list[bytes], path, header_line: int) -> bytes:
    seq = b"".join(parts)
    if not seq:
        raise BadInputError(located(f"sequence {name!r} is empty", path, header_line))
    return seq


def read_fasta(path) -> Sequences:
    """Read a FASTA file (plain, gzip or bgzip) as :class:`Sequences` (see :func:`records`)."""
    names: list[str] = []
    texts: list[bytes] = []
    for name, seq, _ in records(path):
        names.append(name)
        texts.append(seq)
    return _from_texts(names, texts)


def fasta_texts(path) -> dict[str, str]:
    """Sequence texts as written (case kept), by name: MEME prints '+' strand matches in the
    file's case in ``fimo.tsv``'s ``matched_sequence``."""
    return {name: seq.decode("ascii") for name, seq, _ in records(path)}
