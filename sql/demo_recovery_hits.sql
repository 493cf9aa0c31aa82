-- demo_recovery_hits: planted sites (registered Arrow table demo_planted: site_id, example_idx, family, start, end)
-- overlapped by a FIMO hit of run $hits_run with attribution >= $min_attribution, with the hit's motif.
SELECT DISTINCT p.site_id, p.family, h.motif_idx
FROM demo_planted AS p
JOIN hits AS h
  ON h.example_idx = p.example_idx AND h.start < p."end" AND h."end" > p.start
WHERE h.run_id = $hits_run
  AND h.attribution >= $min_attribution
