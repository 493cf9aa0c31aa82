-- enrich_spacing_null: the analytic null of enrich spacing, summed per unordered key pair.
-- Uniform placement: an annotation of width w in an example of length L starts anywhere in
-- [0, L - w], independently of the others. For two annotations (widths w1, w2) the gap
-- d = right.start - left."end" then has
--     P(d) = 2 * max(0, T - d) / ((L - w1 + 1) * (L - w2 + 1)),   T = L - w1 - w2 + 1
-- (either may be left). Summed over the instance pairs of keys (a, b) in all examples:
--     h(d) = sum over rows with t > d of (g1 - d * g0)
-- per output row (a, b, t, g0, g1), with g0 = sum u1 * u2, g1 = sum u1 * u2 * T over the
-- row's instance pairs, u = 1 / (L - w + 1) (the constant 2 cancels in h(d) / sum_d h(d)).
-- * long examples (L >= 2 * max width + $max_distance - 1: every pair has T >= max_distance,
--   so h is linear in d): per (example, key) moments U0 = sum u, U1 = sum u * w (and V0, V1
--   with u^2 for the pairs of an instance with itself, removed on the diagonal) give
--   g0 = U0a * U0b, g1 = (L + 1) U0a U0b - U1a U0b - U0a U1b; one row per pair, t = max_distance.
-- * short examples: exact, per (example, key, width) group, t = least(T, max_distance).
-- The caller evaluates h(d) for d = 0 .. $max_distance - 1 and normalises.
-- The long rows are added at "-- @long_rows" (sql/enrich_spacing_null_long.sql), or, on DuckDB,
-- summed by a numba kernel from sql/enrich_spacing_moments.sql's rows (analysis/enrich_kernels.py):
-- the self-join of mom is sum over examples of (keys in the example)^2 rows.
WITH annotations AS (
-- @annotations
),
keyed AS (
-- @keyed
),
example_lengths AS (
-- @lengths
),
-- @mom
,
long_rows AS (
    SELECT l.k AS a, r.k AS b,
           sum(CASE WHEN l.k = r.k THEN (l.u0 * l.u0 - l.v0) / 2 ELSE l.u0 * r.u0 END) AS g0,
           sum(CASE WHEN l.k = r.k
                    THEN ((l.len + 1) * (l.u0 * l.u0 - l.v0) - 2 * (l.u1 * l.u0 - l.v1)) / 2
                    ELSE (l.len + 1) * l.u0 * r.u0 - l.u1 * r.u0 - l.u0 * r.u1 END) AS g1
    FROM mom AS l
    JOIN mom AS r
      ON l.example_idx = r.example_idx
     AND l.k <= r.k
    GROUP BY l.k, r.k
),
short_cw AS (
    SELECT * FROM cw WHERE len < (SELECT short_below FROM cut)
),
short_rows AS (
    SELECT a, b, least(tt, $max_distance) AS t, sum(g) AS g0, sum(g * tt) AS g1
    FROM (
        SELECT l.k AS a, r.k AS b, l.len - l.w - r.w + 1 AS tt,
               (CASE WHEN l.k = r.k AND l.w = r.w THEN l.c * (l.c - 1) / 2 ELSE l.c * r.c END)::DOUBLE
                   / ((l.len - l.w + 1) * (l.len - r.w + 1))::DOUBLE AS g
        FROM short_cw AS l
        JOIN short_cw AS r
          ON l.example_idx = r.example_idx
         AND (l.k < r.k OR (l.k = r.k AND l.w <= r.w))
        WHERE l.len - l.w - r.w + 1 > 0
    )
    WHERE g > 0
    GROUP BY ALL
)
SELECT a, b, t::BIGINT AS t, g0, g1 FROM short_rows
-- @long_rows
