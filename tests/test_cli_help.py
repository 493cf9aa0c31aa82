"""The CLI as a whole: light start-up, help text with an example on every command."""

from __future__ import annotations

import subprocess
import sys
import typing

import typer.main
from annostore_cli.app import app
from typer.testing import CliRunner


def _commands(group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        path = (*prefix, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, path)
        else:
            yield path, cmd


# a process that runs commands through the console script's main() (as `annostore ...` does)
_RUN_MAIN = (
    "import sys\n"
    "from annostore_cli.app import main\n"
    "def run(*args):\n"
    "    sys.argv = ['annostore', '-q', *args]\n"
    "    try:\n"
    "        main()\n"
    "    except SystemExit as exc:\n"
    "        assert not exc.code, (args, exc.code)\n"
)


def _run_main(body: str) -> str:
    """Run ``body`` (calls of ``run(*args)``) in a new process after :data:`_RUN_MAIN`; its stdout."""
    proc = subprocess.run([sys.executable, "-c", _RUN_MAIN + body], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_startup_does_not_import_torch_or_numba():
    code = (
        "import sys\n"
        "import annostore\n"
        "from annostore_cli.app import app\n"
        "bad = [m for m in ('torch', 'numba') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_command_has_help_with_an_example():
    root = typer.main.get_command(app)
    commands = list(_commands(root))
    assert len(commands) >= 1
    missing = []
    for path, cmd in commands:
        text = (cmd.help or "") + (cmd.epilog or "")
        if "annostore " not in text:
            missing.append(" ".join(path))
    assert missing == [], f"commands without an example in their help: {missing}"


def test_help_lists_commands():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    root = typer.main.get_command(app)
    for name in root.commands:
        assert name in result.output


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_a_command_module_that_cannot_be_imported_stops_the_cli(tmp_path):
    (tmp_path / "zz_broken.py").write_text("raise ImportError('boom: a broken command module')\n")
    code = (
        "import annostore_cli.commands as c\n"
        f"c.__path__.append({str(tmp_path)!r})\n"
        "import annostore_cli.app\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0
    assert "boom: a broken command module" in out.stderr


def test_new_runs_are_named_with_name_and_run_is_a_hidden_alias(tmp_path):
    import numpy as np

    runner = CliRunner()
    store = tmp_path / "s.store"
    hits = tmp_path / "hits.tsv"
    hits.write_text("motif_name\tsequence_name\tstart\tend\tstrand\tscore\tp-value\nM\t0\t0\t3\t+\t1.0\t0.001\n")
    import annostore

    with annostore.open(store) as s:
        s.add_motifs({"M": np.full((4, 3), 0.25)})
        s.add_regions(_bed(tmp_path))
    help_text = runner.invoke(app, ["ingest", "hits", "--help"]).output
    assert "--name" in help_text and "--run" not in help_text
    assert runner.invoke(app, ["ingest", "hits", str(store), str(hits), "--name", "new"]).exit_code == 0
    old = runner.invoke(app, ["ingest", "hits", str(store), str(hits), "--run", "old"])
    assert old.exit_code == 0, old.output
    assert "--name" in old.stderr
    both = runner.invoke(app, ["ingest", "hits", str(store), str(hits), "--name", "a", "--run", "b"])
    assert both.exit_code == 65
    with annostore.open(store, read_only=True) as s:
        assert s.runs()["name"].to_pylist() == ["new", "old"]


def _bed(tmp_path):
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\t0\t100\n")
    return bed


def test_recorded_command_line_keeps_global_options(tmp_path, jaspar_path):
    import annostore

    motifs = annostore.read_motifs(jaspar_path).select(["MA0139.2"])
    annostore.write_meme(motifs, tmp_path / "q.meme")
    q = str(tmp_path / "q.meme")
    res = subprocess.run([sys.executable, "-m", "annostore_cli.app", "--threads", "1", "tomtom", q, q, "--text"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert f"# annostore --threads 1 tomtom {q} {q} --text" in res.stdout


def test_every_path_parameter_leaves_readability_to_the_opener():
    """click's own readable check answers an unreadable file with a usage error (exit 2); the
    opener (annostore.io.files) answers it with one line and exit 66. So no click Path checks."""
    import pathlib

    root = typer.main.get_command(app)
    checked = []
    for path, cmd in _commands(root):
        for param in cmd.params:
            desc = param.type_descriptor
            if param.name in ("output", "output_path", "oc"):
                continue  # outputs: written, not read
            if desc.annotation in (pathlib.Path, typing.Optional[pathlib.Path]):
                checked.append((" ".join(path), param.name))
                assert desc.parameter_info.readable is False, f"{' '.join(path)} {param.name}: add readable=False"
    assert len(checked) >= 10


def test_read_commands_do_not_import_pandas(tmp_path, jaspar_path):
    """count, pairs, spacing, query and export write text and Parquet without importing pandas
    (pyarrow's pa.array / pa.scalar would: about 2 s of every command's start-up)."""
    import pyarrow as pa

    import annostore

    store = annostore.open(tmp_path / "s.store")
    store.add_motifs(jaspar_path)
    rows = [{"sequence_name": f"seq{i % 7}", "motif": name, "start": 10 * i, "end": 10 * i + 8,
             "strand": "+-"[i % 2], "p_value": 1e-5, "attribution": 0.5 + i}
            for i, name in enumerate(["MA0002.3", "MA0003.5", "MA0004.1"] * 20)]
    store.add_hits(pa.Table.from_pylist(rows))
    store.close()
    stdout = _run_main(
        f"s, out = {str(tmp_path / 's.store')!r}, {str(tmp_path)!r}\n"
        "for fmt in ('tsv', 'csv', 'jsonl', 'parquet'):\n"
        "    run('count', s, '-o', f'{out}/c.{fmt}')\n"
        "run('pairs', s, '-o', out + '/p.tsv')\n"
        "run('spacing', s, '-o', out + '/sp.jsonl')\n"
        "run('query', s, 'SELECT motif, count(*) AS n FROM hits GROUP BY ALL', '-o', out + '/q.tsv')\n"
        "run('export', s, 'hits', '-o', out + '/h.csv')\n"
        "print('pandas' in sys.modules)\n"
    )
    assert stdout.strip().splitlines()[-1] == "False"
    assert (tmp_path / "c.jsonl").read_text().count("\n") > 3 and "MA0004.1" in (tmp_path / "q.tsv").read_text()


def test_write_commands_do_not_import_pandas_and_plot_still_can(tmp_path, jaspar_path):
    """The console script hides pandas from pyarrow's one-time check (options.pyarrow_without_pandas):
    init, motifs add, ingest, collapse, info and runs never import pandas; plot (which hands pyarrow
    pandas frames) keeps pyarrow's pandas integration.  Real values are checked, not just exit codes."""
    tsv = tmp_path / "hits.tsv"
    lines = ["motif_name\tsequence_name\tstart\tend\tstrand\tscore\tp-value"]
    for i in range(30):  # pairs of overlapping hits of one motif: collapse keeps one of each pair
        name = ["MA0002.3", "MA0003.5", "MA0004.1"][i % 3]
        lines.append(f"{name}\tseq{i % 5}\t{100 * i}\t{100 * i + 10}\t+\t{10 + i}\t1e-5")
        lines.append(f"{name}\tseq{i % 5}\t{100 * i + 2}\t{100 * i + 12}\t+\t{9 + i}\t1e-4")
    tsv.write_text("\n".join(lines) + "\n")
    s = str(tmp_path / "w.store")
    out = _run_main(
        f"s = {s!r}\n"
        "run('init', s)\n"
        f"run('motifs', 'add', s, {str(jaspar_path)!r})\n"
        f"run('ingest', 'hits', s, {str(tsv)!r}, '--name', 'h')\n"
        "run('collapse', s, '--run', 'h', '--name', 'hc', '--by', 'motif')\n"
        "run('info', s)\n"
        "run('runs', s)\n"
        "print('PANDAS', 'pandas' in sys.modules)\n"
    )
    assert out.strip().splitlines()[-1] == "PANDAS False"
    info = dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
    assert info["motifs"] == "1019"
    assert info["hits"] == "90"  # 60 ingested + 30 kept by collapse
    png = tmp_path / "pairs.png"
    code = (
        "import sys\n"
        "from annostore_cli.app import main\n"
        f"sys.argv = ['annostore', '-q', 'plot', 'pairs', {s!r}, '-o', {str(png)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_analysis_commands_run_through_the_console_script(tmp_path, jaspar_path):
    """Every analysis command through main() (pyarrow's pandas integration off, as in the console
    script), in one process: exit codes and real outputs."""
    import numpy as np

    import annostore

    rng = np.random.default_rng(3)
    motifs = annostore.read_motifs(jaspar_path)
    sub = motifs.select(["MA0139.2", "MA1102.3", "MA0099.4", "MA0476.2", "MA0002.3", "MA0004.1"])
    annostore.write_meme(sub, tmp_path / "m.meme")
    ctcf = "".join("ACGT"[int(np.argmax(c))] for c in np.asarray(sub[0].pwm).T)
    seqs = []
    for i in range(6):
        s = list(rng.choice(list("ACGT"), 200))
        s[50:50 + len(ctcf)] = ctcf  # a CTCF site in every sequence
        seqs.append("".join(s))
    (tmp_path / "seqs.fa").write_text("".join(f">seq{i}\n{s}\n" for i, s in enumerate(seqs)))
    attr = rng.normal(scale=0.01, size=(6, 200)).astype(np.float32)
    attr[:, 50:50 + len(ctcf)] += 1.0
    np.save(tmp_path / "attr.npy", attr)
    t = str(tmp_path)
    out = _run_main(
        f"t = {t!r}; s = t + '/a.store'\n"
        "run('init', s)\n"
        "run('motifs', 'add', s, t + '/m.meme')\n"
        "run('sequences', 'add', s, t + '/seqs.fa')\n"
        "run('attributions', 'add', s, t + '/attr.npy', '--name', 'a1')\n"
        "run('seqlets', s)\n"
        "run('scan', s, '--name', 'sc')\n"
        "run('annotate', s)\n"
        "run('motifs', 'cluster', s)\n"
        "run('collapse', s, '--run', 'sc', '--name', 'scc')\n"
        "run('count', s, '--by', 'cluster', '-o', t + '/c.tsv')\n"
        "run('enrich', 'pairs', s, '-o', t + '/ep.tsv')\n"
        "run('fimo', t + '/m.meme', t + '/seqs.fa', '--oc', t + '/fimo_out')\n"
        "run('tomtom', t + '/m.meme', t + '/m.meme', '--oc', t + '/tt')\n"
    )
    counts = (tmp_path / "c.tsv").read_text().splitlines()
    assert "cluster" in counts[0].split("\t") and len(counts) > 1
    assert "CTCF" in (tmp_path / "c.tsv").read_text()
    fimo = (tmp_path / "fimo_out" / "fimo.tsv").read_text().splitlines()
    assert sum(line.startswith("MA0139.2\t") for line in fimo) >= 6  # the planted sites
    tt = (tmp_path / "tt" / "tomtom.tsv").read_text().splitlines()
    assert any(line.startswith("MA0139.2\tMA0139.2\t") for line in tt)
