-- select_example_count: number of examples the store knows (max example_idx + 1 over regions
-- and sequences), NULL when it has neither.
SELECT max(example_idx) + 1 FROM (
    SELECT example_idx FROM regions UNION ALL SELECT example_idx FROM sequences
)
