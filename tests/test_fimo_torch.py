"""FIMO's torch scan (issue 14): the same hits, scores and p-values as the numba scan.

The torch path on the CPU always runs (it is the path CI checks); the CUDA tests run only where
a CUDA device is present (the skip is for the device, never for the torch path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from annostore.errors import BadInputError
from annostore.core import fimo_torch
from annostore.core.fimo import _prepare_sequences, _run_scan
from annostore.core.fimo_tables import _prepare_tables, prepare_background
from annostore.core.sequences import load_sequences
from annostore.io.motifs import read_motifs

import torch  # noqa: E402  (a runtime dependency of annostore)

REPO = Path(__file__).resolve().parents[1]
JASPAR = REPO / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme"
CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _one_per_width(ms):
    """One JASPAR motif of every width JASPAR has (4..33 columns)."""
    seen = {}
    for m in ms:
        seen.setdefault(m.width, m)
    return ms.select([seen[w].name for w in sorted(seen)])


@pytest.fixture(scope="module")
def jaspar():
    return read_motifs(JASPAR)


def _random_texts(seed, n=12, lo=1, hi=2500):
    """Random sequences with N runs, lower case and other IUPAC letters sprinkled in."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        s = rng.choice(list("ACGT"), size=int(rng.integers(lo, hi)), p=[0.3, 0.2, 0.2, 0.3])
        if i % 3 == 0 and s.size > 1:
            a = int(rng.integers(0, s.size))
            s[a : a + int(rng.integers(1, 60))] = "N"
        if i % 4 == 1 and s.size > 10:
            s[rng.integers(0, s.size, size=3)] = "R"
        text = "".join(s)
        out.append(text.lower() if i % 5 == 2 else text)
    return out


