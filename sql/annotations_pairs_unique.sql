-- annotations_pairs_unique: tangermeme pairwise_annotations(unique=True).
-- Repeats within an example are dropped first, so the diagonal is never counted; each
-- unordered pair a < b of distinct annotations present in one example counts once.
-- The caller mirrors (b, a) for symmetric=True.
WITH g AS (
    SELECT DISTINCT example_idx, annotation_idx FROM ann
)
SELECT l.annotation_idx AS a, r.annotation_idx AS b, count(*) AS n
FROM g AS l
JOIN g AS r
  ON l.example_idx = r.example_idx
 AND l.annotation_idx < r.annotation_idx
GROUP BY l.annotation_idx, r.annotation_idx
