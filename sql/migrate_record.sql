-- Record one applied migration (same transaction as the migration itself).
INSERT INTO schema_version (version, name, checksum) VALUES ($version, $name, $checksum);
