-- count_motif: annotations per motif (all selected examples together), zero counts omitted.
-- n_examples: how many examples hold at least one.
WITH annotations AS (
-- @annotations
),
c AS (
    SELECT motif_idx, count(*) AS n, count(DISTINCT example_idx) AS n_examples
    FROM annotations GROUP BY motif_idx
)
SELECT c.motif_idx, mo.name AS motif, c.n, c.n_examples
FROM c JOIN motifs AS mo ON mo.motif_idx = c.motif_idx
ORDER BY c.motif_idx
