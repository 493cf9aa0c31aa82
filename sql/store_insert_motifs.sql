-- Append motifs from the registered Arrow table _annostore_new_motifs.
INSERT INTO motifs (motif_idx, name, alt_name, width, nsites, url, consensus, pwm, background, source, source_sha256)
SELECT motif_idx, name, alt_name, width, nsites, url, consensus, pwm, background, source, source_sha256
FROM _annostore_new_motifs;
