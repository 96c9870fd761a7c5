"""Writing a run's files: the worker processes started before a large input is read write the
same bytes as one process, and the documents' fonts, reduced once per process without
re-encoding their glyphs, have the box a full recalculation gives."""

from __future__ import annotations

import io

import pytest
from conftest import write_csv


def _sessions_csv(path, sessions: int):
    rows = [[f"phien-{i:02d}", str(k + 1), str(1 + (i + k) % 3), str(1 + (i * k) % 3), ""]
            for k in range(5) for i in range(sessions)]
    return write_csv(path, ["Phiên", "Số phiếu", "CB01", "CB02", "Lỗi phiếu"], rows)


@pytest.mark.parametrize("start", [None, "spawn"])
def test_workers_started_before_reading_write_the_same_bytes(cli, tmp_path, monkeypatch, start):
    import tinnhiem.commands.tally as tally_cmd
    import tinnhiem.io.workers as workers

    monkeypatch.setattr(workers, "START_METHOD", start)
    f = _sessions_csv(tmp_path / "phieu.csv", sessions=3)
    outs = {}
    for mode, early, parallel in (("early", 0, tally_cmd.PARALLEL_FROM), ("serial", 10**12, 10**9)):
        monkeypatch.setattr(tally_cmd, "EARLY_POOL_FROM_BYTES", early)
        monkeypatch.setattr(tally_cmd, "PARALLEL_FROM", parallel)
        (tmp_path / mode).mkdir()
        r = cli("tally", f, "--workdir", tmp_path / mode, "--out", tmp_path / mode / "kq", "--report-date", "18/01/2019")
        assert r.exit_code == 0, r.stderr
        outs[mode] = {p.name: p.read_bytes() for p in (tmp_path / mode / "kq").iterdir()}
    assert len(outs["early"]) == 4 * 3  # every file, and no temporary file left behind
    assert outs["early"] == outs["serial"]


def test_pool_size_follows_the_jobs():
    from tinnhiem.io.workers import pool_size

    assert pool_size(1, 2, 4) == 0
    assert pool_size(2, 2, 4) == 2
    assert pool_size(3, 2, 4) == 3
    assert pool_size(100, 2, 4) == 4
    assert pool_size(100, 2, 1) == 0


def test_reduced_fonts_keep_the_recalculated_box():
    """fpdf2 prints the reduced font's head box as the font's FontBBox: the box taken from the
    glyphs' own records is the one fontTools computes from their outlines."""
    from fontTools import subset, ttLib

    from tinnhiem.io import pdf
    from tinnhiem.io.nd30 import font_file

    for path in [font_file(s) for s in ("", "B", "I", "BI")] + [pdf.font_path(), pdf.font_path(bold=True)]:
        reduced = ttLib.TTFont(io.BytesIO(pdf._reduced_font_bytes(path)))
        full = ttLib.TTFont(str(path))  # recalcBBoxes: every glyph decoded and measured
        options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "hdmx", "FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes={u for a, b in pdf._KEEP_RANGES for u in range(a, b)})
        subsetter.subset(full)
        buf = io.BytesIO()
        full.save(buf)
        recalculated = ttLib.TTFont(io.BytesIO(buf.getvalue()))
        box = lambda f: (f["head"].xMin, f["head"].yMin, f["head"].xMax, f["head"].yMax)  # noqa: E731
        assert box(reduced) == box(recalculated), path.name
        assert reduced.getGlyphOrder() == recalculated.getGlyphOrder(), path.name
