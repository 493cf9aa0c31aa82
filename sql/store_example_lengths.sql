-- Known examples and their lengths (regions.length, else the stored sequence's length; NULL when unknown).
SELECT example_idx, coalesce(r.length, length(s.sequence)) AS length
FROM regions r FULL OUTER JOIN sequences s USING (example_idx)
ORDER BY example_idx;
