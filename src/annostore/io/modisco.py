"""modisco-lite ``modisco_results.h5``: patterns (motifs), their seqlets and the seqlet labels.

Layout (modisco-lite ``io.save_hdf5``): root attribute ``window_size`` (written by modisco-lite
2.x and later; older files lack it, then the caller passes ``window``, default modisco's 400);
groups ``pos_patterns`` and ``neg_patterns``, each with ``pattern_<i>`` groups holding
``sequence``, ``contrib_scores`` and ``hypothetical_contribs`` (``(w, 4)``, columns A, C, G, T)
and ``seqlets/`` with ``n_seqlets``, ``start``, ``end``, ``example_idx``, ``is_revcomp`` (plus
per-seqlet ``sequence``/``contrib_scores``/``hypothetical_contribs`` ``(n, w, 4)``).  A pattern
may hold ``subpattern_<k>`` groups of the same layout.

Coordinates: seqlet ``start``/``end`` are 0-based half-open positions in the centred crop of
width ``window_size`` that modisco took from the attribution arrays (offset ``L // 2 - W // 2``).
In an example of length ``E`` centred the same way, position ``p`` is ``p + E // 2 - W // 2``.

Names: a pattern is ``pos_patterns.pattern_0`` (the names Fi-NeMo gives its hits); a
sub-pattern ``pos_patterns.pattern_0.subpattern_1``.  The motif's PFM is ``sequence``
transposed to ``(4, w)`` and renormalised (columns of a modisco PFM sum to 1 up to rounding);
the CWM is ``contrib_scores`` transposed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pyarrow as pa

from ..errors import BadInputError
from .files import existing

__all__ = ["ModiscoPattern", "ModiscoResults", "read_modisco", "DEFAULT_WINDOW"]

#: modisco-lite's default --window
DEFAULT_WINDOW = 400

_PATTERN = re.compile(r"^pattern_(\d+)$")
_SUBPATTERN = re.compile(r"^subpattern_(\d+)$")


@dataclass
class ModiscoPattern:
    """One pattern: name, sign, matrices ``(4, w)`` and its seqlets (window coordinates)."""

    name: str
    sign: int
    pfm: np.ndarray
    cwm: np.ndarray
    hcwm: np.ndarray
    example_idx: np.ndarray
    start: np.ndarray
    end: np.ndarray
    is_revcomp: np.ndarray
    contrib_sum: Optional[np.ndarray] = None
    subpatterns: list = field(default_factory=list)

    @property
    def n_seqlets(self) -> int:
        return int(len(self.start))


@dataclass
class ModiscoResults:
    path: str
    window_size: int
    window_from_file: bool
    patterns: list

    def all_patterns(self) -> list:
        """Patterns then their sub-patterns, depth first."""
        out: list = []

        def walk(ps: list) -> None:
            for p in ps:
                out.append(p)
                walk(p.subpatterns)

        walk(self.patterns)
        return out

    def seqlets(self, example_length: int, n_examples: Optional[int] = None) -> pa.Table:
        """The top-level patterns' seqlets in example coordinates, with their pattern name.

        Columns ``seqlet_id, example_idx, start, end, attribution, sign, strand, pattern``.
        """
        off = int(example_length) // 2 - self.window_size // 2
        parts = [p for p in self.patterns if p.n_seqlets]
        if not parts:
            return pa.table({"seqlet_id": pa.array([], pa.int64()), "example_idx": pa.array([], pa.int64()),
                             "start": pa.array([], pa.int64()), "end": pa.array([], pa.int64()),
                             "attribution": pa.array([], pa.float64()), "sign": pa.array([], pa.int8()),
                             "strand": pa.array([], pa.string()), "pattern": pa.array([], pa.string())})
        ex = np.concatenate([p.example_idx for p in parts]).astype(np.int64)
        st = np.concatenate([p.start for p in parts]).astype(np.int64) + off
        en = np.concatenate([p.end for p in parts]).astype(np.int64) + off
        bad = (st < 0) | (en > example_length) | (en <= st) | (ex < 0)
        if n_examples is not None:
            bad |= ex >= n_examples
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise BadInputError(
                f"{self.path}: seqlet {i} (example {ex[i]}, [{st[i] - off}, {en[i] - off}) in the {self.window_size}-bp "
                f"window) falls outside the store's examples ({n_examples if n_examples is not None else '?'} of "
                f"{example_length} bp); wrong --window or store?"
            )
        # the seqlets' attribution when every pattern records it; otherwise the column is left out
        # (stored as NULL: not measured), never NaN
        have_attr = all(p.contrib_sum is not None for p in parts)
        attr = np.concatenate([p.contrib_sum for p in parts]) if have_attr else None
        sign = np.concatenate([np.full(p.n_seqlets, p.sign, dtype=np.int8) for p in parts])
        strand = np.concatenate([np.where(p.is_revcomp, "-", "+") for p in parts])
        names = np.concatenate([np.full(p.n_seqlets, p.name, dtype=object) for p in parts])
        columns = {
            "seqlet_id": pa.array(np.arange(len(ex), dtype=np.int64)),
            "example_idx": pa.array(ex),
            "start": pa.array(st),
            "end": pa.array(en),
            "attribution": None if attr is None else pa.array(attr.astype(np.float64)),
            "sign": pa.array(sign),
            "strand": pa.array(strand.tolist(), pa.string()),
            "pattern": pa.array(names.tolist(), pa.string()),
        }
        return pa.table({k: v for k, v in columns.items() if v is not None})


def _read(group: Any, key: str, path: Path, where: str) -> np.ndarray:
    if key not in group:
        raise BadInputError(f"{path}: {where} has no {key!r}")
    try:
        return np.asarray(group[key][()])
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read {where}/{key}: {str(exc).splitlines()[0]}") from None


def _matrix(group: Any, key: str, path: Path, where: str) -> np.ndarray:
    arr = _read(group, key, path, where)
    if arr.ndim != 2 or arr.shape[1] != 4 or arr.shape[0] == 0:
        raise BadInputError(f"{path}: {where}/{key} must be (w, 4), got shape {tuple(arr.shape)}")
    if not np.isfinite(arr).all():
        raise BadInputError(f"{path}: {where}/{key} holds NaN/inf")
    return np.ascontiguousarray(arr.T.astype(np.float64))


def _pattern(group: Any, name: str, sign: int, path: Path) -> ModiscoPattern:
    seq = _matrix(group, "sequence", path, name)
    sums = seq.sum(axis=0)
    if (seq < -1e-9).any() or (np.abs(sums - 1.0) > 0.1).any():
        raise BadInputError(f"{path}: {name}/sequence is not a letter-probability matrix (columns must sum to 1)")
    pfm = np.clip(seq, 0.0, None) / sums
    cwm = _matrix(group, "contrib_scores", path, name)
    hcwm = _matrix(group, "hypothetical_contribs", path, name) if "hypothetical_contribs" in group else cwm
    if cwm.shape != pfm.shape:
        raise BadInputError(f"{path}: {name}/contrib_scores is {cwm.shape[::-1]} but sequence is {pfm.shape[::-1]}")
    empty = np.zeros(0, dtype=np.int64)
    ex, st, en, rc, contrib_sum = empty, empty, empty, np.zeros(0, dtype=bool), None
    if "seqlets" in group:
        sg = group["seqlets"]
        where = f"{name}/seqlets"
        if "start" in sg:
            st = _read(sg, "start", path, where).astype(np.int64).reshape(-1)
            en = _read(sg, "end", path, where).astype(np.int64).reshape(-1)
            ex = _read(sg, "example_idx", path, where).astype(np.int64).reshape(-1)
            rc = (_read(sg, "is_revcomp", path, where).astype(bool).reshape(-1)
                  if "is_revcomp" in sg else np.zeros(len(st), dtype=bool))
            if not (len(st) == len(en) == len(ex) == len(rc)):
                raise BadInputError(f"{path}: {where}: start/end/example_idx/is_revcomp lengths differ "
                                    f"({len(st)}, {len(en)}, {len(ex)}, {len(rc)})")
            if "n_seqlets" in sg:
                n_declared = int(np.asarray(sg["n_seqlets"][()]).reshape(-1)[0])
                if n_declared != len(st):
                    raise BadInputError(f"{path}: {where}: n_seqlets is {n_declared} but there are {len(st)} starts")
            if "contrib_scores" in sg:
                cs = _read(sg, "contrib_scores", path, where)
                if cs.ndim == 3 and cs.shape[0] == len(st):
                    contrib_sum = cs.astype(np.float64).sum(axis=(1, 2))
    subs = []
    for key in sorted((k for k in group.keys() if _SUBPATTERN.match(k)), key=lambda k: int(_SUBPATTERN.match(k)[1])):
        subs.append(_pattern(group[key], f"{name}.{key}", sign, path))
    return ModiscoPattern(name, sign, pfm, cwm, hcwm, ex, st, en, rc, contrib_sum, subs)


def read_modisco(path: str | os.PathLike, window: Optional[int] = None) -> ModiscoResults:
    """Read a modisco-lite results file.

    Parameters
    ----------
    path : path
        ``modisco_results.h5``.
    window : int, optional
        The window modisco used; must agree with the file's ``window_size`` when it has one.
        Default: the file's, else :data:`DEFAULT_WINDOW`.
    """
    from .attribution_files import _h5py

    path = existing(path)
    h5py = _h5py()
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise BadInputError(f"{path}: not a readable HDF5 file: {exc}") from None
    with f:
        groups = [g for g in ("pos_patterns", "neg_patterns") if g in f]
        if not groups:
            keys = ", ".join(sorted(f.keys())[:8]) or "nothing"
            if "metacluster_idx_to_submetacluster_results" in f:
                raise BadInputError(f"{path}: an old TF-MoDISco file; convert it first (modisco convert)")
            raise BadInputError(f"{path}: no pos_patterns/neg_patterns groups (top level has {keys})")
        stored = f.attrs.get("window_size")
        from_file = stored is not None
        if from_file:
            stored = int(np.asarray(stored).reshape(-1)[0])
            if window is not None and int(window) != stored:
                raise BadInputError(f"{path}: --window {window} but the file records window_size {stored}")
            size = stored
        else:
            size = int(window) if window is not None else DEFAULT_WINDOW
        if size <= 0:
            raise BadInputError(f"{path}: window size must be positive, got {size}")
        patterns = []
        for g in groups:
            sign = 1 if g == "pos_patterns" else -1
            keys = sorted((k for k in f[g].keys() if _PATTERN.match(k)), key=lambda k: int(_PATTERN.match(k)[1]))
            for key in keys:
                patterns.append(_pattern(f[g][key], f"{g}.{key}", sign, path))
    if not patterns:
        raise BadInputError(f"{path}: the file holds no patterns")
    return ModiscoResults(str(path), size, from_file, patterns)
