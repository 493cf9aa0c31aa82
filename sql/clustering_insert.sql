-- The parameters of the clustering just written.
INSERT INTO motif_clustering (params, n_motifs, n_clusters) VALUES ($params, $n_motifs, $n_clusters)
