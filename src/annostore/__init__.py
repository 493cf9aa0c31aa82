"""annostore: a database-backed annotation store for regulatory genomics.

Call seqlets on attributions, run TOMTOM and FIMO with numba kernels that agree
with the reference tools, persist the results to Parquet + DuckDB, and count,
pair and space annotations with SQL.

Heavy modules (numba kernels, torch) are imported lazily, on first use of the
name that needs them, so ``import annostore`` stays fast.
"""


import importlib

from annostore.errors import (
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
    "open": "store.store",
    "Store": "store.store",
    # motif and sequence input/output
    "Motif": "core.motifs",
    "MotifSet": "core.motifs",
    "read_motifs": "io.motifs",
    "write_meme": "io.meme",
    "read_fasta": "io.fasta",
    "load_sequences": "core.sequences",
    "one_hot_encode": "core.sequences",
    "load_attributions": "io.attributions",
    # numba cores
    "fimo": "core.fimo",
    "fimo_batches": "core.fimo",
    "tomtom": "core.tomtom",
    "annotate_seqlets": "core.annotate",
    "recursive_seqlets": "core.seqlets",
    # motif families (issue 9)
    "tomtom_all": "core.tomtom_pairs",
    "cluster_motifs": "analysis.clusters",
    "collapse_hits": "analysis.collapse",
    # tangermeme / memelite compatibility (computed with DuckDB)
    "count_annotations": "compat.tangermeme",
    "pairwise_annotations": "compat.tangermeme",
    "pairwise_annotations_spacing": "compat.tangermeme",
    # enrichment statistics over a store
    "enrich_pairs": "analysis.enrich",
    "enrich_spacing": "analysis.enrich",
    "to_memelite": "compat.memelite",
    # tables <-> files
    "write_table": "io.export",
    "write_fimo_tsv": "io.fimo_tsv",
    "write_tomtom_tsv": "io.tomtom_tsv",
    # pictures and the built-in example
    "plot_logo": "plots.logo",
    "plot_pairs": "plots.aggregates",
    "plot_spacing": "plots.aggregates",
    "plot_clusters": "plots.clusters",
    "plot_enrichment": "plots.enrichment",
    "plot_spacing_enrichment": "plots.enrichment",
    "default_motifs_path": "data",
    "demo": "example.demo",
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
