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
import json
import os
import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Optional

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import db as _db
from . import migrate as _migrate
from . import resources, schema
from .errors import AnnostoreError, BadInputError, MissingInputError, SchemaError

DB_FILE = "annostore.duckdb"
TMP_DIR = ".tmp"
ROW_GROUP_SIZE = 122_880
ROWS_PER_FILE = 10_000_000
MAX_WRITE_LANES = 8  # parallel Parquet part writers for big batches
MIN_ROWS_PER_LANE = 2 * ROW_GROUP_SIZE
KINDS = ("hits", "seqlets", "matches")

_py_open = builtins.open


# ---------------------------------------------------------------------------------------------
# opening


def open(  # noqa: A001 - the public name is annostore.open
    path: str | os.PathLike,
    read_only: bool = False,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
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
        DuckDB memory limit, e.g. ``"4GB"``.

    Returns
    -------
    Store

    Raises
    ------
    MissingInputError
        ``read_only`` and the store does not exist.
    StoreLockedError
        Another process has the store open for writing (or, for a writer, at all).
    SchemaError
        The store was made by a newer annostore, or (read-only) needs a migration.

    Examples
    --------
    >>> store = annostore.open("my.store")                      # doctest: +SKIP
    >>> reader = annostore.open("my.store", read_only=True)     # doctest: +SKIP
    """
    return Store(path, read_only=read_only, threads=threads, memory_limit=memory_limit)


class Store:
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
    ) -> None:
        self.path = Path(path)
        self.read_only = bool(read_only)
        self.threads = threads
        self._reserved_ids: set[int] = set()
        self._motif_cache: Optional[tuple] = None
        self._lengths_cache: Optional[np.ndarray] = None
        self.con: Optional[duckdb.DuckDBPyConnection] = None
        if self.path.exists() and not self.path.is_dir():
            raise BadInputError(f"{self.path} is a file, not an annostore store folder")
        dbfile = self.path / DB_FILE
        if read_only:
            if not dbfile.is_file():
                raise MissingInputError(f"no annostore store at {self.path} (missing {DB_FILE})")
        else:
            if self.path.exists() and not dbfile.exists() and any(self.path.iterdir()):
                raise BadInputError(f"{self.path} is a non-empty folder that is not an annostore store")
            self.path.mkdir(parents=True, exist_ok=True)
        self.con = _db.connect(
            dbfile,
            read_only=read_only,
            threads=threads,
            memory_limit=memory_limit,
            temp_directory=self.path / TMP_DIR / "duckdb",
        )
        try:
            if read_only:
                version = _migrate.current_version(self.con)
                if version == 0:
                    raise SchemaError(f"{self.path} is not an initialised annostore store")
                todo = _migrate.pending(self.con)
                if todo:
                    raise SchemaError(
                        f"store {self.path} has schema version {version} but this annostore expects "
                        f"{todo[-1].version}; run `annostore migrate {self.path}` (or open it read-write)"
                    )
            else:
                _migrate.migrate(self.con)
                self._clean_leftovers()
            self.schema_version = _migrate.current_version(self.con)
            self._refresh_views()
        except BaseException:
            self.close()
            raise

    # -- context manager / lifetime -----------------------------------------------------------

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (releases the store's lock)."""
        if self.con is not None:
            try:
                self.con.close()
            finally:
                self.con = None

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
        """Remove files of runs that never committed (only a writer holding the lock does this)."""
        tmp = self.path / TMP_DIR
        if tmp.is_dir():
            for child in tmp.glob("run-*"):
                shutil.rmtree(child, ignore_errors=True)
        committed = {str(Path(f).parent) for fs in self._committed_files().values() for f in fs}
        for kind in KINDS:
            folder = self.path / kind
            if not folder.is_dir():
                continue
            for child in folder.iterdir():
                rel = f"{kind}/{child.name}"
                if rel not in committed:
                    if child.is_dir():
                        shutil.rmtree(child, ignore_errors=True)
                    else:
                        child.unlink(missing_ok=True)

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
        from .motifs import read_motifs

        self._writable()
        motifs = read_motifs(source, format=format)
        if len(motifs) == 0:
            raise BadInputError(f"{getattr(motifs, 'source', None) or source}: no motifs found")
        existing = {row[1]: row[0] for row in self.con.execute(resources.sql("store_motif_names")).fetchall()}
        clash = [m.name for m in motifs if m.name in existing]
        if clash:
            shown = ", ".join(repr(n) for n in clash[:5])
            raise BadInputError(
                f"{len(clash)} motif id(s) already in the store: {shown}; nothing was added"
            )
        start = len(existing)
        background = None if motifs.background is None else [float(x) for x in np.asarray(motifs.background)]
        table = pa.table(
            {
                "motif_idx": pa.array(range(start, start + len(motifs)), pa.int32()),
                "name": pa.array([m.name for m in motifs], pa.string()),
                "alt_name": pa.array([m.alt_name for m in motifs], pa.string()),
                "width": pa.array([m.width for m in motifs], pa.int32()),
                "nsites": pa.array([m.nsites for m in motifs], pa.float64()),
                "url": pa.array([m.url for m in motifs], pa.string()),
                "consensus": pa.array([m.consensus for m in motifs], pa.string()),
                "pwm": pa.array(
                    [np.asarray(m.pwm, dtype=np.float64).tolist() for m in motifs],
                    pa.list_(pa.list_(pa.float64())),
                ),
                "background": pa.array([background] * len(motifs), pa.list_(pa.float64())),
                "source": pa.array([motifs.source] * len(motifs), pa.string()),
                "source_sha256": pa.array([motifs.sha256] * len(motifs), pa.string()),
            }
        )
        self._insert("_annostore_new_motifs", table, "store_insert_motifs")
        self._motif_cache = None
        return motifs

    def _insert(self, view: str, table: pa.Table, sql_name: str, extra: Iterable[str] = ()) -> None:
        self.con.register(view, table)
        try:
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.execute(resources.sql(sql_name))
                for name in extra:
                    self.con.execute(resources.sql(name))
                self.con.execute("COMMIT")
            except duckdb.Error as exc:
                self.con.execute("ROLLBACK")
                raise BadInputError(f"cannot add to the store: {exc}") from None
        finally:
            self.con.unregister(view)
        self.con.execute("CHECKPOINT")

    def motif_set(self, names: Iterable[str] | None = None) -> "Any":
        """The stored motifs as a :class:`annostore.motifs.MotifSet`, in ``motif_idx`` order.

        Parameters
        ----------
        names : iterable of str, optional
            Only these motifs (by id, ``"id alt"`` key or unambiguous alt name), in the order given.

        Returns
        -------
        MotifSet
            Its ``background`` is the source file's background when all motifs share one, else None.
        """
        from .motifs import Motif, MotifSet

        rows = self.con.execute(resources.sql("store_motifs")).fetchall()
        motifs = []
        backgrounds = set()
        sources = set()
        for _idx, name, alt, nsites, url, pwm, background, source, _sha in rows:
            motifs.append(Motif(name=name, pwm=np.asarray(pwm, dtype=np.float64), alt_name=alt, nsites=nsites, url=url))
            backgrounds.add(None if background is None else tuple(background))
            sources.add(source)
        background = None
        if len(backgrounds) == 1:
            only = next(iter(backgrounds))
            background = None if only is None else np.asarray(only, dtype=np.float64)
        source = next(iter(sources)) if len(sources) == 1 else str(self.path)
        result = MotifSet(motifs, background=background, source=source)
        if names is not None:
            if isinstance(names, str):
                names = [names]
            result = result.select(names)
        return result

    def _motif_lookup(self) -> tuple[list[str], dict[str, int]]:
        """Motif ids by idx and a resolver dict (id, 'id alt' key, unambiguous alt name)."""
        if self._motif_cache is None:
            rows = self.con.execute(resources.sql("store_motif_names")).fetchall()
            names = [r[1] for r in rows]
            lookup: dict[str, int] = {}
            alts: dict[str, list[int]] = {}
            for idx, name, alt in rows:
                if alt:
                    lookup.setdefault(f"{name} {alt}", idx)
                    alts.setdefault(alt, []).append(idx)
            for alt, idxs in alts.items():
                if len(idxs) == 1:
                    lookup.setdefault(alt, idxs[0])
            for idx, name, _alt in rows:
                lookup[name] = idx
            self._motif_cache = (names, lookup)
        return self._motif_cache

    # -- examples: regions and sequences ------------------------------------------------------

    def example_lengths(self) -> Optional[np.ndarray]:
        """Length per example_idx (-1 unknown), or None when the store knows no examples."""
        if self._lengths_cache is None:
            rows = self.con.execute(resources.sql("store_example_lengths")).fetchall()
            if not rows:
                return None
            n = rows[-1][0] + 1
            lengths = np.full(n, -1, dtype=np.int64)
            for idx, length in rows:
                if length is not None:
                    lengths[idx] = length
            self._lengths_cache = lengths
        return self._lengths_cache

    def example_names(self) -> list[Optional[str]]:
        """Example names (region name, else sequence name) indexed by ``example_idx``."""
        rows = self.con.execute(resources.sql("store_example_names")).fetchall()
        names: list[Optional[str]] = [None] * (rows[-1][0] + 1 if rows else 0)
        for idx, name in rows:
            names[idx] = name
        return names

    def add_regions(self, source: Any) -> int:
        """Add the regions (examples) of the store from a BED file or a table.

        ``example_idx`` is the row order (0, 1, ...).  When the store already has sequences
        the counts must agree, and ``length`` comes from the sequences; otherwise
        ``length = end - start``.

        Parameters
        ----------
        source : path or table
            BED (3-6 columns; ``track``/``browser``/``#`` lines skipped) or a DataFrame/Arrow
            table with ``chrom, start, end`` and optional ``name, strand``.

        Returns
        -------
        int
            Number of regions added.
        """
        from .ingest import read_regions

        self._writable()
        table = read_regions(source)
        n_regions = self.con.execute("SELECT count(*) FROM regions").fetchall()[0][0]
        if n_regions:
            raise BadInputError(f"the store already has {n_regions} regions; regions are added once")
        n_seq = self.con.execute("SELECT count(*) FROM sequences").fetchall()[0][0]
        if n_seq and n_seq != table.num_rows:
            raise BadInputError(
                f"{source}: {table.num_rows} regions but the store has {n_seq} sequences; they must match one to one"
            )
        self._insert(
            "_annostore_new_regions",
            table,
            "store_insert_regions",
            extra=("store_regions_set_length",) if n_seq else (),
        )
        self._lengths_cache = None
        return table.num_rows

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
        from .ingest import read_sequences_table

        self._writable()
        table = read_sequences_table(source)
        n_seq = self.con.execute("SELECT count(*) FROM sequences").fetchall()[0][0]
        if n_seq:
            raise BadInputError(f"the store already has {n_seq} sequences; sequences are added once")
        n_regions = self.con.execute("SELECT count(*) FROM regions").fetchall()[0][0]
        if n_regions and n_regions != table.num_rows:
            raise BadInputError(
                f"{source}: {table.num_rows} sequences but the store has {n_regions} regions; "
                "they must match one to one"
            )
        if n_regions:
            self._insert("_annostore_new_sequences", table, "store_insert_sequences", extra=("store_regions_set_length",))
        else:
            regions = pa.table(
                {
                    "example_idx": table["example_idx"],
                    "chrom": pa.nulls(table.num_rows, pa.string()),
                    "start": pa.nulls(table.num_rows, pa.int64()),
                    "end": pa.nulls(table.num_rows, pa.int64()),
                    "name": table["name"],
                    "strand": pa.nulls(table.num_rows, pa.string()),
                    "length": pc.utf8_length(table["sequence"]).cast(pa.int64()),
                }
            )
            self.con.register("_annostore_new_regions", regions)
            try:
                self._insert("_annostore_new_sequences", table, "store_insert_sequences", extra=("store_insert_regions",))
            finally:
                self.con.unregister("_annostore_new_regions")
        self._lengths_cache = None
        return table.num_rows

    def sequences(self) -> "Any":
        """The store's sequences as :class:`annostore.sequences.Sequences`, in ``example_idx`` order.

        Raises
        ------
        AnnostoreError
            The store has no sequences.
        """
        from .sequences import Sequences

        table = self.con.sql(resources.sql("store_sequences")).to_arrow_table()
        if table.num_rows == 0:
            raise AnnostoreError(f"store {self.path} has no sequences (add them with add_sequences)")
        idx = table["example_idx"].to_numpy()
        if not np.array_equal(idx, np.arange(len(idx))):
            raise AnnostoreError("stored sequences are not numbered 0..n-1")
        seqs = table["sequence"].to_pylist()
        lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        offsets = np.zeros(len(seqs) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        raw = np.frombuffer("".join(seqs).encode("ascii", errors="replace"), dtype=np.uint8)
        codes = _LUT[raw]
        return Sequences(names=[n if n is not None else str(i) for i, n in enumerate(table["name"].to_pylist())],
                         codes=codes, offsets=offsets)

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
            parent = self.con.execute(resources.sql("store_run_by_id"), {"run_id": parent_run_id}).fetchall()
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

    def _commit_run(self, run: "RunWriter", files: list[str]) -> None:
        name = run.name or f"{run.kind}-{run.run_id}"
        params = None if run.params is None else json.dumps(run.params, default=str, sort_keys=True)
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
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
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self.con.execute("ROLLBACK")
            if "unique" in str(exc).lower() or "duplicate" in str(exc).lower():
                raise BadInputError(f"a run named {name!r} already exists") from None
            raise AnnostoreError(f"cannot commit run {run.run_id}: {exc}") from None
        self.con.execute("CHECKPOINT")
        self._reserved_ids.discard(run.run_id)
        self._refresh_views()

    def runs(self) -> pa.Table:
        """All committed runs with their provenance, in ``run_id`` order."""
        return self.con.sql(resources.sql("store_runs")).to_arrow_table()

    def run_id(self, run: int | str) -> int:
        """Resolve a run given by id or name to its ``run_id`` (BadInputError when unknown)."""
        if isinstance(run, (int, np.integer)):
            rows = self.con.execute(resources.sql("store_run_by_id"), {"run_id": int(run)}).fetchall()
        else:
            rows = self.con.execute(resources.sql("store_run_by_name"), {"name": str(run)}).fetchall()
            if not rows and str(run).isdigit():
                rows = self.con.execute(resources.sql("store_run_by_id"), {"run_id": int(run)}).fetchall()
        if not rows:
            raise BadInputError(f"no run {run!r} in the store")
        return int(rows[0][0])

    # -- convenience ingest -------------------------------------------------------------------

    def add_hits(
        self,
        data: Any,
        run: str | None = None,
        *,
        format: str | None = None,
        tool: str | None = None,
        tool_version: str | None = None,
        params: dict | None = None,
        progress: bool | None = False,
    ) -> int:
        """Ingest motif hits as one atomic run.

        Parameters
        ----------
        data : path, DataFrame, Arrow table, or list of DataFrames
            MEME ``fimo.tsv`` / ``fimo --text`` output (1-based, converted), a memelite /
            tangermeme FIMO frame (or the list of per-motif frames ``fimo()`` returns), a
            Parquet/TSV/CSV file of such a frame, or a table with the store's hit columns.
        run : str, optional
            Run name.
        format : str, optional
            Force the reader: ``fimo-tsv``, ``parquet``, ``tsv``, ``csv``.
        tool, tool_version, params :
            Provenance recorded in ``runs``.
        progress : bool or None
            A progress bar on stderr (None: only when stderr is a terminal).

        Returns
        -------
        int
            The new run's id.
        """
        from .ingest import ingest_hits

        return ingest_hits(self, data, run=run, format=format, tool=tool, tool_version=tool_version, params=params,
                           progress=progress)

    def add_seqlets(
        self,
        seqlets: Any,
        matches: Any = None,
        run: str | None = None,
        *,
        tool: str | None = None,
        params: dict | None = None,
    ) -> int:
        """Ingest seqlets (and optionally their TOMTOM matches) as runs.

        Parameters
        ----------
        seqlets : path, DataFrame or Arrow table
            A tangermeme ``recursive_seqlets`` frame (``example_idx, start, end, attribution,
            p-value``) or a file of one.
        matches : (idxs, pvals), path or table, optional
            ``annotate_seqlets`` output (motif indices into the store's motifs, best first), a
            MEME ``tomtom.tsv`` or a matches table; stored as a second run whose parent is the
            seqlets run.
        run : str, optional
            Seqlets run name (the matches run is named ``<run>-matches``).

        Returns
        -------
        int
            The seqlets run id.
        """
        from .ingest import ingest_matches, ingest_seqlets

        run_id = ingest_seqlets(self, seqlets, run=run, tool=tool, params=params)
        if matches is not None:
            ingest_matches(self, matches, seqlet_run=run_id, run=None if run is None else f"{run}-matches")
        return run_id

    def add_matches(self, matches: Any, seqlet_run: int | str | None = None, run: str | None = None, **kw: Any) -> int:
        """Ingest TOMTOM matches of a seqlets run (default: the latest seqlets run).

        Returns
        -------
        int
            The matches run id.
        """
        from .ingest import ingest_matches

        return ingest_matches(self, matches, seqlet_run=seqlet_run, run=run, **kw)

    # -- the numba cores, writing runs into this store ------------------------------------------

    def scan(self, motifs: Any = None, threshold: float = 1e-4, **kw: Any) -> int:
        """Scan the store's sequences with FIMO (MEME numbers) into a hits run.

        Thin over :func:`annostore.scan.scan_store` (same keyword arguments: ``bfile``, ``norc``,
        ``motif_pseudo``, ``qvalues``, ``attributions``, ``run``, ...). Returns the run id.
        """
        from .scan import scan_store

        return scan_store(self, motifs, threshold=threshold, **kw)

    def call_seqlets(self, attributions: Any, **kw: Any) -> int:
        """Call seqlets on attributions (tangermeme 1.6 ``recursive_seqlets``) into a seqlets run.

        Thin over :func:`annostore.seqlets.call_seqlets_store`. Returns the run id.
        """
        from .seqlets import call_seqlets_store

        return call_seqlets_store(self, attributions, **kw)

    def annotate(self, seqlet_run: int | str | None = None, motifs: Any = None, n_nearest: int = 1, **kw: Any) -> int:
        """Label a seqlets run with its TOMTOM matches (MEME numbers) as a matches run.

        Thin over :func:`annostore.compare.annotate_store`. Returns the run id.
        """
        from .compare import annotate_store

        return annotate_store(self, seqlet_run, motifs, n_nearest, **kw)

    # -- aggregations (annostore.aggregate; see docs/semantics.md) ------------------------------

    def count(self, **kw: Any) -> "Any":
        """Count annotations per example and motif; see :func:`annostore.aggregate.count`."""
        from .aggregate import count

        return count(self, **kw)

    def pairs(self, **kw: Any) -> "Any":
        """Motif co-occurrence within examples; see :func:`annostore.aggregate.pairs`."""
        from .aggregate import pairs

        return pairs(self, **kw)

    def spacing(self, **kw: Any) -> "Any":
        """Motif pairs by spacing; see :func:`annostore.aggregate.spacing`."""
        from .aggregate import spacing

        return spacing(self, **kw)

    def annotations(self, **kw: Any) -> "Any":
        """The filtered annotation set; see :func:`annostore.aggregate.annotations`."""
        from .aggregate import annotations

        return annotations(self, **kw)

    # -- queries ------------------------------------------------------------------------------

    def query(self, sql: str, params: dict | list | None = None) -> pa.Table:
        """Run SQL and return the result as an Arrow table.

        Parameters
        ----------
        sql : str
            A query over ``hits``, ``seqlets``, ``matches``, ``motifs``, ``regions``, ... .
        params : dict or list, optional
            Bound parameters (``$name`` or ``?``).
        """
        if self.con is None:
            raise AnnostoreError("the store is closed")
        try:
            rel = self.con.sql(sql, params=params or None)
            if rel is None:
                return pa.table({})
            return rel.to_arrow_table()
        except duckdb.Error as exc:
            raise AnnostoreError(f"query failed: {exc}") from None

    def sql(self, sql: str) -> duckdb.DuckDBPyRelation:
        """A lazy DuckDB relation for ``sql`` (``.to_arrow_table()``, ``.df()``, ``.to_arrow_reader()``)."""
        if self.con is None:
            raise AnnostoreError("the store is closed")
        try:
            return self.con.sql(sql)
        except duckdb.Error as exc:
            raise AnnostoreError(f"query failed: {exc}") from None

    def export(self, table_or_sql: str, path: Any, format: str | None = None) -> int:
        """Write a view/table (``hits``, ``seqlets``, ...) or a SQL query's result to a file.

        Parameters
        ----------
        table_or_sql : str
            A table/view name or a SELECT statement.
        path : str, Path or file object
            Destination (``"-"`` for stdout).
        format : str, optional
            ``tsv``, ``csv``, ``jsonl``, ``parquet``, ``bed`` or ``fimo-tsv`` (default from the suffix).

        Returns
        -------
        int
            Rows written.
        """
        from .export import export_store

        return export_store(self, table_or_sql, path, format)

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


# ---------------------------------------------------------------------------------------------
# writing runs

_LUT = np.full(256, 4, dtype=np.uint8)
for _i, _c in enumerate("ACGT"):
    _LUT[ord(_c)] = _i
    _LUT[ord(_c.lower())] = _i

_FIELDS = {
    "hits": [f for f in schema.HITS if f.name != "run_id"],
    "seqlets": [f for f in schema.SEQLETS if f.name not in ("run_id", "seqlet_id")],
    "matches": [f for f in schema.MATCHES if f.name != "run_id"],
}


class RunWriter:
    """One run being written (made by :meth:`Store.begin_run`).

    ``write(batch)`` validates a batch and appends it to the run's Parquet files; the run is
    committed when the ``with`` block exits normally (or by :meth:`commit`) and discarded
    when it raises (or by :meth:`abort`).
    """

    def __init__(self, store: Store, kind: str, run_id: int, **provenance: Any) -> None:
        self.store = store
        self.kind = kind
        self.run_id = int(run_id)
        self.name = provenance.pop("name")
        self.tool = provenance.pop("tool")
        self.tool_version = provenance.pop("tool_version")
        self.params = provenance.pop("params")
        self.input = provenance.pop("input")
        self.input_sha256 = provenance.pop("input_sha256")
        self.parent_run_id = provenance.pop("parent_run_id")
        self.n_rows = 0
        self._tmp = store.path / TMP_DIR / f"run-{self.run_id}-{uuid.uuid4().hex[:8]}"
        self._tmp.mkdir(parents=True, exist_ok=False)
        n_lanes = max(1, min(MAX_WRITE_LANES, store.threads or os.cpu_count() or 1))
        self._lanes = [_Lane() for _ in range(n_lanes)]
        self._lock = threading.Lock()
        self._pool: Optional[ThreadPoolExecutor] = None
        self._pending: list = []
        self._syncer: Optional[ThreadPoolExecutor] = None
        self._sync_future = None
        self._parts: list[str] = []
        self._done = False
        self._n_seqlets: Optional[int] = None
        self._metadata = {
            schema.SCHEMA_VERSION_KEY: str(store.schema_version).encode(),
            schema.COORDINATES_KEY: schema.COORDINATES,
            b"annostore.run_id": str(self.run_id).encode(),
        }
        # Batches carry ``motif`` and ``strand`` as dictionary arrays (indices motif_idx / 0-1), which
        # the Parquet writer stores as its dictionary pages directly (no per-row string hashing).  The
        # Arrow schema is not embedded (store_schema=False), so any reader sees the plain
        # ``schema.FACT_TABLES`` types (string); the key-value metadata is added to each file.
        self._schema = pa.schema(
            [pa.field(f.name, _DICT_STRING, f.nullable) if f.name in _DICT_COLS else f
             for f in schema.FACT_TABLES[kind]]
        )
        self._motif_names: Optional[pa.Array] = None
        # Dictionary-encode strings and the integer columns (few distinct values per row group:
        # run_id, motif_idx, example_idx, start/end are bounded by the example length): smaller
        # and faster than plain + zstd (5 M hits: 112 vs 117 MB, ~20% less writer CPU).  Not the
        # floats (mostly distinct) nor seqlet_id (unique).
        # Min/max statistics for row-group pruning, except on strand: every row group holds both
        # values, so they never prune, and string statistics cost ~4% of the writer's CPU.
        self._statistics_columns = [f.name for f in self._schema if f.name != "strand"]
        self._dictionary_columns = [
            f.name for f in self._schema
            if pa.types.is_string(f.type) or pa.types.is_dictionary(f.type)
            or (pa.types.is_integer(f.type) and f.name != "seqlet_id")
        ]

    def __enter__(self) -> "RunWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._done:
            return
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    # -- writing --------------------------------------------------------------------------

    def write(self, batch: Any) -> int:
        """Validate ``batch`` and append it to the run.

        Parameters
        ----------
        batch : pa.RecordBatch, pa.Table or pandas.DataFrame
            The fact table's columns (``schema.py``) without ``run_id`` (and, for seqlets,
            without ``seqlet_id``: rows are numbered in write order).  Hits/matches need
            ``motif_idx`` or ``motif`` (the other is resolved from the store's motifs);
            missing nullable columns become null; seqlets without ``sign`` get the sign of
            ``attribution``; matches without ``seqlet_run_id`` get the run's parent.

        Returns
        -------
        int
            Rows written.

        Raises
        ------
        BadInputError
            A validation failure (the message gives the count and the first offending row).
        """
        if self._done:
            raise AnnostoreError("this run is already finished")
        table = _as_table(batch)
        table = self._conform(table)
        n = table.num_rows
        if n == 0:
            return 0
        self._append(table)
        return n

    def _append(self, table: pa.Table) -> None:
        """Write rows; a big batch is split over parallel writer lanes (one part file each)."""
        n = table.num_rows
        k = min(len(self._lanes), max(1, n // MIN_ROWS_PER_LANE))
        self._wait()  # the previous batch's writes (they overlap with reading/validating this one)
        self._sync_written()
        if k == 1 and len(self._lanes) == 1:
            self._write_lane(self._lanes[0], table)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(len(self._lanes), thread_name_prefix="annostore-write")
            step = -(-n // k)
            if step > ROW_GROUP_SIZE:  # whole row groups per lane, when that keeps the lanes balanced
                aligned = -(-step // ROW_GROUP_SIZE) * ROW_GROUP_SIZE
                if n - (k - 1) * aligned >= aligned * 3 // 4:
                    step = aligned
            self._pending = [
                self._pool.submit(self._write_lane, self._lanes[i], table.slice(i * step, step)) for i in range(k)
            ]
        self.n_rows += n

    def _sync_written(self) -> None:
        """Start flushing the bytes written so far to disk in the background (the commit's fsync
        then has only the tail left); a no-op while the previous flush still runs."""
        if self._sync_future is not None and not self._sync_future.done():
            return
        with self._lock:
            paths = [self._tmp / p for p in self._parts]
        if not paths:
            return
        if self._syncer is None:
            self._syncer = ThreadPoolExecutor(1, thread_name_prefix="annostore-fsync")
        self._sync_future = self._syncer.submit(_fdatasync_quietly, paths)

    def _wait(self) -> None:
        pending, self._pending = self._pending, []
        errors = []
        for future in pending:
            try:
                future.result()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)
        if errors:
            raise errors[0]

    def _write_lane(self, lane: "_Lane", table: pa.Table) -> None:
        offset = 0
        n = table.num_rows
        while offset < n:
            if lane.writer is None:
                with self._lock:
                    part = f"part-{len(self._parts):05d}.parquet"
                    self._parts.append(part)
                lane.writer = pq.ParquetWriter(
                    self._tmp / part,
                    self._schema,
                    compression="zstd",
                    compression_level=1,
                    use_dictionary=self._dictionary_columns,
                    write_statistics=self._statistics_columns,
                    store_schema=False,
                )
                lane.writer.add_key_value_metadata(self._metadata)
                lane.rows = 0
            take = min(n - offset, ROWS_PER_FILE - lane.rows)
            lane.writer.write_table(table.slice(offset, take), row_group_size=ROW_GROUP_SIZE)
            lane.rows += take
            offset += take
            if lane.rows >= ROWS_PER_FILE:
                lane.writer.close()
                lane.writer = None

    def _close_lanes(self) -> None:
        try:
            self._wait()
        finally:
            self._close_writers()

    def _close_writers(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._syncer is not None:
            self._syncer.shutdown(wait=True)
            self._syncer = None
        for lane in self._lanes:
            if lane.writer is not None:
                writer, lane.writer = lane.writer, None
                writer.close()

    def commit(self) -> int:
        """Make the run visible (rename its folder into place, insert its ``runs`` row)."""
        if self._done:
            raise AnnostoreError("this run is already finished")
        self._done = True
        try:
            self._close_lanes()
            for part in self._parts:  # make the bytes durable before the commit row refers to them
                fd = os.open(self._tmp / part, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            files: list[str] = []
            final = self.store.path / self.kind / f"run-{self.run_id}"
            if self._parts:
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.exists():
                    shutil.rmtree(final)
                os.rename(self._tmp, final)
                files = [f"{self.kind}/run-{self.run_id}/{p}" for p in self._parts]
            try:
                self.store._commit_run(self, files)
            except BaseException:
                shutil.rmtree(final, ignore_errors=True)
                raise
        except BaseException:
            self._discard()
            raise
        self._discard()
        return self.run_id

    def abort(self) -> None:
        """Discard the run: nothing becomes visible."""
        self._done = True
        try:
            self._close_lanes()
        except Exception:  # pragma: no cover - best effort
            pass
        self._discard()

    def _discard(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)
        self.store._reserved_ids.discard(self.run_id)

    # -- validation -----------------------------------------------------------------------

    def _conform(self, table: pa.Table) -> pa.Table:
        kind = self.kind
        fields = _FIELDS[kind]
        known = {f.name for f in fields} | {"run_id", "seqlet_id"}
        extra = [c for c in table.column_names if c not in known]
        if extra:
            raise BadInputError(
                f"unexpected column(s) for {kind}: {', '.join(extra)}; expected {', '.join(f.name for f in fields)}"
            )
        n = table.num_rows
        cols: dict[str, Any] = {}
        for f in fields:
            if f.name in table.column_names:
                cols[f.name] = _cast(table[f.name], f.type, f.name, keep_dictionary=f.name in _DICT_COLS)
            elif f.nullable or f.name in ("motif", "motif_idx", "sign", "seqlet_run_id"):
                cols[f.name] = None
            else:
                raise BadInputError(f"missing column {f.name!r} for {kind}")
        if n == 0:
            return self._schema.empty_table()

        check = _Checker(self.n_rows, cols)
        for name in ("example_idx", "start", "end", "seqlet_id", "rank"):
            if name in cols and cols[name] is not None:
                check.no_nulls(name)
        lengths = self.store.example_lengths() if "example_idx" in cols else None
        if "start" in cols:
            start, end = cols["start"], cols["end"]
            check.bad(pc.less(start, 0), "a negative start")
            check.bad(pc.greater_equal(start, end), "start >= end")
            ex = cols["example_idx"]
            check.bad(pc.less(ex, 0), "a negative example_idx")
            if lengths is not None:
                n_ex = len(lengths)
                check.bad(pc.greater_equal(ex, n_ex), f"an example_idx not in the store's {n_ex} examples")
                ex_np = np.asarray(ex.to_numpy())
                ln = lengths[ex_np]
                end_np = np.asarray(end.to_numpy())
                check.bad_np((ln >= 0) & (end_np > ln), "end beyond the example's length")
            else:
                check.bad(pc.greater(end, 1 << 40), "an absurd end coordinate (> 2^40)")
        for name in ("p_value", "q_value"):
            if name in cols and cols[name] is not None:
                check.probability(name)
        if kind == "matches" and cols.get("e_value") is not None:
            e = cols["e_value"]
            check.bad(pc.or_kleene(pc.is_nan(e), pc.less(e, 0)), "e_value NaN or negative")
        if "strand" in cols:
            check.no_nulls("strand")
            cols["strand"] = _strand_dictionary(cols["strand"], check)
        if kind == "matches":
            if cols["orientation"] is not None:
                check.bad(
                    pc.and_(pc.is_valid(cols["orientation"]),
                            pc.invert(pc.is_in(cols["orientation"], value_set=pa.array(["+", "-"])))),
                    "orientation not '+' or '-'",
                    nulls_ok=True,
                )
            check.bad(pc.less(cols["rank"], 1), "rank < 1")

        if kind in ("hits", "matches"):
            self._resolve_motifs(cols, check)
        if kind == "seqlets":
            if cols["sign"] is None:
                att = cols["attribution"]
                if att is None:
                    cols["sign"] = pa.array(np.ones(n, dtype=np.int8))
                else:
                    neg = pc.fill_null(pc.less(att, 0), False).to_numpy(zero_copy_only=False)
                    cols["sign"] = pa.array(np.where(neg, -1, 1).astype(np.int8))
            else:
                check.no_nulls("sign")
                check.bad(pc.invert(pc.is_in(cols["sign"], value_set=pa.array([-1, 1], pa.int8()))), "sign not +1 or -1")
            cols["seqlet_id"] = pa.array(np.arange(self.n_rows, self.n_rows + n, dtype=np.int64))
        if kind == "matches":
            if cols["seqlet_run_id"] is None:
                cols["seqlet_run_id"] = pa.array(np.full(n, self.parent_run_id, dtype=np.int32))
            else:
                check.no_nulls("seqlet_run_id")
                check.bad(pc.not_equal(cols["seqlet_run_id"], self.parent_run_id), f"seqlet_run_id != {self.parent_run_id}")
            if self._n_seqlets is None:
                row = self.store.con.execute(resources.sql("store_run_by_id"), {"run_id": self.parent_run_id}).fetchall()
                self._n_seqlets = int(row[0][2])
            sid = cols["seqlet_id"]
            check.bad(
                pc.or_(pc.less(sid, 0), pc.greater_equal(sid, self._n_seqlets)),
                f"a seqlet_id not among the {self._n_seqlets} seqlets of run {self.parent_run_id}",
            )

        cols["run_id"] = pa.array(np.full(n, self.run_id, dtype=np.int32))
        out_schema = schema.FACT_TABLES[kind]
        arrays = []
        for f in out_schema:
            col = cols[f.name]
            if col is None:
                col = pa.nulls(n, f.type)
            arrays.append(col)
        return pa.Table.from_arrays(arrays, schema=self._schema)

    def _resolve_motifs(self, cols: dict, check: "_Checker") -> None:
        names, lookup = self.store._motif_lookup()
        if not names:
            raise BadInputError("the store has no motifs; add the motifs first (annostore motifs add)")
        n_motifs = len(names)
        idx_col = cols.get("motif_idx")
        name_col = cols.get("motif")
        resolved = None
        if name_col is not None:
            check.no_nulls("motif")
            if pa.types.is_dictionary(name_col.type):  # e.g. read from Parquet: map the dictionary only
                uniq = name_col.dictionary.cast(pa.string())
                pos_np = np.asarray(name_col.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
            else:
                uniq = pc.unique(name_col)
                pos_np = None
            uniq_list = uniq.to_pylist()
            mapped = np.array([lookup.get(u, -1) for u in uniq_list], dtype=np.int32)
            if pos_np is None:
                pos_np = np.asarray(pc.index_in(name_col, value_set=uniq).to_numpy(zero_copy_only=False), dtype=np.int64)
            resolved = mapped[pos_np]
            if (resolved < 0).any():
                bad_rows = resolved < 0
                unknown = sorted({uniq_list[i] for i in np.unique(pos_np[bad_rows])})
                shown = ", ".join(repr(u) for u in unknown[:5])
                raise BadInputError(
                    f"{int(bad_rows.sum())} rows name {len(unknown)} motif(s) not in the store's {n_motifs} motifs: {shown}"
                )
        if idx_col is not None:
            check.no_nulls("motif_idx")
            check.bad(
                pc.or_(pc.less(idx_col, 0), pc.greater_equal(idx_col, n_motifs)),
                f"motif_idx outside the store's {n_motifs} motifs",
            )
            if resolved is not None:
                given = np.asarray(idx_col.to_numpy())
                check.bad_np(given != resolved, "motif_idx and motif name disagree")
        if idx_col is None:
            idx_col = pa.array(resolved.astype(np.int32))
            cols["motif_idx"] = idx_col
        if self._motif_names is None or len(self._motif_names) != n_motifs:
            self._motif_names = pa.array(names, pa.string())
        # motif = names[motif_idx], as a dictionary array over the store's motif ids (canonical names)
        cols["motif"] = pa.DictionaryArray.from_arrays(idx_col, self._motif_names, safe=False)


def _fdatasync_quietly(paths: list[Path]) -> None:
    """Early writeback of part files being written (best effort: the commit fsyncs each part)."""
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fdatasync(fd) if hasattr(os, "fdatasync") else os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


_DICT_STRING = pa.dictionary(pa.int32(), pa.string())
_DICT_COLS = ("motif", "strand")
_STRANDS = pa.array(["+", "-"], pa.string())


def _strand_dictionary(col: Any, check: "_Checker") -> pa.DictionaryArray:
    """Validate a strand column ('+' or '-', no nulls: checked before) and encode it as a dictionary."""
    n = len(col)
    codes = None
    if pa.types.is_dictionary(col.type):  # e.g. read from Parquet: classify each distinct value once
        per_value = np.array([{"+": 0, "-": 1}.get(v, -1) for v in col.dictionary.to_pylist()], dtype=np.int32)
        mapped = per_value[np.asarray(col.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
        check.bad_np(mapped < 0, "strand not '+' or '-'")
        codes = pa.array(mapped)
    elif col.type == pa.string() and n:
        bufs = col.buffers()
        offsets = np.frombuffer(bufs[1], dtype=np.int32)[col.offset : col.offset + n + 1]
        if int(offsets[-1]) - int(offsets[0]) == n and bufs[2] is not None:
            if (np.diff(offsets) == 1).all():  # every value is one byte: compare the bytes
                raw = np.frombuffer(bufs[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
                minus = raw == ord("-")
                check.bad_np(~(minus | (raw == ord("+"))), "strand not '+' or '-'")
                codes = pa.array(minus.view(np.int8).astype(np.int32))
    if codes is None:
        check.bad(pc.invert(pc.is_in(col, value_set=_STRANDS)), "strand not '+' or '-'")
        codes = pc.cast(pc.equal(col, "-"), pa.int32())
    return pa.DictionaryArray.from_arrays(codes, _STRANDS, safe=False)


class _Lane:
    """One Parquet part file being written."""

    def __init__(self) -> None:
        self.writer: Optional[pq.ParquetWriter] = None
        self.rows = 0


class _Checker:
    """Vectorised row checks that raise BadInputError with a count and the first bad row."""

    def __init__(self, row_offset: int, cols: dict) -> None:
        self.row_offset = row_offset
        self.cols = cols

    def _fail(self, mask_np: np.ndarray, what: str) -> None:
        count = int(mask_np.sum())
        first = int(np.argmax(mask_np))
        row = {}
        for k, v in self.cols.items():
            if v is not None:
                value = v[first]
                row[k] = value.as_py() if hasattr(value, "as_py") else value
        total = len(mask_np)
        raise BadInputError(
            f"{count} of {total} rows have {what}; first at row {self.row_offset + first}: {row}"
        )

    def bad(self, mask: Any, what: str, nulls_ok: bool = True) -> None:
        mask = pc.fill_null(mask, not nulls_ok)
        if pc.any(mask).as_py():
            self._fail(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool), what)

    def bad_np(self, mask: np.ndarray, what: str) -> None:
        if mask.any():
            self._fail(mask, what)

    def no_nulls(self, name: str) -> None:
        col = self.cols[name]
        if col is not None and col.null_count:
            self._fail(np.asarray(pc.is_null(col).to_numpy(zero_copy_only=False), dtype=bool), f"a missing {name}")

    def probability(self, name: str) -> None:
        p = self.cols[name]
        bad = pc.or_kleene(pc.is_nan(p), pc.or_(pc.less(p, 0), pc.greater(p, 1)))
        self.bad(bad, f"{name} outside [0, 1] or NaN")


def _as_table(batch: Any) -> pa.Table:
    if isinstance(batch, pa.Table):
        return batch
    if isinstance(batch, pa.RecordBatch):
        return pa.Table.from_batches([batch])
    try:
        import pandas as pd

        if isinstance(batch, pd.DataFrame):
            return pa.Table.from_pandas(batch, preserve_index=False)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(batch, dict):
        return pa.table(batch)
    raise BadInputError(f"cannot write a {type(batch).__name__}; give a pyarrow Table/RecordBatch or a DataFrame")


def _cast(col: Any, typ: pa.DataType, name: str, keep_dictionary: bool = False) -> Any:
    if isinstance(col, pa.ChunkedArray):
        if col.num_chunks == 1:
            col = col.chunk(0)
        elif pa.types.is_dictionary(col.type):
            col = col.unify_dictionaries().combine_chunks()
        else:
            col = col.combine_chunks()
    if pa.types.is_dictionary(col.type):
        if keep_dictionary and (pa.types.is_string(col.type.value_type) or pa.types.is_large_string(col.type.value_type)):
            return col
        col = col.dictionary_decode()
    if col.type == typ:
        return col
    if pa.types.is_null(col.type):
        return pa.nulls(len(col), typ)
    if pa.types.is_integer(typ) and pa.types.is_floating(col.type):
        if pc.any(pc.is_nan(col)).as_py():
            raise BadInputError(f"column {name!r} has NaN where an integer is needed")
    try:
        return col.cast(typ, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        if pa.types.is_floating(typ) and (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            try:
                return pc.cast(pc.utf8_trim_whitespace(col), typ)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        raise BadInputError(f"column {name!r} cannot be read as {typ}: {exc}") from None
