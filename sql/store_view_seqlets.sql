-- Seqlets: every committed seqlets run's Parquet files (listed in a session variable).
CREATE OR REPLACE TEMP VIEW seqlets AS
SELECT run_id, seqlet_id, example_idx, start, "end", attribution, p_value, sign
FROM read_parquet(getvariable('annostore_files_seqlets'), union_by_name = true);
