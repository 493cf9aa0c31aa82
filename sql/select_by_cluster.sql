-- select_by_cluster: an annotation set (any select_*.sql, spliced in at the marker) on the motif
-- family axis: motif_idx is replaced by the motif's cluster_idx from motif_clusters (written by
-- `annostore motifs cluster`); every other column is unchanged. Aggregations (count, pairs,
-- spacing, enrichment) then group by cluster without knowing it; the caller renames motif_idx
-- to cluster_idx and adds the cluster labels. The caller checks beforehand that every motif has
-- a cluster (otherwise annotations of unclustered motifs would silently drop out of this join).
SELECT a.* REPLACE (c.cluster_idx AS motif_idx)
FROM (
-- @annotations
) AS a
JOIN motif_clusters AS c ON c.motif_idx = a.motif_idx
