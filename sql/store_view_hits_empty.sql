-- The hits view of a store with no hits runs: empty, with the Parquet schema's types.
CREATE OR REPLACE TEMP VIEW hits AS
SELECT CAST(NULL AS INTEGER) AS run_id, CAST(NULL AS BIGINT) AS example_idx, CAST(NULL AS INTEGER) AS motif_idx,
       CAST(NULL AS VARCHAR) AS motif, CAST(NULL AS BIGINT) AS start, CAST(NULL AS BIGINT) AS "end",
       CAST(NULL AS VARCHAR) AS strand, CAST(NULL AS DOUBLE) AS score, CAST(NULL AS DOUBLE) AS p_value,
       CAST(NULL AS DOUBLE) AS q_value, CAST(NULL AS DOUBLE) AS attribution,
       CAST(NULL AS INTEGER) AS n_merged, CAST(NULL AS VARCHAR) AS clusters
WHERE false;
