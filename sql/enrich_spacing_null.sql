-- enrich_spacing_null: the analytic null of enrich spacing, summed per unordered key pair.
-- Uniform placement: an annotation of width w in an example of length L starts anywhere in
-- [0, L - w], independently of the others. For two annotations (widths w1, w2) the gap
-- d = right.start - left."end" then has
--     P(d) = 2 * (L - w1 - w2 + 1 - d)_+ / ((L - w1 + 1) * (L - w2 + 1))   (either may be left)
-- Summed over the instance pairs of keys (a, b) of every example (c1 * c2 pairs between two
-- (key, width) groups, c * (c - 1) / 2 inside one), the expected share of distance d is
--     h(d) = sum over rows with t > d of (g1 - d * g0),     t = least(T, $max_distance),
-- with T = L - w1 - w2 + 1 and per row g0 = sum pairs / ((L - w1 + 1) (L - w2 + 1)),
-- g1 = sum g0-terms * T (the constant 2 cancels in h(d) / sum_d h(d)). The caller evaluates
-- h(d) at each distance and normalises over d = 0 .. $max_distance - 1.
-- One row per (a, b, t): without examples shorter than w1 + w2 + $max_distance, one per pair.
WITH annotations AS (
-- @annotations
),
keyed AS (
-- @keyed
),
example_lengths AS (
-- @lengths
),
cw AS (
    SELECT y.example_idx, y.k, y."end" - y.start AS w, count(*) AS c, any_value(el.len) AS len
    FROM keyed AS y
    JOIN example_lengths AS el ON el.example_idx = y.example_idx
    GROUP BY y.example_idx, y.k, y."end" - y.start
),
pp AS (
    SELECT l.k AS a, r.k AS b, l.len - l.w - r.w + 1 AS tt,
           (CASE WHEN l.k = r.k AND l.w = r.w THEN l.c * (l.c - 1) / 2 ELSE l.c * r.c END)::DOUBLE
               / ((l.len - l.w + 1) * (l.len - r.w + 1))::DOUBLE AS g
    FROM cw AS l
    JOIN cw AS r
      ON l.example_idx = r.example_idx
     AND (l.k < r.k OR (l.k = r.k AND l.w <= r.w))
    WHERE l.len - l.w - r.w + 1 > 0
)
SELECT a, b, least(tt, $max_distance) AS t, sum(g) AS g0, sum(g * tt) AS g1
FROM pp
WHERE g > 0
GROUP BY ALL
