-- Seqlet sequences for FASTA: one record per seqlet, named run_id:seqlet_id plus its position
-- (genome chrom:start-end where known, else example:start-end; 0-based half-open).
SELECT
    CAST(s.run_id AS VARCHAR) || ':' || CAST(s.seqlet_id AS VARCHAR) || ' '
        || CASE WHEN s.chrom IS NOT NULL AND s.genomic_start IS NOT NULL
                THEN s.chrom || ':' || CAST(s.genomic_start AS VARCHAR) || '-' || CAST(s.genomic_end AS VARCHAR)
                ELSE coalesce(s.region_name, CAST(s.example_idx AS VARCHAR)) || ':' || CAST(s.start AS VARCHAR)
                     || '-' || CAST(s."end" AS VARCHAR) END AS header,
    substr(q.sequence, CAST(s.start + 1 AS INTEGER), CAST(s."end" - s.start AS INTEGER)) AS sequence
FROM seqlets_genomic s
JOIN sequences q ON q.example_idx = s.example_idx
WHERE $run_id IS NULL OR s.run_id = $run_id
ORDER BY s.run_id, s.seqlet_id;
