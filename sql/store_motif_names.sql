-- Motif ids and alt names in motif_idx order (for resolving names).
SELECT motif_idx, name, alt_name FROM motifs ORDER BY motif_idx;
