-- Stored sequences in example_idx order.
SELECT example_idx, name, sequence FROM sequences ORDER BY example_idx;
