"""The command line as a whole: every command has Vietnamese help with an example, --version,
fast start-up without heavy imports, and the demo."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main

from tinnhiem import __version__
from tinnhiem.cli import app


def all_commands():
    """(path, click command) for every command and sub-command."""
    root = typer.main.get_command(app)
    out = []

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, path + [name])
        else:
            out.append((path, cmd))

    walk(root, [])
    return out


COMMANDS = all_commands()


def test_expected_commands_exist():
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"eligible", "demo", "rules show", "rules check", "rules new"} <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_vietnamese_help_with_example(cli, path):
    r = cli(*path, "--help")
    assert r.exit_code == 0
    assert "Ví dụ" in r.stdout, f"{path}: help has no example"
    assert "Tùy chọn" in r.stdout  # panel titles are Vietnamese too


def test_root_help_and_version(cli):
    r = cli("--help")
    assert r.exit_code == 0 and "Lấy phiếu tín nhiệm" in r.stdout
    r = cli("--version")
    assert r.exit_code == 0 and __version__ in r.stdout


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from tinnhiem.cli import app\n"
            "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pandas', 'openpyxl', 'fpdf', 'python_calamine', 'numpy') if m in sys.modules]\n"
            "sys.stderr.write(repr(heavy))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stderr.strip().endswith("[]"), p.stderr


def test_python_dash_m(cli_subprocess):
    r = cli_subprocess("--version")
    assert r.exit_code == 0 and __version__ in r.stdout


def test_unknown_command_is_usage_error(cli):
    assert cli("khong-co-lenh").exit_code == 2


def test_rules_show_and_check(cli, tmp_path):
    r = cli("rules", "show", "--json")
    assert r.exit_code == 0 and r.json["rules"] == "cantho-2019"
    assert cli("rules", "check", "cantho-2019").exit_code == 0
    bad = tmp_path / "bad.toml"
    cli("rules", "new", "--from", "cantho-2019", bad)
    bad.write_text(bad.read_text(encoding="utf-8").replace("[tenure]", "[tenure]\nthang = 9", 1), encoding="utf-8")
    r = cli("rules", "check", bad, "--json")
    assert r.exit_code == 1
    assert r.json["problems"][0]["code"] == "RULES_UNKNOWN_KEY"
    assert r.json["problems"][0]["row"] is not None
