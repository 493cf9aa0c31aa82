-- annotations_count_example: per-example totals of the compat input table `ann` (dim=1).
SELECT example_idx AS idx, count(*) AS n
FROM ann
GROUP BY example_idx
