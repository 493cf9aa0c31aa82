-- select_latest_child_run: the newest run of a kind ($kind) made from run $parent (e.g. matches of a seqlets run).
SELECT max(run_id) FROM runs WHERE kind = $kind AND parent_run_id = $parent
