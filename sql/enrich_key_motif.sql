-- enrich_key_motif: the enrichment's group key is the motif (k = motif_idx).
-- Spliced into sql/enrich_*.sql at the "-- @keyed" marker; reads the CTE "annotations".
SELECT example_idx, motif_idx AS k, start, "end", strand, run_id
FROM annotations
