-- The migration runner's bookkeeping: one row per applied migrations/NNNN_name.sql file.
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    checksum   VARCHAR NOT NULL,          -- sha256 of the file text (LF line endings)
    applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
