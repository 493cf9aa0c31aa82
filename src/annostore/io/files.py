"""files: (moved by the layout change; docstring to be written)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Optional
from annostore.errors import BadInputError, MissingInputError, located
from typing import Any


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


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 hex digest of a file (streamed)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _BackgroundHash:
    """sha256 of a file computed in a thread (hashlib releases the GIL) while the file is ingested."""

    def __init__(self, path: Optional[Path]) -> None:
        import threading

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


def _existing(path: Any) -> Path:
    p = Path(path)
    if not p.exists():
        raise MissingInputError(f"{p}: no such file")
    if p.is_dir():
        raise BadInputError(f"{p}: is a folder, not a file")
    return p


def _guess_format(path: Path, format: Optional[str]) -> str:
    if format:
        return format.lower()
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".feather") or name.endswith(".arrow"):
        return "arrow"
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"PAR1":
        return "parquet"
    return "tsv"


def _first_line(path: Path) -> str:
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.readline()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc}") from None
    if b"\x00" in raw:
        raise BadInputError(located("binary data, not a text table", path, 1))
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise BadInputError(located("not UTF-8 text", path, 1)) from None


def _find_line(path: Path, text: str) -> Optional[int]:
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh, 1):
            if line.rstrip("\r\n") == text.rstrip("\r\n"):
                return i
    return None
