"""TOMTOM's null score distributions for seqlet annotation, kept across calls.

A one-hot seqlet's span of ``n`` columns has the null distribution of a sum of ``n`` column
scores, one per column type (A, C, G, T or N) against a random target column: it depends only on
the span's *composition* (how many columns of each type), on the query's set of column types
(which fixes MEME's score scaling) and on the target tables.  Building these distributions
(a convolution per composition) dominated small annotation calls, and the compositions of one
call's spans mostly recur in the next.

:class:`NullPool` holds, for one target table set and distance, the pmf and survival function
of every composition built so far; each call adds only the compositions it lacks (each built
from its canonical parent exactly as a cold call builds it, so the numbers are identical) and
reads the rest.  The pool lives in the process-wide :data:`~annostore.core.table_cache.CACHE`
under a key derived from the targets' content key, its bytes accounted and bounded like every
other table.  Its value buffers are reserved at the cache's bound (untouched pages cost no
memory) so that growing never copies them; a call whose new entries do not fit starts a new
pool, and a call that alone needs more uses a pool of its own (what every call did before).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from annostore.core.tomtom_kernels import BINS


def _grown(a: np.ndarray, n_used: int, need: int) -> np.ndarray:
    """``a`` when it holds ``need`` items, else a larger copy (its first ``n_used`` items kept;
    half as much again as before, at least: the copies cost amortised O(1) per item).  The
    per-entry arrays only: a few words per distribution."""
    if a.shape[0] >= need:
        return a
    out = np.empty(max(need, a.shape[0] + a.shape[0] // 2), dtype=a.dtype)
    out[:n_used] = a[:n_used]
    return out


@dataclass(eq=False)
class NullPool:
    """pmf and survival of span compositions for one (targets, distance); grows, never changes.

    Entries are appended level by level into the reserved ``pmf`` and ``sv`` buffers; an entry's
    values are written once and never moved, so the arrays handed out by :meth:`lookup` stay valid
    while later calls add entries (the per-entry index arrays grow by copies, published last).
    """

    rows: np.ndarray  # (5, t) median-shifted type rows (read-only)
    u: float  # 1 / number of target columns
    capacity: int = 0  # values the pmf and sv buffers can hold (0: sized at the first add)
    hist: np.ndarray = field(default_factory=lambda: np.zeros((32, 5, BINS + 1)))
    have_hist: np.ndarray = field(default_factory=lambda: np.zeros(32, dtype=bool))
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # sorted span keys
    entry: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # entry of keys[i]
    n: int = 0  # entries
    parent: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    added: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sup_lo: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sup_hi: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    off: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))  # n + 1 used
    pmf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    sv: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.capacity:
            self.pmf = np.empty(self.capacity)  # reserved: pages are touched as entries are written
            self.sv = np.empty(self.capacity)

    def cache_nbytes(self) -> int:
        """Bytes in use (the reserved, untouched part of the buffers excluded)."""
        words = 2 * int(self.off[self.n]) + 7 * self.entry.shape[0] + self.hist.size
        return 8 * words + self.rows.nbytes

    def lookup(self, keys: np.ndarray, uk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """(entry of each key, entry offsets, survival values, changed) with every key's
        distribution built (``keys``: span keys, mask in bits 35-39; ``uk``: the sorted distinct
        keys); ``changed``: entries were added.  Raises :class:`_Full` when the new entries do not
        fit the reserved buffers."""
        from annostore.core.tomtom import _kernels

        kern = _kernels()
        with self.lock:
            missing = self._missing(uk)
            changed = missing.shape[0] > 0
            if changed:
                need = self._missing(np.unique(kern["key_chains"](missing)))  # and their parents
                self._add(need, kern)
            pos = np.searchsorted(self.keys, keys)
            return self.entry[pos], self.off, self.sv, changed

    def _missing(self, uk: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.keys, uk)
        known = pos < self.keys.shape[0]
        known[known] = self.keys[pos[known]] == uk[known]
        return uk[~known]

    def _add(self, new: np.ndarray, kern: dict) -> None:
        from annostore.core.parallel import small_work

        levels = kern["key_levels"](new)
        used = int(self.off[self.n])
        total = used + int((levels * BINS + 1).sum())
        if self.capacity == 0 and self.n == 0:  # a private pool: exactly what this call needs
            self.capacity = total
            self.pmf = np.empty(total)
            self.sv = np.empty(total)
        if total > self.capacity:
            raise _Full
        masks = (new >> 35) & 31
        todo = np.array([m for m in np.unique(masks) if not self.have_hist[m]], dtype=np.int64)
        if todo.shape[0]:
            _, _, h = kern["scale_subsets"](self.rows, todo)
            self.hist[todo] = h
            self.have_hist[todo] = True
        order = np.argsort(levels, kind="stable")
        new = new[order]
        levels = levels[order]
        n0, m = self.n, new.shape[0]
        n1 = n0 + m
        # the merged sorted key index, then each new key's parent entry (old or new)
        keys = np.concatenate([self.keys, new])
        entry = np.concatenate([self.entry, np.arange(n0, n1, dtype=np.int64)])
        srt = np.argsort(keys, kind="stable")
        keys, entry = keys[srt], entry[srt]
        parents = kern["parent_keys"](new)
        ppos = np.full(m, -1, dtype=np.int64)
        has = parents >= 0
        ppos[has] = entry[np.searchsorted(keys, parents[has])]
        for name in ("parent", "added", "mask", "sup_lo", "sup_hi"):
            setattr(self, name, _grown(getattr(self, name), n0, n1))
        self.off = _grown(self.off, n0 + 1, n1 + 1)
        self.parent[n0:n1] = ppos
        self.added[n0:n1] = kern["added_types"](new)
        self.mask[n0:n1] = masks[order]
        lens = levels * BINS + 1
        np.cumsum(lens, out=self.off[n0 + 1:n1 + 1])
        self.off[n0 + 1:n1 + 1] += self.off[n0]
        bounds = n0 + np.searchsorted(levels, np.arange(int(levels.max()) + 2))
        # convolutions: ~ parent support (level x BINS) x histogram support per key, vectorised (/4);
        # a few seqlets' worth (about 10 ms) stays on one thread (a fork/join per level costs more)
        hist_support = float((self.hist[self.have_hist] > 0).sum(axis=-1).max())
        with small_work(float(levels.sum()) * BINS * hist_support / 4):
            kern["build_pmfs"](bounds, self.parent, self.added, self.mask, self.hist, self.u, self.off,
                               self.pmf, self.sv, self.sup_lo, self.sup_hi)
        self.keys, self.entry, self.n = keys, entry, n1  # published last: lookups see whole entries


class _Full(Exception):
    """The pool's reserved buffers cannot take a call's new entries (raised before any change)."""


def survival_of(keys: np.ndarray, rows: np.ndarray, u: float, key) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(entry of each span key, entry offsets, survival values) for one call: from the pool cached
    under ``key`` (which builds what it lacks), a new pool when the cached one is full, or a pool
    of the call's own (not kept) when ``key`` is None, caching is off or the call alone is too big."""
    uk = np.unique(keys)
    if key is None:
        return NullPool(rows, u).lookup(keys, uk)[:3]
    from annostore.core.table_cache import CACHE, digest

    ckey = digest("annotate-nulls", key)
    # 16 bytes a value (pmf, sv), room for the index arrays; at most 2 GiB reserved a buffer
    capacity = min(CACHE.max_bytes // 18, 1 << 28)
    try:
        if capacity == 0:
            raise _Full
        pool = CACHE.get(ckey, lambda: NullPool(rows, u, capacity))
        try:
            pos, off, sv, changed = pool.lookup(keys, uk)
        except _Full:
            pool = NullPool(rows, u, capacity)  # starts over with this call's distributions
            pos, off, sv, changed = pool.lookup(keys, uk)
            CACHE.put(ckey, pool)
    except (_Full, MemoryError):  # this call alone needs more (or no room to reserve): its own pool
        return NullPool(rows, u).lookup(keys, uk)[:3]
    if changed:
        CACHE.resize(ckey)
    return pos, off, sv
