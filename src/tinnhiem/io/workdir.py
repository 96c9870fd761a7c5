"""The working folder shared by the commands: each step records there, in plain JSON files a
person can open, what the next step needs."""

from __future__ import annotations

import json
from pathlib import Path

from tinnhiem.io.atomic import write_text

STATE_DIR = "tinnhiem-ho-so"
INPUTS = "inputs.json"  # roster, schedule, meeting date, rules the last run used
ELIGIBLE = "eligible.json"
SESSIONS = "sessions.json"
MANIFEST = "ballot-manifest.json"
RESULTS = "results.json"

# Default output locations, relative to the working folder.
OUT_ELIGIBLE = Path("tinnhiem-danh-sach") / "danh-sach-lay-phieu.xlsx"
OUT_VOTERS = Path("tinnhiem-danh-sach") / "danh-sach-trieu-tap.xlsx"
OUT_PLAN = Path("tinnhiem-danh-sach") / "ke-hoach.xlsx"
OUT_BALLOTS = Path("tinnhiem-phieu")
OUT_TALLY = Path("tinnhiem-ket-qua")
OUT_CONSOLIDATE = Path("tinnhiem-tong-hop") / "tong-hop.xlsx"
OUT_DEMO = Path("tinnhiem-demo")


class Workdir:
    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root else Path.cwd()
        self.dry_run = False  # --dry-run: records are not written (the folder may be read-only)

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    def path(self, name: str) -> Path:
        return self.state / name

    def read(self, name: str) -> dict | None:
        p = self.path(name)
        if not p.is_file():
            return None
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write(self, name: str, data: dict) -> Path:
        p = self.path(name)
        if self.dry_run:
            return p
        p.parent.mkdir(parents=True, exist_ok=True)
        # Indented for a person who opens the record, except the big ones (a national list of
        # sessions): the indenting encoder is pure Python, about 4 times slower. Same JSON.
        indent = None if _entries(data) > 10_000 else 2
        write_text(p, json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=False) + "\n")
        return p

    def output(self, default: Path) -> Path:
        return self.root / default


def _entries(value, depth: int = 3) -> int:
    """How many list and dict entries `value` holds, down to `depth` levels: a cheap measure of
    how big a record is (the 5,549 sessions of a national list count over 16,000)."""
    if depth == 0 or not isinstance(value, (list, dict)):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return len(value) + sum(_entries(v, depth - 1) for v in items if isinstance(v, (list, dict)))
