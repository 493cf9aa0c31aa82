-- 0002_motif_clusters: motif families written by `annostore motifs cluster` / Store.cluster_motifs.
-- Clustering again replaces the rows of both tables (one clustering per store at a time).

CREATE TABLE motif_clusters (
    motif_idx      INTEGER PRIMARY KEY,         -- motifs.motif_idx
    cluster_idx    INTEGER NOT NULL CHECK (cluster_idx >= 0),  -- 0 = the largest cluster
    cluster        VARCHAR NOT NULL,            -- readable label, e.g. 'JUN/FOS' (unique per cluster)
    representative BOOLEAN NOT NULL             -- the member closest to all others (one per cluster)
);

CREATE TABLE motif_clustering (                 -- the parameters of the clustering in motif_clusters
    params     JSON NOT NULL,
    n_motifs   INTEGER NOT NULL,
    n_clusters INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
