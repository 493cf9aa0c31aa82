-- Commit a run: its row makes its Parquet files visible through the views.
INSERT INTO runs (run_id, name, kind, tool, tool_version, params, input, input_sha256, parent_run_id, n_rows, files)
VALUES ($run_id, $name, $kind, $tool, $tool_version, $params, $input, $input_sha256, $parent_run_id, $n_rows, $files);
