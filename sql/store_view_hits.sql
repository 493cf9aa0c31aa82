-- FIMO-style motif hits: every committed hits run's Parquet files (listed in a session variable).
-- Columns: run_id, example_idx, motif_idx, motif, start, "end", strand, score, p_value, q_value,
-- attribution, n_merged, clusters (the last two: derived runs of `annostore collapse`; files
-- written before they existed simply lack them, hence * over union_by_name).
CREATE OR REPLACE TEMP VIEW hits AS
SELECT *
FROM read_parquet(getvariable('annostore_files_hits'), union_by_name = true);
