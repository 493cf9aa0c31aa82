"""The built-in end-to-end example: ``annostore demo [DIR]`` / :func:`annostore.demo`.

It runs the whole annotation tutorial flow on a reproducible synthetic data set, with no
downloads and no files of the user's own:

1. make random sequences with planted AP-1, ETS and a spaced CEBP -> CTCF pair
   (:mod:`annostore.example.synthetic`; example 0 is built like the tangermeme tutorial's sequence),
2. create a store in ``DIR`` (the demo folder is the store) with the built-in JASPAR 2026 vertebrates motifs, the
   regions and the sequences,
3. compute attributions with a small torch model made from the planted motifs' PWMs
   (:class:`annostore.example.model.PWMConvModel`, input x gradient) and save them as
   ``DIR/attributions.npz``,
4. call seqlets (both signs) into the store, annotate them with TOMTOM (5 nearest motifs),
5. scan every sequence with FIMO, summing the attributions under each hit,
6. print the tables a user would look at (top motifs among high-attribution hits, the planted
   families recovered by seqlets + TOMTOM, top co-occurring pairs, the planted pair's spacing)
   and draw ``logo.png``, ``pairs.png`` and ``spacing.png``.

The result says whether what was planted was recovered (at the motif-family level: JASPAR holds
many near-identical matrices).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from annostore.errors import BadInputError
from annostore.example.synthetic import FAMILIES, PAIR_GAP, family_of

__all__ = ["DemoResult", "demo", "MODEL_MOTIFS", "MIN_ATTRIBUTION", "MIN_SEQLET_RECALL", "MIN_FIMO_RECALL"]

#: The motifs the demo's model is made of (and which are planted): AP-1 (FOS::JUN), ETS (ETV6 in
#: the tutorial-like example 0, GABPA elsewhere), CEBP (CEBPB), CTCF.
MODEL_MOTIFS = ("MA0099.4", "MA0645.2", "MA0062.4", "MA0466.4", "MA0139.2")
#: FIMO hits with at least this much attribution (sum over the hit) count as "high-attribution".
MIN_ATTRIBUTION = 3.0
#: ``collapse --by any --overlap`` for example 0's sites (collapse's default is 0.5).
SITE_OVERLAP = 0.25
#: Recall needed to call a family recovered. Seqlet windows carry a few random flanking bases and
#: JASPAR holds many zinc-finger matrices that match short ETS-like cores (e.g. IKZF2 on GGAA), so
#: TOMTOM's best match of an ETS seqlet is outside the family for about a quarter of the sites at
#: the default size; FIMO on the full database finds every site.
MIN_SEQLET_RECALL = 0.7
MIN_FIMO_RECALL = 0.9
#: Window of example 0 drawn in logo.png (the tutorial's window).
LOGO_WINDOW = (925, 1075)


@dataclass
class DemoResult:
    """What :func:`demo` made and found.

    Attributes
    ----------
    path : Path
        The demo folder.
    store_path : Path
        The store (the demo folder itself).
    n_sequences, seed : int
    runs : dict
        Run ids: ``seqlets``, ``matches``, ``hits``.
    timings : dict
        Seconds per step.
    top_motifs : pandas.DataFrame
        ``motif, name, family, n`` (high-attribution FIMO hits per motif), best first.
    top_clusters : pandas.DataFrame
        ``cluster_idx, cluster, n, n_examples``: high-attribution FIMO hits collapsed per motif
        family (``annostore motifs cluster`` + ``annostore collapse --by cluster``: one hit per site
        and family), best first.
    example0_sites : int
        High-attribution FIMO hits of example 0 after collapsing over all motifs (``--by any
        --overlap 0.25``): the sites, where raw FIMO reports dozens of redundant hits.
    example0 : pandas.DataFrame
        Those sites: ``start, end, strand, motif, name`` (the kept hit), ``attribution`` and
        ``planted`` (the planted site it overlaps, ``family start-end``, or ``-``).
    recovery : pandas.DataFrame
        Per planted family: ``family, planted, recovered, recall, fimo, fimo_recall``. A planted
        site is recovered when a positive seqlet overlaps it whose best TOMTOM match is of the
        same family; ``fimo`` counts sites overlapped by a FIMO hit of a motif of the family with
        attribution >= :data:`MIN_ATTRIBUTION`.
    top_pairs : pandas.DataFrame
        ``motif_a, name_a, motif_b, name_b, families, n`` (examples where both are seqlet labels).
    spacing : pandas.DataFrame
        ``distance, n`` for the planted pair's motifs among high-attribution hits.
    spacing_peak : int or None
        The distance with the most pairs (the planted gap is :data:`annostore.example.synthetic.PAIR_GAP`).
    pictures : dict
        ``logo``, ``pairs``, ``spacing`` -> PNG paths.
    enriched_pairs : pandas.DataFrame
        Co-occurrence enrichment of seqlet labels (``annostore enrich pairs``), most significant
        first, with ``name_a``, ``name_b`` (alt names).
    enriched_spacing : pandas.DataFrame
        Spacing enrichment of high-attribution FIMO hits with orientation (``annostore enrich
        spacing --orientation``), most significant first, with ``upstream``, ``downstream``.
    """

    path: Path
    store_path: Path
    n_sequences: int
    seed: int
    runs: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    top_motifs: Any = None
    top_clusters: Any = None
    example0_sites: int | None = None
    example0: Any = None
    recovery: Any = None
    top_pairs: Any = None
    spacing: Any = None
    spacing_peak: int | None = None
    planted_gap: int = PAIR_GAP
    pair: tuple[str, str] = ("", "")
    pictures: dict = field(default_factory=dict)
    enriched_pairs: Any = None
    enriched_spacing: Any = None

    @property
    def top_spacing_is_planted(self) -> bool:
        """True when the most significant enriched spacing is the planted pair: a CEBP-family
        motif (or cluster) upstream of a CTCF-family one, same strand, at the planted gap."""
        sp = self.enriched_spacing
        if sp is None or not len(sp):
            return False
        top = sp.iloc[0]
        return (family_of(top["upstream_name"]) == "CEBP" and family_of(top["downstream_name"]) == "CTCF"
                and int(top["distance"]) == self.planted_gap and top["strands"] == "same")

    @property
    def top_families(self) -> list[str]:
        """Families of the top motifs, in order of first appearance (None skipped)."""
        seen: list[str] = []
        for fam in self.top_motifs["family"]:
            if fam and fam not in seen:
                seen.append(fam)
        return seen

    @property
    def recovered(self) -> bool:
        """True when every planted family is recovered and the planted pair's spacing peak is the
        planted gap. A family is recovered when at least :data:`MIN_SEQLET_RECALL` of its sites
        are found by seqlets + TOMTOM (best match in the family) and :data:`MIN_FIMO_RECALL` by
        high-attribution FIMO hits of the family."""
        rec = self.recovery
        fams_ok = (
            bool(len(rec))
            and bool((rec["recall"] >= MIN_SEQLET_RECALL).all())
            and bool((rec["fimo_recall"] >= MIN_FIMO_RECALL).all())
        )
        return fams_ok and self.spacing_peak == self.planted_gap

    def to_dict(self) -> dict:
        """JSON-friendly summary."""
        return {
            "path": str(self.path),
            "store": str(self.store_path),
            "n_sequences": self.n_sequences,
            "seed": self.seed,
            "runs": self.runs,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            "top_motifs": self.top_motifs.head(20).to_dict("records"),
            "top_clusters": None if self.top_clusters is None else self.top_clusters.head(20).to_dict("records"),
            "example0_sites": self.example0_sites,
            "recovery": self.recovery.to_dict("records"),
            "top_pairs": self.top_pairs.head(10).to_dict("records"),
            "pair": list(self.pair),
            "spacing_peak": self.spacing_peak,
            "planted_gap": self.planted_gap,
            "recovered": self.recovered,
            "enriched_pairs": _records(self.enriched_pairs),
            "enriched_spacing": _records(self.enriched_spacing),
            "top_spacing_is_planted": self.top_spacing_is_planted,
            "pictures": {k: str(v) for k, v in self.pictures.items()},
        }


def _records(frame: Any, n: int = 10) -> Any:
    """The first rows as JSON-safe records (an infinite odds ratio or a NaN becomes None)."""
    if frame is None:
        return None
    rows = frame.head(n).to_dict("records")
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()} for r in rows]


MARKER = ".annostore-demo"


def _prepare_dir(path: Path) -> None:
    """Make ``path`` ready for a fresh demo: empty or missing, or a previous demo (replaced)."""
    if path.exists() and not path.is_dir():
        raise BadInputError(f"{path} is a file; the demo needs a folder")
    if path.is_dir() and any(path.iterdir()):
        if not (path / MARKER).is_file():
            raise BadInputError(
                f"{path} is not empty and not a previous demo folder; give a new or empty folder"
            )
        shutil.rmtree(path)  # a previous demo: made by us, replaced as a whole


def demo(
    path: str | Path = "annostore-demo",
    n_sequences: int = 2000,
    seed: int = 0,
    *,
    min_length: int = 1000,
    max_length: int = 2000,
    motifs: Any = None,
    threads: int | None = None,
    progress: bool | None = None,
    print_tables: bool = True,
    pictures: bool = True,
    file: Any = None,
) -> DemoResult:
    """Run the whole annotation flow on a built-in synthetic example.

    Parameters
    ----------
    path : str or Path
        The demo folder, which is also the store (``annostore count DIR`` etc. work on it). It
        must be missing, empty or a previous demo folder (replaced as a whole). Besides the
        store it holds ``sequences.fa``, ``planted.tsv``, ``attributions.npz``,
        ``logo.png``, ``pairs.png``, ``spacing.png``, ``summary.json``.
    n_sequences : int
        Number of random sequences (1,000-2,000 bp each; example 0 is 2,000 bp).
    seed : int
        Seed of everything random (the same seed gives the same data and results).
    min_length, max_length : int
        Sequence length range.
    motifs : path or MotifSet, optional
        Motif database for TOMTOM and FIMO (default: the built-in JASPAR 2026 vertebrates). It
        must contain the planted motifs (:data:`MODEL_MOTIFS`).
    threads : int, optional
        Threads for DuckDB and numba.
    progress : bool or None
        Progress bars on stderr (None: when stderr is a terminal).
    print_tables : bool
        Print the summary tables (rich) to ``file`` (default stdout).
    pictures : bool
        Draw the PNGs.
    file : file-like, optional
        Where the tables go (default ``sys.stdout``).

    Returns
    -------
    DemoResult
        Tables, run ids, timings, picture paths and :attr:`DemoResult.recovered`.

    Examples
    --------
    >>> import annostore
    >>> result = annostore.demo("demo-out", n_sequences=200)  # doctest: +SKIP
    >>> result.recovered  # doctest: +SKIP
    True
    """

    from annostore import open as open_store
    from annostore.data import default_motifs_path
    from annostore.example.synthetic import make_example
    from annostore.progress import progress as bar

    n_sequences = int(n_sequences)
    if n_sequences < 2:
        raise BadInputError(f"the demo needs at least 2 sequences, got {n_sequences}")
    path = Path(path)
    _prepare_dir(path)
    if threads is not None:
        import numba

        numba.set_num_threads(min(int(threads), numba.config.NUMBA_NUM_THREADS))
    motif_source = default_motifs_path() if motifs is None else motifs
    timings: dict[str, float] = {}
    steps = ["data", "store", "attributions", "seqlets", "annotate", "scan", "families", "summaries", "pictures"]

    with bar(len(steps), "demo", progress) as pb:
        def step(name: str) -> float:
            pb.update(description=f"demo: {name}")
            return time.perf_counter()

        # 1. data -------------------------------------------------------------------------
        t = step("synthetic data")
        ex = make_example(n_sequences, seed, min_length=min_length, max_length=max_length, motifs=motif_source)
        timings["data"] = time.perf_counter() - t
        pb.advance(1)

        # 2. store: the demo folder itself --------------------------------------------------
        t = step("store")
        store_path = path
        store = open_store(store_path, threads=threads)
        try:
            (path / MARKER).write_text("made by annostore demo; the whole folder is replaced by the next demo here\n")
            fasta = ex.write_fasta(path / "sequences.fa")
            ex.sites.to_csv(path / "planted.tsv", sep="\t", index=False)
            mset = store.add_motifs(motif_source)
            for name in MODEL_MOTIFS:
                mset.index(name)  # BadInputError when the database lacks a planted motif
            store.add_regions(ex.regions()[["chrom", "start", "end", "name", "strand"]])
            store.add_sequences(fasta)
            timings["store"] = time.perf_counter() - t
            pb.advance(1)

            # 3. attributions ---------------------------------------------------------------
            t = step("attributions")
            from annostore.example.model import PWMConvModel, attributions

            model = PWMConvModel.from_motifs(store.motif_set(list(MODEL_MOTIFS)))
            attr = attributions(model, ex.sequences, progress=False)
            attr_path = path / "attributions.npz"
            np.savez_compressed(attr_path, attributions=attr.astype(np.float32))
            attr = np.load(attr_path)["attributions"].astype(np.float64)  # what the store's users see
            timings["attributions"] = time.perf_counter() - t
            pb.advance(1)

            # 4. seqlets --------------------------------------------------------------------
            t = step("seqlets")
            runs = {"seqlets": _call_seqlets(store, attr)}
            timings["seqlets"] = time.perf_counter() - t
            pb.advance(1)

            # 5. annotate -------------------------------------------------------------------
            t = step("annotate (TOMTOM)")
            from annostore.store.pipelines import annotate_store

            runs["matches"] = int(annotate_store(store, runs["seqlets"], n_nearest=5, run="demo-matches"))
            timings["annotate"] = time.perf_counter() - t
            pb.advance(1)

            # 6. scan -----------------------------------------------------------------------
            t = step("scan (FIMO)")
            from annostore.store.pipelines import scan_store

            runs["hits"] = int(scan_store(store, attributions=attr, qvalues=False, run="demo-hits"))
            timings["scan"] = time.perf_counter() - t
            pb.advance(1)

            # 7. motif families: cluster the motifs, collapse redundant FIMO hits per family ----
            t = step("families (cluster + collapse)")
            store.cluster_motifs()
            runs["collapsed"] = int(store.collapse(runs["hits"], by="cluster", name="demo-hits-families"))
            # sites: hits sharing at least a quarter of the shorter one are one site (a hit that only
            # clips a site's edge, taking its attribution from the overlap, is not a site of its own)
            runs["sites"] = int(store.collapse(runs["hits"], by="any", overlap=SITE_OVERLAP, name="demo-hits-sites"))
            timings["families"] = time.perf_counter() - t
            pb.advance(1)

            # 8. summaries ------------------------------------------------------------------
            t = step("summaries")
            result = DemoResult(path=path, store_path=store_path, n_sequences=n_sequences, seed=int(seed), runs=runs)
            _summaries(store, ex, result)
            timings["summaries"] = time.perf_counter() - t
            pb.advance(1)

            # 9. pictures -------------------------------------------------------------------
            t = step("pictures")
            if pictures:
                result.pictures = _pictures(store, attr, result)
            timings["pictures"] = time.perf_counter() - t
            pb.advance(1)
        finally:
            store.close()

    result.timings = timings
    (path / "summary.json").write_text(json.dumps(result.to_dict(), indent=2, default=_json_default) + "\n")
    if print_tables:
        from annostore.example.report import print_summary

        print_summary(result, file=file)
    return result


def _call_seqlets(store, attr: np.ndarray) -> int:
    """Seqlets of both signs into the store (call_seqlets_store, or its documented equivalent)."""
    from annostore.store.pipelines import call_seqlets_store

    return int(call_seqlets_store(store, attr, sign="both", run="demo-seqlets"))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


# ------------------------------------------------------------------------------------------------
# summaries: all through the aggregation API (SQL in DuckDB)
# ------------------------------------------------------------------------------------------------
def _names(store) -> "Any":

    from annostore.resources import sql

    t = store.con.sql(sql("demo_motif_names")).to_arrow_table()
    df = t.to_pandas()
    df["family"] = [family_of(n) for n in df["alt_name"].fillna(df["name"])]
    return df.set_index("motif_idx")


def _summaries(store, ex, result: DemoResult) -> None:

    from annostore.analysis import aggregate

    names = _names(store)
    runs = result.runs

    # top motifs among high-attribution FIMO hits
    counts = _to_pandas(aggregate.count(store, source="hits", runs=[runs["hits"]], min_attribution=MIN_ATTRIBUTION, by="motif"))
    counts = counts.sort_values(["n", "motif_idx"], ascending=[False, True], kind="stable").reset_index(drop=True)
    counts["name"] = names.loc[counts["motif_idx"], "alt_name"].to_numpy()
    counts["family"] = names.loc[counts["motif_idx"], "family"].to_numpy()
    result.top_motifs = counts[["motif", "name", "family", "n"]]

    # top motif families: FIMO hits collapsed per family (one per site and family), high attribution
    fam = _to_pandas(aggregate.count(store, source="hits", runs=[runs["collapsed"]], min_attribution=MIN_ATTRIBUTION,
                                     by="cluster"))
    fam = fam.sort_values(["n", "cluster_idx"], ascending=[False, True], kind="stable").reset_index(drop=True)
    result.top_clusters = fam[["cluster_idx", "cluster", "n", "n_examples"]]
    # example 0 (tutorial-like): its high-attribution hits collapsed over all motifs -> sites
    s0 = _to_pandas(aggregate.annotations(store, source="hits", runs=[runs["sites"]], min_attribution=MIN_ATTRIBUTION,
                                          examples=[0]))
    s0 = s0.sort_values(["start", "end"], kind="stable").reset_index(drop=True)
    s0["name"] = names.loc[s0["motif_idx"], "alt_name"].to_numpy()
    p0 = ex.sites[ex.sites["example_idx"] == 0]
    s0["planted"] = [next((f"{r.family} {r.start}-{r.end}" for r in p0.itertuples() if r.start < e and a < r.end), "-")
                     for a, e in zip(s0["start"], s0["end"])]
    result.example0 = s0[["start", "end", "strand", "motif", "name", "attribution", "planted"]]
    result.example0_sites = len(s0)

    # recovery of the planted sites by seqlets + best TOMTOM match
    result.recovery = _recovery(store, ex, runs, names)

    # top co-occurring pairs among seqlet labels (best match)
    pairs = _to_pandas(aggregate.pairs(store, source="seqlets", runs=[runs["matches"]], min_attribution=0.0))
    pairs = pairs[pairs["motif_idx_a"] < pairs["motif_idx_b"]]  # symmetric table: each unordered pair once
    pairs = pairs.sort_values(["n", "motif_idx_a", "motif_idx_b"], ascending=[False, True, True], kind="stable")
    pairs = pairs.reset_index(drop=True)
    pairs["name_a"] = names.loc[pairs["motif_idx_a"], "alt_name"].to_numpy()
    pairs["name_b"] = names.loc[pairs["motif_idx_b"], "alt_name"].to_numpy()
    fa = names.loc[pairs["motif_idx_a"], "family"].fillna("-").to_numpy()
    fb = names.loc[pairs["motif_idx_b"], "family"].fillna("-").to_numpy()
    pairs["families"] = [f"{a} + {b}" for a, b in zip(fa, fb)]
    result.top_pairs = pairs[["motif_a", "name_a", "motif_b", "name_b", "families", "n"]]

    # the planted pair's spacing among high-attribution hits
    pair = ex.pair
    result.pair = (pair.motif_a, pair.motif_b)
    result.planted_gap = pair.gap
    sp = _to_pandas(
        aggregate.spacing(store, source="hits", runs=[runs["hits"]], motif_a=pair.motif_a, motif_b=pair.motif_b,
                          min_attribution=MIN_ATTRIBUTION, max_distance=100)
    )
    sp = sp.groupby("distance", as_index=False)["n"].sum().sort_values("distance").reset_index(drop=True)
    result.spacing = sp
    result.spacing_peak = int(sp.loc[sp["n"].idxmax(), "distance"]) if len(sp) else None
    _enrichment(store, result)


def _enrichment(store, result: DemoResult) -> None:
    """Which pairs and spacings are more than chance (annostore.analysis.enrich).

    Spacing uses the collapsed hits run (one hit per motif family and site) with ``by="cluster"``
    when the demo made one (``runs["collapsed"]``): redundant matrices of one family then no
    longer each add their own pair at their own offset (CTCFL's matrix sits 5 bp off CTCF's).
    Otherwise the high-attribution FIMO hits by motif."""
    from annostore.analysis.enrich import enrich_pairs, enrich_spacing

    runs = result.runs
    names = _names(store)
    alt = dict(zip(names["name"], names["alt_name"].fillna(names["name"])))
    ep = enrich_pairs(store, source="seqlets", runs=[runs["matches"]], min_attribution=0.0).to_pandas()
    ep["name_a"] = ep["motif_a"].map(alt)
    ep["name_b"] = ep["motif_b"].map(alt)
    result.enriched_pairs = ep
    collapsed = runs.get("collapsed")
    kw = dict(runs=[collapsed], by="cluster") if collapsed is not None else dict(runs=[runs["hits"]])
    es = enrich_spacing(store, source="hits", min_attribution=MIN_ATTRIBUTION, max_distance=100, orientation=True,
                        **kw).to_pandas()
    ab = es["orientation"].str.startswith("ab")
    es["upstream"] = np.where(ab, es["motif_a"], es["motif_b"])
    es["downstream"] = np.where(ab, es["motif_b"], es["motif_a"])
    es["upstream_name"] = es["upstream"].map(alt).fillna(es["upstream"])
    es["downstream_name"] = es["downstream"].map(alt).fillna(es["downstream"])
    es["strands"] = np.where(es["orientation"].str.endswith("_same"), "same", "opposite")
    result.enriched_spacing = es


def _to_pandas(res: Any):
    if hasattr(res, "to_pandas"):
        return res.to_pandas()
    if hasattr(res, "read_all"):
        return res.read_all().to_pandas()
    return res


def _recovery(store, ex, runs: dict, names) -> "Any":
    """Per planted family: sites found by seqlets + TOMTOM (best match) and by FIMO (high attribution)."""
    import pyarrow as pa

    from annostore.resources import sql

    sites = ex.sites[["example_idx", "family", "start", "end"]].reset_index(drop=True)
    sites["site_id"] = np.arange(len(sites), dtype=np.int64)
    store.con.register("demo_planted", pa.Table.from_pandas(sites, preserve_index=False))
    try:
        by_seqlets = store.con.sql(
            sql("demo_recovery"), params={"seqlet_run": runs["seqlets"], "matches_run": runs["matches"]}
        ).df()
        by_hits = store.con.sql(
            sql("demo_recovery_hits"), params={"hits_run": runs["hits"], "min_attribution": MIN_ATTRIBUTION}
        ).df()
    finally:
        store.con.unregister("demo_planted")

    def found(frame) -> np.ndarray:
        if len(frame) == 0:
            return np.zeros(len(sites), dtype=bool)
        fam = names.loc[frame["motif_idx"].to_numpy(), "family"].to_numpy()
        ok = frame.loc[fam == frame["family"].to_numpy(), "site_id"]
        return sites["site_id"].isin(ok).to_numpy()

    sites["seqlets"] = found(by_seqlets)
    sites["fimo"] = found(by_hits)
    rec = sites.groupby("family", sort=False).agg(
        planted=("site_id", "size"), recovered=("seqlets", "sum"), fimo=("fimo", "sum")
    ).reset_index()
    rec["recall"] = rec["recovered"] / rec["planted"]
    rec["fimo_recall"] = rec["fimo"] / rec["planted"]
    order = {f: i for i, f in enumerate(FAMILIES)}
    return rec.sort_values("family", key=lambda s: s.map(order)).reset_index(drop=True)


# ------------------------------------------------------------------------------------------------
# pictures and printing
# ------------------------------------------------------------------------------------------------
def _pictures(store, attr: np.ndarray, result: DemoResult) -> dict:
    from annostore.plots.aggregates import plot_pairs, plot_spacing
    from annostore.plots.logo import plot_logo

    out = {}
    out["logo"] = result.path / "logo.png"
    plot_logo(store, 0, *LOGO_WINDOW, annotations="seqlets", attributions=attr, run=result.runs["seqlets"],
              title="example 0 (tutorial-like): seqlets labelled by their best TOMTOM match", output=out["logo"])
    out["pairs"] = result.path / "pairs.png"
    plot_pairs(store, top=20, source="seqlets", runs=[result.runs["matches"]], output=out["pairs"],
               title="co-occurrence of seqlet labels (examples)")
    out["spacing"] = result.path / "spacing.png"
    a, b = result.pair
    plot_spacing(store, a, b, source="hits", runs=[result.runs["hits"]], min_attribution=MIN_ATTRIBUTION,
                 max_distance=100, output=out["spacing"])
    if result.enriched_pairs is not None and len(result.enriched_pairs):
        from annostore.plots.enrichment import plot_enrichment, plot_spacing_enrichment

        out["enrichment"] = result.path / "enrichment.png"
        plot_enrichment(store, top=8, result=result.enriched_pairs, output=out["enrichment"],
                        title="co-occurrence enrichment of seqlet labels")
        out["spacing_enrichment"] = result.path / "spacing_enrichment.png"
        plot_spacing_enrichment(store, a, b, source="hits", runs=[result.runs["hits"]],
                                min_attribution=MIN_ATTRIBUTION, max_distance=100, output=out["spacing_enrichment"])
    return out
