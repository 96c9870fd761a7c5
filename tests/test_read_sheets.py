"""read_grids (many sheets of one workbook in one batch), then Grid.table(), gives, sheet by
sheet, exactly what read_table gives or raises: same headers, cells, row numbers and problems."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_book
from tinnhiem.core.problems import InputError
from tinnhiem.io import tables
from tinnhiem.core.text import nfc
from tinnhiem.io.encoding import tcvn3_to_unicode
from tinnhiem.io.tables import read_grids, read_table

# "Nguyễn Văn Hùng" typed in TCVN3 and shown as Windows-1252: what a legacy workbook holds.
LEGACY = "NguyÔn V¨n Hïng"
assert tcvn3_to_unicode(LEGACY) == "Nguyễn Văn Hùng"


def _same(path, names):
    batch = {}
    for grid in read_grids(path, names):
        try:
            batch[grid.sheet] = grid.table()
        except InputError as exc:
            batch[grid.sheet] = exc
    for name in names:
        tables._LAST_SCAN.clear()
        tables._LAST_BOOK.clear()
        try:
            one = read_table(path, name)
        except InputError as exc:
            got = batch[name]
            assert isinstance(got, InputError), name
            assert [p.to_json() for p in got.problems] == [p.to_json() for p in exc.problems]
            continue
        got = batch[name]
        assert not isinstance(got, InputError), (name, got.problems if isinstance(got, InputError) else None)
        assert (got.file, got.sheet, got.header, got.header_row, got.problems) == (one.file, one.sheet, one.header, one.header_row, one.problems)
        assert got.df.index.tolist() == one.df.index.tolist()
        assert got.df.astype(object).values.tolist() == one.df.astype(object).values.tolist()
    return batch


def test_every_kind_of_sheet(tmp_path):
    path = write_book(tmp_path / "so-nhap.xlsx", {
        "Phiên": [["Mã phiên", "Trang tính"], ["s1", "01 A"]],
        "01 A": [["Số phiếu", "CB01 - Trần Văn A", "Lỗi phiếu"], ["1", "1", None], [None, None, None], ["2", " ", "gach_ten"]],
        "02 trống ở giữa": [[None, None], ["Số phiếu", "CB02"], ["  ", "\t"], [3, 2.0], [dt.date(2019, 1, 15), "=1+1"]],
        "03 chỉ tiêu đề": [["Số phiếu", "CB03"]],
        "04 trống": [],
        "05 mã cũ": [["Số phiếu", "Họ tên"], ["1", LEGACY], ["2", "TrÇn V¨n Ba"]],
        "06 một ô lạ": [["Đơn vị", "Ghi chú"], ["Công ty ABC®", "x"]],
    })
    batch = _same(path, ["01 A", "02 trống ở giữa", "03 chỉ tiêu đề", "04 trống", "05 mã cũ", "06 một ô lạ", "Phiên"])
    assert isinstance(batch["03 chỉ tiêu đề"], InputError) and batch["03 chỉ tiêu đề"].problems[0].code == "FILE_NO_ROWS"
    assert batch["04 trống"].problems[0].code == "FILE_EMPTY"
    assert batch["05 mã cũ"].problems[0].code == "FILE_LEGACY_TCVN3"
    assert batch["01 A"].df.index.tolist() == [2, 4]  # the empty line is skipped, row numbers kept


CELLS = st.one_of(st.none(), st.sampled_from(["", " ", "\t", "1", "2", "3", "1,3", "cao", "gach_ten", "Nguyễn Văn A", LEGACY]),
                  st.integers(-3, 5), st.floats(allow_nan=False, allow_infinity=False, width=32), st.booleans())


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.lists(CELLS, min_size=0, max_size=4), min_size=0, max_size=5), min_size=1, max_size=4))
def test_batch_equals_one_by_one(tmp_path_factory, sheets):
    path = write_book(tmp_path_factory.mktemp("b") / "b.xlsx", {f"S{i}": rows for i, rows in enumerate(sheets)})
    _same(path, [f"S{i}" for i in range(len(sheets))])


def test_a_missing_file_is_a_usage_error(tmp_path):
    from tinnhiem.core.problems import UsageError

    with pytest.raises(UsageError):
        read_grids(tmp_path / "khong-co.xlsx", ["A"])


HEADER_TEXT = st.text(alphabet=st.sampled_from(list("aăâđeêioôơuưyAĂÂĐEÊIOÔƠUƯY \t_-–.,()1İßﬁ\u00a0\u2003\u0301\u0300\u0323\U0001d165")
                                              + [chr(c) for c in range(0x1EA0, 0x1EF9)]), max_size=14)


@settings(max_examples=400, deadline=None)
@given(HEADER_TEXT)
def test_header_key_equals_its_definition(value):
    """header_key's two-pass form equals its definition: fold, then no separators."""
    from tinnhiem.core.text import _SEPARATORS, _fold, _header_key_text, strip_marks

    # fold by its definition: NFC, marks stripped one character at a time, lower, spaces.
    folded = re.sub(r"\s+", " ", strip_marks(nfc(value)).lower()).strip()
    assert _fold(value) == folded
    assert _header_key_text.__wrapped__(value) == _SEPARATORS.sub("", folded)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 6), st.lists(st.lists(st.sampled_from(["", "", "", "a", "Phiên", "1", "x y"]), min_size=6, max_size=6),
                                   min_size=1, max_size=8))
def test_plain_csv_table_equals_the_blank_mask_way(width, rows):
    """A CSV without white-space-only fields: finding the blank lines column by column gives
    the table the full blank mask gives (header, columns kept, rows kept and their numbers)."""
    import numpy as np

    values = np.array([r[:width] for r in rows], dtype=object)
    results = []
    # As a CSV gives them (a list of columns), as a 2-D array, and with the full blank mask.
    for cells, plain in ((list(values.T.copy()), True), (values, True), (values, False)):
        try:
            t = tables._to_table("a.csv", None, cells, plain)
            results.append((t.header, t.header_row, t.df.index.tolist(), t.df.columns.tolist(), t.df.to_numpy().tolist(),
                            [str(d) for d in t.df.dtypes]))
        except InputError as exc:
            results.append([p.code for p in exc.problems])
    assert results[0] == results[1] == results[2]


@settings(max_examples=300, deadline=None)
@given(st.lists(HEADER_TEXT | st.text(alphabet=st.sampled_from(list("abc-_ \t1Z\x00")), max_size=10), max_size=8))
def test_folds_equal_fold_one_by_one(values):
    """The batch fold (a file's session ids at once) equals fold on each."""
    from tinnhiem.core.text import fold, folds

    assert folds(values) == [fold(v) for v in values]
