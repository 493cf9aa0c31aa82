-- Example names (regions.name, else the sequence name) by example_idx.
SELECT example_idx, coalesce(r.name, s.name) AS name
FROM regions r FULL OUTER JOIN sequences s USING (example_idx)
ORDER BY example_idx;
