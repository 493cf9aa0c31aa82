"""How processes share a store: one writer at a time, readers never blocked.

A store's DuckDB file (``annostore.duckdb``) holds only the small tables; DuckDB lets one
process write it or several read it, never both.  So no :class:`~annostore.Store` keeps the
file open.  Each Store queries an in-memory DuckDB connection holding a **snapshot** of the
small tables (copied when the store is opened and after each of its own commits) and views
over the committed runs' Parquet files.  The file itself is attached only for short
*windows*:

* a reader's snapshot copy at open (milliseconds);
* a writer's metadata transactions: migrations at open, ``add_motifs`` / ``add_regions`` /
  ``add_sequences``, and a run's commit (one ``runs`` row).

A window that meets another process's window (DuckDB's file lock) waits and retries, for at
most the **busy timeout** (``ANNOSTORE_BUSY_TIMEOUT`` seconds, default 60), then raises
:class:`~annostore.errors.StoreLockedError` (CLI exit 75).  A long scan or ingest therefore
never stops a query: the query sees the last committed state.

Writers exclude each other with ``<store>/.writer.lock`` (``flock``, released by the kernel
when the process dies; it holds the writer's PID).  A second writer waits up to
``ANNOSTORE_WRITER_WAIT`` seconds (default 0) and then gets StoreLockedError naming the
holder's PID.

The stored sequences can be large, so they are not copied: a writer keeps
``<store>/sequences.parquet`` (written after the sequences' commit, by atomic rename) and the
snapshot's ``sequences`` is a view over it.  A store without that file (or whose file does
not match the table) gets an in-memory copy instead.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Iterator, Optional

import duckdb

from annostore.errors import AnnostoreError, StoreLockedError

ALIAS = "annostore_db"
WRITER_LOCK = ".writer.lock"
SEQUENCES_FILE = "sequences.parquet"
DEFAULT_BUSY_TIMEOUT = 60.0
SNAPSHOT_SKIP = ("sequences",)  # served from SEQUENCES_FILE when it is current

_process_locks: dict[str, threading.RLock] = {}
_process_locks_guard = threading.Lock()


def busy_timeout() -> float:
    """Seconds a window waits for another process's window (``ANNOSTORE_BUSY_TIMEOUT``, default 60)."""
    return _env_seconds("ANNOSTORE_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT)


def writer_wait() -> float:
    """Seconds a second writer waits for the writer lock (``ANNOSTORE_WRITER_WAIT``, default 0)."""
    return _env_seconds("ANNOSTORE_WRITER_WAIT", 0.0)


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise AnnostoreError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise AnnostoreError(f"{name} must be >= 0, got {raw!r}")
    return value


def _process_lock(key: str) -> threading.RLock:
    """One lock per database file inside this process (DuckDB refuses to attach one file twice)."""
    with _process_locks_guard:
        lock = _process_locks.get(key)
        if lock is None:
            lock = _process_locks[key] = threading.RLock()
        return lock


# ---------------------------------------------------------------------------------------------
# the writer lock


class WriterLock:
    """``<store>/.writer.lock``: held by the one process that may write the store."""

    def __init__(self, store_path: Path) -> None:
        self.path = Path(store_path) / WRITER_LOCK
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self, wait: Optional[float] = None) -> None:
        """Take the lock, waiting up to ``wait`` seconds (default :func:`writer_wait`).

        Raises
        ------
        StoreLockedError
            Another writer holds it (the message names its PID).
        """
        if self._fh is not None:
            return
        wait = writer_wait() if wait is None else float(wait)
        deadline = time.monotonic() + wait
        fh = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 - kept open while held
        delay = 0.01
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    fh.close()
                    raise AnnostoreError(f"cannot lock {self.path}: {exc}") from None
                if time.monotonic() >= deadline:
                    pid = _read_pid(fh)
                    fh.close()
                    holder = f" (held by PID {pid})" if pid is not None else ""
                    raise StoreLockedError(
                        f"{self.path.parent} is locked for writing by another process{holder}; "
                        "retry when it has finished"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            try:
                fh.seek(0)
                fh.truncate()
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            finally:
                fh.close()


def _read_pid(fh) -> Optional[int]:
    try:
        fh.seek(0)
        text = fh.read().strip()
        return int(text) if text.isdigit() else None
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# windows on the database file


def _is_busy(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "already attached" in text or "unique file handle" in text


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@contextlib.contextmanager
def attached(
    con: duckdb.DuckDBPyConnection,
    dbfile: Path,
    *,
    read_only: bool,
    timeout: Optional[float] = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Attach the store's database file to ``con`` as its default database, briefly.

    Inside the block unqualified names (``runs``, ``motifs``, ...) mean the file's tables;
    afterwards the file is checkpointed (read-write) and detached, and ``con`` is back on its
    in-memory database.  Waits up to ``timeout`` seconds (default :func:`busy_timeout`) while
    another process has the file.

    Raises
    ------
    StoreLockedError
        The file stayed busy for the whole timeout.
    """
    dbfile = Path(dbfile)
    timeout = busy_timeout() if timeout is None else float(timeout)
    lock = _process_lock(os.path.realpath(dbfile))
    deadline = time.monotonic() + timeout
    if not (lock.acquire(timeout=timeout) if timeout > 0 else lock.acquire(blocking=False)):
        raise StoreLockedError(f"{dbfile.parent} is busy in this process; retry when it has finished")
    try:
        mode = " (READ_ONLY)" if read_only else ""
        delay = 0.002
        while True:
            try:
                con.execute(f"ATTACH {_quote(dbfile)} AS {ALIAS}{mode}")
                break
            except duckdb.Error as exc:
                if not _is_busy(exc):
                    raise AnnostoreError(f"cannot open {dbfile}: {exc}") from None
                if time.monotonic() >= deadline:
                    raise StoreLockedError(
                        f"{dbfile.parent} stayed busy (another process is committing) for more than "
                        f"{timeout:g} s (ANNOSTORE_BUSY_TIMEOUT); retry later"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        try:
            con.execute(f"USE {ALIAS}")
            yield con
            if not read_only:
                con.execute(f"CHECKPOINT {ALIAS}")
        finally:
            try:
                con.execute("USE memory")
            finally:
                con.execute(f"DETACH {ALIAS}")
    finally:
        lock.release()


def snapshot(con: duckdb.DuckDBPyConnection, store_path: Path, tables: Optional[list[str]] = None) -> None:
    """Copy the attached file's tables into ``con``'s in-memory database (inside :func:`attached`).

    ``tables``: only these (default: every table).  ``sequences`` becomes a view over
    ``sequences.parquet`` when that file matches the table, else an in-memory copy.
    """
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = $db AND schema_name = 'main'",
        {"db": ALIAS},
    ).fetchall()
    names = [r[0] for r in rows]
    if tables is not None:
        names = [n for n in names if n in tables]
    for name in names:
        if name == "sequences":
            _snapshot_sequences(con, Path(store_path))
            continue
        con.execute(f'CREATE OR REPLACE TABLE memory.main."{name}" AS SELECT * FROM {ALIAS}.main."{name}"')


def _snapshot_sequences(con: duckdb.DuckDBPyConnection, store_path: Path) -> None:
    n = con.execute(f"SELECT count(*) FROM {ALIAS}.main.sequences").fetchall()[0][0]
    side = store_path / SEQUENCES_FILE
    for (kind,) in con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE database_name = 'memory' AND schema_name = 'main' "
        "AND view_name = 'sequences' UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE "
        "database_name = 'memory' AND schema_name = 'main' AND table_name = 'sequences'"
    ).fetchall():
        con.execute(f"DROP {kind} memory.main.sequences")
    if n and _side_file_rows(side) == n:
        con.execute(
            "CREATE VIEW memory.main.sequences AS SELECT example_idx, name, sequence "
            f"FROM read_parquet({_quote(side.resolve())})"
        )
    else:
        con.execute(f"CREATE TABLE memory.main.sequences AS SELECT * FROM {ALIAS}.main.sequences")


def _side_file_rows(path: Path) -> Optional[int]:
    if not path.is_file():
        return None
    try:
        import pyarrow.parquet as pq

        return int(pq.read_metadata(path).num_rows)
    except Exception:  # noqa: BLE001 - an unreadable side file is simply not used
        return None


def write_sequences_file(con: duckdb.DuckDBPyConnection, store_path: Path) -> None:
    """(Writer, inside a window) write ``sequences.parquet`` from the table, atomically."""
    side = Path(store_path) / SEQUENCES_FILE
    n = con.execute(f"SELECT count(*) FROM {ALIAS}.main.sequences").fetchall()[0][0]
    if n == 0:
        side.unlink(missing_ok=True)
        return
    if _side_file_rows(side) == n:
        return
    tmp = side.with_name(f".{SEQUENCES_FILE}.{os.getpid()}.tmp")
    con.execute(
        f"COPY (SELECT example_idx, name, sequence FROM {ALIAS}.main.sequences ORDER BY example_idx) "
        f"TO {_quote(tmp)} (FORMAT parquet, COMPRESSION zstd)"
    )
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, side)
