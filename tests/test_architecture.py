"""The layout the project keeps: a pure core (no CLI, no terminal, no file formats, no file
access) under thin commands; every file format in tinnhiem.io."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tinnhiem"
CORE = sorted((SRC / "core").glob("*.py"))
FORBIDDEN_IN_CORE = ("typer", "click", "rich", "openpyxl", "fpdf", "python_calamine", "pypdf", "defusedxml", "zipfile",
                     "csv", "tinnhiem.io", "tinnhiem.commands", "tinnhiem.cli", "importlib.resources", "pathlib", "shutil")
# (not "replace": str.replace and dataclasses.replace are everywhere)
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "unlink", "rename", "iterdir", "glob"}


def _imports(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_is_pure(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = {name for name in _imports(tree) for f in FORBIDDEN_IN_CORE if name == f or name.startswith(f + ".")}
    assert not bad, f"{path.name} imports {sorted(bad)}"
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else None
            if name in FILE_CALLS:
                calls.add(name)
    assert not calls, f"{path.name} touches files: {sorted(calls)}"


def test_every_command_module_is_thin_at_import():
    """A command module's top level imports only typer, typing, pathlib and tinnhiem.options (the
    rest inside functions, the standard library and the problems module aside): `tinnhiem
    --help` must not load pandas or openpyxl."""
    allowed = {"typer", "typing", "pathlib", "tinnhiem.options", "__future__", "tinnhiem.commands.common",
               "tinnhiem.core.problems"}
    for path in sorted((SRC / "commands").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                top |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                top.add(node.module)
        heavy = {m for m in top if m.split(".")[0] in ("pandas", "numpy", "openpyxl", "fpdf", "python_calamine", "rich")}
        assert not heavy, f"{path.name} imports {sorted(heavy)} at module level"
        other = {m for m in top - allowed if m.split(".")[0] not in sys.stdlib_module_names}
        assert not other, f"{path.name} imports {sorted(other)} at module level"
