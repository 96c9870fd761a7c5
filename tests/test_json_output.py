"""emit_json: the document scripts read. Big documents are written in pieces; the text must be
exactly one json.dumps of the document, in UTF-8 whatever the console's code page."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from tinnhiem.commands import common

JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(), lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


def _emit(doc, monkeypatch, encoding="utf-8") -> bytes:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="\n")
    monkeypatch.setattr(sys, "stdout", out)
    common.emit_json(doc)
    out.flush()
    return raw.getvalue()


def test_big_document_is_one_json_dumps(monkeypatch):
    sessions = [{"id": f"s{i}", "unit": "Sở Tài chính", "results": [{"pct_thap": "66.60", "band": None}]} for i in range(2500)]
    problems = [{"code": "W221_FIGURE_MISSING", "message": f"Phiên 's{i}': chưa có số liệu."} for i in range(9000)]
    doc = {"rules": "cantho-2019", "report_date": dt.date(2019, 1, 18), "sessions": sessions, "problems": problems, "out": None}
    got = _emit(doc, monkeypatch)
    expected = json.dumps(doc, ensure_ascii=False, default=common._json_default) + "\n"
    assert got.decode("utf-8") == expected
    assert json.loads(got)["sessions"][2499]["id"] == "s2499"
    assert json.loads(got)["report_date"] == "2019-01-18"


def test_legacy_code_page_console_still_gets_utf8(monkeypatch):
    doc = {"sessions": [{"unit": "Sở Tài chính"}] * 12000}
    got = _emit(doc, monkeypatch, encoding="cp1252")
    assert json.loads(got.decode("utf-8"))["sessions"][0]["unit"] == "Sở Tài chính"
    small = _emit({"unit": "Ủy ban nhân dân"}, monkeypatch, encoding="cp1252")
    assert json.loads(small.decode("utf-8")) == {"unit": "Ủy ban nhân dân"}


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.lists(JSON_VALUES, max_size=2300), min_size=1, max_size=4), st.integers(1, 5))
def test_chunked_equals_plain(doc, chunk):
    """Whatever the lists hold and wherever the pieces are cut."""
    import pytest

    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(common, "JSON_CHUNK", chunk)
        mp.setattr(common, "COMPACT_JSON_FROM", -1)
        got = _emit(doc, mp)
    finally:
        mp.undo()
    assert got.decode("utf-8") == json.dumps(doc, ensure_ascii=False) + "\n"


def test_a_value_json_cannot_hold_writes_nothing(monkeypatch):
    """Encoding fails before anything is written: never half a document on stdout."""
    import pytest

    doc = {"sessions": [{"id": i} for i in range(12000)] + [{"id": object()}]}
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    monkeypatch.setattr(sys, "stdout", out)
    with pytest.raises(TypeError):
        common.emit_json(doc)
    out.flush()
    assert raw.getvalue() == b""
