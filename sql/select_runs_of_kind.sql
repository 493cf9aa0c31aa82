-- select_runs_of_kind: every committed run of a kind, with its name.
SELECT run_id, name FROM runs WHERE kind = $kind ORDER BY run_id
