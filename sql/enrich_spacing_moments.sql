-- enrich_spacing_moments: the per (long example, key) moments of the analytic spacing null
-- (CTE mom of sql/enrich_spacing_mom.sql), ordered by example and key, for the numba kernel that
-- sums the long examples' rows of sql/enrich_spacing_null.sql (analysis/enrich_kernels.py).
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
SELECT example_idx, k, len, u0, u1, v0, v1 FROM mom ORDER BY example_idx, k
