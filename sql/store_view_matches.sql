-- TOMTOM matches of seqlets: every committed matches run's Parquet files (listed in a session variable).
CREATE OR REPLACE TEMP VIEW matches AS
SELECT run_id, seqlet_run_id, seqlet_id, rank, motif_idx, motif, p_value, e_value, q_value, "offset", overlap, orientation
FROM read_parquet(getvariable('annostore_files_matches'), union_by_name = true);
