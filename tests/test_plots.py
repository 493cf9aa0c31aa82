"""Pictures: logos with annotations, co-occurrence heatmaps, spacing; API and CLI."""

from __future__ import annotations

import importlib

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from annostore_cli.app import app
from typer.testing import CliRunner

import annostore
from annostore.errors import BadInputError
from annostore.example.model import PWMConvModel, attributions
from annostore.example.synthetic import PAIR_GAP, make_example
from annostore.plots.aggregates import plot_pairs, plot_spacing
from annostore.plots.logo import logo_matrix, plot_logo

MODEL_MOTIFS = list(importlib.import_module("annostore.example.demo").MODEL_MOTIFS)


def _png_shape(path):
    assert path.is_file() and path.stat().st_size > 1000
    return mpimg.imread(path).shape[:2]


@pytest.fixture(scope="module")
def example(jaspar_path):
    return make_example(12, seed=3, motifs=jaspar_path)


@pytest.fixture(scope="module")
def attr(example, jaspar_path):
    model = PWMConvModel.from_motifs(jaspar_path, MODEL_MOTIFS)
    return attributions(model, example.sequences)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, example, attr, jaspar_path):
    """A store whose seqlets and hits are exactly the planted sites (no FIMO/TOMTOM needed)."""
    path = tmp_path_factory.mktemp("plots") / "p.store"
    sites = example.sites
    with annostore.open(path) as store:
        mset = store.add_motifs(jaspar_path)
        store.add_sequences(example.sequences)
        idx = np.array([mset.index(m) for m in sites.motif], dtype=np.int64)
        att = np.array([attr[r.example_idx, r.start : r.end].sum() for r in sites.itertuples()])
        seqlets = pd.DataFrame(
            {"example_idx": sites.example_idx, "start": sites.start, "end": sites.end, "attribution": att,
             "p-value": 1e-3}
        )
        store.add_seqlets(seqlets, matches=(idx[:, None], np.full((len(idx), 1), 1e-5)), run="planted")
        hits = pd.DataFrame(
            {"example_idx": sites.example_idx, "motif": sites.motif, "start": sites.start, "end": sites.end,
             "strand": sites.strand, "score": 10.0, "p_value": 1e-5, "attribution": att}
        )
        # a low-attribution decoy hit of another motif
        decoy = pd.DataFrame({"example_idx": [1], "motif": ["MA0002.3"], "start": [3], "end": [12], "strand": ["+"],
                              "score": [5.0], "p_value": [1e-4], "attribution": [0.0]})
        store.add_hits(pd.concat([hits, decoy], ignore_index=True), run="planted-hits")
    np.savez_compressed(path / "attributions.npz", attributions=attr)
    return path


# --------------------------------------------------------------------------------------- logo
def test_logo_matrix_places_projected_values_on_bases():
    m = logo_matrix(np.array([[1.0, -2.0, 3.0, 0.5]]), "ACGN")
    assert m.shape == (4, 4)
    assert m[0, 0] == 1.0 and m[1, 1] == -2.0 and m[2, 2] == 3.0 and np.all(m[:, 3] == 0)
    with pytest.raises(BadInputError):
        logo_matrix(np.ones(4))  # projected without a sequence
    with pytest.raises(BadInputError):
        logo_matrix(np.ones(3), "ACGT")  # too short


def test_plot_logo_from_array_writes_png_of_expected_size(tmp_path, example, attr):
    out = tmp_path / "logo.png"
    ann = example.sites[example.sites.example_idx == 0][["family", "start", "end"]].assign(score=1.5)
    ax = plot_logo(attr, 0, 925, 1075, annotations=ann, sequence=example.sequences[0], output=out,
                   figsize=(10, 2.5), dpi=80)
    assert _png_shape(out) == (200, 800)
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["AP-1 (1.5)", "AP-1 (1.5)", "ETS (1.5)"]
    # letters drawn: one glyph per position with a visible attribution
    w = np.abs(attr[0, 925:1075])
    assert len(ax.patches) == int((w >= 0.02 * w.max()).sum()) > 20


