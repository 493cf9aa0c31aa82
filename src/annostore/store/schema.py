"""Arrow schemas of the store's Parquet fact tables.

The small tables (motifs, regions, sequences, runs, schema_version) are DuckDB
tables created by ``migrations/``.  The big fact tables are Parquet files, one
folder per run (``<store>/<table>/run-<run_id>/part-*.parquet``), readable by
any Parquet reader.  All coordinates are 0-based, half-open ``[start, end)``,
relative to the example (``example_idx``).
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION_KEY = b"annostore.schema_version"
COORDINATES_KEY = b"annostore.coordinates"
COORDINATES = b"0-based half-open [start, end), relative to the example"
#: The largest coordinate accepted anywhere (2^40, ~1.1e12: longer than any genome; far from int64 overflow).
from annostore.core.sequences import MAX_COORDINATE  # noqa: E402,F401  (re-exported)

HITS = pa.schema(
    [
        pa.field("run_id", pa.int32(), nullable=False),
        pa.field("example_idx", pa.int64(), nullable=False),
        pa.field("motif_idx", pa.int32(), nullable=False),
        pa.field("motif", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("strand", pa.string(), nullable=False),  # '+' or '-'
        pa.field("score", pa.float64()),
        pa.field("p_value", pa.float64()),
        pa.field("q_value", pa.float64()),
        pa.field("attribution", pa.float64()),
        # derived runs of `annostore collapse` only (NULL elsewhere): how many hits the kept hit
        # stands for, and (collapse --by any) the sorted cluster labels of those hits, ','-joined
        pa.field("n_merged", pa.int32()),
        pa.field("clusters", pa.string()),
    ]
)

SEQLETS = pa.schema(
    [
        pa.field("run_id", pa.int32(), nullable=False),
        pa.field("seqlet_id", pa.int64(), nullable=False),  # 0-based, unique within the run
        pa.field("example_idx", pa.int64(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("attribution", pa.float64()),
        pa.field("p_value", pa.float64()),
        pa.field("sign", pa.int8(), nullable=False),  # +1 positive seqlet, -1 negative seqlet
    ]
)

MATCHES = pa.schema(
    [
        pa.field("run_id", pa.int32(), nullable=False),  # the matches run
        pa.field("seqlet_run_id", pa.int32(), nullable=False),
        pa.field("seqlet_id", pa.int64(), nullable=False),
        pa.field("rank", pa.int32(), nullable=False),  # 1 = best match
        pa.field("motif_idx", pa.int32(), nullable=False),
        pa.field("motif", pa.string(), nullable=False),
        pa.field("p_value", pa.float64()),
        pa.field("e_value", pa.float64()),
        pa.field("q_value", pa.float64()),
        pa.field("offset", pa.int32()),
        pa.field("overlap", pa.int32()),
        pa.field("orientation", pa.string()),  # '+' or '-'
        # derived runs of `annostore collapse` of a matches run only (NULL elsewhere): how many
        # matches of the seqlet's top-k in this motif's cluster the kept (best-ranked) one stands for
        pa.field("n_merged", pa.int32()),
    ]
)

FACT_TABLES = {"hits": HITS, "seqlets": SEQLETS, "matches": MATCHES}

# the store folder
DB_FILE = "annostore.duckdb"
TMP_DIR = ".tmp"
KINDS = ("hits", "seqlets", "matches")
