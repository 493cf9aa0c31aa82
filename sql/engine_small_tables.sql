-- The snapshot's small tables (motifs, regions, sequences, runs, ...), which the Spark engine
-- registers as broadcast views next to the Parquet fact tables.
SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
UNION
SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
ORDER BY 1;
