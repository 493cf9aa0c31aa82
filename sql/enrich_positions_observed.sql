-- enrich_positions_observed: the annotations at their own positions (replicate 0).
-- Spliced into sql/enrich_spacing_observed.sql at the "-- @positions" marker.
SELECT 0 AS rep, example_idx, k, start, "end", strand FROM keyed
