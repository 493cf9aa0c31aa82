-- Set the contribution weight matrices of motifs from the registered Arrow table _annostore_new_cwms (name, cwm).
UPDATE motifs SET cwm = c.cwm
FROM _annostore_new_cwms c
WHERE motifs.name = c.name;
