-- tomtom_seqlets_of_run: the seqlets of run $run_id to annotate with TOMTOM, in seqlet_id order.
SELECT seqlet_id, example_idx, start, "end"
FROM seqlets
WHERE run_id = $run_id
ORDER BY seqlet_id
