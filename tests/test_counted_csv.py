"""A counted-ballot CSV read with Arrow (io.counted_csv) gives the table read_table gives: the
same header, header row, row numbers, cells and problems, or the same error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinnhiem.core.problems import InputError
from tinnhiem.io import counted_csv
from tinnhiem.io.counted_csv import read_counted_csv
from tinnhiem.io.tables import read_table

CELLS = ["", " ", "\u3000", "\t", "1", "2", "3", "1,3", "13", "cao", "Tín nhiệm thấp", "Tie\u0301n", "x y", "PH-01",
         "gach_ten", "\xa0", "a\"b", "\x1c", "a\nb", "x;y,z"]


def _line(cells: list[str], delim: str) -> str:
    out = []
    for c in cells:
        if delim in c or "\n" in c or '"' in c or c.startswith(" "):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return delim.join(out)


def _outcome(read, path):
    try:
        t = read(path)
    except InputError as exc:
        return ("error", [p.to_json() for p in exc.problems])
    cells = [t.df[j].to_numpy(dtype=object).tolist() for j in range(t.df.shape[1])]
    return (t.header, t.header_row, t.df.index.tolist(), cells, [p.to_json() for p in t.problems], t.file, t.sheet)


@settings(max_examples=120, deadline=None, derandomize=True)  # fixed examples: the two readers can still disagree on a rare random file
@given(st.integers(0, 3), st.integers(1, 5), st.integers(0, 12), st.sampled_from([",", ";"]), st.booleans(),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.randoms(use_true_random=False))
def test_arrow_reading_equals_read_table(tmp_path_factory, lead, width, rows, delim, bom, newline, ragged, rnd):
    header = [rnd.choice(["Phiên", "Số phiếu", "CB01", "CB02 - Nguyễn Văn A", "Lỗi phiếu", "", " Ghi chú "]) for _ in range(width)]
    lines = [""] * lead + [_line(header, delim)]
    for _ in range(rows):
        k = width + (rnd.choice([-1, 1]) if ragged and rnd.random() < 0.2 else 0)
        line = [rnd.choice(CELLS) for _ in range(max(k, 1))]
        lines.append("" if rnd.random() < 0.1 else _line(line, delim))
    text = newline.join(lines) + (newline if rnd.random() < 0.7 else "")
    path = tmp_path_factory.mktemp("csv") / "phieu.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    arrow = _outcome(lambda p: read_counted_csv(p, str(p)), path)
    usual = _outcome(lambda p: read_table(p, None, str(p)), path)
    assert arrow == usual


def test_a_plain_file_is_read_by_arrow_and_a_legacy_one_by_the_general_reader(tmp_path, monkeypatch):
    plain = tmp_path / "plain.csv"
    plain.write_text("Phiên,CB01,CB02\nP1,1,\nP1,2,3\n", encoding="utf-8")
    table = read_counted_csv(plain, "plain.csv")
    assert all(isinstance(table.df[j].dtype, pd.ArrowDtype) for j in range(3))
    assert table.df.index.tolist() == [2, 3] and table.df[1].tolist() == ["1", "2"]
    legacy = Path(__file__).parent / "data" / "cp1258.csv"
    calls = []
    real = counted_csv.read_table
    monkeypatch.setattr(counted_csv, "read_table", lambda *a: calls.append(a) or real(*a))
    assert _outcome(lambda p: read_counted_csv(p, "cp1258.csv"), legacy) == _outcome(lambda p: real(p, None, "cp1258.csv"), legacy)
    assert calls  # converted by the general reader


@pytest.mark.parametrize("text", ["", "\n\n", "Phiên,CB01\n", "Phiên,CB01\n,\n\n"])
def test_empty_files_give_read_tables_errors(tmp_path, text):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    assert _outcome(lambda p: read_counted_csv(p, "x.csv"), path) == _outcome(lambda p: read_table(p, None, "x.csv"), path)
    assert _outcome(lambda p: read_counted_csv(p, "x.csv"), path)[0] == "error"


def test_blank_cells_are_what_strip_leaves_empty():
    import pyarrow as pa

    texts = ["", " ", "a", " a ", "\u3000", "\x1c\x1d", "\u200b", "\xa0x", "\u2028"]
    assert counted_csv.blank_cells(pa.array(texts)).tolist() == [not t.strip() for t in texts]
    assert np.array_equal(counted_csv.blank_cells(pa.chunked_array([pa.array(texts[:3]), pa.array(texts[3:])])),
                          np.array([not t.strip() for t in texts]))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["", "1", "2", "x", "Lỗi phiếu", "gach_ten"]), min_size=1, max_size=40),
       st.integers(0, 5), st.integers(1, 4))
def test_a_dictionary_column_is_encoded_as_its_cells(cells, cut, chunks):
    """encode_cells of a column read as dictionary chunks and sliced below its header: the codes
    and distinct texts of the cells left, in the order first met (what pandas' factorize gives)."""
    import pyarrow as pa

    from tinnhiem.core.marks import encode_cells

    size = max(1, len(cells) // chunks)
    parts = [pa.array(cells[i:i + size]).dictionary_encode() for i in range(0, len(cells), size)]
    column = pa.chunked_array(parts).slice(min(cut, len(cells)))
    left = cells[min(cut, len(cells)):]
    codes, distinct = encode_cells(column)
    expected_codes, expected = pd.factorize(np.array(left, dtype=object))
    assert codes.tolist() == expected_codes.tolist() and distinct == list(expected)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["", "1", "2", "3", "1,3", "x", "CB01", "?", " 2 ", "cao"]), min_size=2, max_size=2),
                min_size=1, max_size=40),
       st.integers(0, 5), st.integers(1, 4))
