-- DuckDB storage format tags of the store's database file.
SELECT tags FROM duckdb_databases() WHERE database_name = current_database();
