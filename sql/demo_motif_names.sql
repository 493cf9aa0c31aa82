-- demo_motif_names: motif index, id and alt name of every stored motif.
SELECT motif_idx, name, coalesce(alt_name, name) AS alt_name FROM motifs ORDER BY motif_idx
