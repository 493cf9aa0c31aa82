-- demo_recovery: planted sites (registered Arrow table demo_planted: site_id, example_idx, family, start, end)
-- overlapped by a positive seqlet of run $seqlet_run, with that seqlet's best match (rank 1) of matches run $matches_run.
SELECT p.site_id, p.family, x.motif_idx
FROM demo_planted AS p
JOIN seqlets AS s
  ON s.example_idx = p.example_idx AND s.start < p."end" AND s."end" > p.start
JOIN matches AS x
  ON x.seqlet_run_id = s.run_id AND x.seqlet_id = s.seqlet_id AND x.rank = 1
WHERE s.run_id = $seqlet_run
  AND s.sign = 1
  AND x.run_id = $matches_run
