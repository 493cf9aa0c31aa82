"""fasta: (moved by the layout change; docstring to be written)."""

from __future__ import annotations

import gzip
from pathlib import Path
from annostore.errors import BadInputError, MissingInputError, located
from annostore.core.sequences import Sequences, _from_texts


def read_fasta(path) -> Sequences:
    """Read a FASTA file (plain or gzip-compressed).

    The name of a record is its header up to the first whitespace.  Raises
    :class:`BadInputError` for binary data, text before the first header, empty
    records, duplicate names, or a file without records.
    """
    path = Path(path)
    if not path.exists():
        raise MissingInputError(f"{path}: no such file")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise BadInputError(located(f"corrupt gzip data ({exc})", path)) from None
    if b"\x00" in raw[:65536]:
        raise BadInputError(located("binary data, not a FASTA file", path))
    names: list[str] = []
    texts: list[bytes] = []
    seen: dict[str, int] = {}
    current: list[bytes] | None = None
    header_line = 0
    for lineno, line in enumerate(raw.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith(b">"):
            if current is not None:
                _finish_record(names, texts, current, path, header_line)
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
            names.append(name)
            current = []
            header_line = lineno
            continue
        if line.startswith(b";"):
            continue
        if current is None:
            raise BadInputError(located("sequence data before the first '>' header", path, lineno))
        if any(b > 127 for b in line[:4096]):
            raise BadInputError(located("non-ASCII characters in sequence", path, lineno))
        current.append(line)
    if current is not None:
        _finish_record(names, texts, current, path, header_line)
    if not names:
        raise BadInputError(located("no FASTA records (expected lines starting with '>')", path))
    return _from_texts(names, texts)


def _finish_record(names, texts, parts, path, header_line) -> None:
    seq = b"".join(parts)
    if not seq:
        raise BadInputError(located(f"sequence {names[-1]!r} is empty", path, header_line))
    texts.append(seq)
