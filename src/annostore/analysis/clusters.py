"""Motif families: cluster redundant motifs by TOMTOM similarity.

Method (``cluster_motifs``):

1. every motif is compared with every motif by MEME-exact TOMTOM (complete scores, both
   orientations, pseudocount 0.1, the set's own columns as the null: :func:`annostore.core.
   tomtom_pairs.tomtom_all`), giving ``p[i, j]`` (motif i as query, j as target);
2. the two directions are made symmetric by their **geometric mean**,
   ``p_ij = sqrt(p[i, j] * p[j, i])``, and turned into the distance
   ``d_ij = log10(max(p_ij, 1e-30)) + 30`` (0 for identical motifs, 30 for unrelated ones);
3. average (default) or complete linkage (:mod:`annostore.core.linkage`), cut at
   ``log10(threshold) + 30``: with average linkage a cluster's mean ``log10 p`` over its pairs
   is at most ``log10(threshold)``;
4. clusters are numbered by size (largest first, ties by their lowest motif index); each has
   a **representative** (the member with the smallest summed distance to the others) and a
   readable **label**: the one or two most frequent gene stems among the members' alt names
   (``FOS::JUN`` gives ``FOS`` and ``JUN``; ``JUNB`` counts as ``JUN`` when ``JUN`` is present,
   ``FOSL2`` as ``FOS``), e.g. ``JUN/FOS``; a single motif keeps its alt name.  Labels are
   unique (a repeated label gets `` (2)``, ...).

Defaults (``threshold=1e-3``, ``dist="ed"``, ``linkage="average"``) give 265 clusters on the
built-in JASPAR 2026 CORE vertebrates set (1,019 motifs), CTCF with CTCFL, the FOS/JUN/BATF/
ATF3/JDP2 dimers in two clusters (AP-1 ``TGAnTCA`` with MAF/NFE2, CRE ``TGACGTCA`` with ATF/CREB).
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..errors import BadInputError

__all__ = ["cluster_motifs", "MotifClusters", "CLUSTER_DEFAULTS"]

CLUSTER_DEFAULTS = {"threshold": 1e-3, "dist": "ed", "linkage": "average"}
_P_FLOOR = 1e-30


@dataclass
class MotifClusters:
    """The result of :func:`cluster_motifs`.

    Attributes
    ----------
    table : pyarrow.Table
        One row per motif, in input order: ``motif_idx, motif, motif_alt, cluster_idx, cluster,
        representative``.
    params : dict
        The parameters (threshold, dist, linkage, symmetrisation, n_motifs, n_clusters).
    similarity : annostore.core.tomtom_pairs.MotifSimilarity
        The all-vs-all TOMTOM p-values (query rows, target columns).
    distance : numpy.ndarray
        ``(n, n)`` symmetric distances used for the linkage.
    linkage : numpy.ndarray
        The merges, scipy layout ``(n - 1, 4)``.
    """

    table: object
    params: dict
    similarity: object = None
    distance: Optional[np.ndarray] = None
    linkage: Optional[np.ndarray] = field(default=None, repr=False)

    @property
    def n_clusters(self) -> int:
        return int(self.params["n_clusters"])

    @property
    def labels(self) -> np.ndarray:
        """``cluster_idx`` of every motif (input order)."""
        return self.table.column("cluster_idx").to_numpy()

    def to_arrow(self):
        return self.table

    def to_pandas(self):
        return self.table.to_pandas()

    def members(self, cluster) -> list[str]:
        """Motif names of a cluster (by ``cluster_idx`` or label)."""
        col = "cluster_idx" if isinstance(cluster, (int, np.integer)) else "cluster"
        d = self.table.to_pydict()
        return [m for m, c in zip(d["motif"], d[col]) if c == cluster]


def _gene_stems(alt: str) -> list[str]:
    """Gene stems of an alt name: split dimers, upper-case, drop trailing digits (``FOSL2`` -> ``FOSL``)."""
    out = []
    for part in re.split(r"::|\+|/", alt or ""):
        part = re.sub(r"[^A-Z0-9]", "", part.strip().upper())
        stem = re.sub(r"\d+$", "", part)
        if stem:
            out.append(stem)
    return out


def _label(members: list[int], names: list[str], alts: list[Optional[str]]) -> str:
    if len(members) == 1:
        i = members[0]
        return alts[i] or names[i]
    stems = []  # (stem, weight): a dimer's two genes count half each
    for i in members:
        st = _gene_stems(alts[i] or names[i]) or [names[i]]
        stems.extend((x, 1.0 / len(st)) for x in st)
    present = {x for x, _ in stems}

    def root(s: str) -> str:
        # a stem counts as its longest proper prefix (>= 3 letters) that is also a stem here
        for k in range(len(s) - 1, 2, -1):
            if s[:k] in present:
                return root(s[:k])
        return s

    counts: collections.Counter = collections.Counter()
    for x, w in stems:
        counts[root(x)] += w
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    label = top[0][0]
    if len(top) > 1 and top[1][1] * 2 >= top[0][1]:
        label += "/" + top[1][0]
    return label


def _as_set(motifs):
    from ..core.tomtom import _as_motif_set

    return _as_motif_set(motifs, "input")


def cluster_motifs(
    motifs,
    *,
    threshold: float = CLUSTER_DEFAULTS["threshold"],
    dist: str = CLUSTER_DEFAULTS["dist"],
    linkage: str = CLUSTER_DEFAULTS["linkage"],
    motif_idx=None,
) -> MotifClusters:
    """Cluster motifs into families by all-vs-all TOMTOM similarity (store-free).

    Parameters
    ----------
    motifs
        Anything :func:`annostore.read_motifs` accepts (file, MotifSet, dict, list of arrays).
    threshold : float
        TOMTOM p-value at which to cut: with average linkage, the geometric-mean p-value of the
        pairs of a cluster (both directions) is at most ``threshold``; with complete linkage
        every pair's is.
    dist : {"ed", "pearson", "sandelin"}
        TOMTOM column similarity.
    linkage : {"average", "complete"}
    motif_idx : sequence of int, optional
        The ``motif_idx`` to report for each motif (default ``0..n-1``).

    Returns
    -------
    MotifClusters
        ``.table`` (``motif_idx, motif, motif_alt, cluster_idx, cluster, representative``),
        ``.params``, ``.similarity``, ``.linkage``.

    Examples
    --------
    >>> fams = annostore.cluster_motifs("JASPAR.meme")  # doctest: +SKIP
    >>> fams.to_pandas().groupby("cluster").size().sort_values()  # doctest: +SKIP
    """
    import warnings

    import pyarrow as pa

    from ..core.linkage import cut, linkage as do_linkage
    from ..core.tomtom_pairs import tomtom_all

    if not (isinstance(threshold, (int, float)) and 0 < threshold <= 1):
        raise BadInputError(f"threshold must be a p-value in (0, 1], got {threshold!r}")
    if linkage not in ("average", "complete"):
        raise BadInputError(f"unknown linkage {linkage!r}; choose average or complete")
    mset = _as_set(motifs)
    n = len(mset)
    names = list(mset.names)
    alts = [m.alt_name for m in mset]
    idx = np.arange(n) if motif_idx is None else np.asarray(motif_idx, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "target database too small" is MEME's E-value caveat
        sim = tomtom_all(mset, dist=dist)
    P = np.maximum(sim.p, _P_FLOOR)
    D = 0.5 * (np.log10(P) + np.log10(P.T)) - np.log10(_P_FLOOR)
    np.fill_diagonal(D, 0.0)
    D = np.maximum(D, 0.0)
    Z = do_linkage(D, linkage) if n > 1 else np.zeros((0, 4))
    flat = cut(Z, n, float(np.log10(threshold) - np.log10(_P_FLOOR))) if n > 1 else np.zeros(n, np.int64)
    groups: dict[int, list[int]] = collections.defaultdict(list)
    for i, c in enumerate(flat):
        groups[int(c)].append(i)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0]))
    cluster_idx = np.empty(n, dtype=np.int32)
    label = [""] * n
    rep = np.zeros(n, dtype=bool)
    seen: collections.Counter = collections.Counter()
    for ci, g in enumerate(ordered):
        sub = D[np.ix_(g, g)].sum(axis=1)
        rep[g[int(np.argmin(sub))]] = True
        lab = _label(g, names, alts)
        seen[lab] += 1
        if seen[lab] > 1:
            lab = f"{lab} ({seen[lab]})"
        for i in g:
            cluster_idx[i] = ci
            label[i] = lab
    table = pa.table({
        "motif_idx": pa.array(idx.astype(np.int32)),
        "motif": pa.array(names, pa.string()),
        "motif_alt": pa.array(alts, pa.string()),
        "cluster_idx": pa.array(cluster_idx),
        "cluster": pa.array(label, pa.string()),
        "representative": pa.array(rep),
    })
    params = {"threshold": float(threshold), "dist": dist, "linkage": linkage,
              "symmetric": "geometric mean of the two directions' TOMTOM p-values",
              "n_motifs": n, "n_clusters": len(ordered)}
    return MotifClusters(table=table, params=params, similarity=sim, distance=D, linkage=Z)


# ---------------------------------------------------------------------------------------------
# the store


def cluster_store(
    store,
    *,
    threshold: float = CLUSTER_DEFAULTS["threshold"],
    dist: str = CLUSTER_DEFAULTS["dist"],
    linkage: str = CLUSTER_DEFAULTS["linkage"],
) -> MotifClusters:
    """Cluster the store's motifs and write ``motif_clusters`` (replacing an earlier clustering).

    The parameters go to the one-row table ``motif_clustering`` (JSON ``params``). Both tables
    are replaced in one transaction; on any error the store keeps its previous clustering.
    """
    from ..resources import sql

    store._writable()
    mset = store.motif_set()
    if len(mset) == 0:
        raise BadInputError("the store has no motifs; add some first (annostore motifs add)")
    idx = [int(r[0]) for r in store.con.execute(sql("clusters_table")).fetchall()]
    res = cluster_motifs(mset, threshold=threshold, dist=dist, linkage=linkage, motif_idx=idx)
    write_clusters(store, res.table, res.params)
    return res


def write_clusters(store, table, params: dict) -> None:
    """Replace the store's clustering by ``table`` (``motif_idx, cluster_idx, cluster, representative``).

    One transaction: on any error the previous clustering stays.  ``cluster_store`` uses this;
    it is public for clusterings made elsewhere (e.g. JASPAR's own matrix clusters).
    """
    import json

    import duckdb

    from ..resources import sql

    store._writable()
    n_clusters = len(set(table["cluster_idx"].to_pylist()))
    store.con.register("_annostore_new_clusters", table)
    try:
        try:
            with store.transaction() as con:  # the store's file, briefly (readers are not blocked)
                con.execute(sql("clusters_delete"))
                con.execute(sql("clusters_insert"))
                con.execute(sql("clustering_delete"))
                con.execute(sql("clustering_insert"), {"params": json.dumps(params), "n_motifs": table.num_rows,
                                                       "n_clusters": n_clusters})
        except duckdb.Error as exc:
            raise BadInputError(f"cannot write the motif clusters: {exc}") from None
    finally:
        store.con.unregister("_annostore_new_clusters")


def store_clusters(store, *, required: bool = False):
    """The store's motif families: ``motif_idx, motif, motif_alt, cluster_idx, cluster, representative``.

    With ``required=True`` a store without a complete clustering (none yet, or motifs added since)
    raises :class:`BadInputError` telling the user to run ``annostore motifs cluster``.
    """
    from ..resources import sql
    from ..store.lookup import connection

    con = connection(store)
    table = con.sql(sql("clusters_table")).to_arrow_table()
    if required:
        missing = table["cluster_idx"].null_count
        if table.num_rows == 0 or missing == table.num_rows:
            raise BadInputError("the store has no motif clusters; run `annostore motifs cluster STORE` first")
        if missing:
            raise BadInputError(f"{missing} motifs were added after the clustering; run `annostore motifs cluster "
                                "STORE` again")
    return table


def clustering_params(store) -> Optional[dict]:
    """The parameters of the store's clustering (None: never clustered)."""
    import json

    from ..resources import sql
    from ..store.lookup import connection

    rows = connection(store).execute(sql("clusters_params")).fetchall()
    if not rows:
        return None
    params = rows[0][0]
    return json.loads(params) if isinstance(params, str) else params
