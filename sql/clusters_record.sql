-- Record the parameters of the clustering just written (one row).
DELETE FROM motif_clustering;
INSERT INTO motif_clustering (params, n_motifs, n_clusters)
VALUES ($params, $n_motifs, $n_clusters);
