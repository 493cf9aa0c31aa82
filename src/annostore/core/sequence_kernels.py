"""numba kernel of one-hot input: letter codes and the one-hot check in one pass, sequences in
parallel (the wrapper is :func:`annostore.core.sequences.from_one_hot`)."""

from __future__ import annotations

import numba
import numpy as np

#: dtypes the kernel takes (others, e.g. float16, are converted first)
KERNEL_DTYPES = ("bool", "int8", "uint8", "int16", "int32", "int64", "float32", "float64")


@numba.njit(cache=True, nogil=True, parallel=True)
def _one_hot_codes(arr, n_code):
    """``(codes, ok)`` of an ``(n, 4, L)`` array: code ``a`` where row ``a`` holds the column's
    1, ``n_code`` where the column is all zero; ``ok`` is false when a value is not 0 or 1 or a
    column holds more than one 1 (the codes are then meaningless)."""
    n = arr.shape[0]
    length = arr.shape[2]
    codes = np.empty(n * length, dtype=np.uint8)
    bad = np.zeros(n, dtype=np.bool_)
    for i in numba.prange(n):
        b = False
        for j in range(length):
            v0 = arr[i, 0, j]
            v1 = arr[i, 1, j]
            v2 = arr[i, 2, j]
            v3 = arr[i, 3, j]
            b |= not ((v0 == 0 or v0 == 1) and (v1 == 0 or v1 == 1) and (v2 == 0 or v2 == 1) and (v3 == 0 or v3 == 1))
            s = np.int32(v0 != 0) + np.int32(v1 != 0) + np.int32(v2 != 0) + np.int32(v3 != 0)
            b |= s > 1
            c = np.uint8(n_code)
            if v0 != 0:
                c = np.uint8(0)
            elif v1 != 0:
                c = np.uint8(1)
            elif v2 != 0:
                c = np.uint8(2)
            elif v3 != 0:
                c = np.uint8(3)
            codes[i * length + j] = c
        bad[i] = b
    return codes, not bad.any()
