"""Co-occurrence and spacing enrichment (annostore.analysis.enrich / stats).

Oracles: scipy.stats (fisher_exact, binomtest, false_discovery_control) for the statistics;
brute-force Python enumerations of the documented counts and of the analytic null's formula
(docs/semantics.md, "Enrichment"); calibration on seeded null sets (motifs placed
independently, nothing planted) and recovery of planted pairs and spacings.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import numpy as np
import pyarrow as pa
import pytest
import scipy.stats as ss

import annostore
from annostore.analysis import enrich, stats
from annostore.errors import BadInputError

N_MOTIFS = 8
N_EXAMPLES = 300


# ---------------------------------------------------------------------------------------------
# statistics against scipy


def _random_tables(rng, k):
    n = rng.integers(1, 200, k)
    na = rng.integers(0, n + 1)
    nb = rng.integers(0, n + 1)
    lo = np.maximum(0, na + nb - n)
    hi = np.minimum(na, nb)
    nab = lo + (rng.random(k) * (hi - lo + 1)).astype(np.int64)
    return nab, na, nb, n


@pytest.mark.parametrize("alternative", ["greater", "two-sided"])
def test_fisher_exact_equals_scipy(alternative):
    rng = np.random.default_rng(11)
    nab, na, nb, n = _random_tables(rng, 1500)
    # a few hand-picked edge cases: empty margins, full margins, the mode itself
    nab = np.r_[nab, 0, 3, 5, 0, 2]
    na = np.r_[na, 0, 3, 5, 4, 2]
    nb = np.r_[nb, 4, 10, 5, 0, 4]
    n = np.r_[n, 10, 10, 5, 9, 8]
    p = stats.fisher_exact(nab, na, nb, n, alternative)
    odds = stats.odds_ratio(nab, na, nb, n)
    for i in range(nab.size):
        table = [[nab[i], na[i] - nab[i]], [nb[i] - nab[i], n[i] - na[i] - nb[i] + nab[i]]]
        ref = ss.fisher_exact(table, alternative=alternative)
        rel = 1e-12 if alternative == "two-sided" else 1e-10
        assert p[i] == pytest.approx(ref.pvalue, rel=rel, abs=1e-300), table
        if np.isnan(ref.statistic):
            assert np.isnan(odds[i])
        else:
            assert odds[i] == ref.statistic


@pytest.mark.parametrize("n", [10_000, 100_000])
def test_fisher_greater_large_universe_equals_scipy(n):
    """The numba tail at store scale (many examples), against scipy's hypergeometric."""
    rng = np.random.default_rng(n)
    k = 150
    na = rng.integers(n // 50, n // 10, k)
    nb = rng.integers(n // 50, n // 10, k)
    nab = rng.binomial(na, np.minimum(1.0, nb / n * rng.choice([1.0, 1.3, 2.0], k)))
    nab = np.minimum(nab, np.minimum(na, nb))
    p = stats.fisher_exact(nab, na, nb, n)
    ref = ss.hypergeom.sf(nab - 1, n, na, nb)
    np.testing.assert_allclose(p, ref, rtol=1e-9, atol=1e-300)
    assert (p < 1e-20).any() and (p > 0.5).any()


def test_binom_greater_equals_binomtest():
    rng = np.random.default_rng(12)
    k = rng.integers(0, 60, 800)
    n = k + rng.integers(0, 80, 800)
    p = rng.random(800) ** 3
    got = stats.binom_greater(k, n, p)
    for i in range(k.size):
        ref = ss.binomtest(int(k[i]), int(n[i]), float(p[i]), alternative="greater").pvalue
        assert got[i] == pytest.approx(ref, rel=1e-12, abs=1e-300)


def test_bh_equals_scipy_and_counts_unreported_tests():
    rng = np.random.default_rng(13)
    p = np.r_[rng.random(500) ** 4, 1.0, 1.0]
    np.testing.assert_allclose(stats.bh_qvalues(p), ss.false_discovery_control(p), rtol=1e-12)
    # tests not reported (p = 1) only raise m
    full = np.r_[p[:100], np.ones(900)]
    np.testing.assert_allclose(stats.bh_qvalues(p[:100], m=1000), ss.false_discovery_control(full)[:100], rtol=1e-12)
    with pytest.raises(ValueError):
        stats.bh_qvalues(p, m=3)


# ---------------------------------------------------------------------------------------------
# stores


def _store(path, n_examples=N_EXAMPLES, seed=0):
    rng = np.random.default_rng(seed)
    s = annostore.open(path)
    from annostore.core.motifs import Motif, MotifSet

    widths = rng.integers(6, 16, N_MOTIFS)
    s.add_motifs(MotifSet([Motif(f"M{i}", rng.dirichlet(np.ones(4), size=int(widths[i])).T, alt_name=f"ALT{i}")
                           for i in range(N_MOTIFS)]))
    lengths = rng.integers(200, 500, n_examples)
    s.add_regions(pa.table({"chrom": ["chr1"] * n_examples, "start": np.arange(n_examples) * 1000,
                            "end": np.arange(n_examples) * 1000 + lengths, "strand": ["+"] * n_examples}))
    s.widths, s.lengths = widths, lengths
    return s


def _null_hits(rng, widths, lengths, rate=0.6, plant=None):
    """Independent placement: Poisson(rate) copies of each motif per example at uniform starts.

    plant: (motif_a, motif_b, gap, n_examples) puts a (+) then b (+) at that gap into random
    examples."""
    rows = []
    for e, length in enumerate(lengths):
        for m, w in enumerate(widths):
            for _ in range(rng.poisson(rate)):
                s = int(rng.integers(0, length - w + 1))
                rows.append((e, m, s, s + int(w), "+" if rng.random() < 0.5 else "-"))
    if plant is not None:
        a, b, gap, k = plant
        for e in rng.choice(len(lengths), k, replace=False):
            s = int(rng.integers(0, lengths[e] - widths[a] - widths[b] - gap))
            rows.append((e, a, s, s + int(widths[a]), "+"))
            s2 = s + int(widths[a]) + gap
            rows.append((e, b, s2, s2 + int(widths[b]), "+"))
    ex, mo, st, en, sd = (np.array(c) for c in zip(*rows))
    return pa.table({
        "example_idx": ex.astype(np.int64), "motif_idx": mo.astype(np.int32), "start": st.astype(np.int64),
        "end": en.astype(np.int64), "strand": sd, "score": rng.normal(size=ex.size),
        "p_value": rng.random(ex.size) * 1e-4, "attribution": rng.normal(size=ex.size),
    })


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    s = _store(tmp_path_factory.mktemp("enrich") / "p.store")
    rng = np.random.default_rng(5)
    table = _null_hits(rng, s.widths, s.lengths, plant=(2, 5, 9, 80))
    with s.begin_run("hits", name="planted") as run:
        run.write(table)
    s.table = table.to_pandas()
    yield s
    s.close()


# ---------------------------------------------------------------------------------------------
# pairs


def test_enrich_pairs_counts_and_pvalues(planted):
    df = planted.table
    res = enrich.enrich_pairs(planted)
    out = res.to_pandas()
    assert list(out.columns) == ["motif_a", "motif_b", "n_both", "n_a", "n_b", "n_examples", "expected",
                                 "odds_ratio", "p_value", "q_value"]
    assert len(out) == N_MOTIFS * (N_MOTIFS - 1) // 2
    present = df.groupby("motif_idx")["example_idx"].apply(set)
    for row in out.itertuples():
        a, b = int(row.motif_a[1:]), int(row.motif_b[1:])
        assert a < b
        assert row.n_a == len(present[a]) and row.n_b == len(present[b])
        assert row.n_both == len(present[a] & present[b])
        assert row.n_examples == N_EXAMPLES
        assert row.expected == pytest.approx(row.n_a * row.n_b / N_EXAMPLES)
        table = [[row.n_both, row.n_a - row.n_both], [row.n_b - row.n_both, N_EXAMPLES - row.n_a - row.n_b + row.n_both]]
        ref = ss.fisher_exact(table, alternative="greater")
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-10)
        assert row.odds_ratio == pytest.approx(ref.statistic)
    np.testing.assert_allclose(out["q_value"], ss.false_discovery_control(out["p_value"]), rtol=1e-12)
    # the planted pair co-occurs more than chance and comes first
    assert (out.loc[0, "motif_a"], out.loc[0, "motif_b"]) == ("M2", "M5")
    assert out.loc[0, "q_value"] < 1e-3
    assert out["p_value"].is_monotonic_increasing


def test_enrich_pairs_two_sided_filters_and_universe(planted):
    two = enrich.enrich_pairs(planted, alternative="two-sided").to_pandas()
    for row in two.head(10).itertuples():
        table = [[row.n_both, row.n_a - row.n_both], [row.n_b - row.n_both, row.n_examples - row.n_a - row.n_b + row.n_both]]
        assert row.p_value == pytest.approx(ss.fisher_exact(table).pvalue, rel=1e-12)
    sub = enrich.enrich_pairs(planted, examples=range(0, 100), motifs=["M1", "M2", "M5"]).to_pandas()
    assert len(sub) == 3 and set(sub["n_examples"]) == {100}
    df = planted.table
    df = df[df.example_idx < 100]
    present = df.groupby("motif_idx")["example_idx"].apply(set)
    row = sub[(sub.motif_a == "M2") & (sub.motif_b == "M5")].iloc[0]
    assert row.n_both == len(present[2] & present[5])
    listed = enrich.enrich_pairs(planted, examples=[1, 2, 3, 3, 7]).to_pandas()
    assert set(listed["n_examples"]) == {4}
    # min_examples drops keys present in fewer examples (here: all of them)
    assert len(enrich.enrich_pairs(planted, min_examples=10_000)) == 0
    with pytest.raises(BadInputError):
        enrich.enrich_pairs(planted, alternative="less")
    with pytest.raises(BadInputError):
        enrich.enrich_pairs(planted, by="family")


# ---------------------------------------------------------------------------------------------
# spacing


def _brute_spacing(df, max_distance, orientation=False):
    """Observed counts per (a, b, distance[, orientation]) by enumeration."""
    out = Counter()
    for _e, g in df.groupby("example_idx"):
        rows = list(g.itertuples())
        for x, y in itertools.combinations(rows, 2):
            left, right = (x, y) if x.start <= y.start else (y, x)
            d = right.start - left.end
            if d < 0 or d >= max_distance:
                continue
            a, b = sorted((int(left.motif_idx), int(right.motif_idx)))
            key = (a, b, d)
            if orientation:
                o = ("ab" if left.motif_idx == a else "ba") + ("_same" if left.strand == right.strand else "_opposite")
                key = key + (o,)
            out[key] += 1
    return out


def _brute_null(df, lengths, max_distance):
    """The analytic null's h(d) per unordered pair by direct summation over instance pairs."""
    h = defaultdict(lambda: np.zeros(max_distance))
    d = np.arange(max_distance)
    for e, g in df.groupby("example_idx"):
        length = int(lengths[e])
        rows = list(g.itertuples())
        for x, y in itertools.combinations(rows, 2):
            w1, w2 = x.end - x.start, y.end - y.start
            a, b = sorted((int(x.motif_idx), int(y.motif_idx)))
            h[(a, b)] += 2 * np.maximum(length - w1 - w2 + 1 - d, 0) / ((length - w1 + 1) * (length - w2 + 1))
    return h


def test_enrich_spacing_counts_null_and_pvalues(planted):
    df = planted.table
    D = 40
    res = enrich.enrich_spacing(planted, max_distance=D, all_distances=True)
    out = res.to_pandas()
    assert list(out.columns) == ["motif_a", "motif_b", "distance", "n", "expected", "p_value", "q_value"]
    brute = _brute_spacing(df, D)
    got = {(int(r.motif_a[1:]), int(r.motif_b[1:]), int(r.distance)): int(r.n) for r in out.itertuples() if r.n}
    assert got == dict(brute)
    totals = Counter()
    for (a, b, _d), n in brute.items():
        totals[(a, b)] += n
    # every tested family has all D distances, and expected sums to its observed total
    fam = out.groupby(["motif_a", "motif_b"])
    assert (fam.size() == D).all() and len(fam) == len(totals)
    sums = fam[["n", "expected"]].sum()
    np.testing.assert_allclose(sums["expected"], sums["n"], rtol=1e-9)
    # expected = n_total * h(d) / sum h, h by brute force
    h = _brute_null(df, planted.lengths, D)
    for r in out.sample(200, random_state=1).itertuples():
        a, b = int(r.motif_a[1:]), int(r.motif_b[1:])
        ref = totals[(a, b)] * h[(a, b)][r.distance] / h[(a, b)].sum()
        assert r.expected == pytest.approx(ref, rel=1e-9)
        p0 = h[(a, b)][r.distance] / h[(a, b)].sum()
        ref_p = ss.binomtest(int(r.n), totals[(a, b)], p0, alternative="greater").pvalue if r.n else 1.0
        assert r.p_value == pytest.approx(ref_p, rel=1e-9)
    # BH over families * D tests
    np.testing.assert_allclose(out["q_value"], ss.false_discovery_control(out["p_value"]), rtol=1e-12)
    # the planted spacing is the top row, with a tiny q
    top = out.iloc[0]
    assert (top.motif_a, top.motif_b, top.distance) == ("M2", "M5", 9)
    assert top.q_value < 1e-10
    # the default reports only the observed distances, with the same numbers
    short = enrich.enrich_spacing(planted, max_distance=D).to_pandas()
    assert (short["n"] > 0).all() and len(short) == len(got)
    merged = short.merge(out, on=["motif_a", "motif_b", "distance"], suffixes=("", "_all"))
    np.testing.assert_allclose(merged["q_value"], merged["q_value_all"], rtol=1e-12)
    np.testing.assert_allclose(merged["expected"], merged["expected_all"], rtol=1e-12)


def test_enrich_spacing_orientation(planted):
    D = 30
    out = enrich.enrich_spacing(planted, max_distance=D, orientation=True).to_pandas()
    assert list(out.columns)[-1] == "orientation"
    assert set(out["orientation"]) <= set(enrich.ORIENTATIONS)
    brute = _brute_spacing(planted.table, D, orientation=True)
    got = {(int(r.motif_a[1:]), int(r.motif_b[1:]), int(r.distance), r.orientation): int(r.n) for r in out.itertuples()}
    assert got == dict(brute)
    top = out.iloc[0]
    assert (top.motif_a, top.motif_b, top.distance, top.orientation) == ("M2", "M5", 9, "ab_same")
    same_motif = out[out.motif_a == out.motif_b]
    assert set(same_motif["orientation"]) <= {"ab_same", "ab_opposite"}


def test_enrich_spacing_shuffle_null_matches_analytic(planted):
    D = 30
    kw = dict(max_distance=D, all_distances=True, motif_a=["M0", "M1", "M3"], motif_b=["M4", "M6"])
    ana = enrich.enrich_spacing(planted, **kw).to_pandas().sort_values(["motif_a", "motif_b", "distance"])
    shu = enrich.enrich_spacing(planted, null="shuffle", shuffles=200, seed=3, **kw).to_pandas()
    shu = shu.sort_values(["motif_a", "motif_b", "distance"])
    assert len(ana) == len(shu) == 6 * D
    np.testing.assert_array_equal(ana["n"].to_numpy(), shu["n"].to_numpy())
    # the shuffled distance profile agrees with the analytic one within the shuffles' noise
    # (pooled over the families: ~760 shuffled pairs per distance, ~3.6% standard error)
    pooled_a = ana.groupby("distance")["expected"].sum().to_numpy()
    pooled_s = shu.groupby("distance")["expected"].sum().to_numpy()
    assert np.abs(pooled_s / pooled_a - 1).mean() < 0.05
    np.testing.assert_allclose(pooled_s.sum(), pooled_a.sum(), rtol=1e-9)
    # seeded: same seed, same numbers; another seed, other numbers
    again = enrich.enrich_spacing(planted, null="shuffle", shuffles=200, seed=3, **kw).to_pandas()
    again = again.sort_values(["motif_a", "motif_b", "distance"])
    np.testing.assert_array_equal(again["expected"].to_numpy(), shu["expected"].to_numpy())
    other = enrich.enrich_spacing(planted, null="shuffle", shuffles=200, seed=4, **kw).to_pandas()
    assert not np.array_equal(other.sort_values(["motif_a", "motif_b", "distance"])["expected"].to_numpy(),
                              shu["expected"].to_numpy())


def test_enrich_spacing_bad_input(planted):
    for kw in (dict(max_distance=0), dict(null="poisson"), dict(min_pairs=0), dict(null="shuffle", shuffles=0),
               dict(by="cluster")):
        with pytest.raises(BadInputError):
            enrich.enrich_spacing(planted, **kw)


# ---------------------------------------------------------------------------------------------
# calibration: 40 null sets, nothing planted


@pytest.fixture(scope="module")
def null_store(tmp_path_factory):
    s = _store(tmp_path_factory.mktemp("enrich_null") / "n.store", n_examples=200, seed=1)
    runs = []
    for seed in range(40):
        rng = np.random.default_rng(1000 + seed)
        with s.begin_run("hits", name=f"null{seed}") as run:
            run.write(_null_hits(rng, s.widths, s.lengths, rate=0.5))
        runs.append(run.run_id)
    s.null_runs = runs
    yield s
    s.close()


def test_calibration_pairs(null_store):
    hits = [enrich.enrich_pairs(null_store, runs=[r]).to_pandas()["q_value"].min() < 0.05 for r in null_store.null_runs]
    # BH bounds P(any call) by 5% under the complete null: about 2 of 40 seeds expected
    assert sum(hits) <= 5, sum(hits)


def test_calibration_spacing(null_store):
    hits = [enrich.enrich_spacing(null_store, runs=[r], max_distance=50).to_pandas()["q_value"].min() < 0.05
            for r in null_store.null_runs]
    assert sum(hits) <= 5, sum(hits)


# ---------------------------------------------------------------------------------------------
# by cluster (table motif_clusters)


def test_by_cluster_groups_motifs(planted):
    con = planted.con
    # the table of migration 0002 (what `annostore motifs cluster` writes), filled by hand
    con.execute("DELETE FROM motif_clusters")
    groups = {0: 0, 1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 7: 4}
    con.executemany("INSERT INTO motif_clusters (motif_idx, cluster_idx, cluster, representative) VALUES (?, ?, ?, ?)",
                    [(m, c, f"C{c}", m == min(k for k, v in groups.items() if v == c)) for m, c in groups.items()])
    try:
        pairs = enrich.enrich_pairs(planted, by="cluster").to_pandas()
        df = planted.table.assign(k=planted.table["motif_idx"].map(groups))
        present = df.groupby("k")["example_idx"].apply(set)
        assert len(pairs) == 10
        for row in pairs.itertuples():
            a, b = int(row.motif_a[1:]), int(row.motif_b[1:])
            assert row.n_both == len(present[a] & present[b])
        sp = enrich.enrich_spacing(planted, by="cluster", max_distance=30, motif_a="C1", motif_b="C3").to_pandas()
        assert set(zip(sp.motif_a, sp.motif_b)) == {("C1", "C3")}
        brute = _brute_spacing(df.assign(motif_idx=df["k"]), 30)
        got = {int(r.distance): int(r.n) for r in sp.itertuples()}
        assert got == {d: n for (a, b, d), n in brute.items() if (a, b) == (1, 3)}
        assert sp.iloc[0].distance == 9
    finally:
        con.execute("DELETE FROM motif_clusters")


# ---------------------------------------------------------------------------------------------
# Store methods, CLI, pictures


@pytest.fixture(scope="module")
def closed_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("enrich_cli") / "c.store"
    s = _store(path, n_examples=150, seed=2)
    with s.begin_run("hits", name="planted") as run:
        run.write(_null_hits(np.random.default_rng(9), s.widths, s.lengths, rate=0.4, plant=(1, 4, 12, 60)))
    s.close()
    return path


def test_store_methods_return_results(closed_store):
    from annostore.analysis.results import Result

    with annostore.open(closed_store, read_only=True) as s:
        pairs = s.enrich_pairs(min_attribution=-10.0)
        spacing = s.enrich_spacing(max_distance=40)
    assert isinstance(pairs, Result) and isinstance(spacing, Result)
    assert (pairs.kind, spacing.kind) == ("enrich_pairs", "enrich_spacing")
    top = spacing.to_pandas().iloc[0]
    assert (top.motif_a, top.motif_b, top.distance) == ("M1", "M4", 12) and top.q_value < 1e-10
    assert annostore.enrich_pairs is enrich.enrich_pairs and annostore.enrich_spacing is enrich.enrich_spacing


def test_cli_enrich_and_plots(closed_store, tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from annostore_cli.app import app

    runner = CliRunner()
    out = tmp_path / "pairs.tsv"
    r = runner.invoke(app, ["enrich", "pairs", str(closed_store), "--alternative", "two-sided", "-o", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, sep="\t")
    assert list(df.columns) == ["motif_a", "motif_b", "n_both", "n_a", "n_b", "n_examples", "expected", "odds_ratio",
                                "p_value", "q_value"]
    out = tmp_path / "spacing.tsv"
    r = runner.invoke(app, ["enrich", "spacing", str(closed_store), "--max-distance", "30", "--orientation",
                            "--motif-a", "M4", "--motif-b", "M1", "-o", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, sep="\t")
    assert list(df.columns) == ["motif_a", "motif_b", "distance", "n", "expected", "p_value", "q_value", "orientation"]
    assert tuple(df.iloc[0][["motif_a", "motif_b", "distance", "orientation"]]) == ("M1", "M4", 12, "ab_same")
    r = runner.invoke(app, ["enrich", "spacing", str(closed_store), "--null", "shuffle", "--shuffles", "3",
                            "--max-distance", "20"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["enrich", "spacing", str(closed_store), "--null", "poisson"])
    assert r.exit_code == 65 and "null must be one of" in r.output
    r = runner.invoke(app, ["enrich", "pairs", str(closed_store), "--by", "cluster"])
    assert r.exit_code == 65 and "no motif clusters" in r.output
    for args, name in ((["plot", "enrichment", str(closed_store)], "volcano.png"),
                       (["plot", "spacing", str(closed_store), "--motif-a", "M1", "--motif-b", "M4", "--expected",
                         "--max-distance", "40"], "spacing.png")):
        png = tmp_path / name
        r = runner.invoke(app, [*args, "-o", str(png)])
        assert r.exit_code == 0, r.output
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_functions_draw_expected_and_marks(closed_store):
    from annostore.plots.enrichment import plot_enrichment, plot_spacing_enrichment

    with annostore.open(closed_store, read_only=True) as s:
        ax = plot_spacing_enrichment(s, "M1", "M4", max_distance=40)
        line = ax.get_lines()[0]
        np.testing.assert_allclose(np.asarray(line.get_ydata()).sum(), sum(p.get_height() for p in ax.patches))
        marks = ax.collections[0].get_offsets()
        assert 12 in np.asarray(marks)[:, 0]
        ax = plot_enrichment(s, top=3)
        assert len(ax.texts) == 3


def test_analytic_null_short_examples(planted):
    """max_distance beyond many examples' lengths: the exact (truncated) branch of the null."""
    D = 300
    kw = dict(max_distance=D, all_distances=True, motif_a=["M0", "M2"], motif_b=["M2", "M7"])
    out = enrich.enrich_spacing(planted, **kw).to_pandas()
    h = _brute_null(planted.table, planted.lengths, D)
    brute = _brute_spacing(planted.table, D)
    for (a, b), g in out.groupby(["motif_a", "motif_b"]):
        key = (int(a[1:]), int(b[1:]))
        total = sum(n for (x, y, _d), n in brute.items() if (x, y) == key)
        g = g.sort_values("distance")
        np.testing.assert_allclose(g["expected"].to_numpy(), total * h[key] / h[key].sum(), rtol=1e-8, atol=1e-12)
        assert g["n"].sum() == total


@pytest.mark.parametrize("batch_rows", [7, 1 << 20])
def test_spacing_null_kernel_equals_sql(planted, monkeypatch, batch_rows):
    """The long examples' null rows summed by the numba kernel (streamed moments, examples split
    across batches when the batch is small) equal the SQL self-join's (sql/enrich_spacing_null_long.sql)."""
    D = 40
    seen = []
    real = enrich.enrich_kernels.accumulate_long_pairs
    monkeypatch.setattr(enrich.enrich_kernels, "accumulate_long_pairs", lambda ex, *a: seen.append(ex.size) or real(ex, *a))
    kernel = enrich.enrich_spacing(planted, max_distance=D, all_distances=True).to_pandas()
    assert sum(seen) > 100  # the planted store's examples are long: the kernel summed them
    monkeypatch.setattr(enrich, "_MOMENT_BATCH_ROWS", batch_rows)
    small = enrich.enrich_spacing(planted, max_distance=D, all_distances=True).to_pandas()
    monkeypatch.setattr(enrich, "_KERNEL_MAX_KEYS", 0)  # every key count takes the SQL path
    in_sql = enrich.enrich_spacing(planted, max_distance=D, all_distances=True).to_pandas()
    assert len(kernel) == len(in_sql) > 1000
    for other in (small, in_sql):
        np.testing.assert_array_equal(kernel[["motif_a", "motif_b", "distance", "n"]], other[["motif_a", "motif_b", "distance", "n"]])
        np.testing.assert_allclose(kernel["expected"], other["expected"], rtol=1e-10)
        np.testing.assert_allclose(kernel["p_value"], other["p_value"], rtol=1e-9)
