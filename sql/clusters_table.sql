-- The store's motif families: one row per motif (cluster columns NULL when not clustered).
SELECT m.motif_idx, m.name AS motif, m.alt_name AS motif_alt,
       c.cluster_idx, c.cluster, c.representative
FROM motifs m
LEFT JOIN motif_clusters c USING (motif_idx)
ORDER BY m.motif_idx;
