-- Hits in genome coordinates: the region's chrom plus absolute 0-based half-open start/end.
-- On a '-' strand region the example runs right to left, so coordinates and strand are flipped.
CREATE OR REPLACE TEMP VIEW hits_genomic AS
SELECT h.*,
       r.chrom,
       CASE WHEN r.strand = '-' THEN r."end" - h."end" ELSE r.start + h.start END AS genomic_start,
       CASE WHEN r.strand = '-' THEN r."end" - h.start ELSE r.start + h."end" END AS genomic_end,
       CASE WHEN r.strand = '-' THEN CASE h.strand WHEN '+' THEN '-' ELSE '+' END ELSE h.strand END AS genomic_strand,
       r.name AS region_name
FROM hits h LEFT JOIN regions r ON r.example_idx = h.example_idx;
