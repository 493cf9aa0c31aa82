-- Seqlets in genome coordinates (see hits_genomic).
CREATE OR REPLACE TEMP VIEW seqlets_genomic AS
SELECT s.*,
       r.chrom,
       CASE WHEN r.strand = '-' THEN r."end" - s."end" ELSE r.start + s.start END AS genomic_start,
       CASE WHEN r.strand = '-' THEN r."end" - s.start ELSE r.start + s."end" END AS genomic_end,
       r.name AS region_name
FROM seqlets s LEFT JOIN regions r ON r.example_idx = s.example_idx;
