-- The matches view of a store with no matches runs: empty, typed.
CREATE OR REPLACE TEMP VIEW matches AS
SELECT CAST(NULL AS INTEGER) AS run_id, CAST(NULL AS INTEGER) AS seqlet_run_id, CAST(NULL AS BIGINT) AS seqlet_id,
       CAST(NULL AS INTEGER) AS rank, CAST(NULL AS INTEGER) AS motif_idx, CAST(NULL AS VARCHAR) AS motif,
       CAST(NULL AS DOUBLE) AS p_value, CAST(NULL AS DOUBLE) AS e_value, CAST(NULL AS DOUBLE) AS q_value,
       CAST(NULL AS INTEGER) AS "offset", CAST(NULL AS INTEGER) AS overlap, CAST(NULL AS VARCHAR) AS orientation, CAST(NULL AS INTEGER) AS n_merged
WHERE false;
