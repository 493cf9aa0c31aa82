-- plot_logo_hits: FIMO hits of run $run in example $example overlapping [$start, $end), labelled by motif (its family's label when $by_cluster),
-- scored by attribution (NULL when the scan had none).
SELECT coalesce(CASE WHEN $by_cluster THEN c.cluster END, m.alt_name, h.motif) AS label,
       h.start,
       h."end",
       h.attribution AS score
FROM hits AS h
LEFT JOIN motifs AS m ON m.motif_idx = h.motif_idx
LEFT JOIN motif_clusters AS c ON c.motif_idx = h.motif_idx
WHERE h.run_id = $run
  AND h.example_idx = $example
  AND h.start < $end AND h."end" > $start
  AND ($min_attribution IS NULL OR h.attribution >= $min_attribution)
  AND ($max_p IS NULL OR h.p_value <= $max_p)
ORDER BY h.start, h."end", h.p_value
