"""Attribution files written by model tooling, read into ``(n, L)`` projected scores.

Layouts (recognised by content, not by name; all arrays are rows = examples):

* **ChromBPNet** ``<prefix>.counts_scores.h5`` / ``.profile_scores.h5`` (deepdish, blosc
  compressed: h5py needs ``hdf5plugin``): ``raw/seq`` int8 ``(N, 4, L)`` one-hot ACGT,
  ``shap/seq`` float16 ``(N, 4, L)`` hypothetical, ``projected_shap/seq`` float16 ``(N, 4, L)`` =
  one-hot x hypothetical.  ``L`` is the model input (2,114), centred at ``start + summit``;
  row i is line i of ``<prefix>.interpreted_regions.bed``.
* **kundajelab/bpnet** ``counts_scores.h5``: ``hyp_scores`` ``(N, L, 4)`` hypothetical,
  ``input_seqs`` ``(N, L, 4)`` one-hot, ``coords_chrom``, ``coords_start``, ``coords_end``.
* **bpnet-lite** ``<prefix>.attr.npz`` (hypothetical) with ``<prefix>.ohe.npz`` (one-hot) beside
  it, key ``arr_0``, ``(N, 4, L)``.
* **Fi-NeMo** regions ``.npz``: ``sequences`` int8 ``(n, 4, w)``, ``contributions`` float16
  ``(n, 4, w)`` hypothetical or ``(n, w)`` projected; optional ``chr``, ``start`` (window start),
  ``peak_name``, ``peak_id``.
* **bigWig** of per-base (projected) scores: read over the store's regions (missing bases 0).
* Any other ``.npy``/``.npz``: ``(n, L)`` projected or ``(n, 4, L)`` contributions (summed over
  the letters), see :mod:`annostore.attributions`.

Hypothetical scores are projected with the one-hot: the file's own, else the store's
sequences.  Arrays longer than the examples are centre-cropped (offset ``L // 2 - E // 2``, as
modisco-lite and Fi-NeMo crop); shorter ones, and row counts other than the store's example
count, are errors.  When both the file and the store know the windows' genomic coordinates,
the cropped windows must land on the store's regions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from ..errors import BadInputError
from .files import existing

__all__ = [
    "AttributionData",
    "read_attribution_file",
    "project",
    "centre_crop",
    "bigwig_values",
    "attributions_for_examples",
    "is_layout_file",
]

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_BIGWIG_MAGIC = (0x888FFC26).to_bytes(4, "little")


@dataclass
class AttributionData:
    """What an attribution file holds.

    values : ``(n, 4, L)`` per letter or ``(n, L)`` projected
    hypothetical : per-letter values are hypothetical (project with the one-hot, do not sum)
    one_hot : ``(n, 4, L)`` one-hot from the file, or None
    chrom, start : genomic window of each row (start of the L-wide window), when the file has them
    """

    values: np.ndarray
    hypothetical: bool
    layout: str
    source: str
    one_hot: Optional[np.ndarray] = None
    chrom: Optional[list] = None
    start: Optional[np.ndarray] = None
    full_length: Optional[int] = None  # the rows' width in the file, when read already centre-cropped
    notes: list = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.values.shape[0])

    @property
    def length(self) -> int:
        return int(self.values.shape[-1])


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(8)


def is_layout_file(path: Any) -> bool:
    """True for files only this module reads (HDF5, bigWig, Fi-NeMo/bpnet-lite npz)."""
    if not isinstance(path, (str, os.PathLike)):
        return False
    p = Path(path)
    if not p.is_file():
        return False
    head = _head(p)
    if head.startswith(_HDF5_MAGIC) or head[:4] == _BIGWIG_MAGIC:
        return True
    if p.suffix.lower() == ".npz":
        keys = _npz_keys(p)
        return keys is not None and ({"sequences", "contributions"} <= set(keys) or p.name.endswith(".attr.npz"))
    return False


# ---------------------------------------------------------------------------------------------
# HDF5


def _h5py():
    try:
        import h5py
    except ImportError:  # pragma: no cover - a runtime dependency
        raise BadInputError("reading .h5 attribution files needs h5py (pip install h5py hdf5plugin)") from None
    try:
        import hdf5plugin  # noqa: F401 - registers blosc (deepdish's default compression)
    except ImportError:
        pass
    return h5py


def _dataset(f: Any, key: str, path: Path, crop: Optional[int] = None, axis: int = 2) -> np.ndarray:
    """Read a dataset; with ``crop``, only the central ``crop`` positions of ``axis`` (less memory)."""
    try:
        ds = f[key]
        if crop is not None and ds.ndim == 3 and ds.shape[axis] > crop:
            off = ds.shape[axis] // 2 - crop // 2
            index = [slice(None)] * 3
            index[axis] = slice(off, off + crop)
            return np.asarray(ds[tuple(index)])
        return np.asarray(ds[()])
    except OSError as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "filter" in text.lower() or "plugin" in text.lower():
            raise BadInputError(
                f"{path}: dataset {key} uses an HDF5 compression filter h5py cannot read here (deepdish writes "
                f"blosc; install hdf5plugin): {text}"
            ) from None
        raise BadInputError(f"{path}: cannot read dataset {key}: {text}") from None


def _strings(values: np.ndarray) -> list:
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values.tolist()]


def _read_h5(path: Path, crop: Optional[int] = None) -> AttributionData:
    h5py = _h5py()
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise BadInputError(f"{path}: not a readable HDF5 file: {exc}") from None
    with f:
        keys = set(f.keys())
        if "raw" in keys and ("shap" in keys or "projected_shap" in keys):
            if "seq" not in f["raw"]:
                raise BadInputError(f"{path}: ChromBPNet scores file without raw/seq")
            full = f["raw/seq"].shape[-1] if f["raw/seq"].ndim == 3 else None
            one_hot = _dataset(f, "raw/seq", path, crop)
            if "projected_shap" in keys and "seq" in f["projected_shap"]:
                values, hyp, used = _dataset(f, "projected_shap/seq", path, crop), False, "projected_shap/seq"
            elif "seq" in f["shap"]:
                values, hyp, used = _dataset(f, "shap/seq", path, crop), True, "shap/seq"
            else:
                raise BadInputError(f"{path}: ChromBPNet scores file without shap/seq or projected_shap/seq")
            _check_letters(values, path, used, axis=1)
            _check_letters(one_hot, path, "raw/seq", axis=1)
            if one_hot.shape != values.shape:
                raise BadInputError(f"{path}: raw/seq has shape {one_hot.shape} but {used} has {values.shape}")
            return AttributionData(values, hyp, "chrombpnet-h5", str(path), one_hot=one_hot, full_length=full)
        if "hyp_scores" in keys:
            full = f["hyp_scores"].shape[1] if f["hyp_scores"].ndim == 3 else None
            values = _dataset(f, "hyp_scores", path, crop, axis=1)
            _check_letters(values, path, "hyp_scores", axis=2)
            one_hot = None
            if "input_seqs" in keys:
                one_hot = _dataset(f, "input_seqs", path, crop, axis=1)
                if one_hot.shape != values.shape:
                    raise BadInputError(f"{path}: input_seqs has shape {one_hot.shape} but hyp_scores has {values.shape}")
                one_hot = one_hot.transpose(0, 2, 1)
            chrom = start = None
            if "coords_chrom" in keys and "coords_start" in keys:
                chrom = _strings(_dataset(f, "coords_chrom", path))
                start = _dataset(f, "coords_start", path).astype(np.int64)
                if len(chrom) != values.shape[0] or len(start) != values.shape[0]:
                    raise BadInputError(f"{path}: coords_* have {len(chrom)} rows but hyp_scores has {values.shape[0]}")
            return AttributionData(values.transpose(0, 2, 1), True, "bpnet-h5", str(path), one_hot=one_hot,
                                   chrom=chrom, start=start, full_length=full)
        if "pos_patterns" in keys or "neg_patterns" in keys:
            raise BadInputError(f"{path}: a modisco results file, not attributions (use: annostore ingest modisco)")
        shown = ", ".join(sorted(keys)[:8]) or "nothing"
        raise BadInputError(
            f"{path}: unknown HDF5 attribution layout (top level has {shown}; expected ChromBPNet raw/ + shap/ "
            "or bpnet hyp_scores)"
        )


def _check_letters(arr: np.ndarray, path: Path, key: str, axis: int) -> None:
    if arr.ndim != 3 or arr.shape[axis] != 4:
        want = "(N, 4, L)" if axis == 1 else "(N, L, 4)"
        raise BadInputError(f"{path}: {key} must be {want}, got shape {tuple(arr.shape)}")


# ---------------------------------------------------------------------------------------------
# npz layouts


def _bpnet_lite_ohe(path: Path) -> Optional[Path]:
    name = path.name
    if name.endswith(".attr.npz"):
        ohe = path.with_name(name[: -len(".attr.npz")] + ".ohe.npz")
        return ohe if ohe.exists() else None
    return None


def _npz_keys(path: Path) -> Optional[list]:
    """The array names of an .npz (a ZIP of .npy members); None when it is not a readable ZIP."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return [n[:-4] if n.endswith(".npy") else n for n in zf.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _npz_array(path: Path, key: str) -> np.ndarray:
    from annostore.io.npy import read_array

    return read_array(path, key=key, what="attributions")


