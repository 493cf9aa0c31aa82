-- select_runs_of_kind: every committed run of a kind, with its name and parent run.
SELECT run_id, name, parent_run_id FROM runs WHERE kind = $kind ORDER BY run_id
