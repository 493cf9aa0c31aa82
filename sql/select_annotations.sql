-- select_annotations: the filtered annotation set with motif names from the motifs table,
-- ordered by example and position. The marker line below is replaced by select_hits or select_seqlets.
WITH annotations AS (
-- @annotations
)
SELECT a.example_idx, a.motif_idx, mo.name AS motif, a.start, a."end", a.strand, a.score,
       a.p_value, a.attribution, a.run_id
FROM annotations AS a
JOIN motifs AS mo ON mo.motif_idx = a.motif_idx
ORDER BY a.example_idx, a.start, a."end", a.motif_idx
