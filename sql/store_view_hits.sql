-- FIMO-style motif hits: every committed hits run's Parquet files (listed in a session variable).
CREATE OR REPLACE TEMP VIEW hits AS
SELECT run_id, example_idx, motif_idx, motif, start, "end", strand, score, p_value, q_value, attribution
FROM read_parquet(getvariable('annostore_files_hits'), union_by_name = true);
