"""io.xlsx.write_tables: the direct writer of table workbooks gives byte for byte what openpyxl
gives through add_table_sheet() + save(), on awkward content too, and the file reads back right
with openpyxl, python-calamine and pandas."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tinnhiem.io.xlsx import Table, add_table_sheet, new_workbook, put, save, write_tables


def write_plain(path, tables: list[Table]) -> None:
    """The reference: the same sheets through openpyxl (the way every small writer still goes)."""
    from openpyxl.styles import Alignment

    wb = new_workbook()
    for t in tables:
        ws = add_table_sheet(wb, t.title, t.header, t.rows, widths=t.widths, heading=t.heading,
                             landscape=t.landscape, number_formats=t.number_formats, min_lines=t.min_lines)
        if t.note is not None:
            put(ws, 2, 1, t.note).alignment = Alignment(wrap_text=False)
    save(wb, path)


def assert_same_bytes(tmp_path, tables: list[Table]) -> bytes:
    fast, plain = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    write_tables(fast, tables)
    write_plain(plain, tables)
    assert fast.read_bytes() == plain.read_bytes()
    return fast.read_bytes()


AWKWARD = ["=1+1", "+84 912", "-5", "@SUM(A1)", "=HYPERLINK(\"http://x\")", "a\x00b\x07c\x1fd", "tab\there",
           "line\nbreak", "<b>&amp;</b> \"quoted\" 'single'", "  padded  ", "   ", "#N/A", "Nguyễn Thị Ánh",
           unicodedata.normalize("NFD", "Nguyễn Thị Ánh"), "x" * 40_000, "", "😀 emoji", "\u00a0nbsp"]


def awkward_tables() -> list[Table]:
    return [
        Table("Tổng hợp", ["STT", "Tên", "Ngày", "Số"],
              [[1, s, dt.date(2019, 1, 15), 2.5] for s in AWKWARD] + [[2, None, None, None], [], [3, True, dt.datetime(2019, 1, 1, 12, 30), -0.0],
                                                                      [4, Decimal("1.10"), dt.date(1999, 12, 31), 10 ** 20, "extra column"]],
              widths=[6, 20], heading="TỔNG HỢP <&>", landscape=True),
        Table("01 Sở A & <b>", ["a", "b"], [["x", "y"]], heading="H", note="Địa điểm: =1 \x01 ok"),
        Table("it's", ["x"], [], number_formats={1: "0.00"}),
        Table("02 trống ở đầu", ["x", "y"], [[], [1.25, 2]], number_formats={2: "0.0%"}),
        Table("03", ["x", "y"], [[dt.date(2020, 2, 2), float("nan")]], number_formats={1: "0.00"}, heading="x", note=""),
        Table("04 dòng", ["x", "y"], [["a", 1], [], ["b", None]], heading=["TIÊU ĐỀ", "Cơ quan; ngày 01/01/2019", "<dòng ba> & =1"],
              min_lines=2),
    ]


def test_awkward_content_same_bytes_as_openpyxl(tmp_path):
    assert_same_bytes(tmp_path, awkward_tables())


def test_reads_back_with_every_format_and_style(tmp_path):
    path = tmp_path / "t.xlsx"
    write_tables(path, awkward_tables())
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "01 Sở A & <b>", "it's", "02 trống ở đầu", "03", "04 dòng"]
    lined = wb["04 dòng"]  # a heading of three lines: bold title, plain lines, a blank row, the header
    assert [lined.cell(r, 1).value for r in range(1, 6)] == ["TIÊU ĐỀ", "Cơ quan; ngày 01/01/2019", "<dòng ba> & =1", None, "x"]
    assert lined["A1"].font.b and not lined["A2"].font.b and lined["A3"].data_type == "s"
    assert lined.freeze_panes == "A6" and lined.print_title_rows == "$5:$5"
    assert lined.row_dimensions[6].height == 30 and lined.row_dimensions[8].height == 30  # room to sign
    ws = wb["Tổng hợp"]
    assert ws["A1"].value == "TỔNG HỢP <&>" and ws["A1"].font.b and ws["A1"].font.sz == 13
    header = ws["A3"]
    assert [c.value for c in ws[3]][:4] == ["STT", "Tên", "Ngày", "Số"]
    assert header.font.b and header.fill.fill_type == "solid" and header.fill.fgColor.rgb.endswith("DDEBF7")
    assert header.alignment.wrap_text and header.alignment.horizontal == "center" and header.border.bottom.style == "thin"
    texts = [ws.cell(row=r, column=2) for r in range(4, 4 + len(AWKWARD))]
    assert [c.value for c in texts[:5]] == AWKWARD[:5] and all(c.data_type == "s" for c in texts[:5])  # never formulas
    assert texts[5].value == "abcd"  # illegal control characters removed
    assert texts[11].value == "#N/A" and texts[11].data_type == "s"
    assert texts[13].value == AWKWARD[13] and texts[13].value != texts[12].value  # text kept as given (NFD stays NFD)
    assert len(texts[14].value) == 32_767  # Excel's limit for a cell
    assert texts[15].value is None  # an empty string is an empty (styled) cell
    date = ws["C4"]
    assert date.value == dt.datetime(2019, 1, 15) and date.number_format == "DD/MM/YYYY" and date.is_date
    assert ws["D4"].value == 2.5 and ws["D4"].data_type == "n"
    body = ws["B4"]
    assert body.border.left.style == "thin" and body.alignment.wrap_text and body.alignment.vertical == "top"
    assert not body.font.b and body.fill.fill_type is None
    assert ws.column_dimensions["A"].width == 6 and ws.column_dimensions["B"].width == 20 and ws.column_dimensions["C"].width == 16
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_options.horizontalCentered
    assert ws.page_margins.left == 0.5 and ws.page_margins.right == 0.5
    last = 3 + len(AWKWARD) + 4
    assert ws.auto_filter.ref == f"A3:D{last}"
    assert [c.value for c in ws[last]] == [4, 1.1, dt.datetime(1999, 12, 31), 1e20, "extra column"]
    noted = wb["01 Sở A & <b>"]
    assert noted["A2"].value == "Địa điểm: =1  ok" and noted["A2"].data_type == "s" and not noted["A2"].alignment.wrap_text
    assert noted.page_setup.orientation == "portrait" and noted.freeze_panes == "A4"
    empty = wb["it's"]
    assert empty.freeze_panes == "A2" and empty.print_title_rows == "$1:$1" and empty.auto_filter.ref is None
    three = wb["03"]  # a date under a number format is its serial number, as openpyxl stores it
    assert three["A4"].number_format == "0.00" and three["A4"].value == 43863 and three["B4"].value is None
    assert three["A2"].value is None and three.freeze_panes == "A4"  # an empty note: an empty cell


def test_opens_with_calamine_and_pandas(tmp_path):
    import pandas as pd
    from python_calamine import CalamineWorkbook

    path = tmp_path / "t.xlsx"
    write_tables(path, awkward_tables())
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Tổng hợp", "01 Sở A & <b>", "it's", "02 trống ở đầu", "03", "04 dòng"]
    rows = book.get_sheet_by_name("Tổng hợp").to_python()
    assert rows[0][0] == "TỔNG HỢP <&>" and rows[2][:4] == ["STT", "Tên", "Ngày", "Số"]
    assert rows[3][1] == "=1+1" and rows[3][2] == dt.date(2019, 1, 15) and rows[3][3] == 2.5
    for engine in ("openpyxl", "calamine"):
        frame = pd.read_excel(path, sheet_name="Tổng hợp", header=2, dtype=object, engine=engine)
        assert list(frame.columns[:4]) == ["STT", "Tên", "Ngày", "Số"]
        assert frame["Tên"].iloc[1] == "+84 912" and frame["Tên"].iloc[4] == "=HYPERLINK(\"http://x\")"
        assert pd.Timestamp(frame["Ngày"].iloc[0]) == pd.Timestamp(2019, 1, 15)


def test_reproducible_and_atomic(tmp_path):
    path = tmp_path / "t.xlsx"
    write_tables(path, awkward_tables())
    first = path.read_bytes()
    write_tables(path, awkward_tables())
    assert path.read_bytes() == first
    with pytest.raises(ValueError):  # a value Excel cannot hold: nothing replaced, no temporary file left
        write_tables(path, [Table("A", ["x"], [[object()]])])
    assert path.read_bytes() == first and sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


@pytest.mark.parametrize("tables", [
    [],
    [Table("A", ["x"], []), Table("a", ["y"], [])],  # Excel compares sheet names without case
    [Table("A/B", ["x"], [])],
    [Table("A", [], [])],
    [Table("A", ["x"], [], note="no heading above")],
])
def test_refuses_what_openpyxl_would_rename_or_reject(tmp_path, tables):
    with pytest.raises(ValueError):
        write_tables(tmp_path / "t.xlsx", tables)
    assert not (tmp_path / "t.xlsx").exists()


# -- any content: the same bytes as openpyxl ------------------------------------------------------

_SPECIAL = st.sampled_from(["=", "+", "-", "@", "<", "&", ">", '"', "'", "\x00", "\x0b", "\x1f", "\r", "\n", "\t", " ",
                            "\u0301", "ễ", "\ufeff"])
TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(_SPECIAL, st.text(max_size=3)), max_size=12).map("".join),
    st.text(st.characters(codec="utf-8"), max_size=20).map(lambda s: unicodedata.normalize("NFD", s)),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(8_000, 12_000)),  # past 32,767
)
VALUE = st.one_of(
    TEXT, st.none(), st.integers(-10 ** 18, 10 ** 18), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True), st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)).map(lambda d: d.replace(microsecond=0)),
)


@st.composite
def tables(draw):
    out = []
    for i in range(draw(st.integers(1, 3))):
        ncols = draw(st.integers(1, 4))
        header = draw(st.lists(TEXT, min_size=ncols, max_size=ncols))
        rows = draw(st.lists(st.lists(VALUE, max_size=ncols + 1), max_size=6))
        heading = draw(st.one_of(st.none(), TEXT.filter(bool), st.lists(TEXT.filter(bool), min_size=1, max_size=3)))
        out.append(Table(
            draw(st.sampled_from(["Tổng hợp", "it's", "A & <b>", "Sheet"])) + f" {i}", header, rows,
            widths=draw(st.one_of(st.none(), st.lists(st.integers(1, 90), max_size=ncols))),
            heading=heading,
            landscape=draw(st.booleans()),
            number_formats=draw(st.one_of(st.none(), st.dictionaries(st.integers(1, ncols + 1),
                                                                       st.sampled_from(["0.00", "0.0%", "DD/MM/YYYY", "#,##0"]),
                                                                       max_size=2))),
            note=draw(st.one_of(st.none(), TEXT)) if isinstance(heading, str) else None,
            min_lines=draw(st.integers(1, 3)),
        ))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                                HealthCheck.data_too_large])
@given(tables())
def test_any_tables_same_bytes_as_openpyxl(tmp_path, tables):
    data = assert_same_bytes(tmp_path, tables)
    assert data.startswith(b"PK")
