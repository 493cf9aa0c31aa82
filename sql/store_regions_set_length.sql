-- Record example lengths from newly added sequences.
UPDATE regions SET length = length(s.sequence)
FROM sequences s WHERE s.example_idx = regions.example_idx;
