-- enrich_example_lengths: length L of every example that holds an annotation: the regions
-- table's length, else the stored sequence's length, else (neither known) the largest "end"
-- among the example's annotations. Spliced at the "-- @lengths" marker; reads CTE "keyed".
SELECT example_idx, coalesce(max(known), max(seen)) AS len
FROM (
    SELECT example_idx, coalesce(r.length, length(s.sequence)) AS known, CAST(NULL AS BIGINT) AS seen
    FROM regions AS r FULL OUTER JOIN sequences AS s USING (example_idx)
    UNION ALL
    SELECT example_idx, CAST(NULL AS BIGINT) AS known, max("end") AS seen
    FROM keyed GROUP BY example_idx
)
GROUP BY example_idx
