-- count_motif: annotations per motif (all selected examples together), zero counts omitted.
-- n_examples: how many examples hold at least one. Integer keys only (the caller adds names).
WITH annotations AS (
-- @annotations
)
SELECT motif_idx, count(*) AS n, count(DISTINCT example_idx) AS n_examples
FROM annotations
GROUP BY motif_idx
ORDER BY motif_idx
