"""Opening input files: the one place that knows about missing and unreadable files,
compression, binary versus text, checksums and what kind of file a path holds.

* :func:`existing` — a path that exists, is a file and can be read; otherwise
  :class:`~annostore.errors.MissingInputError` (exit 66) with the path.
* :func:`open_input` — a binary file object over plain, gzip or bgzip data (recognised by
  their magic bytes, not by the suffix; bgzip is multi-member gzip and reads the same way).
  Corrupt compressed data raises :class:`~annostore.errors.BadInputError` (exit 65) naming
  the path, on open or on any later read.
* :func:`read_bytes` / :func:`read_text` — the whole (decompressed) content; ``read_text``
  refuses binary data and text that is not UTF-8, naming ``what`` was expected.
* :func:`sha256` and :class:`BackgroundHash` — file checksums for provenance.
* :func:`sniff_format` — what a file holds, from its magic bytes, its suffix and its first line.
"""

from __future__ import annotations

import hashlib
import os
import threading
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Optional

from annostore.errors import BadInputError, MissingInputError, located

GZIP_MAGIC = b"\x1f\x8b"
_CORRUPT = (OSError, EOFError, zlib.error)


def existing(source: Any) -> Path:
    """``source`` as a Path to a readable file, or ``MissingInputError`` (exit 66) saying why not."""
    path = Path(source)
    if not path.exists():
        raise MissingInputError(f"{path}: no such file")
    if path.is_dir():
        raise MissingInputError(f"{path}: is a folder, not a file")
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        raise MissingInputError(f"{path}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise MissingInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return path


def is_gzip(path: Any) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


class _Checked:
    """A read-only binary stream whose decompression errors become ``BadInputError``."""

    def __init__(self, fh: BinaryIO, path: Path) -> None:
        self._fh = fh
        self._path = path

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except BadInputError:
            raise
        except _CORRUPT as exc:
            raise BadInputError(located(f"corrupt compressed data ({exc})", self._path)) from None

    def read(self, *args) -> bytes:
        return self._guard(self._fh.read, *args)

    def readline(self, *args) -> bytes:
        return self._guard(self._fh.readline, *args)

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._fh.close()

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def __enter__(self) -> "_Checked":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_input(source: Any) -> _Checked:
    """A binary stream over a plain, gzip or bgzip file (decompressed transparently)."""
    import gzip

    path = existing(source)
    if is_gzip(path):
        return _Checked(gzip.open(path, "rb"), path)
    return _Checked(open(path, "rb"), path)


def read_bytes(source: Any) -> bytes:
    """The whole content of a plain, gzip or bgzip file, decompressed."""
    with open_input(source) as fh:
        return fh.read()


def decode_text(raw: bytes, path: Any, what: str = "a text file") -> str:
    """``raw`` as UTF-8 text; binary data or other encodings are ``BadInputError`` naming ``what``."""
    if b"\x00" in raw[:65536]:
        raise BadInputError(located(f"binary data, not {what}", path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(located(f"not UTF-8 text (byte {exc.start}); expected {what}", path)) from None


def read_text(source: Any, what: str = "a text file") -> str:
    """The whole content of a (possibly compressed) UTF-8 text file."""
    return decode_text(read_bytes(source), source, what)


def first_line(source: Any) -> str:
    """The first line of a (possibly compressed) text file, without its line end."""
    path = existing(source)
    with open_input(path) as fh:
        raw = fh.readline()
    if b"\x00" in raw:
        raise BadInputError(located("binary data, not a text table", path, 1))
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise BadInputError(located("not UTF-8 text", path, 1)) from None


def find_line(source: Any, text: str) -> Optional[int]:
    """1-based number of the first line equal to ``text`` (for error messages), or None."""
    want = text.rstrip("\r\n")
    with open_input(source) as fh:
        for i, line in enumerate(fh, 1):
            if line.decode("utf-8", "replace").rstrip("\r\n") == want:
                return i
    return None


# -- checksums -----------------------------------------------------------------------------------


def sha256(source: str | os.PathLike) -> str:
    """sha256 hex digest of a file's bytes as stored (streamed)."""
    digest = hashlib.sha256()
    with open(source, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


class BackgroundHash:
    """sha256 of a file computed in a thread (hashlib releases the GIL) while the file is ingested."""

    def __init__(self, path: Optional[Path]) -> None:
        self._digest: Optional[str] = None
        self._error: Optional[BaseException] = None
        self._stop = threading.Event()
        self._thread = None
        if path is not None:
            self._thread = threading.Thread(target=self._run, args=(path,), name="annostore-sha256", daemon=True)
            self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 22), b""):
                    if self._stop.is_set():
                        return
                    digest.update(chunk)
            self._digest = digest.hexdigest()
        except BaseException as exc:  # noqa: BLE001 - re-raised by result()
            self._error = exc

    def result(self) -> Optional[str]:
        """The hex digest (None without a file); waits for the thread."""
        if self._thread is None:
            return None
        self._thread.join()
        if self._error is not None:
            raise BadInputError(f"cannot read input for its sha256: {self._error}")
        return self._digest

    def cancel(self) -> None:
        self._stop.set()


# -- what a file holds ---------------------------------------------------------------------------

_MAGIC = (
    (b"PAR1", "parquet"),
    (b"ARROW1", "arrow"),
    (b"\x93NUMPY", "npy"),
    (b"PK\x03\x04", "npz"),
    (b"PK\x05\x06", "npz"),
    (b"\x89HDF\r\n\x1a\n", "hdf5"),
    (b"\x26\xfc\x8f\x88", "bigwig"),  # 0x888FFC26, little-endian
)
_SUFFIX = {
    ".parquet": "parquet", ".pq": "parquet", ".feather": "arrow", ".arrow": "arrow", ".ipc": "arrow",
    ".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".npy": "npy", ".npz": "npz", ".h5": "hdf5", ".hdf5": "hdf5",
    ".bw": "bigwig", ".bigwig": "bigwig", ".fa": "fasta", ".fasta": "fasta", ".fna": "fasta",
    ".meme": "meme", ".jaspar": "jaspar", ".pfm": "pfm", ".bed": "bed", ".narrowpeak": "bed",
}


def sniff_format(source: Any, format: Optional[str] = None) -> str:
    """What ``source`` holds: the given ``format`` (lower-cased) if any; else a binary container
    recognised by its magic bytes (parquet, arrow, npy, npz, hdf5, bigwig); else the suffix
    (``.gz`` looked through: csv, tsv, fasta, meme, jaspar, pfm, bed, ...); else from the first
    bytes of the (decompressed) text: ``>`` fasta, ``MEME version`` meme; else ``tsv``."""
    if format:
        return format.lower()
    path = existing(source)
    with open(path, "rb") as fh:
        head = fh.read(8)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    name = path.name.lower()
    if name.endswith(".gz") or name.endswith(".bgz"):
        name = name.rsplit(".", 1)[0]
    suffix = os.path.splitext(name)[1]
    if suffix in _SUFFIX:
        return _SUFFIX[suffix]
    with open_input(path) as fh:
        start = fh.read(4096).lstrip()
    if start.startswith(b">"):
        return "fasta"
    if start.startswith(b"MEME version"):
        return "meme"
    return "tsv"
