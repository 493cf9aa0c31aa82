-- Seqlets as BED6 (0-based half-open), in genome coordinates where the region has them; otherwise
-- chrom is the example name (or example_idx) and coordinates are relative to the example.
-- name = the rank-1 label of the seqlet (latest matches run of its seqlets run) or seqlet_<id>;
-- score = round(-100 * log10(p_value)) clipped to 0..1000 (0 when p is unknown);
-- strand = the label's orientation (flipped on '-' regions), '.' without one.
WITH labels AS (
    SELECT seqlet_run_id, seqlet_id, motif, orientation,
           row_number() OVER (PARTITION BY seqlet_run_id, seqlet_id ORDER BY run_id DESC) AS k
    FROM matches
    WHERE rank = 1
)
SELECT
    coalesce(s.chrom, s.region_name, CAST(s.example_idx AS VARCHAR)) AS chrom,
    CASE WHEN s.chrom IS NOT NULL AND s.genomic_start IS NOT NULL THEN s.genomic_start ELSE s.start END AS start,
    CASE WHEN s.chrom IS NOT NULL AND s.genomic_end IS NOT NULL THEN s.genomic_end ELSE s."end" END AS "end",
    coalesce(l.motif, 'seqlet_' || CAST(s.seqlet_id AS VARCHAR)) AS name,
    CAST(CASE WHEN s.p_value IS NULL THEN 0
              WHEN s.p_value <= 0 THEN 1000
              ELSE least(1000, greatest(0, round(-100 * log10(s.p_value)))) END AS INTEGER) AS score,
    CASE WHEN l.orientation IS NULL THEN '.'
         WHEN r.strand = '-' THEN CASE l.orientation WHEN '+' THEN '-' ELSE '+' END
         ELSE l.orientation END AS strand
FROM seqlets_genomic s
LEFT JOIN labels l ON l.seqlet_run_id = s.run_id AND l.seqlet_id = s.seqlet_id AND l.k = 1
LEFT JOIN regions r ON r.example_idx = s.example_idx
WHERE $run_id IS NULL OR s.run_id = $run_id
ORDER BY chrom, start, "end", name;
