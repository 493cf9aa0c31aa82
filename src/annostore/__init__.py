"""annostore: a database-backed annotation store for regulatory genomics.

Call seqlets on attributions, run TOMTOM and FIMO with numba kernels that agree
with the reference tools, persist the results to Parquet + DuckDB, and count,
pair and space annotations with SQL.

Heavy modules (numba kernels, torch) are imported lazily, on first use of the
name that needs them, so ``import annostore`` stays fast.
"""


import importlib

from .errors import (
    AnnostoreError,
    BadInputError,
    MissingInputError,
    SchemaError,
    StoreLockedError,
)

__version__ = "0.1.0"

# public name -> submodule that defines it
_EXPORTS = {
    # the store
    "open": "store",
    "Store": "store",
    # motif and sequence input/output
    "Motif": "motifs",
    "MotifSet": "motifs",
    "read_motifs": "motifs",
    "write_meme": "motifs",
    "read_fasta": "sequences",
    "load_sequences": "sequences",
    "one_hot_encode": "sequences",
    # numba cores
    "fimo": "scan",
    "tomtom": "compare",
    "annotate_seqlets": "compare",
    "recursive_seqlets": "seqlets",
    # tangermeme-compatible aggregations (computed with DuckDB)
    "count_annotations": "annotations",
    "pairwise_annotations": "annotations",
    "pairwise_annotations_spacing": "annotations",
    # tables <-> files
    "write_table": "export",
    # pictures and the built-in example
    "plot_logo": "plots",
    "plot_pairs": "plots",
    "plot_spacing": "plots",
    "default_motifs_path": "data",
    "demo": "tutorial",
}

__all__ = sorted(
    [*_EXPORTS, "AnnostoreError", "BadInputError", "MissingInputError", "SchemaError", "StoreLockedError"]
)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'annostore' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
