-- spacing_pairs: motif pairs by spacing within an example.
-- Order inside an example: (start, "end", motif_idx), full ties in any order (same motif and
-- coordinates, so the result does not depend on it). For each pair, left = earlier in that
-- order; distance = right.start - left."end" (bases between them, 0 = abutting).
-- Kept: distance < $max_distance, and distance >= 0 unless $allow_overlaps (then overlapping
-- pairs are kept with their negative, signed distance).
-- $symmetric: each pair also counted as (right, left) unless both are the same motif.
-- $motif_a / $motif_b (motif_idx lists, NULL = any) filter the reported rows.
-- Pair search: binned equi-join. Rows go to bins of $bin (>= $max_distance) by start; a left row
-- probes every bin that [left.start, left."end" + max_distance) touches, so all rows that can
-- be its right partner are found while only rows within reach are compared.
WITH annotations AS (
-- @annotations
),
a AS (
    SELECT row_number() OVER () AS rid, example_idx, motif_idx, start, "end", start // $bin AS bin
    FROM annotations
),
l AS (
    SELECT rid, example_idx, motif_idx, start, "end",
           unnest(range(start // $bin, ("end" + $max_distance - 1) // $bin + 1)) AS probe
    FROM a
    WHERE "end" + $max_distance - 1 >= start
),
p AS (
    SELECT l.motif_idx AS a, r.motif_idx AS b, r.start - l."end" AS d
    FROM l
    JOIN a AS r
      ON r.example_idx = l.example_idx
     AND r.bin = l.probe
    WHERE (r.start > l.start
       OR (r.start = l.start AND (r."end" > l."end"
       OR (r."end" = l."end" AND (r.motif_idx > l.motif_idx
       OR (r.motif_idx = l.motif_idx AND r.rid > l.rid))))))
      AND r.start - l."end" < $max_distance
      AND ($allow_overlaps OR r.start - l."end" >= 0)
),
c AS (
    -- one aggregation: symmetric pairs are counted under (least, greatest), then mirrored
    SELECT CASE WHEN $symmetric THEN least(a, b) ELSE a END AS a,
           CASE WHEN $symmetric THEN greatest(a, b) ELSE b END AS b,
           d, count(*) AS n
    FROM p
    GROUP BY ALL
),
s AS (
    SELECT a, b, d, n FROM c
    UNION ALL
    SELECT b AS a, a AS b, d, n FROM c WHERE $symmetric AND a <> b
)
-- integer keys only: the caller adds motif_a / motif_b from the motifs table
SELECT s.a AS motif_idx_a, s.b AS motif_idx_b, s.d AS distance, s.n
FROM s
WHERE ($motif_a::INTEGER[] IS NULL OR s.a IN (SELECT unnest($motif_a::INTEGER[])))
  AND ($motif_b::INTEGER[] IS NULL OR s.b IN (SELECT unnest($motif_b::INTEGER[])))
ORDER BY s.a, s.b, s.d
