-- 1 when the database has the schema_version table, else 0.
SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'schema_version';