def _read_npz(path: Path, key: Optional[str]) -> Optional[AttributionData]:
    keys = _npz_keys(path)
    if keys is None:
        raise BadInputError(f"{path}: cannot read attributions: not a readable .npz (ZIP) file")
    if key is None and {"sequences", "contributions"} <= set(keys):
        seqs = _npz_array(path, "sequences")
        contrib = _npz_array(path, "contributions")
        if seqs.ndim != 3 or seqs.shape[1] != 4:
            raise BadInputError(f"{path}: Fi-NeMo 'sequences' must be (n, 4, w), got {tuple(seqs.shape)}")
        if contrib.shape != seqs.shape and contrib.shape != (seqs.shape[0], seqs.shape[2]):
            raise BadInputError(
                f"{path}: Fi-NeMo 'contributions' must be (n, 4, w) or (n, w) like sequences {tuple(seqs.shape)}, "
                f"got {tuple(contrib.shape)}"
            )
        chrom = start = None
        if "chr" in keys and "start" in keys:
            chrom = _strings(_npz_array(path, "chr"))
            start = _npz_array(path, "start").astype(np.int64)
            if len(chrom) != seqs.shape[0] or len(start) != seqs.shape[0]:
                raise BadInputError(f"{path}: 'chr'/'start' have {len(chrom)} rows but 'sequences' has {seqs.shape[0]}")
        return AttributionData(contrib, contrib.ndim == 3, "finemo-npz", str(path), one_hot=seqs, chrom=chrom,
                               start=start)
    ohe = _bpnet_lite_ohe(path)
    if ohe is not None:
        values = _npz_array(path, key or "arr_0")
        one_hot = _npz_array(ohe, "arr_0")
        _check_letters(values, path, key or "arr_0", axis=1)
        if one_hot.shape != values.shape:
            raise BadInputError(f"{ohe}: one-hot has shape {tuple(one_hot.shape)} but {path} has {tuple(values.shape)}")
        return AttributionData(values, True, "bpnet-lite-npz", str(path), one_hot=one_hot)
    if path.name.endswith(".attr.npz"):
        values = _npz_array(path, key or "arr_0")
        _check_letters(values, path, key or "arr_0", axis=1)
        return AttributionData(values, True, "bpnet-lite-npz", str(path))
    return None


