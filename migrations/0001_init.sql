-- 0001_init: the small tables of a store.
-- The big fact tables (hits, seqlets, matches) are Parquet files under the store folder,
-- one folder per run, listed in runs.files; they are exposed as views at open time.
-- Coordinates are 0-based, half-open [start, end), relative to the example.

CREATE TABLE motifs (
    motif_idx     INTEGER PRIMARY KEY,          -- 0-based, in the order motifs were added (file order)
    name          VARCHAR NOT NULL UNIQUE,      -- MEME motif id: first word after MOTIF
    alt_name      VARCHAR,                      -- second word after MOTIF, if any
    width         INTEGER NOT NULL CHECK (width > 0),
    nsites        DOUBLE,                       -- from the letter-probability header (NULL: absent)
    url           VARCHAR,
    consensus     VARCHAR NOT NULL,
    pwm           DOUBLE[][] NOT NULL,          -- 4 rows (A, C, G, T) of `width` probabilities
    background    DOUBLE[],                     -- A, C, G, T letter frequencies of the source file (NULL: none)
    source        VARCHAR,                      -- file the motif came from
    source_sha256 VARCHAR,
    added_at      TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE regions (
    example_idx BIGINT PRIMARY KEY CHECK (example_idx >= 0),
    chrom       VARCHAR,
    start       BIGINT CHECK (start IS NULL OR start >= 0),   -- genomic, 0-based
    "end"       BIGINT,                                        -- genomic, exclusive
    name        VARCHAR,
    strand      VARCHAR CHECK (strand IS NULL OR strand IN ('+', '-', '.')),
    length      BIGINT CHECK (length IS NULL OR length > 0),  -- bases in the example
    CHECK ("end" IS NULL OR start IS NULL OR "end" > start)
);

CREATE TABLE sequences (
    example_idx BIGINT PRIMARY KEY CHECK (example_idx >= 0),
    name        VARCHAR,
    sequence    VARCHAR NOT NULL
);

CREATE TABLE runs (
    run_id        INTEGER PRIMARY KEY,
    name          VARCHAR NOT NULL UNIQUE,
    kind          VARCHAR NOT NULL CHECK (kind IN ('hits', 'seqlets', 'matches')),
    tool          VARCHAR,
    tool_version  VARCHAR,
    params        JSON,
    input         VARCHAR,
    input_sha256  VARCHAR,
    parent_run_id INTEGER,                      -- matches: the seqlets run they annotate
    n_rows        BIGINT NOT NULL,
    files         VARCHAR[] NOT NULL,           -- Parquet files, relative to the store folder
    created_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
