-- Committed Parquet files per fact table, in run order (paths relative to the store folder).
SELECT kind, run_id, files FROM runs ORDER BY run_id;