def _numba_and_torch(motifs, texts, *, bfile="nrdb", norc=False, threshold=1e-3, **kw):
    seqs = load_sequences(texts)
    bg = prepare_background(bfile, motifs, norc=norc)
    sp = _prepare_sequences(seqs)
    tabs = _prepare_tables(list(motifs), bg, 0.1, threshold)
    ref = _run_scan(sp, tabs, norc)
    pv_off = np.concatenate([[0], np.cumsum([pv.shape[0] for pv in tabs.pvs])]).astype(np.int64)
    pv_flat = np.concatenate(tabs.pvs)
    got = fimo_torch.scan_hits(sp, tabs, norc, pv_flat=pv_flat, pv_off=pv_off, **kw)
    ns = 1 if norc else 2
    ref_rows = sorted(zip(*[x.tolist() for x in ref]))
    got_rows = sorted(zip(*[x.tolist() for x in got[:3]]))
    expected_pv = pv_flat[pv_off[got[0] // ns] + got[2]]
    return ref_rows, got_rows, got[3], expected_pv


@pytest.mark.parametrize("norc", [False, True])
@pytest.mark.parametrize("bfile", ["nrdb", "uniform", "motif", (0.1, 0.4, 0.4, 0.1)])
def test_torch_cpu_equals_numba_every_jaspar_width(jaspar, bfile, norc):
    motifs = _one_per_width(jaspar)
    ref, got, pv, expected_pv = _numba_and_torch(motifs, _random_texts(3), bfile=bfile, norc=norc, device="cpu")
    assert len(ref) > 200
    assert got == ref
    np.testing.assert_array_equal(pv, expected_pv)
    assert {r[0] % (1 if norc else 2) for r in got} == ({0} if norc else {0, 1})


def test_torch_cpu_many_chunks_and_boundaries(jaspar):
    """Chunks of 4,096 window starts: windows across chunk and sequence boundaries."""
    motifs = list(jaspar)[:120]
    texts = _random_texts(7, n=30, lo=1, hi=1500) + ["ACGT" * 3000]
    ref, got, pv, expected_pv = _numba_and_torch(motifs, texts, threshold=1e-3, device="cpu", max_memory=1)
    assert len(ref) > 1000
    assert got == ref
    np.testing.assert_array_equal(pv, expected_pv)


def test_torch_cpu_wide_and_degenerate_motifs():
    """A 70-column motif, a one-column motif, a flat motif (no reachable cut-off)."""
    rng = np.random.default_rng(5)
    wide = rng.dirichlet([0.3] * 4, size=70).T
    one = np.array([[0.97], [0.01], [0.01], [0.01]])
    flat = np.full((4, 6), 0.25)
    motifs = read_motifs({"wide": wide, "one": one, "flat": flat})
    texts = _random_texts(11, n=6, lo=50, hi=3000)
    ref, got, _, _ = _numba_and_torch(motifs, texts, threshold=0.3, device="cpu")
    assert len(ref) > 100
    assert got == ref


def test_no_hits_and_empty_sequences(jaspar):
    motifs = _one_per_width(jaspar)[:3]
    ref, got, pv, _ = _numba_and_torch(motifs, ["NNNNNNNNNNNNNNNNNNNN", "AC"], device="cpu")
    assert ref == got == []
    assert pv.shape == (0,)


def test_bad_device_and_kernel():
    with pytest.raises(BadInputError):
        fimo_torch.resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(BadInputError, match="CUDA is not available"):
            fimo_torch.resolve_device("cuda")
    assert fimo_torch.resolve_device("cpu").type == "cpu"
    assert fimo_torch.resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_kernel_choice(monkeypatch):
    from types import SimpleNamespace

    from annostore.core import fimo_triton

    cpu, cuda = torch.device("cpu"), SimpleNamespace(type="cuda")
    monkeypatch.delenv("ANNOSTORE_FIMO_KERNEL", raising=False)
    assert fimo_torch.resolve_kernel("auto", cpu) == "gemm"
    monkeypatch.setattr(fimo_triton, "available", lambda: True)
    assert fimo_torch.resolve_kernel("auto", cuda) == "triton"  # the default on CUDA with Triton
    assert fimo_torch.resolve_kernel("auto", cpu) == "gemm"
    monkeypatch.setenv("ANNOSTORE_FIMO_KERNEL", "gemm")
    assert fimo_torch.resolve_kernel("auto", cuda) == "gemm"
    assert fimo_torch.resolve_kernel("triton", cuda) == "triton"
    monkeypatch.setattr(fimo_triton, "available", lambda: False)
    monkeypatch.delenv("ANNOSTORE_FIMO_KERNEL")
    assert fimo_torch.resolve_kernel("auto", cuda) == "gemm"
    with pytest.raises(BadInputError, match="needs Triton"):
        fimo_torch.resolve_kernel("triton", cuda)
    with pytest.raises(BadInputError, match="kernel must be"):
        fimo_torch.resolve_kernel("fast", cpu)


def test_importing_the_module_does_not_import_torch():
    code = "import sys, annostore.core.fimo_torch, annostore.core.fimo_triton; print('torch' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


def _has_triton():
    try:
        import triton  # noqa: F401
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _has_triton(), reason="Triton is not installed (the fused kernel is CUDA-only)")
def test_triton_kernel_in_interpreter_equals_numba(tmp_path):
    """The fused kernel's logic under Triton's CPU interpreter (small: the interpreter is slow),
    with a 16-row candidate buffer so the overflow re-run is exercised."""
    code = f"""
import sys
sys.path.insert(0, {str(REPO / 'tests')!r})
import test_fimo_torch as t
from annostore.core import fimo_triton
fimo_triton._CAP0 = 16
ms = t._one_per_width(t.read_motifs(t.JASPAR))
for norc in (False, True):
    ref, got, pv, exp = t._numba_and_torch(ms, t._random_texts(3, n=3, hi=700), norc=norc, device="cpu", kernel="triton")
    assert len(ref) > 16 and got == ref, (len(ref), len(got))
    assert (pv == exp).all()
print("ok")
"""
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")


@CUDA
@pytest.mark.parametrize("norc", [False, True])
@pytest.mark.parametrize("bfile", ["nrdb", "uniform"])
def test_cuda_equals_numba_every_jaspar_width(jaspar, bfile, norc):
    motifs = _one_per_width(jaspar)
    texts = _random_texts(3)
    ref, got, pv, expected_pv = _numba_and_torch(motifs, texts, bfile=bfile, norc=norc, device="cuda")
    assert got == ref
    np.testing.assert_array_equal(pv, expected_pv)
    ref2, got2, _, _ = _numba_and_torch(motifs, texts, bfile=bfile, norc=norc, device="cuda", max_memory=1)
    assert got2 == ref


@CUDA
@pytest.mark.skipif(not _has_triton(), reason="Triton is not installed")
def test_cuda_triton_equals_numba(jaspar):
    ref, got, pv, expected_pv = _numba_and_torch(list(jaspar), _random_texts(4, n=20), device="cuda", kernel="triton")
    assert got == ref
    np.testing.assert_array_equal(pv, expected_pv)


# --------------------------------------------------------------------------------------------
# the public API and the CLI: identical tables


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"norc": True, "bfile": "uniform"},
        {"bfile": "motif", "qvalue_method": "meme"},
        {"bfile": (0.1, 0.4, 0.4, 0.1), "qvalue_method": "sample", "matched_sequence": True},
        {"qvalues": False, "max_stored_scores": 50},
    ],
)
def test_fimo_torch_cpu_table_equals_numba(jaspar, kw):
    import annostore

    names = list(dict.fromkeys(_one_per_width(jaspar).names + jaspar.names[:40]))
    motifs = jaspar.select(names)
    texts = _random_texts(13, n=15)
    ref = annostore.fimo(motifs, texts, 1e-3, **kw)
    stats: dict = {}
    from annostore.core.fimo import fimo_batches

    got = annostore.fimo(motifs, texts, 1e-3, backend="torch", device="cpu", **kw)
    assert ref.num_rows > 300
    assert got.equals(ref)
    batches = list(fimo_batches(motifs, texts, 1e-3, device="cpu", batch_motifs=7, stats=stats, **kw))
    assert stats["backend"] == "torch" and stats["device"] == "cpu"
    assert ref.equals(annostore.fimo(motifs, texts, 1e-3, **kw))  # numba unchanged beside it
    import pyarrow as pa

    assert pa.Table.from_batches(batches, schema=ref.schema).equals(ref)


