-- One label per cluster_idx (labels are the same for every member of a cluster).
SELECT cluster_idx, any_value(cluster) AS cluster, count(*) AS n_motifs
FROM motif_clusters
GROUP BY cluster_idx
ORDER BY cluster_idx
