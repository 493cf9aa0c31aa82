import numpy as np
import pytest

from annostore.errors import BadInputError, MissingInputError
from annostore.io.attributions import load_attributions


def _rng(seed=0):
    return np.random.default_rng(seed)


def test_projected_passthrough_float64():
    X = _rng().normal(size=(3, 50))
    out = load_attributions(X)
    assert out.dtype == np.float64 and out.shape == (3, 50)
    np.testing.assert_array_equal(out, X)


def test_per_letter_is_summed():
    X = _rng(1).normal(size=(2, 4, 30)).astype(np.float32)
    out = load_attributions(X)
    assert out.shape == (2, 30) and out.dtype == np.float64
    np.testing.assert_array_equal(out, X.sum(axis=1).astype(np.float64))
    kept = load_attributions(X, dtype=None)
    assert kept.dtype == np.float32


def test_torch_and_files(tmp_path):
    import torch
    X = _rng(2).normal(size=(4, 4, 20)).astype(np.float32)
    np.testing.assert_array_equal(load_attributions(torch.from_numpy(X)), X.sum(axis=1))
    np.save(tmp_path / "a.npy", X)
    np.testing.assert_array_equal(load_attributions(tmp_path / "a.npy"), X.sum(axis=1))
    np.savez(tmp_path / "b.npz", X)
    np.testing.assert_array_equal(load_attributions(str(tmp_path / "b.npz")), X.sum(axis=1))
    np.savez(tmp_path / "c.npz", onehot=np.zeros((4, 4, 20)), attributions=X)
    np.testing.assert_array_equal(load_attributions(tmp_path / "c.npz"), X.sum(axis=1))
    np.testing.assert_array_equal(load_attributions(tmp_path / "c.npz", key="onehot"), np.zeros((4, 20)))
    np.savez(tmp_path / "d.npz", foo=X, bar=X)
    with pytest.raises(BadInputError, match="several arrays"):
        load_attributions(tmp_path / "d.npz")
    with pytest.raises(MissingInputError):
        load_attributions(tmp_path / "missing.npy")
    (tmp_path / "e.txt").write_text("1 2 3")
    with pytest.raises(BadInputError, match=".npy or .npz"):
        load_attributions(tmp_path / "e.txt")


@pytest.mark.parametrize(
    "bad, msg",
    [
        (np.zeros(10), "shape"),
        (np.zeros((2, 3, 10)), r"\(n, 4, L\)"),
        (np.zeros((1, 1, 4, 10)), "shape"),
        (np.zeros((0, 10)), "empty"),
        (np.zeros((3, 0)), "empty"),
        (np.array([[1.0, np.nan, 2.0]]), "NaN/inf.*example 0, position 1"),
        (np.array([[1.0, 2.0], [np.inf, 0.0]]), "example 1, position 0"),
        (np.array([["a", "b"]]), "numbers"),
        ("not a path.csv", "no such"),
    ],
)
def test_bad_input(bad, msg):
    with pytest.raises((BadInputError, MissingInputError), match=msg):
        load_attributions(bad)


def test_n_and_lengths():
    X = np.ones((3, 10))
    assert load_attributions(X, n=3, lengths=[10, 8, 10]).shape == (3, 10)
    with pytest.raises(BadInputError, match="3 examples but 4"):
        load_attributions(X, n=4)
    with pytest.raises(BadInputError, match="length 10 but the longest sequence has 12"):
        load_attributions(X, lengths=[12, 10, 10])
    with pytest.raises(BadInputError, match="2 sequences"):
        load_attributions(X, lengths=[10, 10])
    with pytest.raises(BadInputError):
        load_attributions({"x": 1})
