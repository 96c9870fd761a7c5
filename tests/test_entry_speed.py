"""The batch forms the entry-workbook reader uses (issue 9: reading the national entry workbook
within 1.5x calamine) equal the one-by-one forms they replace: headers normalised and folded
all at once, the legacy-text pre-filter, the blank mask from a set of distinct cells, the index
sheet walked by columns, and calamine opening no file the pre-flight has not passed."""

from __future__ import annotations

import datetime as dt
import math
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_book
from tinnhiem.core.problems import InputError, Problems
from tinnhiem.core.text import header_key, header_keys, nfc, nfc_many
from tinnhiem.io import counted, encoding, tables
from tinnhiem.io.tables import Table, cell_text, read_grids, read_table

# Vietnamese letters in both normal forms, separators of every kind, a final-sigma context, a
# letter whose lower case is two characters, a mark beyond the first plane, and the NUL the
# batch forms join with.
HEADER_CHARS = (list("aăâđeêioôơuưyAĂÂĐEÊIOÔƠUƯY \t\n_-–.,()1İßΣΑﬁ\u00a0\u2003\u0301\u0300\u0323\u0085\x1c\x00")
                + ["\U0001d165"] + [chr(c) for c in range(0x1EA0, 0x1EF9)])
HEADER_TEXT = st.text(alphabet=st.sampled_from(HEADER_CHARS), max_size=14)


@settings(max_examples=400, deadline=None)
@given(st.lists(HEADER_TEXT, max_size=8))
def test_header_keys_equal_header_key_one_by_one(values):
    assert header_keys(values) == [header_key(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list("CB0123 -–Nguyễn VăAÂ") + ["e\u0302\u0301", "\u0301"]), max_size=12).map("".join), max_size=8))
def test_header_keys_of_vietnamese_take_the_ascii_way_to_the_same_keys(values):
    """Text whose only non-ASCII characters are marks, spaces and đ: the C-speed way."""
    assert header_keys(values) == [header_key(v) for v in values]


@settings(max_examples=400, deadline=None)
@given(st.lists(HEADER_TEXT, max_size=8))
def test_nfc_many_equals_nfc_one_by_one(values):
    assert nfc_many(values) == [nfc(v) for v in values]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(HEADER_CHARS + ["A", " ", " ", "-", "\u0345", "\u1100", "\u1161", "\u11a8", "\u0f71", "\u0f72"]),
                max_size=14).map("".join))
def test_the_name_in_a_normalised_header_needs_no_normalising(text):
    """The fast sheets take 'ID - Name' apart after nfc() of the whole header and keep the name
    as it is, where _person_header normalises it again: the same text."""
    header = nfc(text)
    parts = header.split(" ", 2)
    if len(parts) == 3:
        assert nfc(parts[2]) == parts[2]
        if parts[1] in ("-", "–", "—") and parts[2]:
            assert counted._person_header.__wrapped__(header)[:2] == (parts[0], parts[2])


LEGACY_CHARS = (list("aAeEoOuUNguyễnVănHùngTrầnBaĐđươƯƠừờỪỜớ ,.-1\n\t") + list("ÔÇ¨ïÇÒÕ®µ¸ÀÁÂÃÈÉÊ") + list("øïûñÑöëüåäæî")
                + ["\u0301", "\x07", "\x85", "ǅ", "ȁ", "Ω", "€"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(LEGACY_CHARS), max_size=10), max_size=6))
def test_odd_somewhere_is_any_oddity(texts):
    """The joined pre-filter says exactly whether some text has an oddity, so legacy_values
    gives what judging every text gives."""
    assert encoding._odd_somewhere(texts) == any(encoding.oddities(t) > 0 for t in texts)
    values = [*texts, None, 3, 2.5]
    assert encoding.legacy_values(values) == any(encoding.classify(t) for t in texts)


def test_legacy_values_still_finds_legacy_names():
    assert encoding.legacy_values(["Số phiếu", "NguyÔn V¨n Hïng"])
    assert not encoding.legacy_values(["Số phiếu", "Nguyễn Văn Hùng", "Trương Thị Hường", ""])


