-- Number of clustered motifs and of motifs (a clustering covers every motif or is stale).
SELECT (SELECT count(*) FROM motif_clusters) AS n_clustered, (SELECT count(*) FROM motifs) AS n_motifs;
