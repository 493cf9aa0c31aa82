"""The built wheel carries sql/ and migrations/: install it in a fresh venv outside the source
tree and run the CLI from there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_source_tree(tmp_path):
    work = tmp_path / "outside"
    work.mkdir()
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("annostore-*.whl"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # the wheel, without dependencies, into the fresh venv
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True, text=True, cwd=tmp_path)
    # dependencies: the current interpreter's site-packages as plain path lines (an editable
    # install's .pth there is not processed, so the wheel's own annostore is imported)
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "zz_host_site.pth").write_text("\n".join(sorted(paths)) + "\n")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    def run(*args):
        return subprocess.run([str(env_dir / "bin" / "annostore"), *map(str, args)],
                              capture_output=True, text=True, cwd=work, env=env, timeout=120)

    where = subprocess.run(
        [str(py), "-c", "import annostore, annostore.resources as r; print(annostore.__file__); print(r.sql_dir()); print(r.migrations_dir())"],
        capture_output=True, text=True, cwd=work, env=env, check=True,
    ).stdout.split()
    for p in where:
        assert Path(p).resolve().is_relative_to(env_dir.resolve()), where
    assert (Path(where[1]) / "store_view_hits.sql").is_file()
    assert (Path(where[2]) / "0001_init.sql").is_file()

    meme = work / "m.meme"
    shutil.copy(REPO / "src" / "annostore" / "data" / "JASPAR2026_CORE_vertebrates_non-redundant.meme", meme)
    assert run("init", "w.store").returncode == 0
    r = run("motifs", "add", "w.store", meme)
    assert r.returncode == 0, r.stderr
    r = run("query", "w.store", "SELECT count(*) AS n, max(schema_version) AS v FROM motifs, (SELECT max(version) AS schema_version FROM schema_version)")
    assert r.returncode == 0, r.stderr
    n, v = r.stdout.splitlines()[1].split("\t")
    assert int(n) == 1019 and int(v) >= 1