def test_plot_logo_from_store_labels_seqlets_and_hits(tmp_path, store_path, example):
    with annostore.open(store_path, read_only=True) as store:
        ax = plot_logo(store, 0, 925, 1075, output=tmp_path / "a.png")
        texts = [t.get_text().split(" ")[0] for t in ax.texts]
        assert texts == ["FOS::JUN", "FOS::JUN", "ETV6"]
        ax = plot_logo(store, 0, 925, 1075, annotations="hits", min_attribution=1.0)
        assert [t.get_text().split(" ")[0] for t in ax.texts] == ["FOS::JUN", "FOS::JUN", "ETV6"]
        # decoy in example 1 is filtered by attribution
        ax = plot_logo(store, 1, 0, 60, annotations="hits", min_attribution=1.0)
        assert all("Runx1" not in t.get_text() for t in ax.texts)
        ax = plot_logo(store, 1, 0, 60, annotations="hits")
        assert any("Runx1" in t.get_text() for t in ax.texts)


@pytest.mark.parametrize("window", [(100, 100), (-5, 10), (0, 10**6)])
def test_plot_logo_empty_or_outside_window_fails(store_path, window):
    with annostore.open(store_path, read_only=True) as store:
        with pytest.raises(BadInputError, match="window"):
            plot_logo(store, 0, *window)


def test_plot_logo_unknown_example_fails(store_path, attr):
    with annostore.open(store_path, read_only=True) as store:
        with pytest.raises(BadInputError, match="example"):
            plot_logo(store, 99, 0, 10)
    with pytest.raises(BadInputError, match="example"):
        plot_logo(attr, 99, 0, 10, sequence="A" * 20)


# --------------------------------------------------------------------------------------- pairs, spacing
def test_plot_pairs_counts_match_planted(tmp_path, store_path, example):
    out = tmp_path / "pairs.png"
    with annostore.open(store_path, read_only=True) as store:
        ax = plot_pairs(store, top=5, min_attribution=1.0, output=out, figsize=(6, 5), dpi=50)
    assert _png_shape(out) == (250, 300)
    M = np.asarray(ax.images[0].get_array())
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert sorted(names) == ["CEBPB", "CTCF", "ETV6", "FOS::JUN", "GABPA"]
    per_example = example.sites.groupby("example_idx").motif_alt.apply(set)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i != j:
                assert M[i, j] == sum(1 for s in per_example if a in s and b in s)
    assert M[names.index("CEBPB"), names.index("CTCF")] == len(example.pair_distances())


def test_plot_pairs_empty_selection_fails(store_path):
    with annostore.open(store_path, read_only=True) as store:
        with pytest.raises(BadInputError, match="nothing to plot"):
            plot_pairs(store, min_attribution=1e9)


def test_plot_spacing_peaks_at_planted_gap(tmp_path, store_path, example):
    out = tmp_path / "spacing.png"
    with annostore.open(store_path, read_only=True) as store:
        ax = plot_spacing(store, "CEBPB", "MA0139.2", max_distance=50, output=out)
        heights = np.array([p.get_height() for p in ax.patches])
        assert len(heights) == 50 and heights.argmax() == PAIR_GAP
        assert heights[PAIR_GAP] == len(example.pair_distances())
        with pytest.raises(BadInputError, match="nothing to plot"):
            plot_spacing(store, "CEBPB", "MA0139.2", min_attribution=1e9)
    assert _png_shape(out) == (300, 800)


# --------------------------------------------------------------------------------------- CLI
def test_cli_plots(tmp_path, store_path):
    runner = CliRunner()
    cases = {
        "logo": ["plot", "logo", str(store_path), "--example", "0", "--start", "925", "--end", "1075"],
        "pairs": ["plot", "pairs", str(store_path), "--source", "seqlets", "--top", "5"],
        "spacing": ["plot", "spacing", str(store_path), "--motif-a", "CEBPB", "--motif-b", "MA0139.2"],
    }
    for name, args in cases.items():
        out = tmp_path / f"{name}.png"
        result = runner.invoke(app, [*args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert _png_shape(out)[0] > 100
    bad = runner.invoke(app, ["plot", "pairs", str(store_path), "--min-attribution", "1e9", "-o", str(tmp_path / "x.png")])
    assert bad.exit_code == 65 and "nothing to plot" in bad.output
    assert not (tmp_path / "x.png").exists()
    bad = runner.invoke(app, ["plot", "logo", str(store_path), "--start", "5", "--end", "5", "-o", str(tmp_path / "y.png")])
    assert bad.exit_code == 65
    missing = runner.invoke(app, ["plot", "logo", str(tmp_path / "nostore"), "-o", str(tmp_path / "z.png")])
    assert missing.exit_code == 66
