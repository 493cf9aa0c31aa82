-- annotations_pairs_all_symmetric: tangermeme pairwise_annotations(unique=False, symmetric=True).
-- With c_e(a) instances of a in example e: y[a, b] = sum_e c_e(a) * c_e(b) for a < b (the caller
-- mirrors it), and y[a, a] = sum_e c_e(a) * (c_e(a) - 1) / 2 (every pair of instances once).
-- Works on per-(example, annotation) counts, never on instance pairs.
WITH g AS (
    SELECT example_idx, annotation_idx, count(*) AS c
    FROM ann
    GROUP BY example_idx, annotation_idx
)
SELECT l.annotation_idx AS a, r.annotation_idx AS b, sum(l.c * r.c)::BIGINT AS n
FROM g AS l
JOIN g AS r
  ON l.example_idx = r.example_idx
 AND l.annotation_idx < r.annotation_idx
GROUP BY l.annotation_idx, r.annotation_idx
UNION ALL
SELECT annotation_idx AS a, annotation_idx AS b, sum(c * (c - 1) // 2)::BIGINT AS n
FROM g
WHERE c > 1
GROUP BY annotation_idx
