-- Replace the store's motif clustering (run inside one transaction with clusters_record).
-- _annostore_new_clusters: motif_idx, cluster_idx, cluster, representative.
DELETE FROM motif_clusters;
INSERT INTO motif_clusters (motif_idx, cluster_idx, cluster, representative)
SELECT motif_idx, cluster_idx, cluster, representative FROM _annostore_new_clusters;
