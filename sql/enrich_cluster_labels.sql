-- enrich_cluster_labels: cluster_idx -> readable cluster label (table motif_clusters).
SELECT cluster_idx, min(cluster) AS cluster
FROM motif_clusters
GROUP BY cluster_idx
ORDER BY cluster_idx