# ---------------------------------------------------------------------------------------------
# bigWig


def bigwig_values(path: Any, chrom: list, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Per-base values of a bigWig over windows ``[start, end)`` (equal widths; missing = 0)."""
    path = Path(path)
    try:
        import pyBigWig
    except ImportError:  # pragma: no cover - a runtime dependency
        raise BadInputError("reading bigWig attributions needs pyBigWig (pip install pyBigWig)") from None
    for i, (c, s, e) in enumerate(zip(chrom, start, end)):
        if c is None or s is None or e is None:
            raise BadInputError(f"{path}: example {i} has no genomic coordinates (bigWig needs regions)")
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    widths = end - start
    if len(widths) and not (widths == widths[0]).all():
        raise BadInputError(f"{path}: bigWig attributions need regions of one width (found {sorted(set(widths))[:3]})")
    bw = pyBigWig.open(str(path))
    if bw is None or not bw.isBigWig():
        raise BadInputError(f"{path}: not a readable bigWig file")
    try:
        sizes = bw.chroms()
        out = np.zeros((len(chrom), int(widths[0]) if len(widths) else 0), dtype=np.float64)
        for i, (c, s, e) in enumerate(zip(chrom, start.tolist(), end.tolist())):
            size = sizes.get(c)
            if size is None:
                continue  # a chromosome without data: zeros
            a, b = max(s, 0), min(e, size)
            if b > a:
                vals = np.asarray(bw.values(c, a, b, numpy=True), dtype=np.float64)
                out[i, a - s : b - s] = np.nan_to_num(vals, nan=0.0)
        return out
    finally:
        bw.close()


# ---------------------------------------------------------------------------------------------
# reading and projecting


def read_attribution_file(path: Any, *, key: Optional[str] = None, crop: Optional[int] = None) -> Optional[AttributionData]:
    """Read a layout file (HDF5, Fi-NeMo or bpnet-lite npz); None for plain npy/npz and bigWig.

    ``crop``: HDF5 rows wider than this are read centre-cropped to it (``full_length`` keeps the
    file's width), so a genome-wide ChromBPNet file never sits in memory whole.
    """
    path = existing(path)
    head = _head(path)
    if head.startswith(_HDF5_MAGIC):
        return _read_h5(path, crop)
    if head[:4] == _BIGWIG_MAGIC:
        return None
    if path.suffix.lower() == ".npz":
        return _read_npz(path, key)
    return None


def centre_crop(arr: np.ndarray, length: int, what: str) -> np.ndarray:
    """The central ``length`` positions of the last axis (offset ``L // 2 - length // 2``)."""
    total = arr.shape[-1]
    if total < length:
        raise BadInputError(f"{what}: attributions have length {total} but the examples have {length} bases; "
                            "shorter attributions cannot cover the examples")
    if total == length:
        return arr
    off = total // 2 - length // 2
    return arr[..., off : off + length]


def project(values: np.ndarray, one_hot: Optional[np.ndarray], hypothetical: bool, what: str) -> np.ndarray:
    """``(n, L)`` float64: per-letter values times the one-hot (hypothetical) or summed, projected as is."""
    if values.ndim == 2:
        return values.astype(np.float64)
    if values.ndim != 3 or values.shape[1] != 4:
        raise BadInputError(f"{what}: attributions must be (n, L) or (n, 4, L), got {tuple(values.shape)}")
    if hypothetical:
        if one_hot is None:
            raise BadInputError(f"{what}: hypothetical scores need the one-hot sequences to project them "
                                "(add the store's sequences first: regions add --genome or sequences add)")
        if one_hot.shape != values.shape:
            raise BadInputError(f"{what}: one-hot {tuple(one_hot.shape)} and scores {tuple(values.shape)} differ")
        out = np.empty((values.shape[0], values.shape[2]), dtype=np.float64)
        for i in range(0, values.shape[0], 1024):  # in row blocks: bounded float64 temporaries
            j = i + 1024
            out[i:j] = np.einsum("nkl,nkl->nl", values[i:j].astype(np.float64), one_hot[i:j].astype(np.float64))
        return out
    return values.sum(axis=1, dtype=np.float64)


def attributions_for_examples(
    source: Any,
    *,
    n: int,
    length: int,
    one_hot: Optional[Callable[[], Optional[np.ndarray]]] = None,
    regions: Optional[Callable[[], Optional[tuple]]] = None,
    key: Optional[str] = None,
) -> tuple[np.ndarray, str]:
    """Projected ``(n, length)`` float64 attributions of the store's examples from a file.

    Parameters
    ----------
    source : path
        Any layout of the module docstring.
    n, length : int
        The store's example count and example length (the longest).
    one_hot : callable, optional
        Returns the store's ``(n, 4, length)`` one-hot (or None); used for hypothetical scores
        without their own one-hot.
    regions : callable, optional
        Returns ``(chrom list, start array, end array)`` of the store's examples, or None.
    key : str, optional
        Array name inside an ``.npz`` file.

    Returns
    -------
    (numpy.ndarray, str)
        The projected scores and the layout name.
    """
    path = Path(source)
    what = str(path)
    data = read_attribution_file(path, key=key, crop=length)
    if data is None and _head(path)[:4] == _BIGWIG_MAGIC:
        coords = regions() if regions is not None else None
        if coords is None:
            raise BadInputError(f"{what}: bigWig attributions are read over the store's regions; it has none")
        chrom, start, end = coords
        if len(chrom) != n:
            raise BadInputError(f"{what}: the store has {n} examples but {len(chrom)} regions")
        values = bigwig_values(path, chrom, start, end)
        if values.shape[1] != length:
            values = centre_crop(values, length, what)
        return values, "bigwig"
    if data is None:
        from .attributions import load_attributions  # plain .npy/.npz: the generic reader

        arr = load_attributions(path, key=key, dtype=None)  # float32 stays float32, as before
        if arr.shape[0] != n:
            raise BadInputError(f"{what}: the file has {arr.shape[0]} rows but the store has {n} examples")
        return centre_crop(arr, length, what), "npy" if path.suffix.lower() == ".npy" else "npz"
    if data.n != n:
        raise BadInputError(f"{what}: the file has {data.n} rows but the store has {n} examples")
    total = data.full_length or data.length
    if total < length:
        centre_crop(data.values, length, what)  # the error: shorter rows cannot cover the examples
    values = centre_crop(data.values, length, what)
    if data.chrom is not None and regions is not None:
        coords = regions()
        if coords is not None:
            _check_windows(data, coords, total, length, what)
    oh = None
    if data.values.ndim == 3 and data.hypothetical:
        if data.one_hot is not None:
            oh = centre_crop(data.one_hot, length, what)
        elif one_hot is not None:
            oh = one_hot()
    return project(values, oh, data.hypothetical, what), data.layout


def _check_windows(data: AttributionData, coords: tuple, total: int, length: int, what: str) -> None:
    chrom, start, _ = coords
    off = total // 2 - length // 2
    for i, (c, s) in enumerate(zip(chrom, np.asarray(start).tolist())):
        if c is None or s is None:
            continue
        fc, fs = data.chrom[i], int(data.start[i]) + off
        if fc != c or fs != s:
            raise BadInputError(
                f"{what}: row {i} covers {fc}:{fs}-{fs + length} after centre-cropping but example {i} is "
                f"{c}:{s}-{s + length} (rows must follow the store's examples)"
            )
