-- 0003_attributions: stored attribution tracks, and what real-data inputs bring along.
-- attributions: one row per projected per-base track kept in the store (a Parquet file, one row
--   per example: example_idx, values FLOAT[] of the example's length), with its provenance.
-- regions: the peak a window was centred on (narrowPeak input; NULL otherwise).
-- motifs: the contribution weight matrix of motifs that have one (modisco patterns).

CREATE TABLE attributions (
    name          VARCHAR PRIMARY KEY,
    layout        VARCHAR NOT NULL,            -- chrombpnet-h5, bpnet-h5, bpnet-lite-npz, finemo-npz, bigwig, npy, npz, array
    source        VARCHAR,                     -- the file it was read from
    source_sha256 VARCHAR,
    n_examples    BIGINT NOT NULL CHECK (n_examples > 0),
    length        BIGINT NOT NULL CHECK (length > 0),
    file          VARCHAR NOT NULL,            -- Parquet file, relative to the store folder
    added_at      TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

ALTER TABLE regions ADD COLUMN peak_idx BIGINT;     -- 0-based line of the peak in the peak file
ALTER TABLE regions ADD COLUMN peak_start BIGINT;   -- the peak's own genomic start (0-based)
ALTER TABLE regions ADD COLUMN peak_end BIGINT;     -- and end (exclusive)
ALTER TABLE regions ADD COLUMN summit BIGINT;       -- summit offset from peak_start (-1: none)

ALTER TABLE motifs ADD COLUMN cwm DOUBLE[][];       -- 4 rows (A, C, G, T) of contribution weights
