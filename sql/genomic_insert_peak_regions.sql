-- Insert peak windows (regions add PEAKS --width W) from the registered Arrow table _annostore_new_regions.
INSERT INTO regions (example_idx, chrom, start, "end", name, strand, length, peak_idx, peak_start, peak_end, summit)
SELECT example_idx, chrom, start, "end", name, strand, length, peak_idx, peak_start, peak_end, summit
FROM _annostore_new_regions;
