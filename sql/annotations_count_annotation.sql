-- annotations_count_annotation: per-annotation totals of the compat input table `ann` (dim=0).
SELECT annotation_idx AS idx, count(*) AS n
FROM ann
GROUP BY annotation_idx
