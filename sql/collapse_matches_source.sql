-- collapse_matches_source: TOMTOM labels of seqlets collapsed per motif family. For every seqlet,
-- among its matches of rank <= $top_k (NULL: all) of one matches run ($files: its Parquet files),
-- the best-ranked match of each motif cluster is kept; kept matches are ranked again 1, 2, ... in
-- their original order; n_merged = the matches of that cluster among the seqlet's top k.
-- Matches of motifs without a cluster are dropped (the caller requires a complete clustering).
WITH m AS (
    SELECT x.seqlet_id, x.rank, x.motif_idx, x.motif, x.p_value, x.e_value, x.q_value, x."offset",
           x.overlap, x.orientation, c.cluster_idx
    FROM read_parquet($files::VARCHAR[], union_by_name = true) AS x
    JOIN motif_clusters AS c ON c.motif_idx = x.motif_idx
    WHERE $top_k::INTEGER IS NULL OR x.rank <= $top_k::INTEGER
),
best AS (
    SELECT *, count(*) OVER (PARTITION BY seqlet_id, cluster_idx) AS n_merged,
           row_number() OVER (PARTITION BY seqlet_id, cluster_idx ORDER BY rank) AS r
    FROM m
)
SELECT seqlet_id,
       CAST(row_number() OVER (PARTITION BY seqlet_id ORDER BY rank) AS INTEGER) AS rank,
       motif_idx, motif, p_value, e_value, q_value, "offset", overlap, orientation,
       CAST(n_merged AS INTEGER) AS n_merged
FROM best
WHERE r = 1
ORDER BY seqlet_id, rank
