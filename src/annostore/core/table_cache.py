"""In-process cache of compiled, deterministic motif tables (FIMO and seqlet annotation).

Building MEME's tables for a motif set is the fixed cost of every :func:`annostore.fimo` and
:func:`annostore.annotate_seqlets` call: integer PSSMs, the exact p-value table of every motif
(a dynamic programme over ``w * 1000`` scores), the scan's filter bitmaps, TOMTOM's target
columns and score rows, and the TOMTOM null distributions of seqlet span compositions (a pool
that grows across calls: :mod:`annostore.core.annotate_nulls`).  They depend only on their inputs, so they are built once per process
and reused, keyed by a digest of everything they are computed from (the motifs' probabilities,
widths and site counts, the background, the pseudocount and, for threshold-dependent tables,
the threshold and strand mode).  A changed motif, even one probability, gives a new key.

The cache is a least-recently-used map bounded in bytes (the numpy arrays an entry holds):
``ANNOSTORE_TABLE_CACHE_MB`` (default 512; ``0`` turns caching off) sets the bound.  JASPAR's
1,019 vertebrate motifs take about 100 MB of p-value tables and 32 MB of filter bitmaps.
Entries must be treated as read-only by their users.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

import numpy as np

__all__ = ["TableCache", "CACHE", "digest", "motifs_digest", "clear"]


def _budget_bytes() -> int:
    raw = os.environ.get("ANNOSTORE_TABLE_CACHE_MB", "512").strip()
    try:
        mb = float(raw)
    except ValueError:
        mb = 512.0
    return max(0, int(mb * (1 << 20)))


def _nbytes(value: Any, _depth: int = 0) -> int:
    """Bytes of the numpy arrays held by ``value`` (tuples, lists, dicts, dataclasses)."""
    if _depth > 4:
        return 0
    if hasattr(value, "cache_nbytes"):  # an entry that knows its bytes in use (a growing pool)
        return int(value.cache_nbytes())
    if isinstance(value, np.ndarray):
        return int(value.nbytes) if value.base is None else 0  # views of an owned array count once
    if isinstance(value, (tuple, list)):
        return sum(_nbytes(v, _depth + 1) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes(v, _depth + 1) for v in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_nbytes(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value))
    return 0


class TableCache:
    """A thread-safe LRU map from hashable keys to built tables, bounded in bytes.

    Parameters
    ----------
    max_bytes : int, optional
        Bound on the bytes of the cached arrays (default from ``ANNOSTORE_TABLE_CACHE_MB``);
        ``0`` disables caching (every lookup builds).
    """

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = _budget_bytes() if max_bytes is None else int(max_bytes)
        self._data: OrderedDict = OrderedDict()
        self._sizes: dict = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def nbytes(self) -> int:
        return sum(self._sizes.values())

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value cached under ``key``, built by ``build()`` (and cached) when missing."""
        if self.max_bytes <= 0:
            self.misses += 1
            return build()
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
        value = build()  # outside the lock: builds may run numba kernels for a while
        size = _nbytes(value)
        with self._lock:
            self.misses += 1
            if size > self.max_bytes:
                return value
            self._data[key] = value
            self._sizes[key] = size
            self._data.move_to_end(key)
            total = sum(self._sizes.values())
            while total > self.max_bytes and self._data:
                old, _ = self._data.popitem(last=False)
                total -= self._sizes.pop(old)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        """Cache ``value`` under ``key`` (replacing any entry there), within the bound."""
        if self.max_bytes <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            self._sizes[key] = 0
        self.resize(key)

    def resize(self, key: Hashable) -> None:
        """Re-count the bytes of the entry under ``key`` after its owner grew it in place, then
        evict least recently used entries down to the bound (the entry alone when it exceeds it)."""
        with self._lock:
            if key not in self._data:
                return
            size = _nbytes(self._data[key])
            if size > self.max_bytes:  # too big on its own: dropped, the other entries kept
                del self._data[key]
                del self._sizes[key]
                return
            self._sizes[key] = size
            total = sum(self._sizes.values())
            while total > self.max_bytes and self._data:
                old, _ = self._data.popitem(last=False)
                total -= self._sizes.pop(old)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._sizes.clear()
            self.hits = 0
            self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


#: The process-wide cache used by FIMO and seqlet annotation.
CACHE = TableCache()


def clear() -> None:
    """Drop every cached table (frees the memory; the next call rebuilds)."""
    CACHE.clear()


def digest(*parts: Any) -> bytes:
    """A 20-byte digest of numbers, strings, bytes and numpy arrays (dtype, shape and content)."""
    h = hashlib.blake2b(digest_size=20)
    for p in parts:
        if isinstance(p, np.ndarray):
            a = np.ascontiguousarray(p)
            h.update(f"a{a.dtype.str}{a.shape}".encode())
            h.update(a.view(np.uint8).reshape(-1) if a.size else b"")
        elif isinstance(p, (bytes, bytearray)):
            h.update(b"b%d:" % len(p))
            h.update(p)
        elif isinstance(p, str):
            e = p.encode("utf-8")
            h.update(b"s%d:" % len(e))
            h.update(e)
        elif p is None:
            h.update(b"n")
        else:
            h.update(("r" + repr(float(p) if isinstance(p, (int, float, np.number)) else p)).encode())
        h.update(b"|")
    return h.digest()


def motifs_digest(motifs: Any, with_names: bool = False) -> bytes:
    """Digest of what MEME's arithmetic reads from motifs: each ``(4, w)`` probability matrix
    (as float64) and ``nsites``, in order (plus the names when ``with_names``)."""
    h = hashlib.blake2b(digest_size=20)
    motifs = list(motifs)
    mats = []
    widths = []
    for m in motifs:
        a = m.pwm
        if not (isinstance(a, np.ndarray) and a.dtype == np.float64 and a.flags.c_contiguous):
            a = np.ascontiguousarray(a, dtype=np.float64)
        mats.append(a.reshape(-1))
        widths.append(a.shape[-1] if a.ndim else 0)
    if mats:  # one update of all the bytes: the same digest as one update per matrix, quicker
        h.update(np.concatenate(mats))
    h.update(np.array(widths, dtype=np.int64))
    h.update(np.array([np.nan if m.nsites is None else float(m.nsites) for m in motifs], dtype=np.float64))
    if with_names:
        h.update("\x00".join(str(m.name) for m in motifs).encode("utf-8"))
    return h.digest()
