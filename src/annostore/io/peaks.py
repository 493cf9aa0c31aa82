"""Peak files (ENCODE narrowPeak, BED3+) and the fixed-width windows centred on them.

narrowPeak is BED6+4, tab-separated, 0-based half-open: ``chrom start end name score strand
signalValue pValue qValue peak``; ``peak`` (column 10) is the summit's 0-based offset from
``start`` (``-1``: no summit).  Any BED with at least 3 columns is read the same way, without
summits.  ``track``/``browser``/``#`` lines and a header line are skipped; a ``.gz`` file is
read through gzip.

Windows: the centre of a peak is ``start + summit`` (``(start + end) // 2`` without one), and a
window of width ``W`` is ``[centre - W // 2, centre - W // 2 + W)`` -- for even ``W`` exactly
ChromBPNet's ``[centre - W/2, centre + W/2)``.  Windows that run off a chromosome are dropped
(ChromBPNet drops them before interpreting, so its score files have one row per kept window),
or kept with ``N`` padding when asked.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

import numpy as np
import pyarrow as pa

from ..errors import BadInputError, located
from .files import existing, read_text

__all__ = ["read_peaks", "peak_windows", "PEAK_COLUMNS"]

#: columns of :func:`read_peaks`
PEAK_COLUMNS = ("peak_idx", "chrom", "start", "end", "name", "strand", "summit")


def read_peaks(path: str | os.PathLike) -> pa.Table:
    """Read a narrowPeak or BED3+ file.

    Returns
    -------
    pyarrow.Table
        ``peak_idx`` (0-based line order of the peaks), ``chrom``, ``start``, ``end``, ``name``
        (null for ``.``), ``strand`` (null when absent), ``summit`` (offset from ``start``; -1 none).
    """
    path = existing(path)
    text = read_text(path, "a BED/narrowPeak file")
    chrom: list[str] = []
    start: list[int] = []
    end: list[int] = []
    name: list[Optional[str]] = []
    strand: list[Optional[str]] = []
    summit: list[int] = []
    seen_data = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.rstrip("\r").split("\t")
        if len(fields) < 3:
            fields = line.split()
        if len(fields) < 3:
            raise BadInputError(located(f"a BED line needs at least 3 fields, found {len(fields)}", path, lineno))
        try:
            s, e = int(fields[1]), int(fields[2])
        except ValueError:
            if not seen_data and not fields[1].lstrip("-").isdigit():
                continue  # a header line
            raise BadInputError(located(f"start/end must be integers: {fields[1]!r}, {fields[2]!r}", path, lineno)) from None
        seen_data = True
        if s < 0:
            raise BadInputError(located(f"negative start {s}", path, lineno))
        if e <= s:
            raise BadInputError(located(f"end {e} is not after start {s}", path, lineno))
        st = fields[5].strip() if len(fields) > 5 else None
        if st is not None and st not in ("+", "-", "."):
            raise BadInputError(located(f"unknown strand {st!r} (expected +, - or .)", path, lineno))
        pk = -1
        if len(fields) >= 10:
            try:
                pk = int(fields[9])
            except ValueError:
                raise BadInputError(located(f"narrowPeak column 10 (summit offset) must be an integer: {fields[9]!r}",
                                            path, lineno)) from None
            if pk < -1 or (pk >= 0 and s + pk >= e):
                raise BadInputError(located(f"summit offset {pk} is outside the peak [{s}, {e})", path, lineno))
        chrom.append(fields[0])
        start.append(s)
        end.append(e)
        name.append(fields[3] if len(fields) > 3 and fields[3] not in ("", ".") else None)
        strand.append(st)
        summit.append(pk)
    if not chrom:
        raise BadInputError(f"{path}: no peaks found")
    n = len(chrom)
    return pa.table(
        {
            "peak_idx": pa.array(np.arange(n, dtype=np.int64)),
            "chrom": pa.array(chrom, pa.string()),
            "start": pa.array(start, pa.int64()),
            "end": pa.array(end, pa.int64()),
            "name": pa.array(name, pa.string()),
            "strand": pa.array(strand, pa.string()),
            "summit": pa.array(summit, pa.int64()),
        }
    )


def peak_windows(
    peaks: pa.Table,
    width: Optional[int],
    chrom_sizes: Optional[Mapping[str, int]] = None,
    *,
    pad: bool = False,
    where: Any = None,
) -> tuple[pa.Table, int]:
    """Windows of ``width`` bases centred at the summits (midpoints without one).

    Parameters
    ----------
    peaks : pyarrow.Table
        From :func:`read_peaks`.
    width : int or None
        Window width; ``None`` keeps the peaks' own intervals.
    chrom_sizes : mapping, optional
        Chromosome lengths; windows that run off a chromosome are dropped unless ``pad``.
        A chromosome missing from it is an error.
    pad : bool
        Keep windows that run off a chromosome (their sequence is then padded with ``N``).

    Returns
    -------
    (pyarrow.Table, int)
        The kept windows (``chrom, start, end, name, strand, peak_idx, peak_start, peak_end,
        summit``; ``start`` may be negative only with ``pad``) and how many were dropped.
    """
    chrom = peaks["chrom"].to_pylist()
    pstart = peaks["start"].to_numpy().astype(np.int64)
    pend = peaks["end"].to_numpy().astype(np.int64)
    summit = peaks["summit"].to_numpy().astype(np.int64)
    if width is None:
        wstart, wend = pstart.copy(), pend.copy()
    else:
        width = int(width)
        if width <= 0:
            raise BadInputError(f"--width must be positive, got {width}")
        centre = np.where(summit >= 0, pstart + summit, (pstart + pend) // 2)
        wstart = centre - width // 2
        wend = wstart + width
    keep = np.ones(len(chrom), dtype=bool)
    if chrom_sizes is not None:
        sizes = np.empty(len(chrom), dtype=np.int64)
        for i, c in enumerate(chrom):
            size = chrom_sizes.get(c)
            if size is None:
                known = ", ".join(list(chrom_sizes)[:5])
                raise BadInputError(located(f"peak {i} is on {c!r}, which is not in the genome (it has {known}, ...)",
                                            where))
            sizes[i] = size
        inside = (wstart >= 0) & (wend <= sizes)
        if not pad:
            keep = inside
    else:
        keep = wstart >= 0 if not pad else keep
    idx = np.flatnonzero(keep)
    take = pa.array(idx)
    out = pa.table(
        {
            "chrom": peaks["chrom"].take(take),
            "start": pa.array(wstart[idx]),
            "end": pa.array(wend[idx]),
            "name": peaks["name"].take(take),
            "strand": peaks["strand"].take(take),
            "peak_idx": peaks["peak_idx"].take(take),
            "peak_start": pa.array(pstart[idx]),
            "peak_end": pa.array(pend[idx]),
            "summit": pa.array(summit[idx]),
        }
    )
    return out, int(len(chrom) - len(idx))


def window_sequences(genome: Any, windows: pa.Table, *, pad: bool = False) -> list[str]:
    """The genome's bases of each window (upper case; ``N`` off the chromosome ends with ``pad``)."""
    chrom = windows["chrom"].to_pylist()
    start = windows["start"].to_pylist()
    end = windows["end"].to_pylist()
    return [genome.fetch(c, s, e, pad=pad).decode("ascii", errors="replace") for c, s, e in zip(chrom, start, end)]
