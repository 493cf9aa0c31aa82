-- The new clustering, from the registered Arrow table _annostore_new_clusters.
INSERT INTO motif_clusters (motif_idx, cluster_idx, cluster, representative)
SELECT motif_idx, cluster_idx, cluster, representative FROM _annostore_new_clusters
