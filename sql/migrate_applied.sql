-- Applied migrations, oldest first.
SELECT version, name, checksum, CAST(applied_at AS VARCHAR) AS applied_at FROM schema_version ORDER BY version;
