-- select_motif_count: number of motifs in the store (motif_idx runs 0 .. n - 1).
SELECT coalesce(max(motif_idx) + 1, 0) FROM motifs
