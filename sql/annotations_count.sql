-- annotations_count: counts per (example_idx, annotation_idx) of the compat input table `ann`
-- (columns example_idx, annotation_idx). Used by annostore.annotations.count_annotations.
SELECT example_idx, annotation_idx, count(*) AS n
FROM ann
GROUP BY example_idx, annotation_idx
