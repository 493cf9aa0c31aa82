-- Insert regions from the registered Arrow table _annostore_new_regions.
INSERT INTO regions (example_idx, chrom, start, "end", name, strand, length)
SELECT example_idx, chrom, start, "end", name, strand, length FROM _annostore_new_regions;
