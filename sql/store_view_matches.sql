-- TOMTOM matches of seqlets: every committed matches run's Parquet files (listed in a session variable).
-- Columns: run_id, seqlet_run_id, seqlet_id, rank, motif_idx, motif, p_value, e_value, q_value,
-- "offset", overlap, orientation, n_merged (the last: derived runs of `annostore collapse`; files
-- written before it existed simply lack it, hence * over union_by_name).
CREATE OR REPLACE TEMP VIEW matches AS
SELECT *
FROM read_parquet(getvariable('annostore_files_matches'), union_by_name = true);
