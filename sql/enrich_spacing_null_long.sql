-- enrich_spacing_null_long: the long examples' rows of sql/enrich_spacing_null.sql (one per key
-- pair, t = $max_distance), spliced at its "-- @long_rows" marker when SQL sums them.
UNION ALL
SELECT a, b, $max_distance::BIGINT AS t, g0, g1 FROM long_rows WHERE g0 > 0
