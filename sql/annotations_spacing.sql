-- annotations_spacing: tangermeme 1.6 pairwise_annotations_spacing as an aggregation.
-- Left/right: smaller start is left; equal starts -> the later input row (higher rid) is left.
-- distance d = right.start - left.end, kept when 0 <= d < $max_distance (overlaps are rejected
-- beforehand by annotations_spacing_overlap). Returns (a = left annotation, b = right, d, n);
-- with $symmetric, (b, a, d) is added too unless a = b, and the bins are summed.
-- Pair search: a binned equi-join. Rows are put in bins of $bin (>= $max_distance) by start;
-- each left row probes the bins that [left.start, left.end + max_distance) touches, so every
-- candidate right row is found, and only rows within reach are compared (no per-example
-- quadratic join).
WITH a AS (
    SELECT rid, example_idx, annotation_idx, start, "end", start // $bin AS bin
    FROM ann
),
l AS (
    SELECT rid, example_idx, annotation_idx, start, "end",
           unnest(range(start // $bin, ("end" + $max_distance - 1) // $bin + 1)) AS probe
    FROM a
    WHERE "end" + $max_distance - 1 >= start
),
p AS (
    SELECT l.annotation_idx AS a, r.annotation_idx AS b, r.start - l."end" AS d
    FROM l
    JOIN a AS r
      ON r.example_idx = l.example_idx
     AND r.bin = l.probe
    WHERE (r.start > l.start OR (r.start = l.start AND r.rid < l.rid))
      AND r.start - l."end" >= 0
      AND r.start - l."end" < $max_distance
),
c AS (
    SELECT a, b, d, count(*) AS n FROM p GROUP BY a, b, d
)
SELECT a, b, d, sum(n)::BIGINT AS n
FROM (
    SELECT a, b, d, n FROM c
    UNION ALL
    SELECT b AS a, a AS b, d, n FROM c WHERE $symmetric AND a <> b
)
GROUP BY a, b, d
