"""Tests of the built-in data, the synthetic example, the PWM model and its attributions, and the demo."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

import annostore
from annostore.errors import BadInputError
from annostore.example.model import (
    PWMConvModel,
    _codes_of,
    attributions,
    input_x_gradient,
    ism,
    one_hot_batch,
)
from annostore.example.synthetic import (
    PAIR_GAP,
    family_of,
    make_example,
    reverse_complement,
    sample_site,
)
from annostore.progress import progress

MODEL_MOTIFS = list(importlib.import_module("annostore.example.demo").MODEL_MOTIFS)


# ------------------------------------------------------------------------------------ built-in data
def test_default_motifs_path_is_packaged_jaspar():
    path = annostore.default_motifs_path()
    assert path.is_file() and path.name == "JASPAR2026_CORE_vertebrates_non-redundant.meme"
    lic = (path.parent / "LICENSE-JASPAR.md").read_text()
    assert "CC BY 4.0" in lic and "JASPAR 2026" in lic
    motifs = annostore.read_motifs(path)
    assert len(motifs) == 1019
    assert motifs[motifs.index("MA0099.4")].alt_name == "FOS::JUN"


# ------------------------------------------------------------------------------------ progress
def test_progress_disabled_is_transparent():
    assert list(progress(range(4), "x", enabled=False)) == [0, 1, 2, 3]
    with progress(5, "y", enabled=False) as bar:
        bar.advance(2)
        bar.advance(3)
    assert bar.completed == 5
    with pytest.raises(TypeError):
        list(progress(3, "z", enabled=False))


def test_progress_enabled_writes_to_stderr_only(capsys):
    assert sum(progress([1, 2, 3], "adding", enabled=True)) == 6
    out, err = capsys.readouterr()
    assert out == ""


# ------------------------------------------------------------------------------------ synthetic data
def test_family_of():
    assert family_of("FOS::JUN") == "AP-1"
    assert family_of("MA0645.2 ETV6") == "ETS"
    assert family_of("CEBPB") == "CEBP"
    assert family_of("CTCFL") == "CTCF"
    assert family_of("Runx1") is None and family_of(None) is None


def test_sample_site_is_strong_and_reproducible():
    pwm = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.1, 0.1, 0.7]]).T
    a = sample_site(pwm, np.random.default_rng(3))
    b = sample_site(pwm, np.random.default_rng(3))
    assert a == b and len(a) == 4
    with pytest.raises(BadInputError):
        sample_site(np.ones((3, 4)), np.random.default_rng(0))


def test_make_example_plants_what_it_says(jaspar_path):
    ex = make_example(80, seed=7, motifs=jaspar_path)
    ex2 = make_example(80, seed=7, motifs=jaspar_path)
    assert ex.sequences == ex2.sequences and ex.sites.equals(ex2.sites)
    assert make_example(80, seed=8, motifs=jaspar_path).sequences != ex.sequences
    assert len(ex) == 80 and all(1000 <= len(s) <= 2000 for s in ex.sequences[1:])
    assert len(ex.sequences[0]) == 2000
    # the tutorial's example: two AP-1 sites and one ETV6 site, 25 bp apart
    first = ex.sites[ex.sites.example_idx == 0]
    assert list(first.family) == ["AP-1", "AP-1", "ETS"]
    assert list(first.start) == [961, 996, 1031] and list(first.end) == [971, 1006, 1040]
    # every site is really in its sequence, on its strand
    for row in ex.sites.itertuples():
        assert ex.sequences[row.example_idx][row.start : row.end] == row.site
    # sites never overlap
    for _, g in ex.sites.groupby("example_idx"):
        assert np.all(g.start.to_numpy()[1:] >= g.end.to_numpy()[:-1])
    # the pair is at the fixed gap
    gaps = ex.pair_distances()
    assert len(gaps) > 5 and np.all(gaps == PAIR_GAP)
    assert set(ex.sites.family) == {"AP-1", "ETS", "CEBP", "CTCF"}
    regions = ex.regions()
    assert (regions.end - regions.start == ex.lengths).all()
    assert reverse_complement("AACGTN") == "NACGTT"
    # clean background: FIMO (p < 1e-4) of the planted motifs only matches where something was planted
    from annostore.core.fimo import fimo
    from annostore.core.motifs import Motif, MotifSet
    from annostore.io.motifs import read_motifs

    mset = read_motifs(jaspar_path)
    planted = MotifSet([Motif(m, mset[mset.index(m)].pwm) for m in sorted(set(ex.sites.motif))])
    hits = fimo(planted, ex.sequences, 1e-4, bfile="uniform", qvalues=False).to_pandas()
    sites = ex.sites.groupby("example_idx")
    for h in hits.itertuples():
        g = sites.get_group(h.example_idx)
        assert ((g.start < h.end) & (h.start < g.end)).any(), h
    assert len(hits) >= len(ex.sites) * 0.8  # the planted sites themselves are found
    raw = make_example(80, seed=7, motifs=jaspar_path, clean_background=False)
    assert raw.sites.equals(ex.sites) and raw.sequences != ex.sequences


def test_make_example_rejects_bad_sizes():
    with pytest.raises(BadInputError):
        make_example(0)
    with pytest.raises(BadInputError):
        make_example(3, min_length=10, max_length=5)


# ------------------------------------------------------------------------------------ the model
@pytest.fixture(scope="module")
def model(jaspar_path):
    return PWMConvModel.from_motifs(jaspar_path, MODEL_MOTIFS)


def test_model_responds_to_planted_sites_only(model, jaspar_path):
    ex = make_example(30, seed=1, motifs=jaspar_path)
    X = one_hot_batch(_codes_of(ex.sequences))
    y = model(X).numpy()
    has_site = np.isin(np.arange(30), ex.sites.example_idx.unique())
    assert has_site.sum() >= 10 and (~has_site).sum() >= 3
    assert np.all(y[has_site] > 0)
    # random sequences without planted sites: (almost) no activation
    assert np.median(y[~has_site]) < 0.1 * np.median(y[has_site])


def test_input_x_gradient_matches_log_odds_and_ism(model):
    seq = "A" * 50 + "ATGAGTCAT" + "C" * 50
    codes = np.searchsorted(np.frombuffer(b"ACGT", np.uint8), np.frombuffer(seq.encode(), np.uint8))
    X = one_hot_batch([codes])
    ixg = input_x_gradient(model, X)[0]
    # only the observed bases get values; attribution inside the site equals the filter's log-odds
    assert torch.all(ixg[X[0] == 0] == 0)
    proj = ixg.sum(0).numpy()
    assert np.all(proj[:49] == 0) and np.all(proj[60:] == 0)
    lo = model.conv.weight[0].numpy()  # FOS::JUN forward filter
    expected = lo[codes[50:59], np.arange(9)]
    assert np.allclose(proj[50:59], expected)
    # the output is (locally) linear in the site: the sum of attributions is the score above 0
    score = expected.sum()
    assert np.isclose(model(X).item(), score - model.thresholds[0].item())
    # ISM agrees in sign with input x gradient at the strong consensus bases
    m = ism(model, X, 45, 65)[0].sum(0).numpy()
    assert np.all(m[:5] == 0) and (m[50:59] > 0).sum() >= 7
    assert np.corrcoef(m[50:59], proj[50:59])[0, 1] > 0.8


def test_attributions_shape_padding_and_determinism(model):
    seqs = ["ACGT" * 10, "TGAGTCAT" + "A" * 100, "N" * 5]
    a = attributions(model, seqs, batch_size=2)
    b = attributions(model, seqs, batch_size=1)
    assert a.shape == (3, 108) and a.dtype == np.float64
    assert np.array_equal(a, b)
    assert np.all(a[0, 40:] == 0) and np.all(a[2] == 0)
    with pytest.raises(BadInputError):
        attributions(model, seqs, method="deeplift")


# ------------------------------------------------------------------------------------ the demo end to end
@pytest.fixture(scope="module")
def demo_result(tmp_path_factory):
    from annostore.example.demo import demo

    out = tmp_path_factory.mktemp("demo") / "demo-out"
    return demo(out, n_sequences=60, seed=0, progress=False, print_tables=False)


def test_demo_recovers_planted_motifs_and_spacing(demo_result):
    r = demo_result
    assert r.recovered
    rec = r.recovery.set_index("family")
    assert set(rec.index) == {"AP-1", "ETS", "CEBP", "CTCF"}
    # at test size every family is found far above the demo's own thresholds
    assert (rec["recall"] >= 0.85).all() and (rec["fimo_recall"] >= 0.95).all()
    assert r.spacing_peak == PAIR_GAP
    # the planted pair is the top co-occurring pair of seqlet labels at the family level
    top = r.top_pairs.iloc[0]
    assert set(top["families"].split(" + ")) == {"CEBP", "CTCF"}
    # the top high-attribution FIMO motifs are of planted families
    assert set(r.top_motifs.head(10)["family"]) <= {"AP-1", "ETS", "CEBP", "CTCF"}


def test_demo_enrichment_finds_the_planted_pair_and_spacing(demo_result):
    from annostore.example.synthetic import family_of

    r = demo_result
    # the top spacing: a CEBP-family motif upstream of a CTCF-family one, same strand, far beyond
    # chance; at the planted gap once hits are collapsed per family (on raw hits CTCFL's matrix,
    # 5 bp off CTCF's, can come first at 20 bp)
    top = r.enriched_spacing.iloc[0]
    assert family_of(top["upstream_name"]) == "CEBP" and family_of(top["downstream_name"]) == "CTCF"
    assert top["strands"] == "same" and top["q_value"] < 1e-10 and top["n"] > 5 * top["expected"]
    if "collapsed" in r.runs:
        assert r.top_spacing_is_planted
    # the most enriched co-occurrence of seqlet labels is between the planted families

    fams = {family_of(r.enriched_pairs.iloc[0]["name_a"]), family_of(r.enriched_pairs.iloc[0]["name_b"])}
    assert fams == {"CEBP", "CTCF"} and r.enriched_pairs.iloc[0]["q_value"] < 1e-6
    for name in ("enrichment", "spacing_enrichment"):
        assert r.pictures[name].stat().st_size > 5000


def test_demo_families(demo_result):
    r = demo_result
    # collapsed per motif family, the top rows are distinct families, not ten AP-1 variants
    top = r.top_clusters.head(10)
    assert top["cluster"].is_unique
    assert sum("JUN" in c or "FOS" in c for c in top["cluster"]) <= 2
    assert {"CTCF"} <= set(top["cluster"])
    with annostore.open(r.path, read_only=True) as store:
        runs = store.runs().to_pandas().set_index("run_id")
        raw = runs.loc[r.runs["hits"], "n_rows"]
        assert runs.loc[r.runs["collapsed"], "parent_run_id"] == r.runs["hits"]
        assert runs.loc[r.runs["collapsed"], "n_rows"] < raw * 0.6  # 19,812 -> 9,392 at 60 sequences
    # example 0 (three planted sites, clean background): ~100 high-attribution hits collapse over all
    # motifs to exactly its planted sites, one kept hit each
    assert r.example0_sites == 3
    assert r.example0["planted"].tolist() == ["AP-1 961-971", "AP-1 996-1006", "ETS 1031-1040"]


def test_demo_store_and_files(demo_result):
    r = demo_result
    for name in ("logo", "pairs", "spacing"):
        path = r.pictures[name]
        assert path.parent == r.path and path.stat().st_size > 5000
    for name in ("sequences.fa", "planted.tsv", "attributions.npz", "summary.json"):
        assert (r.path / name).is_file()
    with annostore.open(r.path, read_only=True) as store:
        runs = store.runs().to_pandas().set_index("run_id")
        assert runs.loc[r.runs["seqlets"], "kind"] == "seqlets"
        assert runs.loc[r.runs["matches"], "parent_run_id"] == r.runs["seqlets"]
        assert runs.loc[r.runs["hits"], "n_rows"] > 1000
        assert len(store.sequences()) == 60
        # seqlets of both signs were called (negative ones overlapping positive ones are dropped)
        signs = store.query("SELECT DISTINCT sign FROM seqlets ORDER BY sign").column(0).to_pylist()
        assert 1 in signs and set(signs) <= {-1, 1}
        params = store.query("SELECT params FROM runs WHERE kind = 'seqlets'").column(0).to_pylist()[0]
        assert '"both"' in params
    # attributions on disk are the model's: zero outside the planted/activating sites, positive at the sites
    attr = np.load(r.path / "attributions.npz")["attributions"]
    assert attr.shape == (60, 2000) and attr[0, 961:971].sum() > 5 and attr[0, :900].sum() == 0


def test_demo_cli_reproduces_and_replaces_previous_demo(demo_result, tmp_path):
    import json

    from annostore_cli.app import app
    from typer.testing import CliRunner

    from annostore.example.demo import demo

    first = json.loads((demo_result.path / "summary.json").read_text())
    result = CliRunner().invoke(app, ["--quiet", "demo", str(demo_result.path), "--n-sequences", "60", "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert "Planted sites recovered" in result.stdout and "recovered." in result.stdout
    again = json.loads((demo_result.path / "summary.json").read_text())
    for key in ("recovery", "top_motifs", "top_pairs", "spacing_peak", "runs", "recovered"):
        assert again[key] == first[key], key
    # a folder that is not a previous demo is refused, untouched
    other = tmp_path / "mine"
    other.mkdir()
    (other / "keep.txt").write_text("x")
    with pytest.raises(BadInputError, match="not empty"):
        demo(other, n_sequences=10, progress=False, print_tables=False)
    assert (other / "keep.txt").read_text() == "x"
    bad = CliRunner().invoke(app, ["demo", str(other), "--n-sequences", "10"])
    assert bad.exit_code == 65 and "not empty" in bad.output
