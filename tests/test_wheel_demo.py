"""The built wheel carries the JASPAR motifs and licence, and `annostore demo` runs from it in a
fresh venv outside the source tree (same approach as tests/test_wheel.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MEME = "annostore/data/JASPAR2026_CORE_vertebrates_non-redundant.meme"


@pytest.mark.slow
def test_wheel_ships_jaspar_and_runs_the_demo_outside_the_source_tree(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("annostore-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert MEME in names and "annostore/data/LICENSE-JASPAR.md" in names
        assert zf.read(MEME) == (REPO / "src" / MEME).read_bytes()
        assert b"CC BY 4.0" in zf.read("annostore/data/LICENSE-JASPAR.md")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True, text=True, cwd=tmp_path)
    host = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "zz_host_site.pth").write_text("\n".join(sorted(host)) + "\n")

    work = tmp_path / "outside"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    where = subprocess.run(
        [str(py), "-c", "import annostore; print(annostore.default_motifs_path())"],
        capture_output=True, text=True, cwd=work, env=env, check=True,
    ).stdout.strip()
    assert Path(where).resolve().is_relative_to(env_dir.resolve()), where

    run = subprocess.run(
        [str(env_dir / "bin" / "annostore"), "--quiet", "demo", "demo-out", "--n-sequences", "60", "--seed", "0"],
        capture_output=True, text=True, cwd=work, env=env, timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Planted sites recovered" in run.stdout
    out = work / "demo-out"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["recovered"] is True and summary["spacing_peak"] == summary["planted_gap"]
    for png in ("logo.png", "pairs.png", "spacing.png"):
        assert (out / png).stat().st_size > 5000
