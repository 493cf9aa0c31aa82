-- select_latest_run: the newest committed run of a kind (NULL when there is none).
SELECT max(run_id) FROM runs WHERE kind = $kind
