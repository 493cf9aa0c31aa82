-- Hits as BED6 (0-based half-open). Genome coordinates where the region has a chrom; otherwise
-- chrom is the example name (or example_idx) and coordinates are relative to the example.
-- name = motif id; score = round(-100 * log10(p_value)) clipped to 0..1000 (0 when p is unknown).
SELECT
    coalesce(h.chrom, h.region_name, CAST(h.example_idx AS VARCHAR)) AS chrom,
    CASE WHEN h.chrom IS NOT NULL AND h.genomic_start IS NOT NULL THEN h.genomic_start ELSE h.start END AS start,
    CASE WHEN h.chrom IS NOT NULL AND h.genomic_end IS NOT NULL THEN h.genomic_end ELSE h."end" END AS "end",
    h.motif AS name,
    CAST(CASE WHEN h.p_value IS NULL THEN 0
              WHEN h.p_value <= 0 THEN 1000
              ELSE least(1000, greatest(0, round(-100 * log10(h.p_value)))) END AS INTEGER) AS score,
    CASE WHEN h.chrom IS NOT NULL AND h.genomic_start IS NOT NULL THEN h.genomic_strand ELSE h.strand END AS strand
FROM hits_genomic h
WHERE $run_id IS NULL OR h.run_id = $run_id
ORDER BY chrom, start, "end", name;
