"""The annotation store: a folder with a DuckDB file and one Parquet folder per run.

Open one with :func:`open`; everything else is a method of :class:`Store`::

    store = annostore.open("my.store")              # created and migrated when missing
    store.add_motifs("motifs.meme")
    with store.begin_run("hits", tool="fimo") as run:
        run.write(batch)                            # validated, streamed to Parquet
    store.query("SELECT motif, count(*) FROM hits GROUP BY ALL")

Run protocol (see docs/architecture.md): a run's Parquet files are written under
``.tmp/``, renamed to ``<table>/run-<id>/`` and then committed as one row of
``runs`` in a DuckDB transaction followed by a CHECKPOINT.  The ``hits``,
``seqlets`` and ``matches`` views read exactly the files listed by committed
runs, so a killed ingest leaves the whole run or nothing; leftovers are removed
by the next read-write open.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
from pathlib import Path
from typing import Any, Iterable, Optional

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from annostore import resources
from annostore.errors import (
    AnnostoreError,
    BadInputError,
    MissingInputError,
    SchemaError,
)
from annostore.store import access as _access
from annostore.store import db as _db
from annostore.store import examples as _examples
from annostore.store import lookup
from annostore.store import migrate as _migrate
from annostore.store import motifs as _motifs
from annostore.store.operations import Operations
from annostore.store.runs import RunWriter
from annostore.store.schema import DB_FILE, KINDS, TMP_DIR

_py_open = builtins.open


def open(  # noqa: A001 - the public name is annostore.open
    path: str | os.PathLike,
    read_only: bool = False,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
) -> "Store":
    """Open (or create) an annotation store.

    Parameters
    ----------
    path : str or PathLike
        The store folder (``my.store``).  Created, with all migrations applied, when it does
        not exist and ``read_only`` is false.
    read_only : bool
        Open for queries only: nothing on disk is modified, several readers may share the store.
    threads : int, optional
        DuckDB threads (default: all cores).
    memory_limit : str, optional
        DuckDB memory limit, e.g. ``"4GB"`` (beyond it DuckDB spills to ``<store>/.tmp/``).
    engine : {"duckdb", "spark"}, optional
        Where aggregations, queries and exports run (default: ``ANNOSTORE_ENGINE``, else
        ``duckdb``); each aggregation also takes ``engine=``.  See :mod:`annostore.engine.spark`.
    spark_master : str, optional
        Spark master URL for ``engine="spark"`` (default: ``ANNOSTORE_SPARK_MASTER``, else
        ``local[*]``).

    Returns
    -------
    Store

    Raises
    ------
    MissingInputError
        ``read_only`` and the store does not exist.
    StoreLockedError
        A writer: another process writes the store (``ANNOSTORE_WRITER_WAIT`` seconds are
        waited first, default 0).  Anyone: the database file stayed busy with another
        process's commit for ``ANNOSTORE_BUSY_TIMEOUT`` seconds (default 60).  Readers are
        never refused because a writer is working: they see the last committed state.
    SchemaError
        The store was made by a newer annostore, or (read-only) needs a migration.

    Examples
    --------
    >>> store = annostore.open("my.store")                      # doctest: +SKIP
    >>> reader = annostore.open("my.store", read_only=True)     # doctest: +SKIP
    """
    return Store(path, read_only=read_only, threads=threads, memory_limit=memory_limit, engine=engine,
                 spark_master=spark_master)


class Store(Operations):
    """An open annotation store (use :func:`annostore.open`).

    Attributes
    ----------
    path : Path
        The store folder.
    read_only : bool
    con : duckdb.DuckDBPyConnection
        The connection; has the tables ``motifs``, ``regions``, ``sequences``, ``runs``,
        ``schema_version`` and the views ``hits``, ``seqlets``, ``matches``,
        ``hits_genomic``, ``seqlets_genomic``.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        read_only: bool = False,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        engine: str | None = None,
        spark_master: str | None = None,
    ) -> None:
        from annostore.engine import engine_name

        self.path = Path(path)
        self.read_only = bool(read_only)
        self.threads = threads
        self.engine = engine_name(engine)
        self.spark_master = spark_master
        self._reserved_ids: set[int] = set()
        self._group: Optional[list] = None  # runs waiting for the commit of an atomic() block
        self._motif_cache: Optional[tuple] = None
        self._lengths_cache: Optional[np.ndarray] = None
        self._writer_lock: Optional[_access.WriterLock] = None
        self.con: Optional[duckdb.DuckDBPyConnection] = None
        if self.path.exists() and not self.path.is_dir():
            raise BadInputError(f"{self.path} is a file, not an annostore store folder")
        self._dbfile = self.path / DB_FILE
        if read_only:
            if not self._dbfile.is_file():
                raise MissingInputError(f"no annostore store at {self.path} (missing {DB_FILE})")
        else:
            if self.path.exists() and not self._dbfile.exists() and any(self.path.iterdir()):
                raise BadInputError(f"{self.path} is a non-empty folder that is not an annostore store")
            self.path.mkdir(parents=True, exist_ok=True)
            self._writer_lock = _access.WriterLock(self.path)
            self._writer_lock.acquire()
        try:
            # the store's queries run on an in-memory database holding a snapshot of the small
            # tables; the file is attached only for short windows (see store/access.py)
            self.con = _db.connect(
                ":memory:",
                threads=threads,
                memory_limit=memory_limit,
                temp_directory=self.path / TMP_DIR / (f"duckdb-{os.getpid()}" if read_only else "duckdb"),
            )
            if read_only:
                with self._window(read_only=True):
                    version = _migrate.current_version(self.con)
                    if version == 0:
                        raise SchemaError(f"{self.path} is not an initialised annostore store")
                    todo = _migrate.pending(self.con)
                    if todo:
                        raise SchemaError(
                            f"store {self.path} has schema version {version} but this annostore expects "
                            f"{todo[-1].version}; run `annostore migrate {self.path}` (or open it read-write)"
                        )
                    _access.snapshot(self.con, self.path)
            else:
                with self._window(read_only=False):
                    _migrate.migrate(self.con)
                    self._clean_leftovers()
                    _access.write_sequences_file(self.con, self.path)
                    _access.snapshot(self.con, self.path)
            self.schema_version = _migrate.current_version(self.con)
            self._refresh_views()
        except BaseException:
            self.close()
            raise

    def _window(self, read_only: bool):
        """The database file attached to ``con`` for a short while (see store/access.py)."""
        return _access.attached(self.con, self._dbfile, read_only=read_only)

    @contextlib.contextmanager
    def transaction(self):
        """A short write transaction on the store's database file (writers only).

        Inside the block ``con`` has the file attached as its default database: statements on
        ``motifs``, ``regions``, ``runs``, ... read and write the file.  The block commits
        (or rolls back on an exception), the file is checkpointed and released, and the
        store's snapshot is refreshed.  Readers meeting the window wait for it (bounded by
        ``ANNOSTORE_BUSY_TIMEOUT``).  Writing through ``con`` outside such a block changes
        only this process's in-memory snapshot, never the store.

        Examples
        --------
        >>> with store.transaction() as con:                            # doctest: +SKIP
        ...     con.execute("DELETE FROM motif_clusters")
        """
        self._writable()
        with self._window(read_only=False):
            self.con.execute("BEGIN TRANSACTION")
            try:
                yield self.con
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            self.con.execute("COMMIT")
            _access.write_sequences_file(self.con, self.path)
            _access.snapshot(self.con, self.path)
        self._motif_cache = None
        self._lengths_cache = None

    def refresh(self) -> "Store":
        """Take a new snapshot: see the runs and tables committed since the store was opened."""
        if self.con is None:
            raise AnnostoreError("the store is closed")
        with self._window(read_only=True):
            _access.snapshot(self.con, self.path)
        self._motif_cache = None
        self._lengths_cache = None
        self._refresh_views()
        return self

    # -- context manager / lifetime -----------------------------------------------------------

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection and, for a writer, release the writer lock."""
        try:
            if self.con is not None:
                try:
                    self.con.close()
                finally:
                    self.con = None
        finally:
            if self._writer_lock is not None:
                self._writer_lock.release()
                self._writer_lock = None

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"Store({str(self.path)!r}, {mode})"

    def _writable(self) -> None:
        if self.con is None:
            raise AnnostoreError("the store is closed")
        if self.read_only:
            raise AnnostoreError(f"store {self.path} was opened read-only")

    # -- housekeeping -------------------------------------------------------------------------

    def _committed_files(self) -> dict[str, list[str]]:
        files: dict[str, list[str]] = {k: [] for k in KINDS}
        for kind, _run_id, paths in self.con.execute(resources.sql("store_run_files")).fetchall():
            files[kind].extend(paths)
        return files

    def _clean_leftovers(self) -> None:
        from annostore.store.runs import clean_leftovers

        clean_leftovers(self)

    def _refresh_views(self) -> None:
        files = self._committed_files()
        for kind in KINDS:
            absolute = [str((self.path / f).resolve()) for f in files[kind]]
            if absolute:
                self.con.execute(f"SET VARIABLE annostore_files_{kind} = $files", {"files": absolute})
                self.con.execute(resources.sql(f"store_view_{kind}"))
            else:
                self.con.execute(resources.sql(f"store_view_{kind}_empty"))
        self.con.execute(resources.sql("store_view_hits_genomic"))
        self.con.execute(resources.sql("store_view_seqlets_genomic"))

    # -- motifs -------------------------------------------------------------------------------

    def add_motifs(self, source: Any, format: str | None = None) -> "Any":
        """Append motifs to the store (``motif_idx`` continues after the existing ones).

        Parameters
        ----------
        source : path, MotifSet, dict or list
            Anything :func:`annostore.read_motifs` accepts (MEME, JASPAR, dict of PWMs).
        format : str, optional
            Force the file format.

        Returns
        -------
        MotifSet
            The motifs added.

        Raises
        ------
        BadInputError
            Malformed file, or a motif id already in the store; nothing is added.
        """
        return _motifs.add_motifs(self, source, format)

    def _insert(self, view: str, table: pa.Table, sql_name: str, extra: Iterable[str] = ()) -> None:
        self.con.register(view, table)
        try:
            try:
                with self.transaction() as con:
                    con.execute(resources.sql(sql_name))
                    for name in extra:
                        con.execute(resources.sql(name))
            except duckdb.Error as exc:
                raise BadInputError(f"cannot add to the store: {exc}") from None
        finally:
            self.con.unregister(view)

    def motif_set(self, names: Iterable[str] | None = None) -> "Any":
        """The stored motifs as a :class:`annostore.core.motifs.MotifSet`, in ``motif_idx`` order.

        Parameters
        ----------
        names : iterable of str, optional
            Only these motifs (by id, ``"id alt"`` key or unambiguous alt name), in the order given.

        Returns
        -------
        MotifSet
            Its ``background`` is the source file's background when all motifs share one, else None.
        """
        return _motifs.motif_set(self, names)

    def _motif_lookup(self) -> tuple[list[str], dict[str, int]]:
        """Motif ids by idx and the name resolver of :func:`annostore.store.lookup.motif_keys` (cached)."""
        if self._motif_cache is None:
            rows = lookup.motif_rows(self)
            self._motif_cache = ([name for _i, name, _a in rows], lookup.motif_keys(rows)[0])
        return self._motif_cache

    # -- examples: regions and sequences ------------------------------------------------------

    def example_lengths(self) -> Optional[np.ndarray]:
        """Length per example_idx (-1 unknown), or None when the store knows no examples."""
        return _examples.example_lengths(self)

    def example_names(self) -> list[Optional[str]]:
        """Example names (region name, else sequence name) indexed by ``example_idx``."""
        return _examples.example_names(self)

    def add_regions(self, source: Any, *, genome: Any = None, width: int | None = None, pad: bool = False) -> int:
        """Add the regions (examples) of the store from a BED/narrowPeak file or a table.

        ``example_idx`` is the row order (0, 1, ...).  When the store already has sequences
        the counts must agree, and ``length`` comes from the sequences; otherwise
        ``length = end - start``.

        Parameters
        ----------
        source : path or table
            BED (3-6 columns; ``track``/``browser``/``#`` lines skipped) or a DataFrame/Arrow
            table with ``chrom, start, end`` and optional ``name, strand``.
        genome : path, optional
            Genome FASTA (plain + ``.fai``, built when missing, or bgzip + ``.gzi``): the windows'
            sequences are added too, and windows running off a chromosome are dropped (a warning
            gives the count) unless ``pad``.
        width : int, optional
            Make each example a ``width``-bp window centred at the narrowPeak summit (the
            midpoint without one).  With ``genome`` or ``width`` the regions also keep the
            peak's line (``peak_idx``), coordinates and summit; unnamed peaks are named
            ``chrom:start-end`` after their window.
        pad : bool
            Keep windows that run off a chromosome, padded with ``N``.

        Returns
        -------
        int
            Number of regions added.
        """
        if genome is not None or width is not None:
            import warnings

            from annostore.store.genomic import add_peak_regions

            out = add_peak_regions(self, source, genome=genome, width=width, pad=pad)
            if out["dropped"]:
                warnings.warn(f"{out['dropped']} windows ran off their chromosome and were dropped", stacklevel=2)
            return out["added"]
        return _examples.add_regions(self, source)

    def add_sequences(self, source: Any) -> int:
        """Add the store's sequences (examples) from a FASTA file or anything ``load_sequences`` takes.

        ``example_idx`` is the sequence order.  When the store has regions the counts must
        agree and ``regions.length`` is set from the sequences; otherwise a region row
        (name, length) is added per sequence.

        Returns
        -------
        int
            Number of sequences added.
        """
        return _examples.add_sequences(self, source)

    def sequences(self) -> "Any":
        """The store's sequences as :class:`annostore.core.sequences.Sequences`, in ``example_idx`` order.

        Raises
        ------
        AnnostoreError
            The store has no sequences.
        """
        return _examples.sequences(self)

    # -- runs ---------------------------------------------------------------------------------

    def begin_run(
        self,
        kind: str,
        *,
        name: str | None = None,
        tool: str | None = None,
        tool_version: str | None = None,
        params: dict | None = None,
        input: str | None = None,  # noqa: A002 - the runs column is called input
        input_sha256: str | None = None,
        parent_run_id: int | None = None,
    ) -> "RunWriter":
        """Start an atomic run; use as a context manager.

        Parameters
        ----------
        kind : {"hits", "seqlets", "matches"}
        name : str, optional
            Unique run name (default ``"<kind>-<run_id>"``).
        tool, tool_version, params, input, input_sha256 :
            Provenance stored in ``runs`` (``params`` as JSON).
        parent_run_id : int, optional
            For matches: the seqlets run they annotate (required for matches).

        Returns
        -------
        RunWriter
            ``run.write(batch)`` validates and streams rows; leaving the ``with`` block normally
            commits the run, an exception discards it.

        Examples
        --------
        >>> with store.begin_run("hits", tool="fimo") as run:          # doctest: +SKIP
        ...     run.write(table)
        """
        self._writable()
        if kind not in KINDS:
            raise AnnostoreError(f"unknown run kind {kind!r}; expected one of {', '.join(KINDS)}")
        if name is not None and self.con.execute(resources.sql("store_run_by_name"), {"name": name}).fetchall():
            raise BadInputError(f"a run named {name!r} already exists")
        if kind == "matches":
            if parent_run_id is None:
                raise AnnostoreError("a matches run needs parent_run_id (the seqlets run it annotates)")
            from annostore.store.runs import pending_run

            pending = pending_run(self, parent_run_id)
            parent = ([(parent_run_id, pending.writer.kind)] if pending is not None else
                      self.con.execute(resources.sql("store_run_by_id"), {"run_id": parent_run_id}).fetchall())
            if not parent or parent[0][1] != "seqlets":
                raise BadInputError(f"run {parent_run_id} is not a committed seqlets run")
        run_id = self.con.execute(resources.sql("store_next_run_id")).fetchall()[0][0]
        while run_id in self._reserved_ids:
            run_id += 1
        self._reserved_ids.add(run_id)
        return RunWriter(
            self,
            kind,
            run_id,
            name=name,
            tool=tool,
            tool_version=tool_version,
            params=params,
            input=input,
            input_sha256=input_sha256,
            parent_run_id=parent_run_id,
        )

    def atomic(self) -> "Any":
        """``with store.atomic():`` commits every run begun in the block together, or none.

        Examples
        --------
        >>> with store.atomic():                                   # doctest: +SKIP
        ...     sid = store.add_seqlets("seqlets.tsv")
        ...     store.add_matches("tomtom.tsv", seqlet_run=sid)
        """
        from annostore.store.runs import atomic

        return atomic(self)

    def _commit_run(self, run: "RunWriter", files: list[str]) -> None:
        self._commit_runs([(run, files)])

    def _commit_runs(self, runs: list) -> None:
        """Insert the ``runs`` rows of ``[(writer, files), ...]`` in one transaction."""
        name = None
        try:
            with self.transaction() as con:
                for run, files in runs:
                    for view, table, sql_name in getattr(run, "pre_commit", []):  # e.g. examples registered by the run's names
                        con.register(view, table)
                        try:
                            con.execute(resources.sql(sql_name))
                        finally:
                            con.unregister(view)
                    name = run.name or f"{run.kind}-{run.run_id}"
                    params = None if run.params is None else json.dumps(run.params, default=str, sort_keys=True)
                    con.execute(
                        resources.sql("store_insert_run"),
                        {
                            "run_id": run.run_id,
                            "name": name,
                            "kind": run.kind,
                            "tool": run.tool,
                            "tool_version": run.tool_version,
                            "params": params,
                            "input": run.input,
                            "input_sha256": run.input_sha256,
                            "parent_run_id": run.parent_run_id,
                            "n_rows": run.n_rows,
                            "files": files,
                        },
                    )
        except duckdb.Error as exc:
            if "unique" in str(exc).lower() or "duplicate" in str(exc).lower():
                raise BadInputError(f"a run named {name!r} already exists") from None
            raise AnnostoreError(f"cannot commit run(s) {', '.join(str(r.run_id) for r, _ in runs)}: {exc}") from None
        for run, _ in runs:
            self._reserved_ids.discard(run.run_id)
        self._refresh_views()

    def runs(self) -> pa.Table:
        """All committed runs with their provenance, in ``run_id`` order."""
        return self.con.sql(resources.sql("store_runs")).to_arrow_table()

    def run_id(self, run: int | str, kind: str | None = None) -> int:
        """Resolve a run given by id or name to its ``run_id`` (BadInputError when unknown, or
        when it is not of ``kind``); see :mod:`annostore.store.lookup`."""
        return lookup.run_id(self, run, kind)

    def info(self) -> dict:
        """A summary: path, schema and storage versions, row counts, runs by kind, size on disk."""
        counts_rel = self.con.sql(resources.sql("store_count_table"))
        counts = dict(zip(counts_rel.columns, counts_rel.fetchall()[0]))
        tags = self.con.execute(resources.sql("store_storage_version")).fetchall()
        runs = self.runs()
        size = 0
        for root, _dirs, files in os.walk(self.path):
            if TMP_DIR in Path(root).relative_to(self.path).parts:
                continue
            size += sum((Path(root) / f).stat().st_size for f in files)
        return {
            "path": str(self.path.resolve()),
            "schema_version": self.schema_version,
            "storage": dict(tags[0][0]) if tags and tags[0][0] else None,
            "duckdb_version": duckdb.__version__,
            "read_only": self.read_only,
            **{k: int(v) for k, v in counts.items()},
            "runs_by_kind": {k: int(pc.sum(pc.equal(runs["kind"], k)).as_py() or 0) for k in KINDS},
            "bytes_on_disk": size,
        }
