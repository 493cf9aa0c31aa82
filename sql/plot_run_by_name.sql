-- plot_run_by_name: run id of the run named $name of kind $kind.
SELECT run_id FROM runs WHERE name = $name AND kind = $kind
