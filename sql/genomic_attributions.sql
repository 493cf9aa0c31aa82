-- Stored attribution tracks, newest last.
SELECT name, layout, source, source_sha256, n_examples, length, file, added_at
FROM attributions
ORDER BY added_at, name;