def test_blank_mask_from_the_set_of_cells_equals_read_table(tmp_path, monkeypatch):
    """With "" as the only blank-looking cell (what calamine gives for an empty cell), blank is
    == "" and factorize is not called; the sheets equal read_table sheet by sheet."""
    sheets = {"A": [["Số phiếu", "CB1 - Trần Văn A", "Lỗi phiếu"], [1, "1", None], [None, None, None], [2, "3", "gach_ten"]],
              "B": [[None, None], ["Số phiếu", "CB2"], [dt.date(2019, 1, 15), 2.5]]}
    path = write_book(tmp_path / "b.xlsx", sheets)
    calls = []
    real = pd.factorize
    monkeypatch.setattr(pd, "factorize", lambda *a, **k: calls.append(1) or real(*a, **k))
    grids = {g.sheet: g for g in read_grids(path, list(sheets))}
    assert not calls
    monkeypatch.setattr(pd, "factorize", real)
    for name in sheets:
        tables._LAST_SCAN.clear()
        tables._LAST_BOOK.clear()
        one, got = read_table(path, name), grids[name].table()
        assert (got.header, got.header_row) == (one.header, one.header_row)
        assert got.df.index.tolist() == one.df.index.tolist()
        assert got.df.values.tolist() == one.df.values.tolist()


RAW_CELLS = st.one_of(st.none(), st.sampled_from(["", "", " ", "\t", "\u00a0", "1", "x", "Nguyễn Văn A", "NguyÔn V¨n Hïng"]),
                      st.integers(-3, 5), st.floats(width=32), st.booleans(), st.just(dt.date(2019, 1, 15)),
                      st.just(dt.datetime(2019, 1, 15, 8, 30)), st.just(dt.timedelta(hours=1)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.lists(RAW_CELLS, max_size=4), max_size=5), min_size=1, max_size=4))
def test_blank_mask_and_legacy_flag_equal_their_definitions(tmp_path_factory, sheets):
    """Whatever cells calamine gives (None, NaN, white space, dates...): the blank mask is
    _blank_mask's, the legacy flag is classify's over the distinct texts."""
    path = write_book(tmp_path_factory.mktemp("g") / "g.xlsx", {"S": [["a"]]})
    by_name = {f"S{i}": rows for i, rows in enumerate(sheets)}
    real = tables._sheet_rows
    tables._sheet_rows = lambda path, display, name, key=None: (name, by_name[name])
    try:
        grids = read_grids(path, list(by_name))
    finally:
        tables._sheet_rows = real
    texts = {v for rows in sheets for r in rows for v in r if isinstance(v, str)}
    for grid in grids:
        assert grid.blank.tolist() == tables._blank_mask(grid.values).tolist()
        assert grid.legacy_possible == any(encoding.classify(t) for t in texts)


# --- the index sheet, walked by columns --------------------------------------------------------

def _entries_by_records(index: Table, names: list[str]):
    """The index loop as it was, over index.records(): the reference for _index_entries."""
    entries = []
    for row, rec in index.records():
        title = cell_text(rec.get("sheet"))
        sid = cell_text(rec.get("session"))
        if not title or not sid:
            continue
        found = Problems()
        info = {"unit": cell_text(rec.get("unit")) or sid, "route": counted._route(rec.get("route")),
                "meeting_date": rec.get("meeting_date"), "figures": {}, "where": index.where(row)}
        for col in counted.FIGURE_COLS:
            value = counted._count(rec.get(col.key), index, row, col.key, found, optional=True)
            if value is not None:
                info["figures"][col.key] = counted.Figure(value, index.where(row, col.key))
        if title not in names:
            found.append(counted.check_problem("F216_SESSION_UNDETERMINED", f"Trang 'Phiên' ghi trang tính '{title}' nhưng tệp không có trang đó.",
                                               **index.where(row, "sheet")))
            title = None
        entries.append((found, sid, info, title))
    return entries


CELL = st.one_of(st.none(), st.sampled_from(["", " ", "s1", "s2", "S 1", "hdnd", "Công ty", "7", "-3", "=A1", "2,5"]),
                 st.integers(-3, 60), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.just(dt.date(2019, 1, 8)))
HEADERS = ["Trang tính", "Mã phiên", "Đơn vị", "Tuyến", "Ngày lấy phiếu", "Số người được triệu tập", "Số có mặt",
           "Số phiếu phát ra", "Số phiếu thu về", "Tổng số đại biểu", "Số phiếu hỏng đổi lại", "Ghi chú"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(HEADERS), min_size=2, max_size=8, unique=True),
       st.lists(st.lists(CELL, min_size=12, max_size=12), max_size=6), st.booleans())
