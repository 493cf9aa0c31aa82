-- Parameters of the store's motif clustering (no row: never clustered).
SELECT params, n_motifs, n_clusters, created_at FROM motif_clustering;
