-- One clustering at a time: drop the previous parameters row.
DELETE FROM motif_clustering
