-- count_example: annotations per example (all selected motifs together), zero counts omitted.
-- n_motifs: how many distinct motifs the example holds.
WITH annotations AS (
-- @annotations
)
SELECT example_idx, count(*) AS n, count(DISTINCT motif_idx) AS n_motifs
FROM annotations
GROUP BY example_idx
ORDER BY example_idx
