-- The store's motifs for listing (no matrices).
SELECT motif_idx, name, alt_name, width, nsites, consensus, source FROM motifs ORDER BY motif_idx;
