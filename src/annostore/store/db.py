"""DuckDB connections for a store: offline configuration, resource limits, lock errors.

Every connection annostore opens goes through :func:`connect`, so extension
auto-install/auto-load is always off (a stray ``s3://`` path fails fast instead
of trying to download an extension) and a lock held by another process always
becomes :class:`~annostore.errors.StoreLockedError` (CLI exit code 75).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from annostore.errors import AnnostoreError, StoreLockedError

_PID = re.compile(r"\(PID (\d+)\)")


def _config(read_only: bool, threads: int | None, memory_limit: str | None, temp_directory: str | None) -> dict:
    config: dict[str, object] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if threads is not None:
        if int(threads) < 1:
            raise AnnostoreError(f"threads must be >= 1, got {threads}")
        config["threads"] = int(threads)
    if memory_limit is not None:
        config["memory_limit"] = str(memory_limit)
    if temp_directory is not None and not read_only:
        config["temp_directory"] = str(temp_directory)
    return config


def lock_holder(message: str) -> int | None:
    """The PID DuckDB names in a lock-conflict message, or None."""
    match = _PID.search(message)
    return int(match.group(1)) if match else None


def connect(
    path: str | Path,
    read_only: bool = False,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database file with annostore's settings.

    Parameters
    ----------
    path : str or Path
        The ``.duckdb`` file (``":memory:"`` for an in-memory database).
    read_only : bool
        Open read-only (many readers may share a file; no writer may be open).
    threads : int, optional
        DuckDB worker threads (default: all cores).
    memory_limit : str, optional
        DuckDB memory limit such as ``"4GB"``.
    temp_directory : str or Path, optional
        Where DuckDB spills (read-write connections only).

    Returns
    -------
    duckdb.DuckDBPyConnection

    Raises
    ------
    StoreLockedError
        Another process holds the file's lock (the message names its PID).
    """
    config = _config(read_only, threads, memory_limit, None if temp_directory is None else str(temp_directory))
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = lock_holder(text)
            holder = f" (held by PID {pid})" if pid is not None else ""
            raise StoreLockedError(
                f"{path} is locked by another process{holder}; retry when it has finished"
            ) from None
        raise AnnostoreError(f"cannot open {path}: {text}") from None
    except duckdb.Error as exc:
        raise AnnostoreError(f"cannot open {path}: {exc}") from None
