"""Collapse: invariants and equality with a brute-force reference on random tables; planted sites."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from annostore.analysis.collapse import collapse_hits
from annostore.errors import BadInputError


def _random_hits(rng, n=600, n_examples=7, n_motifs=9, length=200):
    start = rng.integers(0, length - 30, size=n)
    width = rng.integers(4, 25, size=n)
    return pd.DataFrame({
        "example_idx": rng.integers(0, n_examples, size=n),
        "motif_idx": rng.integers(0, n_motifs, size=n),
        "start": start,
        "end": start + width,
        "strand": rng.choice(["+", "-"], size=n),
        "p_value": np.round(rng.random(n) * 1e-3, 6),  # rounded: ties happen
        "score": rng.normal(size=n),
        "attribution": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
    })


def _overlap_ok(a, b, frac):
    ov = min(a.end, b.end) - max(a.start, b.start)
    return ov > 0 and ov >= frac * min(a.end - a.start, b.end - b.start)


def _reference(df, key, frac, keep):
    """Brute force: per (example, key), repeatedly keep the best uncovered hit and cover its overlaps."""
    col, sign = {"min-p": ("p_value", 1), "max-attribution": ("attribution", -1), "max-score": ("score", -1)}[keep]
    df = df.assign(_key=key).sort_values(["example_idx", "_key", "start", "end", "motif_idx", "strand"], kind="stable")
    kept = []
    for _, g in df.groupby(["example_idx", "_key"], sort=True):
        rows = list(g.itertuples())
        r = np.array([getattr(x, col) for x in rows], dtype=float) * sign
        r = np.where(np.isnan(r), np.inf, r)
        order = sorted(range(len(rows)), key=lambda i: (r[i], i))
        covered = [False] * len(rows)
        for i in order:
            if covered[i]:
                continue
            covered[i] = True
            n = 1
            for j in range(len(rows)):
                if not covered[j] and _overlap_ok(rows[i], rows[j], frac):
                    covered[j] = True
                    n += 1
            kept.append((rows[i].Index, n))
    return kept


@pytest.mark.parametrize("by", ["motif", "cluster", "any"])
@pytest.mark.parametrize("keep", ["min-p", "max-attribution", "max-score"])
@pytest.mark.parametrize("frac", [0.3, 1.0])
def test_matches_brute_force(by, keep, frac):
    rng = np.random.default_rng(hash((by, keep, frac)) % 2**32)
    df = _random_hits(rng)
    df["row"] = np.arange(len(df))
    clusters = np.array([0, 0, 1, 1, 1, 2, 3, 3, 4])
    out = collapse_hits(df, by=by, clusters=clusters, overlap=frac, keep=keep).to_pandas()
    key = {"motif": df.motif_idx, "cluster": clusters[df.motif_idx], "any": np.zeros(len(df), int)}[by]
    ref = _reference(df, np.asarray(key), frac, keep)
    assert sorted(out.row.tolist()) == sorted(i for i, _ in ref)
    assert dict(zip(out.row, out.n_merged)) == dict(ref)
    # invariants
    assert out.n_merged.sum() == len(df)
    k = np.asarray(key)[out.row.to_numpy()]
    for g in set(zip(out.example_idx, k)):
        sel = out[(out.example_idx == g[0]) & (k == g[1])]
        rows = list(sel.itertuples())
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                assert not _overlap_ok(rows[i], rows[j], frac)
    if by == "any":
        assert "clusters" in out.columns and (out.clusters.str.len() > 0).all()


def test_planted_sites_collapse_to_one_per_family():
    # ~30 redundant hits per planted site (two families: motifs 0-5 and 6-9), three sites
    rng = np.random.default_rng(5)
    rows = []
    for ex in range(3):
        for site in (20, 90, 160):
            for _ in range(30):
                m = int(rng.integers(0, 10))
                s = site + int(rng.integers(-3, 4))
                rows.append((ex, m, s, s + int(rng.integers(8, 15)), float(rng.random())))
    df = pd.DataFrame(rows, columns=["example_idx", "motif_idx", "start", "end", "p_value"])
    fam = np.array([0] * 6 + [1] * 4)
    out = collapse_hits(df, by="cluster", clusters=fam, overlap=0.5).to_pandas()
    per = out.groupby("example_idx").size()
    assert per.between(6, 8).all()  # 3 sites x 2 families (a shifted long hit may stand apart)
    anyfam = collapse_hits(df, by="any", clusters=fam, overlap=0.5).to_pandas()
    assert (anyfam.groupby("example_idx").size() <= 4).all()
    assert anyfam.n_merged.sum() == len(df)


def test_bad_input():
    df = pd.DataFrame({"example_idx": [0], "motif_idx": [0], "start": [0], "end": [5], "p_value": [0.1]})
    with pytest.raises(BadInputError):
        collapse_hits(df, by="family")
    with pytest.raises(BadInputError):
        collapse_hits(df, by="cluster")  # no clusters given
    with pytest.raises(BadInputError):
        collapse_hits(df, by="motif", overlap=0)
    with pytest.raises(BadInputError):
        collapse_hits(df, by="motif", keep="max-attribution")  # no attribution column
