-- Hits as MEME fimo.tsv (>= 4.11.3 header): 1-BASED INCLUSIVE start/stop, as MEME writes them.
-- sequence_name is the example name (or example_idx); matched_sequence comes from the stored
-- sequence when there is one (reverse complement on the '-' strand), else empty.
SELECT
    h.motif AS motif_id,
    coalesce(m.alt_name, '') AS motif_alt_id,
    coalesce(r.name, s.name, CAST(h.example_idx AS VARCHAR)) AS sequence_name,
    h.start + 1 AS start,
    h."end" AS stop,
    h.strand AS strand,
    h.score AS score,
    h.p_value AS "p-value",
    h.q_value AS "q-value",
    CASE WHEN s.sequence IS NULL THEN ''
         WHEN h.strand = '-' THEN reverse(translate(substring(s.sequence, h.start + 1, h."end" - h.start), 'ACGTN', 'TGCAN'))
         ELSE substring(s.sequence, h.start + 1, h."end" - h.start) END AS matched_sequence
FROM hits h
LEFT JOIN motifs m ON m.motif_idx = h.motif_idx
LEFT JOIN regions r ON r.example_idx = h.example_idx
LEFT JOIN sequences s ON s.example_idx = h.example_idx
WHERE $run_id IS NULL OR h.run_id = $run_id
ORDER BY h.p_value NULLS LAST, h.motif_idx, h.example_idx, h.start;
