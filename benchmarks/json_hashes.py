"""The sha256 of `tally --dry-run --json` on every counted-ballot input at hand, one line per
input (and option set), so that a rewrite of the counting path can be checked to give the same
document, byte for byte (issue 18):

    nice -n 10 .venv/bin/python benchmarks/json_hashes.py > before.txt
    ... change the code ...
    nice -n 10 .venv/bin/python benchmarks/json_hashes.py > after.txt && diff before.txt after.txt

Inputs: the national and city per-ballot CSVs and the city entry workbook when generated
(benchmarks/generate.py), every `tally_*` deck in tests/data, and the demo's filled entry
workbook counted in the demo's working folder (the demo is made once into benchmarks/data/demo).
Each run is its own process, as a user runs it; the exit code is printed beside the hash."""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
DATA = HERE / "data"

# Option sets: the rule set's own, and the other validity mode and base.
VARIANTS = [[], ["--invalid-mode", "per_person"], ["--base", "valid"]]


def tally_hash(path: Path, extra: list[str], cwd: Path) -> tuple[str, int]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(ROOT / "src"))
    # The file named from its own folder: problems name it, and the document must not depend on
    # where the repository is.
    p = subprocess.run([PY, "-m", "tinnhiem", "tally", str(path.relative_to(cwd)), "--dry-run", "--json", *extra],
                       cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    return hashlib.sha256(p.stdout).hexdigest(), p.returncode


def demo_entry() -> tuple[Path, Path] | None:
    """(filled entry workbook, its working folder), making the demo once."""
    target = DATA / "demo"
    if not target.exists():
        env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(ROOT / "src"))
        subprocess.run([PY, "-m", "tinnhiem", "demo", "--out", str(target), "--json"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    found = sorted(target.rglob("*da-dien*.xlsx")) or sorted(p for p in target.rglob("so-nhap-phieu*.xlsx"))
    return (found[0], target) if found else None


def inputs(big: bool) -> list[tuple[str, Path, Path]]:
    """(label, file, working folder)."""
    out: list[tuple[str, Path, Path]] = []
    for scale in (["national", "city"] if big else ["city"]):
        for name in ("phieu.csv", "phieu-200k.xlsx", "so-nhap-phieu.xlsx"):
            path = DATA / scale / name
            if path.exists():
                out.append((f"{scale}/{name}", path, path.parent))
    for path in sorted((ROOT / "tests" / "data").glob("tally_*")):
        out.append((f"tests/data/{path.name}", path, path.parent))
    demo = demo_entry()
    if demo is not None:
        out.append((f"demo/{demo[0].relative_to(demo[1])}", demo[0], demo[1]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-national", action="store_true", help="leave out the national files (a few seconds each)")
    args = ap.parse_args()
    for label, path, cwd in inputs(not args.no_national):
        for extra in VARIANTS:
            digest, rc = tally_hash(path, extra, cwd)
            print(f"{digest}  rc={rc}  {label} {' '.join(extra)}".rstrip(), flush=True)


if __name__ == "__main__":
    main()
