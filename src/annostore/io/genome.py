"""Genome FASTA with random access: plain text with a ``.fai`` index, or bgzip with ``.gzi``.

Format (samtools ``faidx``): a ``.fai`` file has one tab-separated line per sequence,
``NAME LENGTH OFFSET LINEBASES LINEWIDTH``: the byte offset of the first base, the bases per
full line and the bytes per full line (bases + line ending).  Every line of a record but its
last must be full.  Offsets are positions in the *uncompressed* text.

bgzip (BGZF) files are a series of gzip members of at most 64 KiB each, every member marked by
a ``BC`` extra subfield holding its compressed size.  The ``.gzi`` index is a little-endian
``uint64`` count followed by ``(compressed_offset, uncompressed_offset)`` ``uint64`` pairs, one
per member after the first.  A plain (non-BGZF) gzip FASTA cannot be read at random offsets:
it is refused with a one-line error that says how to fix it (``bgzip`` or decompress it).

Missing ``.fai``/``.gzi`` files are built (one pass over the file) and written next to the FASTA
as samtools would; when that folder is read-only the index is kept in memory only.

Why our own reader and not ``pyfaidx``: the subset needed here (read ``.fai``, build it, slice
a record, bgzip through ``.gzi``) is ~250 lines of plain Python on ``zlib``, while pyfaidx adds
a run-time dependency and needs Biopython for bgzip input.  ``pyfaidx`` serves as a test oracle.

Coordinates are 0-based half-open.  Sequences are returned as upper-case ``bytes``.  The file
is checked with :func:`annostore.io.files.existing` and then opened here for random access
(``open_input`` streams; a genome is read by seeking).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from ..errors import BadInputError, located
from .files import existing

__all__ = ["FaiEntry", "Genome", "open_genome", "read_fai", "build_fai", "write_fai"]

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class FaiEntry:
    """One ``.fai`` line: name, length, offset of the first base, bases per line, bytes per line."""

    name: str
    length: int
    offset: int
    linebases: int
    linewidth: int


# ---------------------------------------------------------------------------------------------
# .fai


def read_fai(path: str | os.PathLike) -> list[FaiEntry]:
    """Read a samtools ``.fai`` index (5 columns; a 6th, FASTQ quality offset, is ignored)."""
    path = Path(path)
    entries: list[FaiEntry] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read the FASTA index: {exc}") from None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 5:
            raise BadInputError(located(f"a .fai line needs 5 tab-separated fields, found {len(fields)}", path, lineno))
        try:
            length, offset, linebases, linewidth = (int(f) for f in fields[1:5])
        except ValueError:
            raise BadInputError(located("length/offset/linebases/linewidth must be integers", path, lineno)) from None
        if length < 0 or offset < 0 or linebases <= 0 or linewidth < linebases:
            raise BadInputError(located("impossible .fai values", path, lineno))
        entries.append(FaiEntry(fields[0], length, offset, linebases, linewidth))
    if not entries:
        raise BadInputError(f"{path}: empty FASTA index")
    return entries


def write_fai(entries: list[FaiEntry], path: str | os.PathLike) -> None:
    """Write ``entries`` as a samtools ``.fai`` file."""
    lines = "".join(f"{e.name}\t{e.length}\t{e.offset}\t{e.linebases}\t{e.linewidth}\n" for e in entries)
    Path(path).write_text(lines, encoding="utf-8")


def build_fai(chunks: Iterator[bytes], where: object = None) -> list[FaiEntry]:
    """Index FASTA text given as byte chunks (the uncompressed file, in order).

    Vectorised: lines are found with numpy and only the lines where the layout changes (headers,
    a record's first and last lines, blank lines) are looked at in Python, so a 3 Gb genome is
    indexed at numpy speed.  Raises BadInputError (with ``where:line``) for text before the first
    header, duplicate or empty names and ragged line lengths inside a record (as samtools does).
    """
    st = _FaiState(where)
    pending = b""
    base = 0  # absolute offset of pending[0]
    for chunk in chunks:
        data = pending + chunk if pending else chunk
        consumed = st.lines(data, base, final=False)
        pending = data[consumed:]
        base += consumed
    if pending:
        st.lines(pending, base, final=True)
    st.finish()
    if not st.entries:
        raise BadInputError(located("no FASTA records (expected lines starting with '>')", where))
    return st.entries


class _FaiState:
    def __init__(self, where: object) -> None:
        self.where = where
        self.entries: list[FaiEntry] = []
        self.seen: set[str] = set()
        self.lineno = 0
        self.name: Optional[str] = None
        self.offset = self.length = self.linebases = self.linewidth = 0
        self.short_seen = False

    def finish(self) -> None:
        if self.name is not None:
            self.entries.append(FaiEntry(self.name, self.length, self.offset, self.linebases, self.linewidth))

    def _ragged(self, lineno: int) -> BadInputError:
        return BadInputError(located(
            f"different line length in sequence {self.name!r} (a genome FASTA needs equal lines; "
            "reformat it, e.g. with samtools faidx or seqkit seq -w 60)", self.where, lineno))

    def lines(self, data: bytes, base: int, final: bool) -> int:
        """Index the complete lines of ``data`` (all of it when ``final``); returns bytes consumed."""
        arr = np.frombuffer(data, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        if final and (len(nl) == 0 or nl[-1] != len(arr) - 1):
            nl = np.append(nl, len(arr))  # a last line without its newline
            ends_at = len(arr)
        else:
            ends_at = int(nl[-1]) + 1 if len(nl) else 0
        if len(nl) == 0:
            return 0
        starts = np.empty(len(nl), dtype=np.int64)
        starts[0] = 0
        starts[1:] = nl[:-1] + 1
        width = np.minimum(nl + 1, len(arr)) - starts
        cr = np.zeros(len(nl), dtype=bool)
        has = nl > starts
        cr[has] = arr[nl[has] - 1] == 13
        bases = nl - starts - cr
        first = np.full(len(nl), 0, dtype=np.uint8)
        first[has] = arr[starts[has]]
        header = first == 62  # '>'
        change = np.ones(len(nl), dtype=bool)
        change[1:] = (bases[1:] != bases[:-1]) | (width[1:] != width[:-1]) | header[1:] | header[:-1]
        events = np.flatnonzero(change).tolist() + [len(nl)]
        for a, b in zip(events[:-1], events[1:]):
            lineno = self.lineno + a + 1
            if header[a]:
                self.finish()
                text = data[starts[a] + 1 : nl[a]].decode("utf-8", errors="replace").split()
                if not text:
                    raise BadInputError(located("FASTA header without a name", self.where, lineno))
                self.name = text[0]
                if self.name in self.seen:
                    raise BadInputError(located(f"duplicate sequence name {self.name!r}", self.where, lineno))
                self.seen.add(self.name)
                self.offset = base + int(starts[a] + width[a])
                self.length = self.linebases = self.linewidth = 0
                self.short_seen = False
                continue
            k, nb, nw = b - a, int(bases[a]), int(width[a])
            if nb == 0:
                if self.name is not None and self.length:
                    self.short_seen = True  # blank lines end the record's data
                continue
            if self.name is None:
                raise BadInputError(located("sequence data before the first '>' header", self.where, lineno))
            if self.linebases == 0:
                self.linebases, self.linewidth = nb, nw
            elif self.short_seen or nb > self.linebases or (nb == self.linebases and nw != self.linewidth):
                raise self._ragged(lineno)
            elif nb < self.linebases:
                if k > 1:
                    raise self._ragged(lineno + 1)
                self.short_seen = True
            self.length += k * nb
        if (arr == 0).any():
            raise BadInputError(located("binary data, not a FASTA file", self.where, self.lineno + 1))
        self.lineno += len(nl)
        return ends_at if not final else len(arr)


# ---------------------------------------------------------------------------------------------
# BGZF


def _bgzf_block_size(header: bytes) -> Optional[int]:
    """Total size of the BGZF block starting with ``header`` (>= 18 bytes), or None if not BGZF."""
    if len(header) < 18 or header[:2] != _GZIP_MAGIC or header[2] != 8 or not header[3] & 4:
        return None
    xlen = struct.unpack_from("<H", header, 10)[0]
    extra = header[12 : 12 + xlen]
    i = 0
    while i + 4 <= len(extra):
        si1, si2, slen = extra[i], extra[i + 1], struct.unpack_from("<H", extra, i + 2)[0]
        if si1 == 66 and si2 == 67 and slen == 2 and i + 6 <= len(extra):
            return struct.unpack_from("<H", extra, i + 4)[0] + 1
        i += 4 + slen
    return None


def is_bgzf(path: str | os.PathLike) -> bool:
    with open(path, "rb") as fh:
        return _bgzf_block_size(fh.read(64)) is not None


def build_gzi(path: str | os.PathLike) -> list[tuple[int, int]]:
    """``(compressed, uncompressed)`` offsets of every BGZF block after the first."""
    out: list[tuple[int, int]] = []
    coff = uoff = 0
    with open(path, "rb") as fh:
        while True:
            fh.seek(coff)
            header = fh.read(18 + 64)
            if not header:
                break
            size = _bgzf_block_size(header)
            if size is None:
                raise BadInputError(f"{path}: corrupt BGZF block at byte {coff}")
            fh.seek(coff + size - 4)
            tail = fh.read(4)
            if len(tail) != 4:
                raise BadInputError(f"{path}: truncated BGZF block at byte {coff}")
            isize = struct.unpack("<I", tail)[0]
            if coff:
                out.append((coff, uoff))
            coff += size
            uoff += isize
    return out


def read_gzi(path: str | os.PathLike) -> list[tuple[int, int]]:
    raw = Path(path).read_bytes()
    if len(raw) < 8:
        raise BadInputError(f"{path}: truncated .gzi index")
    (n,) = struct.unpack_from("<Q", raw, 0)
    if len(raw) != 8 + 16 * n:
        raise BadInputError(f"{path}: .gzi index of {n} entries has {len(raw)} bytes")
    vals = struct.unpack_from(f"<{2 * n}Q", raw, 8)
    return [(vals[2 * i], vals[2 * i + 1]) for i in range(n)]


def write_gzi(entries: list[tuple[int, int]], path: str | os.PathLike) -> None:
    flat = [v for pair in entries for v in pair]
    Path(path).write_bytes(struct.pack(f"<Q{len(flat)}Q", len(entries), *flat))


# ---------------------------------------------------------------------------------------------
# the genome


def _try_write(fn, *args) -> None:
    try:
        fn(*args)
    except OSError:
        pass  # a read-only folder: keep the index in memory


class Genome:
    """Random access to a FASTA file's records; use :func:`open_genome`.

    Attributes
    ----------
    path : Path
    chrom_sizes : dict[str, int]
        Record lengths in file order.
    """

    def __init__(self, path: Path, entries: list[FaiEntry], gzi: Optional[list[tuple[int, int]]]) -> None:
        self.path = path
        self.entries = {e.name: e for e in entries}
        self.chrom_sizes = {e.name: e.length for e in entries}
        self._gzi = None if gzi is None else [(0, 0)] + list(gzi)
        self._ukeys = None if gzi is None else [u for _, u in self._gzi]
        self._cache: OrderedDict = OrderedDict()
        self._fh = open(path, "rb")

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "Genome":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Genome({str(self.path)!r}, {len(self.chrom_sizes)} sequences)"

    def _read(self, offset: int, size: int) -> bytes:
        if self._gzi is None:
            self._fh.seek(offset)
            return self._fh.read(size)
        i = bisect.bisect_right(self._ukeys, offset) - 1
        skip = offset - self._ukeys[i]
        out = bytearray()
        while len(out) < skip + size and i < len(self._gzi):
            out += self._block(i)
            i += 1
        return bytes(out[skip : skip + size])

    def _block(self, i: int) -> bytes:
        """The decompressed BGZF block ``i`` (the most recent 64 kept: windows of sorted peaks share blocks)."""
        hit = self._cache.get(i)
        if hit is not None:
            self._cache.move_to_end(i)
            return hit
        self._fh.seek(self._gzi[i][0])
        head = self._fh.read(12)
        if len(head) < 12:
            return b""
        xlen = struct.unpack_from("<H", head, 10)[0]
        extra = self._fh.read(xlen)
        total = _bgzf_block_size(head + extra)
        if total is None:
            raise BadInputError(f"{self.path}: corrupt BGZF block at byte {self._gzi[i][0]}")
        rest = self._fh.read(total - 12 - xlen)
        try:
            data = zlib.decompress(rest[:-8], -15)
        except zlib.error as exc:
            raise BadInputError(f"{self.path}: corrupt BGZF block at byte {self._gzi[i][0]}: {exc}") from None
        self._cache[i] = data
        if len(self._cache) > 64:
            self._cache.popitem(last=False)
        return data

    def fetch(self, chrom: str, start: int, end: int, *, pad: bool = False) -> bytes:
        """Bases ``[start, end)`` of ``chrom`` as upper-case bytes.

        ``pad``: positions off the record's ends are ``N`` instead of an error.
        """
        entry = self.entries.get(chrom)
        if entry is None:
            raise BadInputError(f"{self.path}: no sequence named {chrom!r}")
        if end < start:
            raise BadInputError(f"{chrom}:{start}-{end}: end before start")
        left = right = b""
        if start < 0 or end > entry.length:
            if not pad:
                raise BadInputError(f"{chrom}:{start}-{end} runs off {chrom} (length {entry.length})")
            left = b"N" * max(0, min(end, 0) - start)
            right = b"N" * max(0, end - max(start, entry.length))
            start, end = max(start, 0), min(end, entry.length)
        if end <= start:
            return left + right
        lb, lw = entry.linebases, entry.linewidth
        first = entry.offset + (start // lb) * lw + start % lb
        last = entry.offset + ((end - 1) // lb) * lw + (end - 1) % lb
        raw = self._read(first, last - first + 1)
        seq = raw.replace(b"\n", b"").replace(b"\r", b"")
        if len(seq) != end - start:
            raise BadInputError(f"{self.path}: the index does not match the file at {chrom}:{start}-{end} "
                                "(rebuild the .fai)")
        return left + seq.upper() + right


def _chunks(path: Path, compressed: bool) -> Iterator[bytes]:
    if compressed:
        import gzip

        with gzip.open(path, "rb") as fh:
            yield from iter(lambda: fh.read(1 << 22), b"")
    else:
        with open(path, "rb") as fh:
            yield from iter(lambda: fh.read(1 << 22), b"")


def open_genome(path: str | os.PathLike) -> Genome:
    """Open a genome FASTA (plain or bgzip) for random access, building missing indexes.

    Raises
    ------
    MissingInputError
        The file does not exist.
    BadInputError
        Plain gzip (not bgzip), a malformed FASTA or index.
    """
    path = existing(path)
    with open(path, "rb") as fh:
        head = fh.read(64)
    gzi = None
    compressed = head[:2] == _GZIP_MAGIC
    if compressed:
        if _bgzf_block_size(head) is None:
            raise BadInputError(
                f"{path}: plain gzip cannot be read at random positions; recompress it with bgzip "
                f"(gunzip -c {path.name} | bgzip > {path.name[:-3] if path.name.endswith('.gz') else path.name}.bgz) "
                "or decompress it"
            )
        gzi_path = Path(str(path) + ".gzi")
        if gzi_path.exists():
            gzi = read_gzi(gzi_path)
        else:
            gzi = build_gzi(path)
            _try_write(write_gzi, gzi, gzi_path)
    elif b"\x00" in head:
        raise BadInputError(f"{path}: binary data, not a FASTA file")
    fai_path = Path(str(path) + ".fai")
    if fai_path.exists():
        entries = read_fai(fai_path)
    else:
        try:
            entries = build_fai(_chunks(path, compressed), path)
        except (OSError, EOFError, zlib.error) as exc:
            raise BadInputError(f"{path}: cannot read: {exc}") from None
        _try_write(write_fai, entries, fai_path)
    return Genome(path, entries, gzi)
