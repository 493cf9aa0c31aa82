-- Tables and views a user can export by name (including the temp views over Parquet).
SELECT table_name FROM duckdb_tables() WHERE NOT internal
UNION SELECT view_name FROM duckdb_views() WHERE NOT internal;