def test_fimo_backend_arguments(jaspar):
    import annostore

    motifs = jaspar.select(jaspar.names[:2])
    with pytest.raises(BadInputError, match="backend"):
        annostore.fimo(motifs, ["ACGTACGT"], backend="gpu")
    with pytest.raises(BadInputError, match="needs backend='torch'"):
        annostore.fimo(motifs, ["ACGTACGT"], backend="numba", device="cuda")
    with pytest.raises(BadInputError, match="device"):
        annostore.fimo(motifs, ["ACGTACGT"], backend="torch", device="tpu")
    t = annostore.fimo(motifs, ["ACGTACGT" * 40], 0.01, backend="torch")  # device auto
    assert t.equals(annostore.fimo(motifs, ["ACGTACGT" * 40], 0.01))


def test_cli_fimo_and_scan_device_cpu(tmp_path, jaspar):
    from typer.testing import CliRunner

    import annostore
    from annostore.io.meme import write_meme
    from annostore_cli.app import app

    motifs = _one_per_width(jaspar)
    write_meme(motifs, tmp_path / "m.meme")
    texts = _random_texts(17, n=8)
    (tmp_path / "s.fa").write_text("".join(f">s{i}\n{t}\n" for i, t in enumerate(texts)))
    runner = CliRunner()
    base = ["fimo", str(tmp_path / "m.meme"), str(tmp_path / "s.fa"), "--thresh", "1e-3"]
    ref = runner.invoke(app, base)
    got = runner.invoke(app, base + ["--device", "cpu"])
    assert ref.exit_code == 0 and got.exit_code == 0, got.output
    body = lambda out: [ln for ln in out.splitlines() if not ln.startswith("#")]  # noqa: E731
    assert len(body(ref.stdout)) > 50 and body(got.stdout) == body(ref.stdout)
    bad = runner.invoke(app, base + ["--device", "tpu"])
    assert bad.exit_code == 65

    store = tmp_path / "x.store"
    s = annostore.open(store)
    s.add_motifs(tmp_path / "m.meme")
    s.add_sequences(tmp_path / "s.fa")
    s.close()
    r1 = runner.invoke(app, ["scan", str(store), "--thresh", "1e-3"])
    r2 = runner.invoke(app, ["scan", str(store), "--thresh", "1e-3", "--device", "cpu"])
    assert r1.exit_code == 0 and r2.exit_code == 0, r2.output
    s = annostore.open(store, read_only=True)
    runs = sorted(r["run_id"] for r in s.runs().to_pylist())
    q = "SELECT * EXCLUDE (run_id) FROM hits WHERE run_id = {} ORDER BY motif_idx, example_idx, start, strand"
    a, b = s.query(q.format(runs[0])), s.query(q.format(runs[1]))
    s.close()
    assert a.num_rows > 50 and a.equals(b)


def test_code4_equals_the_numba_words_top_byte():
    from annostore.core.fimo import _word_codes

    codes = np.random.default_rng(2).integers(0, 5, size=5000).astype(np.uint8)
    for n in (0, 1, 3, 17, 5000):
        np.testing.assert_array_equal(fimo_torch.code4_of(codes[:n]),
                                      (_word_codes(codes[:n]) >> np.uint32(24)).astype(np.uint8))
