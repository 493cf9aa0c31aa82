-- annotations_spacing: tangermeme 1.6 pairwise_annotations_spacing as an aggregation.
-- Left/right: smaller start is left; equal starts -> the later input row (higher rid) is left.
-- distance d = right.start - left.end, kept when d < $max_distance. Overlapping pairs (d < 0)
-- are returned too: the caller raises on them (with annotations_spacing_overlap for the
-- message), so no separate pass over the input is needed when there is none.
-- Returns (a, b, d, n): a = left and b = right annotation, or with $symmetric the pair counted
-- once under (least, greatest) -- the caller mirrors (b, a, d) for a <> b. One aggregation.
-- Pair search: a binned equi-join. Rows are put in bins of $bin (>= $max_distance) by start;
-- each left row probes the bins that [left.start, left.end + max_distance) touches, so every
-- candidate right row is found, and only rows within reach are compared (no per-example
-- quadratic join). The caller loads narrow (INTEGER) columns where the values allow.
WITH a AS (
    SELECT rid, example_idx, annotation_idx, start, "end", start // $bin AS bin
    FROM ann
),
l AS (
    SELECT rid, example_idx, annotation_idx, start, "end",
           unnest(range(start // $bin, ("end" + $max_distance - 1) // $bin + 1)) AS probe
    FROM a
    WHERE "end" + $max_distance - 1 >= start
)
SELECT CASE WHEN $symmetric THEN least(l.annotation_idx, r.annotation_idx) ELSE l.annotation_idx END AS a,
       CASE WHEN $symmetric THEN greatest(l.annotation_idx, r.annotation_idx) ELSE r.annotation_idx END AS b,
       r.start - l."end" AS d,
       count(*) AS n
FROM l
JOIN a AS r
  ON r.example_idx = l.example_idx
 AND r.bin = l.probe
WHERE (r.start > l.start OR (r.start = l.start AND r.rid < l.rid))
  AND r.start - l."end" < $max_distance
GROUP BY ALL
