-- enrich_positions_shuffled: the empirical null's positions. Replicate rep = 0 .. $shuffles - 1
-- moves every annotation (width w = "end" - start, key and strand kept) to a start drawn
-- uniformly from [0, L - w] of its example (L: the example's length, see
-- sql/enrich_example_lengths.sql), drawn as hash($seed, rep, annotation) mod (L - w + 1): the
-- same seed gives the same positions whatever the thread count. Annotations longer than
-- their example are dropped.
-- Spliced into sql/enrich_spacing_observed.sql at the "-- @positions" marker.
SELECT rep, example_idx, k, s AS start, s + w AS "end", strand
FROM (
    SELECT r.rep, q.example_idx, q.k, q.strand, q.w,
           CAST(hash($seed::BIGINT, r.rep, q.example_idx, q.k, q.start, q.w, q.strand, q.run_id)
                % CAST(q.len - q.w + 1 AS UBIGINT) AS BIGINT) AS s
    FROM (
        SELECT y.example_idx, y.k, y.start, y."end" - y.start AS w, y.strand, y.run_id, el.len
        FROM keyed AS y
        JOIN example_lengths AS el ON el.example_idx = y.example_idx
    ) AS q
    CROSS JOIN (SELECT unnest(range($shuffles::BIGINT)) AS rep) AS r
    WHERE q.len - q.w + 1 > 0
)
