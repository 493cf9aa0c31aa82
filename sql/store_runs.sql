-- Every committed run with its provenance.
SELECT run_id, name, kind, tool, tool_version, params, input, input_sha256, parent_run_id, n_rows, files, created_at
FROM runs ORDER BY run_id;
