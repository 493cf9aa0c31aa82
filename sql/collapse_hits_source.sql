-- collapse_hits_source: the rows of one hits run ($files: its Parquet files, absolute paths) whose
-- example_idx is in [$lo, $hi). `annostore collapse` reads the run one range of whole examples at
-- a time (ranges sized by collapse_example_counts), so memory is bounded by the range, not the run;
-- each range's rows are sorted by key and start in memory. Read on its own cursor while the new
-- run is written, hence the files rather than the connection's temporary hits view.
SELECT example_idx, motif_idx, motif, start, "end", strand, score, p_value, q_value, attribution
FROM read_parquet($files::VARCHAR[], union_by_name = true)
WHERE example_idx >= $lo AND example_idx < $hi
