"""Explicit-width vector steps for the numba kernels (numba ``@intrinsic`` s written in LLVM IR).

LLVM's loop vectoriser picks its vector width from a loop's widest type and the target's preferred
register width (256 bits on AVX-512 CPUs): a loop that reads float64 and computes in float32 runs
four float32 lanes.  The steps here are written on 16-lane vectors of LLVM's target-independent
IR: LLVM lowers them to two 512-bit registers on AVX-512, four 256-bit ones on AVX2, eight 128-bit
ones on SSE2, with the same results on every CPU (IEEE operations, no reassociation, no fused
multiply-add).  Each is one step of a loop written in numba.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["conv8_step16", "ed_scaled16"]

_W = 16
_F32 = ir.FloatType()
_I32 = ir.IntType(32)
_I64 = ir.IntType(64)
_VD = ir.VectorType(ir.DoubleType(), _W)
_VF = ir.VectorType(_F32, _W)
_VI = ir.VectorType(_I32, _W)
_VH = ir.VectorType(ir.IntType(16), _W)
_MASK = ir.IntType(_W)


def _splat(builder, val, vty):
    v = builder.insert_element(ir.Constant(vty, ir.Undefined), val, ir.Constant(_I32, 0))
    return builder.shuffle_vector(v, ir.Constant(vty, ir.Undefined),
                                  ir.Constant(ir.VectorType(_I32, vty.count), [0] * vty.count))


def _contiguous(aty, dtype) -> bool:
    return isinstance(aty, types.Array) and aty.ndim == 1 and aty.layout == "C" and aty.dtype == dtype


def _element_ptr(context, builder, aty, aval, idx, vty):
    a = context.make_array(aty)(context, builder, aval)
    return builder.bitcast(builder.gep(a.data, [idx]), vty.as_pointer())


@intrinsic
def ed_scaled16(typingctx, d2, j, a32, s32, e32, h32, out):
    """Sixteen values of the float32 first pass of MEME's ``ed`` integer scaling (see
    :func:`annostore.core.tomtom_rows_kernels._quantise_ed`): for ``x = d2[j:j+16]`` (float64,
    C-contiguous), ``v = (a32 - sqrt(float32(x))) * s32 + 0.5`` in float32, ``out[j:j+16] =
    uint16(int32(v))``; returns 1 if any ``v``'s fraction is below ``e32`` or above ``h32`` (too near
    an integer for float32 to decide), else 0.  The operations, their order and their roundings are
    those of the scalar expression in float32."""
    if not (_contiguous(d2, types.float64) and _contiguous(out, types.uint16)):
        return None  # a typing error: the step reads and writes contiguous memory
    sig = types.int64(d2, j, a32, s32, e32, h32, out)

    def codegen(context, builder, signature, args):
        d2_v, j_v, a_v, s_v, e_v, h_v, out_v = args
        at = signature.args
        x = builder.load(_element_ptr(context, builder, at[0], d2_v, j_v, _VD), align=8)
        sqrt = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_VF, [_VF]), "llvm.sqrt.v16f32")
        root = builder.call(sqrt, [builder.fptrunc(x, _VF)])
        v = builder.fadd(builder.fmul(builder.fsub(_splat(builder, a_v, _VF), root), _splat(builder, s_v, _VF)),
                         _splat(builder, ir.Constant(_F32, 0.5), _VF))
        k = builder.fptosi(v, _VI)
        frac = builder.fsub(v, builder.sitofp(k, _VF))
        near = builder.or_(builder.fcmp_ordered("<", frac, _splat(builder, e_v, _VF)),
                           builder.fcmp_ordered(">", frac, _splat(builder, h_v, _VF)))
        builder.store(builder.trunc(k, _VH), _element_ptr(context, builder, at[6], out_v, j_v, _VH), align=2)
        any_near = builder.icmp_unsigned("!=", builder.bitcast(near, _MASK), ir.Constant(_MASK, 0))
        return builder.zext(any_near, _I64)

    return sig, codegen


@intrinsic
def conv8_step16(typingctx, new, i, ou, k, h0, h1, h2, h3, h4, h5, h6, h7):
    """Sixteen outputs of eight terms of MEME's span convolution (see
    :func:`annostore.core.tomtom_pairs_kernels._span_survival`): for ``t < 16``,
    ``new[i+t] = (((((((new[i+t] + ou[k+t] * h0) + ou[k+1+t] * h1) + ...) + ou[k+7+t] * h7``, in that
    order (no fused multiply-add)."""
    if not (_contiguous(new, types.float64) and _contiguous(ou, types.float64)):
        return None
    sig = types.none(new, i, ou, k, h0, h1, h2, h3, h4, h5, h6, h7)

    def codegen(context, builder, signature, args):
        at = signature.args
        new_v, i_v, ou_v, k_v = args[:4]
        pn = _element_ptr(context, builder, at[0], new_v, i_v, _VD)
        acc = builder.load(pn, align=8)
        oa = context.make_array(at[2])(context, builder, ou_v)
        for u in range(8):
            idx = builder.add(k_v, ir.Constant(_I64, u))
            o = builder.load(builder.bitcast(builder.gep(oa.data, [idx]), _VD.as_pointer()), align=8)
            acc = builder.fadd(acc, builder.fmul(o, _splat(builder, args[4 + u], _VD)))
        builder.store(acc, pn, align=8)
        return context.get_dummy_value()

    return sig, codegen
