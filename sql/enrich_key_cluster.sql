-- enrich_key_cluster: the enrichment's group key is the motif's cluster (k = cluster_idx of
-- table motif_clusters). Annotations of motifs without a cluster row are dropped.
-- Spliced into sql/enrich_*.sql at the "-- @keyed" marker; reads the CTE "annotations".
SELECT a.example_idx, c.cluster_idx AS k, a.start, a."end", a.strand, a.run_id
FROM annotations AS a
JOIN motif_clusters AS c
  ON c.motif_idx = a.motif_idx
