"""Builders of the genomic file layouts the tests read (each exactly as its tool writes it)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def random_genome(seed: int = 0, sizes: dict | None = None) -> dict:
    rng = np.random.default_rng(seed)
    sizes = sizes or {"chr1": 5000, "chr2": 3333, "chrM": 150}
    out = {}
    for name, n in sizes.items():
        letters = np.frombuffer(b"ACGTacgtN", dtype=np.uint8)
        codes = rng.choice(len(letters), size=n, p=[0.22, 0.22, 0.22, 0.22, 0.03, 0.03, 0.03, 0.02, 0.01])
        out[name] = letters[codes].tobytes().decode()
    return out


def fasta_text(genome: dict, width: int = 60, newline: str = "\n") -> str:
    parts = []
    for name, seq in genome.items():
        parts.append(f">{name} description here{newline}")
        for i in range(0, len(seq), width):
            parts.append(seq[i : i + width] + newline)
    return "".join(parts)


def write_bgzf(path: Path, data: bytes, block: int = 4000) -> None:
    """BGZF as bgzip writes it: gzip members with a BC extra field, then the empty EOF block."""
    out = bytearray()
    chunks = [data[i : i + block] for i in range(0, len(data), block)] + [b""]
    for chunk in chunks:
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        cdata = comp.compress(chunk) + comp.flush()
        bsize = 12 + 6 + len(cdata) + 8 - 1
        header = b"\x1f\x8b\x08\x04" + b"\x00\x00\x00\x00" + b"\x00\xff" + struct.pack("<H", 6)
        header += b"BC" + struct.pack("<HH", 2, bsize)
        out += header + cdata + struct.pack("<II", zlib.crc32(chunk) & 0xFFFFFFFF, len(chunk))
    path.write_bytes(bytes(out))


def one_hot(seqs: list) -> np.ndarray:
    lut = {c: i for i, c in enumerate("ACGT")}
    out = np.zeros((len(seqs), 4, len(seqs[0])), dtype=np.int8)
    for i, s in enumerate(seqs):
        for j, ch in enumerate(s.upper()):
            if ch in lut:
                out[i, lut[ch], j] = 1
    return out


def write_narrowpeak(path: Path, rows: list) -> None:
    """rows: (chrom, start, end, name, summit_offset)."""
    lines = []
    for i, (c, s, e, name, summit) in enumerate(rows):
        lines.append(f"{c}\t{s}\t{e}\t{name}\t{100 + i}\t.\t5.5\t10.2\t8.1\t{summit}\n")
    path.write_text("".join(lines))


def write_chrombpnet_h5(path: Path, raw: np.ndarray, hyp: np.ndarray, projected: bool = True) -> None:
    """ChromBPNet's contribs_bw output as deepdish writes it: blosc-compressed groups raw/, shap/,
    projected_shap/, each with a 'seq' dataset (N, 4, L)."""
    import h5py
    import hdf5plugin

    with h5py.File(path, "w") as f:
        f.attrs["DEEPDISH_IO_VERSION"] = 12
        f.create_group("raw").create_dataset("seq", data=raw.astype(np.int8), **hdf5plugin.Blosc())
        f.create_group("shap").create_dataset("seq", data=hyp.astype(np.float16), **hdf5plugin.Blosc())
        if projected:
            proj = (raw.astype(np.float32) * hyp.astype(np.float32)).astype(np.float16)
            f.create_group("projected_shap").create_dataset("seq", data=proj, **hdf5plugin.Blosc())


def write_bpnet_h5(path: Path, raw: np.ndarray, hyp: np.ndarray, chrom: list, start: list, width: int) -> None:
    """kundajelab/bpnet counts_scores.h5: (N, L, 4) arrays and coords_* datasets."""
    import h5py

    with h5py.File(path, "w") as f:
        f.create_dataset("hyp_scores", data=hyp.transpose(0, 2, 1).astype(np.float32))
        f.create_dataset("input_seqs", data=raw.transpose(0, 2, 1).astype(np.float32))
        f.create_dataset("coords_chrom", data=np.array(chrom, dtype="S"))
        f.create_dataset("coords_start", data=np.array(start, dtype=np.int64))
        f.create_dataset("coords_end", data=np.array(start, dtype=np.int64) + width)


def write_modisco_h5(path: Path, patterns: dict, window: int | None) -> None:
    """modisco-lite save_hdf5 layout. patterns: {"pos_patterns.pattern_0": dict(sequence=(w,4), contrib=(w,4),
    start, end, example_idx, is_revcomp, seqlet_contrib=(n, w, 4))}."""
    import h5py

    with h5py.File(path, "w") as f:
        if window is not None:
            f.attrs["window_size"] = window
        for name, p in patterns.items():
            parts = name.split(".")
            g = f.require_group(parts[0]).require_group(parts[1])
            for sub in parts[2:]:
                g = g.require_group(sub)
            g.create_dataset("sequence", data=p["sequence"])
            g.create_dataset("contrib_scores", data=p["contrib"])
            g.create_dataset("hypothetical_contribs", data=p["contrib"] * 2)
            s = g.create_group("seqlets")
            s.create_dataset("n_seqlets", data=np.array([len(p["start"])]))
            for k in ("start", "end", "example_idx", "is_revcomp"):
                s.create_dataset(k, data=np.asarray(p[k]))
            if "seqlet_contrib" in p:
                s.create_dataset("contrib_scores", data=p["seqlet_contrib"])
