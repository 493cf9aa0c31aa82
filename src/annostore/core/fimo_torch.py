"""FIMO's scan on torch (CPU or CUDA), with MEME's exact integer scores.

This module is the ``backend="torch"`` scan of :func:`annostore.fimo`.  It replaces only the
numba scan: the integer PSSMs, p-value tables and score cut-offs come from the FIMO tables
(``_MotifTables``: MEME's arithmetic, computed once on the CPU), and the hits it returns are
finished (p-values, q-values, coordinates, Arrow) by the same code as the numba path's, so both
backends give identical tables.

How the scan works
------------------
Motif strands are grouped by width into *buckets* of ``Wb`` columns (the width rounded up to a
multiple of 8; the reverse strand of a motif is one more column of weights).  For a chunk of
``P`` window starts the sequence codes are copied to the device as ``uint8``, expanded to
one-hot windows ``U`` of shape ``(P, 4 Wb)`` and multiplied by the bucket's weights
``W (4 Wb, n)``: ``S = U @ W`` is every window's integer score.  Scores are exact:

* CUDA: fp16 inputs (the PSSM entries are integers 0..1000, exact in fp16; one-hot 0/1) with
  fp32 accumulation and fp32 output (``torch.mm(..., out_dtype=torch.float32)``), or, where
  that overload is missing, fp32 with TF32 and reduced-precision reductions switched off.
  Every partial sum is an integer below ``2**24`` (at most 1,400 columns x 1,000), so fp32
  holds it exactly whatever the summation order;
* CPU: the same GEMM in fp32 (torch's 'highest' fp32 matmul precision is asserted).

Windows with ``S >= S*`` (``S*`` the motif's cut-off: the least score whose p-value is at most
the threshold) are the candidate hits; only they leave the score matrix (``nonzero``).  On the
device each candidate is then checked with integer arithmetic: its score is recomputed by a
gather from an int32 copy of the PSSM (so no hit ever depends on GEMM rounding), windows
running past the end of their sequence or holding a letter other than A/C/G/T are dropped
(they are not tests in MEME either), and the p-value is looked up in the motif's table on the
device.  Only the hits (motif strand, window start, integer score, p-value) are copied back.

Device memory is bounded: a chunk holds ``P x (4 Wb)`` fp16 one-hot windows and ``P x n`` fp32
scores for one bucket, with ``P`` chosen from ``max_memory`` (default: a quarter of the free
device memory, at most 4 GiB; 256 MiB on the CPU), plus the PSSMs and p-value tables of one
batch of motifs.  Hits are copied to the host after every chunk.

On CUDA a fused Triton kernel (:mod:`annostore.core.fimo_triton`, when Triton is installed)
replaces the GEMM + compare by default: scores stay in registers and only the candidates are
written.  It feeds the same exact integer check, so it can only change speed, never a hit.

``torch`` is imported lazily (by the functions here, never at ``import annostore``).
"""

from __future__ import annotations

import os
from typing import Any, Optional

import numpy as np

PSSM_RANGE = 1000
_WIDTH_STEP = 8  # bucket widths are multiples of this
_MB = 1 << 20

__all__ = ["code4_of", "prepare_sequences", "resolve_device", "scan_hits", "torch_available"]


def torch_available() -> bool:
    """Whether ``torch`` can be imported (without importing it when it already is)."""
    import importlib.util
    import sys

    return "torch" in sys.modules or importlib.util.find_spec("torch") is not None


def resolve_device(device: Any = None):
    """The ``torch.device`` to scan on: ``None``/``"auto"`` picks CUDA when present, else CPU.

    Raises
    ------
    annostore.errors.BadInputError
        When torch is missing, or CUDA is asked for and not available.
    """
    from ..errors import BadInputError

    if not torch_available():
        raise BadInputError("backend='torch' needs PyTorch (pip install torch)")
    import torch

    if device is None or (isinstance(device, str) and device.strip().lower() in ("", "auto")):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise BadInputError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got {device!r}") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise BadInputError(f"device {device!r}: CUDA is not available on this machine")
    if dev.type not in ("cpu", "cuda"):
        raise BadInputError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got {device!r}")
    return dev


# --------------------------------------------------------------------------------------------
# sequences (host side)


