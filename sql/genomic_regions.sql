-- The store's examples with their genomic window and peak (NULL where unknown), in example order.
SELECT example_idx, chrom, start, "end", name, strand, length, peak_idx
FROM regions
ORDER BY example_idx;
