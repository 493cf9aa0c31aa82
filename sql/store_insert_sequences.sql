-- Insert sequences from the registered Arrow table _annostore_new_sequences.
INSERT INTO sequences (example_idx, name, sequence)
SELECT example_idx, name, sequence FROM _annostore_new_sequences;
