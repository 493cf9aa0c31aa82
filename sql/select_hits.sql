-- select_hits: the filtered annotation set from FIMO-style hits.
-- Columns: example_idx, motif_idx, start, "end", strand, score, p_value, attribution, run_id.
-- Every filter is a bound parameter; NULL means "no filter". Lists are bound as arrays and
-- joined as a set (never spliced into SQL text). Thresholds are inclusive: p_value <= $max_p,
-- attribution >= $min_attribution; a row whose p_value/attribution is NULL fails that filter.
SELECT h.example_idx, h.motif_idx, h.start, h."end", h.strand, h.score, h.p_value, h.attribution, h.run_id
FROM hits AS h
WHERE h.run_id IN (SELECT unnest($runs::INTEGER[]))
  AND ($motifs::INTEGER[] IS NULL OR h.motif_idx IN (SELECT unnest($motifs::INTEGER[])))
  AND ($max_p::DOUBLE IS NULL OR h.p_value <= $max_p::DOUBLE)
  AND ($min_attribution::DOUBLE IS NULL OR h.attribution >= $min_attribution::DOUBLE)
  AND ($example_lo::BIGINT IS NULL OR h.example_idx >= $example_lo::BIGINT)
  AND ($example_hi::BIGINT IS NULL OR h.example_idx < $example_hi::BIGINT)
  AND ($examples::BIGINT[] IS NULL OR h.example_idx IN (SELECT unnest($examples::BIGINT[])))
