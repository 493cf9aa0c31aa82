"""Loading attribution scores.

Attributions (for example DeepLIFT/SHAP scores from a model) come as numpy
arrays, torch tensors or ``.npy``/``.npz`` files, either *projected* ``(n, L)``
(one value per position) or per letter ``(n, 4, L)``.  Per-letter attributions
are projected by summing over the letter axis (``X.sum(axis=1)``), which is what
``tangermeme.seqlet.recursive_seqlets`` expects to be given.  Files written by model
tooling (ChromBPNet/bpnet ``.h5``, bpnet-lite ``.attr.npz``, Fi-NeMo regions ``.npz``) are
read by :mod:`annostore.io.attribution_files` and come back projected ``(n, L)``
(hypothetical scores times the file's one-hot).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from annostore.core.arrays import as_numpy, is_tensor
from annostore.io.files import existing
from annostore.errors import BadInputError, MissingInputError

__all__ = ["load_attributions", "read_attribution_array"]

# keys tried, in order, when an .npz file holds several arrays
_NPZ_KEYS = ("attributions", "attribution", "attr", "X_attr", "shap", "scores", "X", "arr_0")


def _read_file(path: Path, key: str | None) -> np.ndarray:
    existing(path)  # missing, a folder or unreadable: 66
    from annostore.io.attribution_files import is_layout_file

    if is_layout_file(path):  # ChromBPNet/bpnet h5, Fi-NeMo/bpnet-lite npz, bigWig: projected (n, L)
        from annostore.io.attribution_files import project, read_attribution_file

        data = read_attribution_file(path, key=key)
        if data is None:
            raise BadInputError(f"{path}: a bigWig is read over a store's regions (give it to a store command)")
        return project(data.values, data.one_hot, data.hypothetical, str(path))
    from annostore.io.npy import read_array

    return read_array(path, key=key, keys=_NPZ_KEYS, what="attributions")


def read_attribution_array(source: Any, *, key: str | None = None) -> np.ndarray:
    """Turn ``source`` into a numpy array without changing its values or dtype.

    Parameters
    ----------
    source : numpy.ndarray, torch.Tensor, str or os.PathLike
        An array, a tensor (detached and moved to the CPU) or a ``.npy``/``.npz`` path.
    key : str, optional
        Array name inside an ``.npz`` file holding several arrays.

    Returns
    -------
    numpy.ndarray
        The raw array (any rank, dtype as given).
    """
    if isinstance(source, (str, os.PathLike)):
        return _read_file(Path(source), key)
    if is_tensor(source):
        return as_numpy(source)
    if isinstance(source, np.ndarray):
        return source
    if isinstance(source, (list, tuple)):
        try:
            return np.asarray(source, dtype=np.float64)
        except (ValueError, TypeError) as exc:
            raise BadInputError(f"attributions: cannot make a rectangular array from the list: {exc}") from None
    raise BadInputError(
        f"attributions must be a numpy array, a torch tensor or a .npy/.npz path, not {type(source).__name__}"
    )


def _project(arr: np.ndarray, what: str) -> np.ndarray:
    if arr.dtype == np.bool_ or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise BadInputError(f"{what}: attributions must be numbers, got dtype {arr.dtype}")
    if arr.ndim == 3:
        if arr.shape[1] != 4:
            raise BadInputError(
                f"{what}: 3-D attributions must be (n, 4, L) with the letters A, C, G, T on axis 1; "
                f"got shape {tuple(arr.shape)}"
            )
        arr = arr.sum(axis=1)
    elif arr.ndim != 2:
        raise BadInputError(
            f"{what}: attributions must be projected (n, L) or per letter (n, 4, L); got shape {tuple(arr.shape)}"
        )
    if arr.size == 0:
        raise BadInputError(f"{what}: attributions are empty (shape {tuple(arr.shape)})")
    if np.issubdtype(arr.dtype, np.floating):
        # min/max propagate NaN and show +-inf: two cheap passes instead of a boolean array
        if np.isfinite(arr.min()) and np.isfinite(arr.max()):
            return arr
        finite = np.isfinite(arr)
        if not finite.all():
            bad = np.argwhere(~finite)
            i, j = (int(v) for v in bad[0])
            raise BadInputError(
                f"{what}: attributions hold {len(bad)} NaN/inf value(s); first at example {i}, position {j} "
                f"({arr[i, j]})"
            )
    return arr


def load_attributions(
    source: Any,
    *,
    n: int | None = None,
    lengths: Sequence[int] | np.ndarray | None = None,
    key: str | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Load attributions as a projected ``(n, L)`` array.

    Parameters
    ----------
    source : numpy.ndarray, torch.Tensor, str or os.PathLike
        ``(n, L)`` projected or ``(n, 4, L)`` per-letter attributions, as an array, a tensor or a
        ``.npy``/``.npz`` file.  Per-letter attributions are summed over axis 1.  An ``.npz`` with
        several arrays is read at ``key``, else at the first of ``attributions``, ``attribution``,
        ``attr``, ``X_attr``, ``shap``, ``scores``, ``X``, ``arr_0`` that it holds.
    n : int, optional
        Expected number of examples (rows).
    lengths : sequence of int, optional
        Lengths of the examples; ``L`` must equal the longest (shorter examples are padded).
    key : str, optional
        Array name inside an ``.npz`` file.
    dtype : numpy dtype or None, default float64
        Output dtype; ``None`` keeps a floating input dtype (float32 stays float32; integers become
        float64).

    Returns
    -------
    numpy.ndarray
        ``(n, L)`` array of the given dtype (C-contiguous).

    Raises
    ------
    BadInputError
        Wrong rank or shape, empty input, NaN/inf values, non-numeric dtype, or a mismatch with
        ``n``/``lengths``.
    MissingInputError
        The file does not exist.

    Examples
    --------
    >>> X = load_attributions("attr.npz")              # doctest: +SKIP
    >>> X = load_attributions(X_attr)                  # (n, 4, L) tensor -> (n, L) float64  # doctest: +SKIP
    """
    what = str(source) if isinstance(source, (str, os.PathLike)) else "attributions"
    arr = _project(read_attribution_array(source, key=key), what)
    if n is not None and arr.shape[0] != int(n):
        raise BadInputError(f"{what}: attributions have {arr.shape[0]} examples but {int(n)} were expected")
    if lengths is not None:
        lengths = np.asarray(lengths, dtype=np.int64)
        if n is None and len(lengths) != arr.shape[0]:
            raise BadInputError(
                f"{what}: attributions have {arr.shape[0]} examples but there are {len(lengths)} sequences"
            )
        if len(lengths) and arr.shape[1] != int(lengths.max()):
            raise BadInputError(
                f"{what}: attributions have length {arr.shape[1]} but the longest sequence has "
                f"{int(lengths.max())} bases"
            )
    if dtype is None:
        out_dtype = arr.dtype if np.issubdtype(arr.dtype, np.floating) else np.float64
    else:
        out_dtype = np.dtype(dtype)
    return np.ascontiguousarray(arr, dtype=out_dtype)
