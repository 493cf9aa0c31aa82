-- The seqlets view of a store with no seqlets runs: empty, typed.
CREATE OR REPLACE TEMP VIEW seqlets AS
SELECT CAST(NULL AS INTEGER) AS run_id, CAST(NULL AS BIGINT) AS seqlet_id, CAST(NULL AS BIGINT) AS example_idx,
       CAST(NULL AS BIGINT) AS start, CAST(NULL AS BIGINT) AS "end", CAST(NULL AS DOUBLE) AS attribution,
       CAST(NULL AS DOUBLE) AS p_value, CAST(NULL AS TINYINT) AS sign
WHERE false;