def test_index_entries_equal_the_records_loop(headers, rows, skip_a_line):
    cells = [[r[HEADERS.index(h)] for h in headers] for r in rows]
    index_rows = [2 + i + (1 if skip_a_line and i else 0) for i in range(len(cells))]
    df = pd.DataFrame(cells or None, index=pd.Index(index_rows, dtype="int64"), columns=pd.RangeIndex(len(headers)), dtype=object)
    if not cells:
        df = pd.DataFrame(index=pd.RangeIndex(2, 2), columns=pd.RangeIndex(len(headers)), dtype=object)
    index = Table(file="so.xlsx", sheet="Phiên", header=headers, df=df)
    tables.match_columns(index, counted.INDEX_COLS)
    names = ["s1", "S 1", "7"]

    def plain(entries):
        out = []
        for found, sid, info, title in entries:
            figures = {k: (f.value, f.where) if hasattr(f, "value") else f for k, f in info["figures"].items()}
            meeting = info["meeting_date"]
            meeting = "nan" if isinstance(meeting, float) and math.isnan(meeting) else meeting
            out.append(([p.to_json() for p in found], sid, {**info, "figures": figures, "meeting_date": meeting}, title))
        return out

    assert plain(counted._index_entries(index, frozenset(names))) == plain(_entries_by_records(index, names))


# --- calamine opens no file before the pre-flight ----------------------------------------------

def test_an_unsafe_entry_workbook_is_refused_before_calamine_opens_it(tmp_path, monkeypatch):
    import python_calamine

    path = write_book(tmp_path / "so-nhap-phieu.xlsx", {"Phiên": [["Trang tính", "Mã phiên"], ["A", "s1"]],
                                                  "A": [["Số phiếu", "CB1 - Trần Văn A", "Lỗi phiếu"], [1, "1", None]]})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</worksheet>", b"</worksheet><!DOCTYPE x [<!ENTITY a 'b'>]>")
            dst.writestr(info, data)

    real = python_calamine.CalamineWorkbook
    opened = []

    class Watched:
        """Calamine's workbook, noting every file it is asked to open."""

        @staticmethod
        def from_path(*a, **k):
            opened.append(a)
            return real.from_path(*a, **k)

        @staticmethod
        def from_filelike(*a, **k):
            opened.append(a)
            return real.from_filelike(*a, **k)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Watched)
    tables._LAST_SCAN.clear()
    tables._LAST_BOOK.clear()
    with pytest.raises(InputError) as exc:
        counted.read_inputs([bad], None, set())
    assert [p.code for p in exc.value.problems] == ["FILE_UNSAFE"]
    assert opened == []
    # The clean workbook is read, its session sheet the fast way.
    inp = counted.read_inputs([path], None, set())
    assert [type(b).__name__ for b in inp.ballots] == ["FastSheet"] and opened


# --- the pre-flight still checks every byte of every part --------------------------------------

def _stored_copy(src, dst, edit):
    """`src` rewritten uncompressed, then `edit(bytes, {name: (data offset, size)})` applied to
    the archive's bytes (a bad byte, a wrong declared size)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    with zipfile.ZipFile(dst) as z:
        where = {}
        raw = dst.read_bytes()
        for info in z.infolist():
            o = info.header_offset
            start = o + 30 + int.from_bytes(raw[o + 26:o + 28], "little") + int.from_bytes(raw[o + 28:o + 30], "little")
            where[info.filename] = (start, info.file_size)
    dst.write_bytes(edit(bytearray(raw), where))
    return dst


def test_a_sheet_part_with_a_bad_byte_or_a_wrong_size_is_refused(tmp_path):
    from tinnhiem.io.safety import scan

    path = write_book(tmp_path / "so.xlsx", {"Phiên": [["Trang tính", "Mã phiên"], ["A", "s1"]],
                                        "A": [["Số phiếu", "CB1 - Trần Văn A", "Lỗi phiếu"], [1, "1", None]]})

    def bad_byte(raw, where):
        start, size = where["xl/worksheets/sheet2.xml"]
        raw[start + size // 2] ^= 0x01  # the CRC no longer matches
        return bytes(raw)

    def shorter(raw, where):
        # The central directory declares the part a byte shorter than it is (uncompressed: the
        # compressed size too): zipfile reads the declared bytes, whose CRC is not the part's.
        size = where["xl/worksheets/sheet2.xml"][1]
        header = raw.find(b"xl/worksheets/sheet2.xml", raw.find(b"PK\x01\x02")) - 46  # its central directory entry
        for field in (20, 24):  # compressed and uncompressed sizes
            raw[header + field:header + field + 4] = (size - 1).to_bytes(4, "little")
        return bytes(raw)

    for edit in (bad_byte, shorter):
        bad = _stored_copy(path, tmp_path / f"{edit.__name__}.xlsx", edit)
        problems = scan(bad, bad.name).problems
        assert [p.code for p in problems] == ["FILE_CORRUPT"], (edit.__name__, problems)
    assert scan(_stored_copy(path, tmp_path / "same.xlsx", lambda raw, where: bytes(raw)), "same.xlsx").problems == []
