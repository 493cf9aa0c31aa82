"""Attribution layouts of model tooling: ChromBPNet/bpnet h5, bpnet-lite and Fi-NeMo npz, bigWig."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from annostore.errors import BadInputError
from annostore.io.attribution_files import attributions_for_examples, centre_crop, read_attribution_file
from genomic_files import write_bpnet_h5, write_chrombpnet_h5

N, L, E = 5, 60, 21  # rows, file width, example width


@pytest.fixture(scope="module")
def arrays():
    rng = np.random.default_rng(3)
    raw = np.zeros((N, 4, L), dtype=np.int8)
    raw[np.arange(N)[:, None], rng.integers(0, 4, (N, L)), np.arange(L)[None, :]] = 1
    raw[0, :, 7] = 0  # an N in the file's one-hot
    hyp = rng.normal(size=(N, 4, L)).astype(np.float16)
    expected = (hyp.astype(np.float64) * raw).sum(axis=1)
    off = L // 2 - E // 2
    return raw, hyp, expected[:, off : off + E]


def _load(path, **kw):
    return attributions_for_examples(path, n=N, length=E, **kw)


@pytest.mark.parametrize("projected", [True, False])
def test_chrombpnet_h5_blosc(tmp_path, arrays, projected):
    raw, hyp, expected = arrays
    path = tmp_path / "x.counts_scores.h5"
    write_chrombpnet_h5(path, raw, hyp, projected=projected)
    X, layout = _load(path)
    assert layout == "chrombpnet-h5"
    np.testing.assert_array_equal(X, expected)
    data = read_attribution_file(path)
    assert data.hypothetical is not projected


def test_bpnet_h5_with_coordinates(tmp_path, arrays):
    raw, hyp, expected = arrays
    path = tmp_path / "counts_scores.h5"
    starts = [1000 * i for i in range(N)]
    write_bpnet_h5(path, raw, hyp, ["chr1"] * N, starts, L)
    off = L // 2 - E // 2
    regions = lambda: (["chr1"] * N, np.array(starts) + off, np.array(starts) + off + E)  # noqa: E731
    X, layout = _load(path, regions=regions)
    assert layout == "bpnet-h5"
    np.testing.assert_allclose(X, expected, rtol=0, atol=0)
    shifted = lambda: (["chr1"] * N, np.array(starts) + off + 1, np.array(starts) + off + 1 + E)  # noqa: E731
    with pytest.raises(BadInputError, match="row 0 covers chr1:20-41 .* example 0 is chr1:21-42"):
        _load(path, regions=shifted)


def test_bpnet_lite_pair_and_store_one_hot(tmp_path, arrays):
    raw, hyp, expected = arrays
    np.savez(tmp_path / "m.attr.npz", hyp.astype(np.float32))
    np.savez(tmp_path / "m.ohe.npz", raw)
    X, layout = _load(tmp_path / "m.attr.npz")
    assert layout == "bpnet-lite-npz"
    np.testing.assert_allclose(X, expected, rtol=1e-12)
    (tmp_path / "m.ohe.npz").unlink()  # without its one-hot file: the store's sequences
    off = L // 2 - E // 2
    X, _ = _load(tmp_path / "m.attr.npz", one_hot=lambda: raw[:, :, off : off + E])
    np.testing.assert_allclose(X, expected, rtol=1e-12)
    with pytest.raises(BadInputError, match="hypothetical scores need the one-hot"):
        _load(tmp_path / "m.attr.npz")


@pytest.mark.parametrize("projected", [False, True])
def test_finemo_npz(tmp_path, arrays, projected):
    raw, hyp, expected = arrays
    contrib = (hyp.astype(np.float64) * raw).sum(axis=1).astype(np.float16) if projected else hyp
    np.savez_compressed(tmp_path / "regions.npz", sequences=raw, contributions=contrib,
                        chr=np.array(["chr2"] * N), chr_id=np.zeros(N, np.uint32), start=np.arange(N) * 500,
                        peak_id=np.arange(N, dtype=np.uint32), peak_name=np.array([f"p{i}" for i in range(N)]))
    X, layout = _load(tmp_path / "regions.npz")
    assert layout == "finemo-npz"
    if projected:
        off = L // 2 - E // 2
        np.testing.assert_array_equal(X, contrib.astype(np.float64)[:, off : off + E])
    else:
        np.testing.assert_array_equal(X, expected)


@pytest.mark.peer
def test_finemo_writer(tmp_path, arrays):
    import polars as pl
    from finemo.data_io import write_regions_npz

    raw, hyp, expected = arrays
    peaks = pl.DataFrame({"chr": ["chr1"] * N, "chr_id": [0] * N, "peak_region_start": [100 * i for i in range(N)],
                          "peak_id": list(range(N)), "peak_name": [f"p{i}" for i in range(N)]})
    write_regions_npz(raw, hyp, str(tmp_path / "regions.npz"), peaks_df=peaks)
    off = L // 2 - E // 2
    regions = lambda: (["chr1"] * N, np.arange(N) * 100 + off, np.arange(N) * 100 + off + E)  # noqa: E731
    X, layout = _load(tmp_path / "regions.npz", regions=regions)
    assert layout == "finemo-npz"
    np.testing.assert_array_equal(X, expected)


def test_bigwig_over_regions(tmp_path):
    import pyBigWig

    rng = np.random.default_rng(4)
    track = rng.normal(size=300)
    bw = pyBigWig.open(str(tmp_path / "x.bw"), "w")
    bw.addHeader([("chr1", 300), ("chr2", 50)])
    bw.addEntries("chr1", 0, values=track[:250].tolist(), span=1, step=1)  # 250..300 missing
    bw.close()
    starts = np.array([0, 100, 240])
    regions = lambda: (["chr1", "chr1", "chr1"], starts, starts + 20)  # noqa: E731
    X, layout = attributions_for_examples(tmp_path / "x.bw", n=3, length=20, regions=regions)
    assert layout == "bigwig"
    np.testing.assert_allclose(X[0], track[:20], rtol=1e-6)
    np.testing.assert_allclose(X[1], track[100:120], rtol=1e-6)
    np.testing.assert_allclose(X[2], np.r_[track[240:250], np.zeros(10)], rtol=1e-6)
    with pytest.raises(BadInputError, match="over the store's regions"):
        attributions_for_examples(tmp_path / "x.bw", n=3, length=20, regions=lambda: None)


def test_plain_npz_any_key_and_crop(tmp_path, arrays):
    _, _, expected = arrays
    off = L // 2 - E // 2
    full = np.zeros((N, L))
    full[:, off : off + E] = expected
    np.savez(tmp_path / "a.npz", my_scores=full)
    X, layout = _load(tmp_path / "a.npz")
    assert layout == "npz"
    np.testing.assert_array_equal(X, expected)


def test_shape_and_count_errors(tmp_path, arrays):
    raw, hyp, _ = arrays
    path = tmp_path / "x.h5"
    write_chrombpnet_h5(path, raw, hyp)
    with pytest.raises(BadInputError, match="the file has 5 rows but the store has 7 examples"):
        attributions_for_examples(path, n=7, length=E)
    with pytest.raises(BadInputError, match="length 60 but the examples have 61 bases"):
        attributions_for_examples(path, n=N, length=61)
    import h5py

    with h5py.File(tmp_path / "bad.h5", "w") as f:
        f.create_dataset("raw/seq", data=raw)
        f.create_dataset("shap/seq", data=hyp[:, :3])
    with pytest.raises(BadInputError, match=r"shap/seq must be \(N, 4, L\)"):
        read_attribution_file(tmp_path / "bad.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.create_dataset("something", data=raw)
    with pytest.raises(BadInputError, match="unknown HDF5 attribution layout .*something"):
        read_attribution_file(tmp_path / "other.h5")
    assert centre_crop(np.arange(10), 4, "x").tolist() == [3, 4, 5, 6]


def test_blosc_without_plugin_is_one_line_error(tmp_path, arrays):
    raw, hyp, _ = arrays
    path = tmp_path / "x.h5"
    write_chrombpnet_h5(path, raw, hyp)
    code = (
        "import sys; sys.modules['hdf5plugin'] = None\n"
        "from annostore.io.attribution_files import attributions_for_examples\n"
        "from annostore.errors import BadInputError\n"
        f"try:\n    attributions_for_examples({str(path)!r}, n={N}, length={E})\n"
        "except BadInputError as e:\n    print('ERR', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={
        "PYTHONPATH": ":".join(sys.path), "HDF5_PLUGIN_PATH": str(tmp_path / "none")})
    assert out.stdout.startswith("ERR ") and "hdf5plugin" in out.stdout, out.stdout + out.stderr
    assert out.stdout.count("\n") == 1


def test_load_attributions_reads_layout_files(tmp_path, arrays):
    import annostore

    raw, hyp, _ = arrays
    path = tmp_path / "x.profile_scores.h5"
    write_chrombpnet_h5(path, raw, hyp, projected=False)
    X = annostore.load_attributions(path)
    np.testing.assert_array_equal(X, (hyp.astype(np.float64) * raw).sum(axis=1))
