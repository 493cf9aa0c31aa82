"""NumPy ``.npy`` and ``.npz`` array files (one-hot sequences, attributions).

Format
------
``.npy`` (NumPy format version 1.0-3.0): the magic ``\\x93NUMPY``, a major and a minor version
byte, a little-endian header length (2 bytes in version 1, 4 bytes in versions 2 and 3), then a
header: a Python dict literal with ``descr`` (dtype), ``fortran_order`` and ``shape``, padded with
spaces and a newline; then the raw array data, exactly ``prod(shape) * itemsize`` bytes.

``.npz``: a ZIP archive (stored or deflated) of ``.npy`` members; member ``name.npy`` is array
``name``.

Reading
-------
:func:`read_array` reads either kind by its content (an ``.npz`` named ``.npy`` and the reverse
both work), never unpickles (object arrays are refused), and checks the header against the
bytes present before allocating anything: a header that claims more data than the file holds
(a truncated file, or a corrupt or hostile header claiming hundreds of GiB) is a
:class:`~annostore.errors.BadInputError`, not a ``MemoryError``.  Every failure names the file.
"""

from __future__ import annotations

import ast
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Optional, Sequence

import numpy as np

from ..errors import BadInputError, MissingInputError, located

__all__ = ["read_array", "NPY_MAGIC"]

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK"
_MAX_HEADER = 1 << 20


def _readable(path: Path) -> None:
    """MissingInputError (exit 66) for a missing, folder or unreadable path."""
    if not path.exists():
        raise MissingInputError(f"{path}: no such file")
    if path.is_dir():
        raise MissingInputError(f"{path}: is a folder, not a file")
    try:
        fd = os.open(path, os.O_RDONLY)
    except PermissionError:
        raise MissingInputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise MissingInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    os.close(fd)


def _parse_header(fh: IO[bytes], where: str) -> tuple[np.dtype, bool, tuple, int]:
    """(dtype, fortran_order, shape, header_bytes) of an .npy stream positioned at its start."""
    magic = fh.read(8)
    if len(magic) < 8 or magic[:6] != NPY_MAGIC:
        raise BadInputError(f"{where}: not a NumPy .npy array (bad magic)")
    major = magic[6]
    if major == 1:
        raw = fh.read(2)
        size = struct.unpack("<H", raw)[0] if len(raw) == 2 else -1
    elif major in (2, 3):
        raw = fh.read(4)
        size = struct.unpack("<I", raw)[0] if len(raw) == 4 else -1
    else:
        raise BadInputError(f"{where}: unsupported .npy format version {major}")
    if size < 0 or size > _MAX_HEADER:
        raise BadInputError(f"{where}: truncated or corrupt .npy header")
    text = fh.read(size)
    if len(text) != size:
        raise BadInputError(f"{where}: truncated .npy header")
    try:
        header = ast.literal_eval(text.decode("utf-8" if major == 3 else "latin1"))
        descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
        dtype = np.dtype(np.lib.format.descr_to_dtype(descr))
    except Exception:  # literal_eval/dtype raise many types on garbage
        raise BadInputError(f"{where}: corrupt .npy header") from None
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise BadInputError(f"{where}: corrupt .npy header (shape {shape!r})")
    if not isinstance(fortran, bool):
        raise BadInputError(f"{where}: corrupt .npy header (fortran_order {fortran!r})")
    if dtype.hasobject:
        raise BadInputError(f"{where}: holds Python objects (pickled data is not read); save a numeric array")
    return dtype, fortran, shape, (6 + 2 + len(raw) + size)


def _read_npy(fh: IO[bytes], data_bytes: int, where: str) -> np.ndarray:
    """Read one .npy stream whose total size is ``data_bytes`` (file or ZIP member size)."""
    dtype, fortran, shape, header_bytes = _parse_header(fh, where)
    count = 1
    for d in shape:
        count *= d
    need = count * dtype.itemsize
    have = data_bytes - header_bytes
    if need > have:
        raise BadInputError(
            f"{where}: the header claims shape {shape} ({need:,} bytes of {dtype}) but only {max(have, 0):,} "
            "bytes follow (truncated or corrupt file)"
        )
    buf = fh.read(need)
    if len(buf) != need:
        raise BadInputError(f"{where}: truncated array data")
    arr = np.frombuffer(buf, dtype=dtype, count=count)
    arr = arr.reshape(shape[::-1]).transpose() if fortran else arr.reshape(shape)
    return arr.copy() if not arr.flags.writeable else arr


def _pick(names: Sequence[str], keys: Sequence[str], key: Optional[str], where: str, what: str) -> str:
    if not names:
        raise BadInputError(f"{where}: the .npz file holds no arrays")
    if key is not None:
        if key not in names:
            raise BadInputError(f"{where}: no array named {key!r} (arrays: {', '.join(names)})")
        return key
    if len(names) == 1:
        return names[0]
    for candidate in keys:
        if candidate in names:
            return candidate
    raise BadInputError(
        f"{where}: the .npz file holds several arrays ({', '.join(names)}); name the {what} array "
        f"{keys[0]!r} (or choose one with a key)"
    )


def read_array(
    path: str | os.PathLike,
    *,
    key: Optional[str] = None,
    keys: Sequence[str] = (),
    what: str = "input",
) -> np.ndarray:
    """Read a numeric array from an ``.npy`` or ``.npz`` file, safely.

    Parameters
    ----------
    path : str or path
        The file; its content decides the kind (``.npz`` is a ZIP archive).
    key : str, optional
        The array to take from an ``.npz`` (an error when absent).
    keys : sequence of str
        Names tried in order when an ``.npz`` holds several arrays and ``key`` is not given.
    what : str
        What the array is, for messages (``"attributions"``, ``"one-hot sequences"``).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    MissingInputError
        The file does not exist, is a folder, or cannot be read (exit 66).
    BadInputError
        Anything else: not NumPy data, truncated, corrupt, a header larger than the data,
        object arrays (exit 65).
    """
    path = Path(path)
    _readable(path)
    where = str(path)
    size = path.stat().st_size
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            fh.seek(0)
            if head[:6] == NPY_MAGIC:
                return _read_npy(fh, size, where)
            if head[:2] != ZIP_MAGIC:
                raise BadInputError(f"{where}: not a NumPy .npy or .npz file")
            with zipfile.ZipFile(fh) as zf:
                members = {info.filename[:-4] if info.filename.endswith(".npy") else info.filename: info
                           for info in zf.infolist() if not info.is_dir()}
                name = _pick(list(members), keys, key, where, what)
                info = members[name]
                member_where = f"{where}[{name}]"
                with zf.open(info) as member:
                    return _read_npy(member, info.file_size, member_where)
    except BadInputError:
        raise
    except PermissionError:
        raise MissingInputError(f"{where}: permission denied") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError) as exc:
        raise BadInputError(located(f"corrupt or truncated array file ({type(exc).__name__}: {exc})", where)) from None
