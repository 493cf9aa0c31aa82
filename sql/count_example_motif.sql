-- count_example_motif: annotations per (example, motif), long form, zero counts omitted.
-- Integer keys only: the caller adds the motif name column (motif_idx -> motifs.name) to the
-- aggregated result, so names are never carried through the aggregation or the sort.
WITH annotations AS (
-- @annotations
)
SELECT example_idx, motif_idx, count(*) AS n
FROM annotations
GROUP BY example_idx, motif_idx
ORDER BY example_idx, motif_idx
