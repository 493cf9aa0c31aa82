-- A run by name (duplicate names are refused).
SELECT run_id, kind, n_rows FROM runs WHERE name = $name;