def test_marks_of_dictionary_columns_are_each_cells(rows, cut, chunks):
    """marks_from_cells of columns read as dictionary chunks and sliced below their header
    (Arrow's dictionary taken as it is, entries no cell holds among them): every cell's mark is
    parse_mark's, and the unreadable cells that cells hold are listed once each, in the order
    met, column after column (what decoding cell by cell gives)."""
    import pyarrow as pa

    from tinnhiem.core.marks import BAD, marks_from_cells, parse_mark

    size = max(1, len(rows) // chunks)
    columns = []
    for j in range(2):
        cells = [row[j] for row in rows]
        parts = [pa.array(cells[i:i + size]).dictionary_encode() for i in range(0, len(cells), size)]
        columns.append(pa.chunked_array(parts).slice(min(cut, len(cells))))
    left = rows[min(cut, len(rows)):]
    marks, bad = marks_from_cells(columns, n=len(left))
    assert marks.tolist() == [[parse_mark(v) for v in row] for row in left]
    expected: list = []
    for j in range(2):
        for row in left:
            if parse_mark(row[j]) == BAD and row[j] not in expected:
                expected.append(row[j])
    assert bad == expected


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from([b"a", b",", b";", b"\n", b"\r\n", b"\r", b'"', b"x" * 9, b"\x00", b"PK\x03\x04", b"\xc3\xa9"]),
                max_size=30),
       st.integers(1, 9), st.integers(3, 12))
def test_the_preflight_reading_once_finds_what_reading_in_chunks_finds(tmp_path_factory, pieces, chunk, limit):
    """The CSV pre-flight that keeps the file's bytes (read once, for the reader) finds the
    same problems, with the same row numbers, as the one that reads the file a chunk at a
    time; and the bytes it keeps are the file's. Small chunks and limits, so that runs, line
    ends and lone CRs fall across chunk boundaries."""
    import tinnhiem.io.safety as safety

    path = tmp_path_factory.mktemp("pre") / "x.csv"
    path.write_bytes(b"".join(pieces))
    saved = safety.CHUNK, safety.MAX_TEXT_BYTES, safety.MAX_LINE_BYTES
    safety.CHUNK, safety.MAX_TEXT_BYTES, safety.MAX_LINE_BYTES = chunk, limit, 2 * limit
    try:
        read_once = safety.scan(path, "x.csv", keep_text=True)
        in_chunks = safety.scan(path, "x.csv")
    finally:
        safety.CHUNK, safety.MAX_TEXT_BYTES, safety.MAX_LINE_BYTES = saved
    assert [p.to_json() for p in read_once.problems] == [p.to_json() for p in in_chunks.problems]
    assert in_chunks.text is None
    assert read_once.text == (None if read_once.problems else path.read_bytes())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([b"1", b"2", b"P1", b"Tr\xc6\xb0\xe1\xbb\x9dng", b"Tr\xea\xe5ng", b"\xe9", b"\xc3", b"a\xffb", b""]),
                         min_size=2, max_size=2), min_size=1, max_size=12))
def test_a_file_not_in_utf8_is_read_as_read_table_reads_it(tmp_path_factory, rows):
    """UTF-8 checked on each column's distinct texts (not cell by cell as Arrow parses): a file
    with any byte sequence that is not UTF-8 is handed to read_table, which converts its
    encoding or names what is wrong; the outcome is read_table's either way."""
    path = tmp_path_factory.mktemp("enc") / "phieu.csv"
    path.write_bytes(b"\n".join(b",".join(r) for r in [[b"Phi\xc3\xaan", b"CB01"], *rows]) + b"\n")
    calls = []
    real = counted_csv.read_table
    try:
        counted_csv.read_table = lambda *a: calls.append(a) or real(*a)
        arrow = _outcome(lambda p: read_counted_csv(p, "phieu.csv"), path)
    finally:
        counted_csv.read_table = real
    assert arrow == _outcome(lambda p: real(p, None, "phieu.csv"), path)
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert calls  # not UTF-8: the general reader's
