-- enrich_pairs: presence/absence counts for co-occurrence enrichment, one scan.
-- Rows with b IS NULL: n = examples holding key a (every key present, for n_a / n_b).
-- Rows with b NOT NULL (a < b): n = examples holding both a and b, for the keys present in at
-- least $min_examples examples (only pairs that co-occur at least once; the caller adds the
-- pairs that never do, with n_both = 0).
-- Keys: k from the "-- @keyed" snippet (motif_idx, or cluster_idx). Integer keys only.
WITH annotations AS (
-- @annotations
),
keyed AS (
-- @keyed
),
g AS (
    SELECT DISTINCT example_idx, k FROM keyed
),
e AS (
    SELECT k, count(*) AS n FROM g GROUP BY k
),
gg AS (
    SELECT g.example_idx, g.k FROM g JOIN e ON e.k = g.k WHERE e.n >= $min_examples
),
p AS (
    SELECT l.k AS a, r.k AS b, count(*) AS n
    FROM gg AS l
    JOIN gg AS r
      ON l.example_idx = r.example_idx
     AND l.k < r.k
    GROUP BY ALL
)
SELECT k AS a, CAST(NULL AS BIGINT) AS b, n::BIGINT AS n FROM e
UNION ALL
SELECT a, b, n::BIGINT AS n FROM p
