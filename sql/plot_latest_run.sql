-- plot_latest_run: the newest run of a kind ($kind), or NULL.
SELECT max(run_id) FROM runs WHERE kind = $kind
