-- count_example_motif: annotations per (example, motif), long form, zero counts omitted.
WITH annotations AS (
-- @annotations
),
c AS (
    SELECT example_idx, motif_idx, count(*) AS n FROM annotations GROUP BY example_idx, motif_idx
)
SELECT c.example_idx, c.motif_idx, mo.name AS motif, c.n
FROM c JOIN motifs AS mo ON mo.motif_idx = c.motif_idx
ORDER BY c.example_idx, c.motif_idx