def prepare_sequences(seqs):
    """The ``_SeqPrep`` the torch scan and the finishing need: padded codes, offsets and the
    clean runs; none of the numba scan's prefilter words, work segments or N counts (whose
    making would cost more than the GPU scan at genome scale)."""
    from .fimo import _SeqPrep
    from .fimo_kernels import _clean_runs

    codes = np.ascontiguousarray(seqs.codes, dtype=np.uint8)
    offsets = np.asarray(seqs.offsets, dtype=np.int64)
    padded = np.concatenate([codes, np.full(64, 4, dtype=np.uint8)])
    run_start, run_len = _clean_runs(codes, offsets)
    empty = np.zeros(0, dtype=np.int64)
    return _SeqPrep(padded, None, offsets, empty, empty, empty, np.zeros(1, dtype=np.int64), run_start, run_len, None)


def code4_of(codes: np.ndarray) -> np.ndarray:
    """uint8 code of the 4 letters from each position (first letter highest, N and the end as A),
    ``len(codes) + 16`` of them: the numba prefilter words' top byte, made without them."""
    n = codes.shape[0]
    c = np.zeros(n + 19, dtype=np.uint8)
    np.copyto(c[:n], codes, where=codes < 4)
    out = c[0 : n + 16] << 6
    out |= c[1 : n + 17] << 4
    out |= c[2 : n + 18] << 2
    out |= c[3 : n + 19]
    return out


# --------------------------------------------------------------------------------------------
# weights


class _Bucket:
    """Motif strands of one padded width: GEMM weights, exact int32 weights, cut-offs."""

    def __init__(self, wb, ms, widths, cuts, mats, ns, device, gemm_dtype):
        import torch

        n = len(ms)
        w_int = np.zeros((n, wb, 5), dtype=np.int32)  # letter 4 (N) scores 0; such windows are dropped
        for i, (m_strand, w, mat) in enumerate(zip(ms, widths, mats)):
            if m_strand % ns == 0:
                w_int[i, :w, :4] = mat
            else:  # reverse complement: column j <- column w-1-j, letter a <- 3-a
                w_int[i, :w, :4] = mat[::-1, ::-1]
        self.wb = wb
        self.n = n
        self.ms = torch.as_tensor(np.asarray(ms, dtype=np.int64), device=device)
        self.width = torch.as_tensor(np.asarray(widths, dtype=np.int64), device=device)
        self.cut = torch.as_tensor(np.asarray(cuts, dtype=np.float32), device=device)
        # (4 wb, n): row j*4 + a; the one-hot windows are flattened the same way
        gemm = np.ascontiguousarray(w_int[:, :, :4].reshape(n, wb * 4).T)
        self.weights = torch.as_tensor(gemm, device=device).to(gemm_dtype)
        self.exact = torch.as_tensor(w_int.reshape(n, wb * 5), device=device)  # flat index j*5 + code


