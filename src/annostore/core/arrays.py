"""The one conversion of array-like input to numpy: torch tensors (any device, with or without
grad), Arrow arrays and chunked arrays, pandas objects, lists and numpy arrays.  torch is never
imported here: a tensor is recognised by its type's module."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np


def is_tensor(obj: Any) -> bool:
    """True for a torch tensor (without importing torch)."""
    return type(obj).__module__.split(".")[0] == "torch" and hasattr(obj, "detach")


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
