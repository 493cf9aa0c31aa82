-- Record a stored attribution track (its Parquet file is written before this insert).
INSERT INTO attributions (name, layout, source, source_sha256, n_examples, length, file)
VALUES ($name, $layout, $source, $source_sha256, $n_examples, $length, $file);
