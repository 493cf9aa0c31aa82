-- plot_logo_seqlets: seqlets of run $run in example $example overlapping [$start, $end),
-- labelled with their best match (rank 1) of matches run $matches_run (label NULL -> 'seqlet'); with $by_cluster the match's motif family label.
SELECT coalesce(CASE WHEN $by_cluster THEN c.cluster END, m.alt_name, m.name, 'seqlet') AS label,
       s.start,
       s."end",
       s.attribution AS score
FROM seqlets AS s
LEFT JOIN matches AS x
       ON x.run_id = $matches_run AND x.seqlet_run_id = s.run_id AND x.seqlet_id = s.seqlet_id AND x.rank = 1
LEFT JOIN motifs AS m ON m.motif_idx = x.motif_idx
LEFT JOIN motif_clusters AS c ON c.motif_idx = x.motif_idx
WHERE s.run_id = $run
  AND s.example_idx = $example
  AND s.start < $end AND s."end" > $start
  AND ($min_attribution IS NULL OR s.attribution >= $min_attribution)
  AND ($max_p IS NULL OR x.p_value <= $max_p)
ORDER BY s.start, s."end"