def _buckets(tabs, norc, device, gemm_dtype):
    ns = 1 if norc else 2
    groups: dict = {}
    for k, (mat, w, cut) in enumerate(zip(tabs.matrices, tabs.widths.tolist(), tabs.cutoffs.tolist())):
        if cut > w * PSSM_RANGE:  # no window can reach the threshold
            continue
        wb = max(_WIDTH_STEP, -(-w // _WIDTH_STEP) * _WIDTH_STEP)
        g = groups.setdefault(wb, ([], [], [], []))
        for s in range(ns):
            g[0].append(k * ns + s)
            g[1].append(w)
            g[2].append(cut)
            g[3].append(np.asarray(mat, dtype=np.int32))
    return [_Bucket(wb, *groups[wb], ns, device, gemm_dtype) for wb in sorted(groups)]


# --------------------------------------------------------------------------------------------
# GEMM with exact fp32 accumulation


class _Gemm:
    """``a @ b`` with fp32 accumulation and fp32 output, exact for our integer operands."""

    def __init__(self, device):
        import torch

        self.device = device
        self.dtype = torch.float32
        self.out_dtype = False
        if device.type == "cuda":
            a = torch.ones((2, 2), dtype=torch.float16, device=device)
            try:
                torch.mm(a, a, out_dtype=torch.float32)
                self.dtype = torch.float16
                self.out_dtype = True
            except (RuntimeError, TypeError):
                self.dtype = torch.float32

    def __call__(self, a, b):
        import torch

        if self.out_dtype:
            return torch.mm(a, b, out_dtype=torch.float32)
        if self.device.type == "cuda":
            old = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
            torch.backends.cuda.matmul.allow_tf32 = False
            try:
                return torch.mm(a, b)
            finally:
                torch.backends.cuda.matmul.allow_tf32 = old[0]
        old = torch.get_float32_matmul_precision()
        if old != "highest":
            torch.set_float32_matmul_precision("highest")
            try:
                return torch.mm(a, b)
            finally:
                torch.set_float32_matmul_precision(old)
        return torch.mm(a, b)


# --------------------------------------------------------------------------------------------
# the scan


def _chunk_positions(max_memory, buckets, n_total, fused):
    """Window starts per chunk: one bucket's one-hot windows + fp32 scores (GEMM), or only the
    codes and their N prefix counts (fused kernel), within ``max_memory`` bytes."""
    if fused:
        per_pos = 16
    else:
        per_pos = max(b.wb * 4 * 5 + b.n * 5 + 64 for b in buckets)  # bool + fp32 one-hot, fp32 + bool scores
    p = int(max_memory // per_pos)
    p = max(4096, min(p, 1 << 25))
    p = (p // 4096) * 4096
    return int(min(p, max(4096, -(-n_total // 4096) * 4096)))


def _default_memory(dev) -> int:
    """A quarter of the device's free memory, at most 4 GiB (CUDA); 256 MiB on the CPU."""
    if dev.type != "cuda":
        return 256 * _MB
    import torch

    free, _total = torch.cuda.mem_get_info(dev)
    return int(min(4096 * _MB, max(64 * _MB, free // 4)))


def resolve_kernel(kernel: str, dev) -> str:
    """``"gemm"`` or ``"triton"`` for ``kernel`` on device ``dev``: ``"auto"`` is the environment
    variable ``ANNOSTORE_FIMO_KERNEL`` when set, else the fused Triton kernel on CUDA when Triton
    is installed (2.6x the GEMM's speed on an H200: 10.0 vs 26.2 s/Gbp, same hits), else the GEMM."""
    from ..errors import BadInputError
    from . import fimo_triton

    if kernel not in ("auto", "gemm", "triton"):
        raise BadInputError(f"kernel must be 'auto', 'gemm' or 'triton', got {kernel!r}")
    if kernel == "auto":
        kernel = os.environ.get("ANNOSTORE_FIMO_KERNEL", "").strip().lower()
        if kernel not in ("gemm", "triton"):
            kernel = "triton" if dev.type == "cuda" and fimo_triton.available() else "gemm"
    if kernel == "triton" and not fimo_triton.available():
        raise BadInputError("kernel='triton' needs Triton and a CUDA device")
    return kernel


def scan_hits(
    sp,
    tabs,
    norc: bool,
    *,
    device: Any = "cpu",
    pv_flat: Optional[np.ndarray] = None,
    pv_off: Optional[np.ndarray] = None,
    max_memory: Optional[int] = None,
    kernel: str = "auto",
):
    """Every window scoring at least its motif's cut-off, scanned with torch.

    Parameters
    ----------
    sp : _SeqPrep
        Prepared sequences (``codes``: uint8 0..3, 4 for other letters, padded; ``offsets``).
    tabs : _MotifTables
        Integer PSSMs and cut-offs of one batch of motifs (MEME's arithmetic).
    norc : bool
        Forward strand only.
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``.
    pv_flat, pv_off : numpy.ndarray, optional
        The batch's p-value tables, concatenated, and their offsets; when given, p-values are
        looked up on the device and returned.
    max_memory : int, optional
        Device bytes for one chunk's windows and scores (default: a quarter of the free device
        memory, at most 4 GiB, on CUDA; 256 MiB on the CPU).
    kernel : {"auto", "gemm", "triton"}
        ``"triton"``: the fused Triton kernel (CUDA; or Triton's CPU interpreter with
        ``TRITON_INTERPRET=1``); ``"auto"``: see :func:`resolve_kernel` (Triton on CUDA when
        installed, else the GEMM).

    Returns
    -------
    ms_idx, pos, score : numpy.ndarray
        int64 motif strand (``motif * ns + strand``), window start in the concatenated codes,
        integer score; unordered.
    pvals : numpy.ndarray or None
        float64 p-values when ``pv_flat`` is given.
    """
    import torch

    dev = resolve_device(device)
    use_triton = resolve_kernel(kernel, dev) == "triton"

    offsets = np.asarray(sp.offsets, dtype=np.int64)
    n_total = int(offsets[-1])
    empty = np.zeros(0, dtype=np.int64)
    with torch.no_grad():
        gemm = _Gemm(dev)
        buckets = _buckets(tabs, norc, dev, torch.float16 if use_triton else gemm.dtype)
        if not buckets or n_total == 0:
            return empty, empty, empty, (np.zeros(0) if pv_flat is not None else None)
        wmax = max(b.wb for b in buckets)
        if max_memory is None:
            max_memory = _default_memory(dev)
        chunk = _chunk_positions(max_memory, buckets, n_total, use_triton)
        codes_host = np.asarray(sp.codes, dtype=np.uint8)
        offsets_dev = torch.as_tensor(offsets, device=dev)
        pv_dev = torch.as_tensor(np.asarray(pv_flat, dtype=np.float64), device=dev) if pv_flat is not None else None
        pvo_dev = torch.as_tensor(np.asarray(pv_off, dtype=np.int64), device=dev) if pv_flat is not None else None
        letters = torch.arange(4, dtype=torch.uint8, device=dev)
        staging = torch.empty(chunk + wmax, dtype=torch.uint8)
        ns = 1 if norc else 2
        out_ms, out_pos, out_sc, out_pv = [], [], [], []
        for c0 in range(0, n_total, chunk):
            npos = min(chunk, n_total - c0)
            span = npos + wmax - 1
            avail = min(span, codes_host.shape[0] - c0)
            host = staging[:span]
            host[:avail].copy_(torch.from_numpy(codes_host[c0 : c0 + avail]))
            if avail < span:
                host[avail:].fill_(4)
            codes = host.to(dev)
            dev_ms, dev_pos, dev_sc, dev_pv = [], [], [], []
            bad = torch.zeros(span + 1, dtype=torch.int32, device=dev)
            torch.cumsum((codes >= 4).to(torch.int32), 0, out=bad[1:])
            for b in buckets:
                if use_triton:
                    from . import fimo_triton

                    r, col = fimo_triton.candidates(codes, npos, b)
                else:
                    win = codes.unfold(0, b.wb, 1)[:npos]  # (npos, wb) view
                    onehot = (win.unsqueeze(2) == letters).reshape(npos, b.wb * 4).to(gemm.dtype)
                    scores = gemm(onehot, b.weights)
                    del onehot
                    r, col = torch.nonzero(scores >= b.cut, as_tuple=True)
                    del scores
                if r.numel() == 0:
                    continue
                w = b.width[col]
                p = r + c0
                # the window must end inside its own sequence and hold only A/C/G/T
                seq = torch.searchsorted(offsets_dev, p, right=True)
                ok = (p + w <= offsets_dev[seq]) & (bad[r + w] == bad[r])
                r, col, w, p = r[ok], col[ok], w[ok], p[ok]
                if r.numel() == 0:
                    continue
                # exact integer score: gather letter codes of each window, look up the PSSM
                j = torch.arange(b.wb, device=dev)
                lc = codes[(r.unsqueeze(1) + j).clamp_(max=span - 1)].to(torch.int64)  # (h, wb)
                lc = torch.where(j < w.unsqueeze(1), lc, torch.full_like(lc, 4))  # columns past w score 0
                sc = b.exact[col.unsqueeze(1), j * 5 + lc].sum(1, dtype=torch.int64)
                msi = b.ms[col]
                keep = sc >= b.cut[col].to(torch.int64)
                msi, p, sc = msi[keep], p[keep], sc[keep]
                dev_ms.append(msi)
                dev_pos.append(p)
                dev_sc.append(sc)
                if pv_dev is not None:
                    dev_pv.append(pv_dev[pvo_dev[msi // ns] + sc])
            if dev_ms:  # hits leave the device chunk by chunk: device memory stays bounded
                out_ms.append(torch.cat(dev_ms).cpu().numpy())
                out_pos.append(torch.cat(dev_pos).cpu().numpy())
                out_sc.append(torch.cat(dev_sc).cpu().numpy())
                if pv_dev is not None:
                    out_pv.append(torch.cat(dev_pv).cpu().numpy())
        if not out_ms:
            return empty, empty, empty, (np.zeros(0) if pv_flat is not None else None)
        ms_idx = np.concatenate(out_ms)
        pos = np.concatenate(out_pos)
        sc = np.concatenate(out_sc)
        pv = np.concatenate(out_pv) if pv_dev is not None else None
    return ms_idx, pos, sc, pv
