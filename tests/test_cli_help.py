"""The CLI as a whole: light start-up, help text with an example on every command."""

from __future__ import annotations

import subprocess
import sys

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


def test_startup_does_not_import_torch_or_numba():
    code = (
        "import sys\n"
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
