"""The one conversion of array-like input to numpy: torch tensors (any device, with or without
grad), Arrow arrays and chunked arrays, pandas objects, lists and numpy arrays.  torch is never
imported here: a tensor is recognised by its type's module."""

from __future__ import annotations

import sys
from typing import Any, Optional

import numpy as np


def is_tensor(obj: Any) -> bool:
    """True for a torch tensor (without importing torch)."""
    return type(obj).__module__.split(".")[0] == "torch" and hasattr(obj, "detach")


def loaded_pandas() -> Any:
    """The pandas module if this process has imported it, else None: no pandas object exists
    before pandas is imported, so a type check needs no import (1.5-2 s in a fresh process)."""
    return sys.modules.get("pandas")


def as_numpy(obj: Any, dtype: Optional[Any] = None, *, contiguous: bool = False) -> np.ndarray:
    """``obj`` as a numpy array (no copy when it already is one of ``dtype``)."""
    if is_tensor(obj):
        obj = obj.detach().cpu().numpy()
    elif hasattr(obj, "to_numpy") and type(obj).__module__.split(".")[0] in ("pyarrow", "pandas"):
        if hasattr(obj, "combine_chunks"):  # pyarrow.ChunkedArray
            obj = obj.combine_chunks()
        try:
            obj = obj.to_numpy(zero_copy_only=False)  # pyarrow
        except TypeError:
            obj = obj.to_numpy()  # pandas
    arr = np.asarray(obj, dtype=dtype)
    return np.ascontiguousarray(arr) if contiguous else arr


# ---- numpy -> Arrow without pandas ---------------------------------------------------------------
# ``pyarrow.array`` checks every input against pandas types, which imports pandas (0.3-1 s in a
# fresh process) even when no pandas object is in sight.  Building the arrays from their buffers
# gives the same arrays without that import.

_ARROW_NUMERIC = {"int8": np.int8, "int32": np.int32, "int64": np.int64, "double": np.float64}


def _validity(mask: Optional[np.ndarray], n: int):
    import pyarrow as pa

    if mask is None:
        return None, 0
    mask = np.asarray(mask, dtype=bool)
    nulls = int(mask.sum())
    if nulls == 0:
        return None, 0
    return pa.py_buffer(np.packbits(~mask, bitorder="little")), nulls


def arrow_numeric(values: np.ndarray, type: Any, mask: Optional[np.ndarray] = None) -> Any:
    """``pyarrow.array(values, type, mask=mask)`` for int8/int32/int64/float64, without pandas."""
    import pyarrow as pa

    a = np.ascontiguousarray(values, dtype=_ARROW_NUMERIC[str(type)])
    validity, nulls = _validity(mask, a.shape[0])
    return pa.Array.from_buffers(type, a.shape[0], [validity, pa.py_buffer(a)], null_count=nulls)


def arrow_strings(values: Any) -> Any:
    """``pyarrow.array(values, pa.string())`` of a list of str or None, without pandas."""
    import pyarrow as pa

    enc = [None if v is None else str(v).encode("utf-8") for v in values]
    n = len(enc)
    lengths = np.fromiter((0 if e is None else len(e) for e in enc), dtype=np.int64, count=n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    validity, nulls = _validity(np.fromiter((e is None for e in enc), dtype=bool, count=n), n)
    data = pa.py_buffer(b"".join(e for e in enc if e is not None))
    return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(offsets), data], null_count=nulls)


def arrow_take(dictionary: Any, idx: np.ndarray) -> Any:
    """``dictionary.take(idx)`` for a string array without nulls (motif and sequence names),
    gathered by a numba kernel straight into Arrow's buffers; pyarrow's ``take`` otherwise."""
    import pyarrow as pa

    from annostore.core.fimo_rows_kernels import _take_strings

    idx = np.ascontiguousarray(idx, dtype=np.int64)
    if dictionary.type == pa.string() and dictionary.null_count == 0:
        bufs = dictionary.buffers()
        off = np.frombuffer(bufs[1], dtype=np.int32)[dictionary.offset : dictionary.offset + len(dictionary) + 1]
        data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
        ok, out_off, out = _take_strings(off, data, idx)
        if ok:
            return pa.Array.from_buffers(pa.string(), idx.shape[0], [None, pa.py_buffer(out_off), pa.py_buffer(out)])
    return dictionary.take(pa.Array.from_buffers(pa.int64(), idx.shape[0], [None, pa.py_buffer(idx)]))
