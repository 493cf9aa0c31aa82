-- A run by id.
SELECT run_id, kind, n_rows, name FROM runs WHERE run_id = $run_id;
