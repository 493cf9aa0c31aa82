-- enrich_spacing_observed: pairs of annotations in one example by gap, per unordered key pair.
-- For two annotations of one example with left."end" <= right.start (no overlap):
--   distance = right.start - left."end"  (0 = abutting), kept when distance < $max_distance.
-- Rows: a = least(left.k, right.k), b = greatest(...), distance, orientation, n.
-- orientation (only when $orientation, else 0), a code: 0 ab_same, 1 ab_opposite, 2 ba_same,
-- 3 ba_opposite; 'ab' when the annotation of key a is the left (upstream on the + strand) one,
-- 'ba' otherwise ('ab' when a = b); '_same' when both have the same strand value.
-- Pair search: binned equi-join as in sql/spacing_pairs.sql (bins of $bin >= $max_distance by
-- start; a left row probes the bins that [left."end", left."end" + $max_distance) touches).
-- When $shuffles > 0 the positions are first replaced, $shuffles times, by seeded uniform
-- positions within the example (the empirical null; see sql/enrich_positions_shuffled.sql).
WITH annotations AS (
-- @annotations
),
keyed AS (
-- @keyed
),
example_lengths AS (
-- @lengths
),
x AS (
-- @positions
),
a AS (
    SELECT rep, example_idx, k, start, "end", strand, start // $bin AS bin FROM x
),
l AS (
    SELECT rep, example_idx, k, "end", strand,
           unnest(range("end" // $bin, ("end" + $max_distance - 1) // $bin + 1)) AS probe
    FROM a
),
p AS (
    SELECT l.k AS lk, r.k AS rk, r.start - l."end" AS d,
           l.strand IS NOT DISTINCT FROM r.strand AS same
    FROM l
    JOIN a AS r
      ON r.rep = l.rep
     AND r.example_idx = l.example_idx
     AND r.bin = l.probe
    WHERE r.start >= l."end"
      AND r.start - l."end" < $max_distance
)
SELECT least(lk, rk) AS a, greatest(lk, rk) AS b, d AS distance,
       CASE WHEN $orientation
            THEN (CASE WHEN lk <= rk THEN 0 ELSE 2 END) + (CASE WHEN same THEN 0 ELSE 1 END)
            ELSE 0
       END::TINYINT AS orientation,
       count(*)::BIGINT AS n
FROM p
GROUP BY ALL
