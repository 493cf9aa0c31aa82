-- pairs_unique: co-occurrence of motifs, each (example, motif) counted once.
-- n(a, b), a <> b: number of examples holding both a and b. n(a, a): number of examples holding
-- a at least twice (annostore counts this diagonal; tangermeme's unique=True never does).
-- $symmetric: both (a, b) and (b, a) rows (diagonal once). Otherwise each unordered pair once,
-- oriented by position: a motif's position is its leftmost start in the example; equal
-- leftmost starts go to the smaller motif_idx first.
-- Join: only inside an example (equality on example_idx) over per-(example, motif) groups.
WITH annotations AS (
-- @annotations
),
g AS (
    SELECT example_idx, motif_idx, count(*) AS c, min(start) AS first
    FROM annotations GROUP BY example_idx, motif_idx
),
half AS (
    SELECT CASE WHEN $symmetric OR l.first <= r.first THEN l.motif_idx ELSE r.motif_idx END AS a,
           CASE WHEN $symmetric OR l.first <= r.first THEN r.motif_idx ELSE l.motif_idx END AS b,
           count(*) AS n
    FROM g AS l
    JOIN g AS r
      ON l.example_idx = r.example_idx
     AND l.motif_idx < r.motif_idx
    GROUP BY ALL
),
diag AS (
    SELECT motif_idx AS a, motif_idx AS b, count(*) AS n FROM g WHERE c > 1 GROUP BY motif_idx
),
p AS (
    -- the parts never share a key: half is grouped by (a, b) with a <> b, its mirror holds
    -- (b, a) only when symmetric (then half has a < b), diag has a = b; so no re-aggregation
    SELECT a, b, n::BIGINT AS n FROM half
    UNION ALL SELECT b AS a, a AS b, n::BIGINT AS n FROM half WHERE $symmetric
    UNION ALL SELECT a, b, n::BIGINT AS n FROM diag
)
-- integer keys only: the caller adds motif_a / motif_b from the motifs table
SELECT p.a AS motif_idx_a, p.b AS motif_idx_b, p.n
FROM p
ORDER BY p.a, p.b
