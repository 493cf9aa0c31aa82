-- select_seqlet_matches_runs: the latest matches run of each given seqlets run (parent_run_id).
SELECT parent_run_id AS seqlet_run_id, max(run_id) AS run_id
FROM runs
WHERE kind = 'matches' AND parent_run_id IN (SELECT unnest($runs::INTEGER[]))
GROUP BY parent_run_id
