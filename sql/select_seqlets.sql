-- select_seqlets: the filtered annotation set from seqlets labelled by their TOMTOM matches.
-- A seqlet becomes one annotation per match with rank <= $top_k (1 = best match only) from the
-- chosen matches runs. start/end/attribution come from the seqlet; motif_idx, strand
-- (orientation) and p_value (the TOMTOM p-value) from the match; score is NULL.
-- Filters as in select_hits (inclusive thresholds, NULL = no filter).
SELECT s.example_idx, m.motif_idx, s.start, s."end", m.orientation AS strand,
       CAST(NULL AS DOUBLE) AS score, m.p_value, s.attribution, s.run_id
FROM seqlets AS s
JOIN matches AS m
  ON m.seqlet_run_id = s.run_id
 AND m.seqlet_id = s.seqlet_id
WHERE s.run_id IN (SELECT unnest($runs::INTEGER[]))
  AND m.run_id IN (SELECT unnest($matches_runs::INTEGER[]))
  AND m.rank <= $top_k::INTEGER
  AND ($motifs::INTEGER[] IS NULL OR m.motif_idx IN (SELECT unnest($motifs::INTEGER[])))
  AND ($max_p::DOUBLE IS NULL OR m.p_value <= $max_p::DOUBLE)
  AND ($min_attribution::DOUBLE IS NULL OR s.attribution >= $min_attribution::DOUBLE)
  AND ($example_lo::BIGINT IS NULL OR s.example_idx >= $example_lo::BIGINT)
  AND ($example_hi::BIGINT IS NULL OR s.example_idx < $example_hi::BIGINT)
  AND ($examples::BIGINT[] IS NULL OR s.example_idx IN (SELECT unnest($examples::BIGINT[])))
