-- annotations_pairs_all_ordered: tangermeme pairwise_annotations(unique=False, symmetric=False).
-- Every pair of instances p < q in input row order (rid) within an example adds 1 to
-- y[a_p, a_q]; the diagonal counts each pair of same-annotation instances once.
SELECT l.annotation_idx AS a, r.annotation_idx AS b, count(*) AS n
FROM ann AS l
JOIN ann AS r
  ON l.example_idx = r.example_idx
 AND l.rid < r.rid
GROUP BY l.annotation_idx, r.annotation_idx
