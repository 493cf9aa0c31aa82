-- enrich_universe: max(example_idx) + 1 over the filtered annotation set (the universe of a
-- store without regions or sequences tables).
WITH annotations AS (
-- @annotations
)
SELECT max(example_idx) + 1 FROM annotations
