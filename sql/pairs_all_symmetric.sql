-- pairs_all_symmetric: co-occurrence counting every pair of instances (symmetric).
-- With c_e(a) instances of motif a in example e: n(a, b) = sum_e c_e(a) * c_e(b) for a <> b,
-- reported as both (a, b) and (b, a); n(a, a) = sum_e c_e(a) * (c_e(a) - 1) / 2 (each pair of
-- instances once). Computed from per-(example, motif) counts, never from instance pairs.
WITH annotations AS (
-- @annotations
),
g AS (
    SELECT example_idx, motif_idx, count(*) AS c FROM annotations GROUP BY example_idx, motif_idx
),
half AS (
    SELECT l.motif_idx AS a, r.motif_idx AS b, sum(l.c * r.c)::BIGINT AS n
    FROM g AS l
    JOIN g AS r
      ON l.example_idx = r.example_idx
     AND l.motif_idx < r.motif_idx
    GROUP BY l.motif_idx, r.motif_idx
),
p AS (
    SELECT a, b, n FROM half
    UNION ALL SELECT b AS a, a AS b, n FROM half
    UNION ALL
    SELECT motif_idx AS a, motif_idx AS b, sum(c * (c - 1) // 2)::BIGINT AS n
    FROM g WHERE c > 1 GROUP BY motif_idx
)
-- integer keys only: the caller adds motif_a / motif_b from the motifs table
SELECT p.a AS motif_idx_a, p.b AS motif_idx_b, p.n
FROM p
ORDER BY p.a, p.b
