-- enrich_spacing_mom: the CTEs cut, cw and mom of the analytic spacing null (see
-- sql/enrich_spacing_null.sql for the formulas), spliced at a "-- @mom" marker inside a WITH
-- list after the CTEs annotations, keyed and example_lengths. mom: one row per (long example, key)
-- with its length and moments u0, u1 (sums of u, u * w) and v0, v1 (the same with u^2).
cut AS (
    SELECT 2 * max("end" - start) + $max_distance - 1 AS short_below FROM keyed
),
cw AS (
    SELECT y.example_idx, y.k, y."end" - y.start AS w, count(*) AS c, any_value(el.len) AS len
    FROM keyed AS y
    JOIN example_lengths AS el ON el.example_idx = y.example_idx
    GROUP BY y.example_idx, y.k, y."end" - y.start
),
mom AS (
    SELECT example_idx, k, any_value(len) AS len,
           sum(c / (len - w + 1)) AS u0,
           sum(c * w / (len - w + 1)) AS u1,
           sum(c / ((len - w + 1) * (len - w + 1))) AS v0,
           sum(c * w / ((len - w + 1) * (len - w + 1))) AS v1
    FROM cw
    WHERE len >= (SELECT short_below FROM cut)
    GROUP BY example_idx, k
)
