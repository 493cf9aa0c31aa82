-- The next free run id (runs are numbered 1, 2, ...).
SELECT coalesce(max(run_id), 0) + 1 FROM runs;
