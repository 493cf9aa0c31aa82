-- Row counts of the small tables and the fact views (for info).
SELECT (SELECT count(*) FROM motifs) AS motifs,
       (SELECT count(*) FROM regions) AS regions,
       (SELECT count(*) FROM sequences) AS sequences,
       (SELECT count(*) FROM runs) AS runs,
       (SELECT count(*) FROM attributions) AS attribution_tracks,
       (SELECT coalesce(sum(n_rows), 0) FROM runs WHERE kind = 'hits') AS hits,
       (SELECT coalesce(sum(n_rows), 0) FROM runs WHERE kind = 'seqlets') AS seqlets,
       (SELECT coalesce(sum(n_rows), 0) FROM runs WHERE kind = 'matches') AS matches;
