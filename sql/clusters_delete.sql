-- Clustering again replaces the previous one: empty motif_clusters (same transaction as the insert).
DELETE FROM motif_clusters
