"""The store: a folder holding a DuckDB file (motifs, regions, sequences, runs) and Parquet runs.

:mod:`~annostore.store.store` is the facade (``annostore.open``, ``Store``); the other modules
hold one part each: the database and its migrations, runs and their commit protocol, row
validation, name lookup, examples, motifs, ingest of external files, and pipelines that run the
numba cores into runs.
"""
