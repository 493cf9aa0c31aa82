"""The store's operations that hand work to other packages: ingest of external files, the
numba cores run into runs, motif families, aggregations, enrichment, queries and exports.

:class:`Operations` is a mixin of :class:`annostore.store.store.Store`; every method is thin and
says which module does the work.  The store's own state (opening, the snapshot, runs and their
commit, motifs and examples) lives in :mod:`annostore.store.store`.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from annostore.errors import AnnostoreError


class Operations:
    """Store methods that delegate (mixed into :class:`~annostore.store.store.Store`)."""

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
        from annostore.store.ingest import ingest_hits

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
        from annostore.store.ingest import ingest_matches, ingest_seqlets

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
        from annostore.store.ingest import ingest_matches

        return ingest_matches(self, matches, seqlet_run=seqlet_run, run=run, **kw)

    # -- real-data inputs (annostore.store.genomic) --------------------------------------------

    def add_attributions(self, source: Any, name: str | None = None, *, key: str | None = None) -> dict:
        """Keep the projected per-base attributions of a file (ChromBPNet/bpnet h5, bpnet-lite or
        Fi-NeMo npz, bigWig, npy/npz) as a named track; seqlets, scan and plot logo then use it by
        default.  Returns ``{"name", "layout", "n_examples", "length"}``."""
        from annostore.store.genomic import add_attribution_track

        return add_attribution_track(self, source, name=name, key=key)

    def attributions(self, name: str | None = None) -> np.ndarray:
        """A stored attribution track as ``(n, L)`` float32 (default: the latest added)."""
        from annostore.store.genomic import read_attribution_track

        return read_attribution_track(self, name)

    def add_modisco(self, path: Any, *, window: int | None = None, name: str | None = None) -> dict:
        """Ingest ``modisco_results.h5``: patterns as motifs (PFM + CWM), their seqlets as a seqlets
        run and the pattern labels as a matches run (rank 1).  See :func:`annostore.store.genomic.ingest_modisco`."""
        from annostore.store.genomic import ingest_modisco

        return ingest_modisco(self, path, window=window, name=name)

    def add_finemo(self, path: Any, *, window: int | None = None, name: str | None = None) -> int:
        """Ingest a Fi-NeMo ``hits.tsv`` as a hits run in example coordinates; returns the run id."""
        from annostore.store.genomic import ingest_finemo

        return ingest_finemo(self, path, window=window, name=name)

    # -- the numba cores, writing runs into this store ------------------------------------------

    def scan(self, motifs: Any = None, threshold: float = 1e-4, **kw: Any) -> int:
        """Scan the store's sequences with FIMO (MEME numbers) into a hits run.

        Thin over :func:`annostore.store.pipelines.scan_store` (same keyword arguments: ``bfile``, ``norc``,
        ``motif_pseudo``, ``qvalues``, ``attributions``, ``run``, ...). Returns the run id.
        """
        from annostore.store.pipelines import scan_store

        return scan_store(self, motifs, threshold=threshold, **kw)

    def call_seqlets(self, attributions: Any = None, **kw: Any) -> int:
        """Call seqlets on attributions (tangermeme 1.6 ``recursive_seqlets``) into a seqlets run.

        Thin over :func:`annostore.store.pipelines.call_seqlets_store`. Returns the run id.
        """
        from annostore.store.pipelines import call_seqlets_store

        return call_seqlets_store(self, attributions, **kw)

    def annotate(self, seqlet_run: int | str | None = None, motifs: Any = None, n_nearest: int = 1, **kw: Any) -> int:
        """Label a seqlets run with its TOMTOM matches (MEME numbers) as a matches run.

        Thin over :func:`annostore.store.pipelines.annotate_store`. Returns the run id.
        """
        from annostore.store.pipelines import annotate_store

        return annotate_store(self, seqlet_run, motifs, n_nearest, **kw)

    # -- motif families (annostore.analysis.clusters / collapse) -----------------------------------

    def cluster_motifs(self, **kw: Any) -> "Any":
        """Cluster the store's motifs into families and write ``motif_clusters``; see
        :func:`annostore.analysis.clusters.cluster_store` (``threshold``, ``dist``, ``linkage``)."""
        from annostore.analysis.clusters import cluster_store

        return cluster_store(self, **kw)

    def motif_clusters(self) -> pa.Table:
        """The motif families: ``motif_idx, motif, motif_alt, cluster_idx, cluster, representative``."""
        from annostore.analysis.clusters import store_clusters

        return store_clusters(self)

    def collapse(self, run: int | str, **kw: Any) -> int:
        """Collapse redundant hits of a run into a derived hits run; see
        :func:`annostore.analysis.collapse.collapse` (``name``, ``by``, ``overlap``, ``keep``)."""
        from annostore.analysis.collapse import collapse

        return collapse(self, run, **kw)

    # -- aggregations (annostore.analysis.aggregate; see docs/semantics.md) ------------------------------

    def count(self, **kw: Any) -> "Any":
        """Count annotations per example and motif; see :func:`annostore.analysis.aggregate.count`."""
        from annostore.analysis.aggregate import count

        return count(self, **kw)

    def pairs(self, **kw: Any) -> "Any":
        """Motif co-occurrence within examples; see :func:`annostore.analysis.aggregate.pairs`."""
        from annostore.analysis.aggregate import pairs

        return pairs(self, **kw)

    def spacing(self, **kw: Any) -> "Any":
        """Motif pairs by spacing; see :func:`annostore.analysis.aggregate.spacing`."""
        from annostore.analysis.aggregate import spacing

        return spacing(self, **kw)

    def annotations(self, **kw: Any) -> "Any":
        """The filtered annotation set; see :func:`annostore.analysis.aggregate.annotations`."""
        from annostore.analysis.aggregate import annotations

        return annotations(self, **kw)

    # -- enrichment (annostore.analysis.enrich; see docs/semantics.md, "Enrichment") -----------

    def enrich_pairs(self, **kw: Any) -> "Any":
        """Co-occurrence enrichment (Fisher, BH); see :func:`annostore.analysis.enrich.enrich_pairs`."""
        from annostore.analysis.enrich import enrich_pairs

        return enrich_pairs(self, **kw)

    def enrich_spacing(self, **kw: Any) -> "Any":
        """Spacing enrichment (binomial vs uniform placement, BH); see
        :func:`annostore.analysis.enrich.enrich_spacing`."""
        from annostore.analysis.enrich import enrich_spacing

        return enrich_spacing(self, **kw)

    # -- queries ------------------------------------------------------------------------------

    def query(self, sql: str, params: dict | list | None = None, *, engine: str | None = None) -> pa.Table:
        """Run SQL and return the result as an Arrow table.

        Parameters
        ----------
        sql : str
            A query over ``hits``, ``seqlets``, ``matches``, ``motifs``, ``regions``, ... .
        params : dict or list, optional
            Bound parameters (``$name`` or ``?``; Spark: ``$name`` only).
        engine : {"duckdb", "spark"}, optional
            Default: the store's engine.  Spark runs the query (DuckDB SQL, transpiled) over
            the store's Parquet files.
        """
        if self.con is None:
            raise AnnostoreError("the store is closed")
        if self._engine(engine) == "spark":
            from annostore.engine import spark

            if isinstance(params, (list, tuple)):
                raise AnnostoreError("the Spark engine binds $name parameters only (give a dict)")
            return spark.run_sql(self, sql, params)
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

    def _engine(self, engine: str | None = None) -> str:
        from annostore.engine import engine_name

        return engine_name(engine if engine is not None else self.engine)

    def export(self, table_or_sql: str, path: Any, format: str | None = None, *, engine: str | None = None) -> int:
        """Write a view/table (``hits``, ``seqlets``, ...) or a SQL query's result to a file.

        Parameters
        ----------
        table_or_sql : str
            A table/view name or a SELECT statement.
        path : str, Path or file object
            Destination (``"-"`` for stdout).
        format : str, optional
            ``tsv``, ``csv``, ``jsonl``, ``parquet``, ``bed`` or ``fimo-tsv`` (default from the suffix).
        engine : {"duckdb", "spark"}, optional
            Default: the store's engine.

        Returns
        -------
        int
            Rows written.
        """
        from annostore.io.export import export_store

        return export_store(self, table_or_sql, path, format, engine=engine)
