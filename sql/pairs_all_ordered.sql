-- pairs_all_ordered: co-occurrence counting every pair of instances, oriented by position.
-- Instances of an example are ordered by (start, "end", motif_idx) (full ties in any order:
-- they have the same motif, so the result is the same); each pair counts once as
-- (left motif, right motif). Join only inside an example.
-- pos numbers the instances of an example in that order, so the join's residual is one
-- integer comparison (l.pos < r.pos) and the build side holds three narrow columns.
WITH annotations AS (
-- @annotations
),
a AS (
    SELECT row_number() OVER (PARTITION BY example_idx ORDER BY start, "end", motif_idx) AS pos,
           example_idx, motif_idx
    FROM annotations
),
p AS (
    SELECT l.motif_idx AS a, r.motif_idx AS b, count(*) AS n
    FROM a AS l
    JOIN a AS r
      ON l.example_idx = r.example_idx
     AND l.pos < r.pos
    GROUP BY l.motif_idx, r.motif_idx
)
-- integer keys only: the caller adds motif_a / motif_b from the motifs table
SELECT p.a AS motif_idx_a, p.b AS motif_idx_b, p.n
FROM p
ORDER BY p.a, p.b
