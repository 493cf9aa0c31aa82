-- collapse_hits_source: the rows of one hits run ordered by example, so that `annostore collapse`
-- can stream whole examples (each example's rows are sorted by key and start in memory).
SELECT example_idx, motif_idx, motif, start, "end", strand, score, p_value, q_value, attribution
FROM hits
WHERE run_id = $run_id
ORDER BY example_idx
