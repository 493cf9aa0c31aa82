-- collapse_hits_source: the rows of one hits run ($files: its Parquet files, absolute paths),
-- ordered by example so that `annostore collapse` can stream whole examples (each example's
-- rows are sorted by key and start in memory). Read on its own cursor while the new run is
-- written, hence the files rather than the connection's temporary hits view.
SELECT example_idx, motif_idx, motif, start, "end", strand, score, p_value, q_value, attribution
FROM read_parquet($files::VARCHAR[], union_by_name = true)
ORDER BY example_idx
