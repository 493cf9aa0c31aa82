"""A fused Triton kernel for the torch FIMO scan: scores and cut-off test in registers.

One program scores a tile of ``BM`` window starts against ``BN`` motif strands of one width
bucket: the one-hot windows are built in registers from the ``uint8`` codes, multiplied with
the fp16 PSSM weights by ``tl.dot`` with fp32 accumulation (exact: integer operands, partial
sums below ``2**24``), compared with the cut-offs, and only the candidates ``(row, column)`` are
appended to an output buffer through an atomic counter.  The score matrix never reaches
memory.  :func:`annostore.core.fimo_torch.scan_hits` re-scores every candidate with integer
arithmetic, so the kernel decides speed, never a hit's numbers.

Triton is optional: :func:`available` is false without it (or without CUDA, unless
``TRITON_INTERPRET=1``, Triton's CPU interpreter, which the tests use).
"""

from __future__ import annotations

import os

_KERNEL = None
_BK = 32  # 8 sequence letters per dot step; bucket widths are multiples of 8
# tile shapes tried by Triton's autotuner on the first call per (bucket width, columns);
# the interpreter (tests) takes the first only
_CONFIGS = [(128, 64, 4, 3), (128, 128, 8, 3), (64, 128, 4, 3), (256, 64, 8, 3), (64, 64, 4, 4)]
_CAP0 = 1 << 20  # first size of the candidate buffer (grown and re-run on overflow)


def available() -> bool:
    """Whether the fused kernel can run: Triton importable and CUDA present (or the interpreter)."""
    try:
        import triton  # noqa: F401
    except Exception:
        return False
    if os.environ.get("TRITON_INTERPRET") == "1":
        return True
    import torch

    return torch.cuda.is_available()


def _kernel():
    global _KERNEL
    if _KERNEL is not None:
        return _KERNEL
    import triton
    import triton.language as tl

    interpret = os.environ.get("TRITON_INTERPRET") == "1"
    configs = [triton.Config({"BM": bm, "BN": bn}, num_warps=nw, num_stages=st)
               for bm, bn, nw, st in (_CONFIGS[:1] if interpret else _CONFIGS)]

    @triton.autotune(configs=configs, key=["WB4", "ncols"], reset_to_zero=["counter"])
    @triton.jit
    def fimo_candidates(
        codes_ptr, w_ptr, cut_ptr, npos, ncols, out_r, out_c, counter, cap,
        WB4: tl.constexpr, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr,
    ):
        rm = tl.program_id(0) * BM + tl.arange(0, BM)
        rn = tl.program_id(1) * BN + tl.arange(0, BN)
        in_m = rm < npos
        in_n = rn < ncols
        acc = tl.zeros((BM, BN), dtype=tl.float32)
        for k0 in range(0, WB4, BK):
            rk = k0 + tl.arange(0, BK)
            j = rk // 4
            a = (rk % 4).to(tl.uint8)
            c = tl.load(codes_ptr + rm[:, None] + j[None, :], mask=in_m[:, None], other=4)
            x = (c == a[None, :]).to(tl.float16)
            wt = tl.load(w_ptr + rk[:, None] * ncols + rn[None, :], mask=in_n[None, :], other=0.0)
            acc = tl.dot(x, wt, acc)
        cut = tl.load(cut_ptr + rn, mask=in_n, other=3.0e38)
        hit = (acc >= cut[None, :]) & in_m[:, None] & in_n[None, :]
        zero = tl.zeros((BM, BN), dtype=tl.int32)
        idx = tl.atomic_add(counter + zero, 1, mask=hit)
        ok = hit & (idx < cap)
        tl.store(out_r + idx, rm[:, None] + zero, mask=ok)
        tl.store(out_c + idx, rn[None, :] + zero, mask=ok)

    _KERNEL = fimo_candidates
    return _KERNEL


class _Buffers:
    cap = 0
    r = c = counter = None


_BUF = _Buffers()


def candidates(codes, npos: int, bucket):
    """``(row, column)`` of every window of ``codes[:npos + wb - 1]`` scoring at least the cut-off
    of a bucket column (int64 tensors on the codes' device)."""
    import torch
    import triton

    kern = _kernel()
    dev = codes.device
    ncols = bucket.n
    if _BUF.r is None or _BUF.r.device != dev:
        _BUF.cap = 0
    if _BUF.cap == 0:
        _BUF.cap = _CAP0
        _BUF.r = torch.empty(_BUF.cap, dtype=torch.int32, device=dev)
        _BUF.c = torch.empty(_BUF.cap, dtype=torch.int32, device=dev)
        _BUF.counter = torch.zeros(1, dtype=torch.int32, device=dev)
    def grid(meta):
        return (triton.cdiv(npos, meta["BM"]), triton.cdiv(ncols, meta["BN"]))

    while True:
        _BUF.counter.zero_()
        kern[grid](codes, bucket.weights, bucket.cut, npos, ncols, _BUF.r, _BUF.c, _BUF.counter, _BUF.cap,
                   WB4=bucket.wb * 4, BK=_BK)
        n = int(_BUF.counter.item())
        if n <= _BUF.cap:
            break
        _BUF.cap = 1 << int(n - 1).bit_length()
        _BUF.r = torch.empty(_BUF.cap, dtype=torch.int32, device=dev)
        _BUF.c = torch.empty(_BUF.cap, dtype=torch.int32, device=dev)
    return _BUF.r[:n].to(torch.int64), _BUF.c[:n].to(torch.int64)
