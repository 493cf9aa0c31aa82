-- Stored motifs in motif_idx order.
SELECT motif_idx, name, alt_name, nsites, url, pwm, background, source, source_sha256
FROM motifs ORDER BY motif_idx;
