-- collapse_example_counts: rows per example of one hits run ($files), in example order (sizes the
-- example ranges that `annostore collapse` reads at a time).
SELECT example_idx, count(*) AS n
FROM read_parquet($files::VARCHAR[], union_by_name = true)
GROUP BY example_idx
ORDER BY example_idx
