"""`tinnhiem scan` (issue 17): machine-readable ballots, reading scans, review, round trip to tally."""

from __future__ import annotations

import csv
import json
import random
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinnhiem.core.scan import BoxInk, RowInk, apply_decision, decide_row, group_pages
from tinnhiem.io import ballot_marks as bm
from tinnhiem.io import scan_image as si

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import scan_generate as gen  # noqa: E402

from conftest import SAMPLES  # noqa: E402
from test_ballots import LEVELS, session  # noqa: E402

SESSIONS = ["cong-ty-tnhh-mtv-xo-so-kien-thiet-song-hau", "so-tai-chinh", "benh-vien-da-khoa-thanh-pho"]


# -- the printed ballot --------------------------------------------------------------------------

def test_marks_are_opencv_aruco_markers():
    d = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for i, rows in bm.ARUCO.items():
        img = d.generateImageMarker(i, 6)
        assert ["".join("1" if v else "0" for v in row) for row in img] == list(rows), i


def test_code_text_round_trip():
    key = bm.session_key("so-tai-chinh")
    assert len(key) == 8 and key == bm.session_key("so-tai-chinh") != bm.session_key("so-xay-dung")
    assert bm.parse_qr(bm.qr_text(key, 2, 3, "T5GVNA")) == {"key": key, "page": 2, "pages": 3, "number": "T5GVNA"}
    assert bm.parse_qr(bm.qr_text(key, 1, 1, "")) == {"key": key, "page": 1, "pages": 1, "number": ""}
    assert bm.parse_qr("https://example.com") is None and bm.parse_qr("TN1:X:a/b:") is None


def _geometry_for(tmp_path, s, count, numbers):
    from tinnhiem.io.ballots_pdf import write_ballots_pdf

    pdf = tmp_path / f"{s.id}.pdf"
    info = write_ballots_pdf(pdf, s, count, numbers, LEVELS)
    geo = {"format": "TN1", "sessions": {s.id: {**info.geometry, "unit": s.unit, "pdf": str(pdf),
                                               "people": [{"id": p.person_id, "name": p.name} for p in s.rated]}}}
    return pdf, info, geo


def _pages(pdf: Path, dpi: int = 150):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [gen.render_pdf_page(doc, i, dpi) for i in range(len(doc))]
    finally:
        doc.close()


def test_geometry_and_code_on_a_two_ballot_sheet(tmp_path):
    s = session(3)
    numbers = ["AAAAAA", "BBBBBB", "CCCCCC"]
    pdf, info, geo = _geometry_for(tmp_path, s, 3, numbers)
    g = info.geometry
    assert g["two_up"] and len(g["pages"]) == 1
    rows = g["pages"][0]["rows"]
    assert [r["person"] for r in rows] == [p.person_id for p in s.rated]
    assert all(len(r["boxes"]) == 3 for r in rows)
    # boxes of a row are level-ordered, inside their row; the row is below the previous one
    for a, b in zip(rows, rows[1:]):
        assert a["row"][1] + a["row"][3] <= b["row"][1] + 1e-6
    reads = []
    for img in _pages(pdf):
        found, reasons = si.find_ballots(img)
        for f in found:
            text, _ = si.read_code(f)
            reads.append((f.slot, bm.parse_qr(text)["number"]))
    assert reads == [(0, "AAAAAA"), (1, "BBBBBB"), (0, "CCCCCC")]


def test_long_ballot_runs_over_pages_each_with_its_code(tmp_path):
    s = session(30)
    pdf, info, geo = _geometry_for(tmp_path, s, 2, None)
    k = info.pages_per_ballot
    assert k >= 2 and not info.geometry["two_up"]
    assert sum(len(p["rows"]) for p in info.geometry["pages"]) == 30
    templates = si.Templates()
    reads = []
    for img in _pages(pdf):
        r, reasons = si.read_image(img, geo, templates)
        assert reasons == []
        reads.extend((x["page"], x["pages"], [d.kind for d in x["rows"]]) for x in r)
    assert [(p, n) for p, n, _ in reads] == [(i % k + 1, k) for i in range(2 * k)]
    assert all(kind == "none" for _, _, kinds in reads for kind in kinds)  # blank ballots: no mark


# -- deciding ------------------------------------------------------------------------------------

EMPTY = BoxInk(0.0, 0.0)
X = BoxInk(0.35, 0.45)


def row(*boxes, outside=0.0):
    return decide_row(RowInk("CB1", tuple(boxes), outside))


def test_row_decisions():
    assert (row(X, EMPTY, EMPTY).kind, row(X, EMPTY, EMPTY).cell) == ("level", "1")
    assert row(EMPTY, EMPTY, EMPTY).cell == "" and row(EMPTY, EMPTY, EMPTY).kind == "none"
    assert row(X, EMPTY, X).cell == "1,3" and row(X, EMPTY, X).kind == "several"
    assert row(EMPTY, BoxInk(0.0, 0.3), EMPTY).cell == "2"  # a clear pencil mark
    assert row(EMPTY, BoxInk(0.04, 0.06), EMPTY).reason == "faint_mark"
    assert row(BoxInk(0.9, 0.95), EMPTY, X).reason == "corrected_mark"
    assert row(BoxInk(0.9, 0.95), EMPTY, EMPTY).cell == "1"  # filled alone is a mark
    assert row(X, BoxInk(0.0, 0.0, spill=4.0), EMPTY).reason == "mark_outside_box"
    assert row(X, EMPTY, EMPTY, outside=6.0).reason == "ink_outside_boxes"
    assert row(X, EMPTY, EMPTY, outside=6.0).cell == "?"  # tally refuses an undecided cell
    # Writing on a row beside two marks: the writing is what the committee must see.
    assert row(X, EMPTY, X, outside=3.0).reason == "ink_outside_boxes"
    # A heavy X beside a box blacked out: both near FILLED, still a correction to look at.
    assert row(BoxInk(0.95, 0.97), BoxInk(0.72, 0.8), EMPTY).reason == "corrected_mark"
    # A black-and-white scan: "no mark" may be a light mark the scanner dropped.
    assert decide_row(RowInk("CB1", (EMPTY, EMPTY, EMPTY), 0.0, True)).reason == "bw_no_mark"
    assert decide_row(RowInk("CB1", (X, EMPTY, EMPTY), 0.0, True)).cell == "1"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=3, max_size=3), st.floats(0, 20))
def test_a_row_is_decided_only_when_every_box_is_clearly_marked_or_clearly_empty(boxes, outside):
    inks = [BoxInk(d, max(d, f)) for d, f in boxes]
    d = decide_row(RowInk("CB1", tuple(inks), outside))
    unclear = [b for b in inks if not (b.dark >= 0.08 or b.faint >= 0.15) and not (b.dark < 0.015 and b.faint < 0.03)]
    if unclear or outside >= 1.2:
        assert d.kind == "uncertain"
    if d.kind != "uncertain":
        assert d.cell == ",".join(str(i + 1) for i, b in enumerate(inks) if b.dark >= 0.08 or b.faint >= 0.15)


@pytest.mark.parametrize("dpi,bw", [(150, False), (150, True), (200, False), (300, False)])
def test_writing_beside_two_marks_goes_to_review(tmp_path, dpi, bw):
    """The row that was once decided 'several marks' with the words in its post cell missed."""
    s = session(3)
    pdf, info, geo = _geometry_for(tmp_path, s, 1, None)
    page = _pages(pdf, dpi)[0]
    ppmm = dpi / 25.4
    rng = random.Random(dpi + bw)
    ox, oy = gen._frame_origin(0)
    rows = info.geometry["pages"][0]["rows"]
    target = rows[1]
    boxes = [(bx + ox, by + oy, bw_, bh) for bx, by, bw_, bh in target["boxes"]]
    gen.draw_mark(page, boxes[0], "x", ppmm, rng)
    gen.draw_mark(page, boxes[2], "x", ppmm, rng)
    x, y, w, h = target["row"]
    gen.write_word(page, (x + ox, y + oy, w, h), ppmm, rng, "khong")
    gen.draw_mark(page, [v + o for v, o in zip(rows[0]["boxes"][1], (ox, oy, 0, 0))], "x", ppmm, rng)
    scanned = gen.degrade(page, rng, ppmm, angle=2.0, quarter=1, scale=1.0, blur=True, noise=not bw, grey=False, bw=bw)
    reads, reasons = si.read_image(scanned, geo, si.Templates())
    assert reasons == [] and len(reads) == 1
    got = {d.person: d for d in reads[0]["rows"]}
    assert (got[target["person"]].kind, got[target["person"]].reason) == ("uncertain", "ink_outside_boxes")
    assert got[target["person"]].levels == (1, 3)
    assert got[rows[0]["person"]].cell == "2"


def test_committee_decisions():
    assert apply_decision("2") == ("level", (2,), "")
    assert apply_decision(" 1,3 ") == ("several", (1, 3), "")
    assert apply_decision("31") == ("several", (1, 3), "")
    assert apply_decision("0")[0] == "none" and apply_decision("không")[0] == "none"
    assert apply_decision("gach_ten") == ("defect", None, "gach_ten")
    assert apply_decision("") == ("", None, "")
    assert apply_decision("4")[0] == "invalid" and apply_decision("1,1")[0] == "invalid"


def test_pages_are_joined_into_ballots_and_strays_reported():
    def read(number, page, pages, file="a.pdf", n=1):
        return {"session": "S", "number": number, "page": page, "pages": pages, "file": file, "page_no": n,
                "rows": [], "ballot_reason": ""}
    ballots, orphans, dups = group_pages([read("A", 2, 2), read("B", 1, 2), read("A", 1, 2), read("A", 1, 2, n=9),
                                          read("", 1, 2), read("", 2, 2), read("", 2, 2, n=7)])
    assert [(b.number, sorted(b.seen_pages), b.complete) for b in ballots] == [("A", [1, 2], True), ("B", [1], False), ("", [1, 2], True)]
    assert [d["page_no"] for d in dups] == [9]
    assert [o["page_no"] for o in orphans] == [7]


# -- the command, end to end ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Numbered ballots of the sample roster, printed once for the module."""
    from typer.testing import CliRunner

    from tinnhiem.cli import app

    wd = tmp_path_factory.mktemp("wd")
    r = CliRunner().invoke(app, ["ballots", str(SAMPLES / "danh-sach-can-bo.xlsx"), "--schedule", str(SAMPLES / "lich-lay-phieu.xlsx"),
                                 "--numbered", "--seed", "17", "--workdir", str(wd), "--out", str(wd / "tinnhiem-phieu")],
                           env={"TINNHIEM_ALLOW_SEED": "1"})  # module scope: before conftest's fixture
    assert r.exit_code == 0, r.output
    assert (wd / "tinnhiem-ho-so" / bm.GEOMETRY).is_file()
    return wd


def _copy_workdir(printed: Path, tmp_path: Path) -> Path:
    """A copy of the printed working folder: the geometry's paths are relative to it."""
    wd = tmp_path / "wd"
    shutil.copytree(printed, wd)
    return wd


def _people(wd: Path) -> list[str]:
    geo = json.loads((wd / "tinnhiem-ho-so" / bm.GEOMETRY).read_text(encoding="utf-8"))
    return [p["id"] for sid in SESSIONS for p in geo["sessions"][sid]["people"]]


def test_round_trip_ballots_scan_review_tally(printed, tmp_path, cli):
    wd = _copy_workdir(printed, tmp_path)
    scans = tmp_path / "scans"
    truths = gen.make_scans(wd, scans, seed=3, sessions=SESSIONS, spoil=0.25, fmt="mixed")
    assert len(truths) >= 10
    r = cli("scan", scans, "--workdir", wd, "--json")
    doc = r.json
    assert doc["ballots"] == len(truths) and doc["unreadable_pages"] == []
    rows = sum(len(t.rows) for t in truths)
    assert doc["decided_rows"] + doc["review_rows"] == rows
    # Never a row decided wrongly: what was decided is what the ballot says.
    out = wd / "tinnhiem-quet"
    with (out / "phieu-quet.csv").open(encoding="utf-8-sig", newline="") as fh:
        got = {(row["Phiên"], row["Số phiếu"]): row for row in csv.DictReader(fh)}
    assert len(got) == len(truths)
    for t in truths:
        g = got[(t.session, t.number)]
        assert g["Tệp quét"].startswith(str(scans)) and g["Trang"] == "1"
        for tr in t.rows:
            assert g[tr.person] in (tr.cell, "?"), (t.number, tr)
            if tr.must_review:
                assert g[tr.person] == "?", (t.number, tr)
    pending = [it for it in doc["review"]]
    assert (r.exit_code == 1) == bool(pending)
    assert all(p["code"] != "SCAN_PAGE_UNREADABLE" for p in doc["problems"])
    # The committee's decisions, then `scan --review`.
    if pending:
        from openpyxl import load_workbook

        book = out / "xem-lai.xlsx"
        wb = load_workbook(book)
        ws = wb["Xem lại"]
        head = [c.value for c in ws[1]]
        for cells in ws.iter_rows(min_row=2):
            v = {h: c.value for h, c in zip(head, cells)}
            cells[head.index("Quyết định")].value = gen.review_answer(truths, v["Phiên"], v["Số phiếu"] or "", v["Mã cán bộ"] or "")
        wb.save(book)
        assert (out / "xem-lai.pdf").read_bytes().startswith(b"%PDF")
        r = cli("scan", "--review", book, "--workdir", wd, "--json")
        assert r.exit_code == 0, r.stdout
        assert r.json["review_rows"] == 0 and r.json["review"] == []
    # tally counts the scan as it counts the same ballots keyed in by hand.
    truth = tmp_path / "so-nhap-tay.csv"
    gen.truth_csv(truth, truths, _people(wd))
    scanned = out / "phieu-quet.csv"  # as written, with its audit columns `Tệp quét` and `Trang`
    a = cli("tally", scanned, "--json", "--out", tmp_path / "kq-a", "--dry-run", "--workdir", wd)
    b = cli("tally", truth, "--json", "--out", tmp_path / "kq-b", "--dry-run", "--workdir", wd)
    assert a.exit_code == b.exit_code == 0, (a.stdout[-2000:], b.stdout[-2000:])
    res = lambda d: {s["id"]: [(x["id"], x["cao"], x["tin_nhiem"], x["thap"], x["valid"]) for x in s["results"]] for s in d["sessions"]}  # noqa: E731
    assert res(a.json) == res(b.json)
    assert sum(x[1] + x[2] + x[3] for s in res(a.json).values() for x in s) > 0
    c = cli("tally", scanned, "--compare", truth, "--json", "--out", tmp_path / "kq-c", "--dry-run", "--workdir", wd)
    assert c.exit_code == 0, c.stdout[-2000:]


def test_tally_accepts_the_scan_audit_columns(tmp_path, cli):
    f = tmp_path / "phieu-quet.csv"
    # Unnumbered: numbered ballots would need their manifest (tests/test_manifest.py).
    f.write_text("Phiên,CB01,CB02,Lỗi phiếu,Tệp quét,Trang\nS1,1,2,,quet.pdf,1\nS1,3,1,,quet.pdf,2\n",
                 encoding="utf-8")
    r = cli("tally", f, "--json", "--out", tmp_path / "kq", "--dry-run")
    assert r.exit_code == 0
    assert not any(p["code"].startswith("W227") for p in r.json["problems"])


def test_scan_reports_what_it_cannot_read(printed, tmp_path, cli):
    wd = _copy_workdir(printed, tmp_path)
    scans = tmp_path / "scans"
    truths = gen.make_scans(wd, scans, seed=5, sessions=["so-tai-chinh"], spoil=0.0, fmt="png", clean=True)
    blank = np.full((1200, 850), 255, np.uint8)
    cv2.putText(blank, "not a ballot", (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 3)
    cv2.imwrite(str(scans / "zz-trang.png"), blank)
    first = sorted(scans.glob("quet-*.png"))[0]
    shutil.copy(first, scans / "zz-lan-hai.png")  # the same sheet scanned twice
    (scans / "ghi-chu.txt").write_text("x", encoding="utf-8")
    r = cli("scan", scans, "--workdir", wd, "--json")
    assert r.exit_code == 1
    doc = r.json
    codes = [p["code"] for p in doc["problems"]]
    assert doc["ballots"] == len(truths)
    assert [u["reason"] for u in doc["unreadable_pages"]] == ["no_marks"]
    assert codes.count("SCAN_BALLOT_DUPLICATE") >= 1 and "SCAN_PAGE_UNREADABLE" in codes
    # A working folder that did not print these ballots: unknown session.
    other = tmp_path / "other"
    (other / "tinnhiem-ho-so").mkdir(parents=True)
    geo = json.loads((wd / "tinnhiem-ho-so" / bm.GEOMETRY).read_text(encoding="utf-8"))
    geo["sessions"].pop("so-tai-chinh")
    (other / "tinnhiem-ho-so" / bm.GEOMETRY).write_text(json.dumps(geo), encoding="utf-8")
    r = cli("scan", first, "--workdir", other, "--json")
    assert r.exit_code == 1 and "SCAN_SESSION_UNKNOWN" in [p["code"] for p in r.json["problems"]]
    # No geometry at all, and a missing file.
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("scan", first, "--workdir", empty, "--json")
    assert r.exit_code == 1 and [p["code"] for p in r.json["problems"]] == ["SCAN_NO_GEOMETRY"]
    assert cli("scan", tmp_path / "khong-co.pdf", "--workdir", wd).exit_code == 2


def test_scanned_pdf_upside_down_and_a5_half(printed, tmp_path, cli):
    """A scanner's PDF of several pages (one upside down), and a cut A5 half on its own."""
    from fpdf import FPDF

    wd = _copy_workdir(printed, tmp_path)
    sess = bm.load_geometry(wd / "tinnhiem-ho-so" / bm.GEOMETRY)["sessions"]["so-tai-chinh"]
    pages = _pages(Path(sess["pdf"]), dpi=200)[:3]
    rng = random.Random(1)
    ppmm = 200 / 25.4
    gen.draw_mark(pages[0], [v + o for v, o in zip(sess["pages"][0]["rows"][0]["boxes"][1], (*gen._frame_origin(0), 0, 0))], "x", ppmm, rng)
    pages[0] = np.ascontiguousarray(np.rot90(pages[0], 2))
    half = pages[2][pages[2].shape[0] // 2:]  # the bottom ballot of the third sheet, cut off
    pdf = FPDF(unit="mm", format="A4")
    for i, img in enumerate(pages[:2]):
        p = tmp_path / f"p{i}.jpg"
        cv2.imwrite(str(p), img, [cv2.IMWRITE_JPEG_QUALITY, 75])
        pdf.add_page()
        pdf.image(str(p), x=0, y=0, w=210, h=297)
    pdf.output(str(tmp_path / "may-quet.pdf"))
    cv2.imwrite(str(tmp_path / "nua.tif"), half)
    r = cli("scan", tmp_path / "may-quet.pdf", tmp_path / "nua.tif", "--workdir", wd, "--json")
    doc = r.json
    assert doc["pages"] == 3 and doc["ballots"] == 5 and doc["unreadable_pages"] == [], doc
    with (wd / "tinnhiem-quet" / "phieu-quet.csv").open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    person = sess["pages"][0]["rows"][0]["person"]
    assert got[0][person] == "2" and got[0]["Trang"] == "1" and got[0]["Tệp quét"].endswith("may-quet.pdf")
    assert [g[person] for g in got[1:]] == ["", "", "", ""] and got[4]["Tệp quét"].endswith("nua.tif")
    assert r.exit_code == 0


def test_a_moved_working_folder_still_scans(printed, tmp_path, cli):
    """The geometry records the ballot PDFs relative to the working folder; an older record with
    absolute paths is still read after the folder has moved (its files are found under it)."""
    geo = json.loads((printed / "tinnhiem-ho-so" / bm.GEOMETRY).read_text(encoding="utf-8"))
    assert all(not Path(s["pdf"]).is_absolute() and s["pdf"].startswith("tinnhiem-phieu/") for s in geo["sessions"].values())
    wd = _copy_workdir(printed, tmp_path / "a")
    scans = tmp_path / "scans"
    truths = gen.make_scans(wd, scans, seed=7, sessions=["so-tai-chinh"], spoil=0.0, fmt="png", clean=True, limit=1)
    moved = tmp_path / "b" / "noi-khac"
    moved.parent.mkdir()
    wd.rename(moved)
    r = cli("scan", scans, "--workdir", moved, "--json")
    assert r.exit_code == 0 and r.json["ballots"] == len(truths) == 2, r.stdout[-2000:]
    # An older record: absolute paths into the folder where it was printed, since moved.
    old = {**geo, "sessions": {sid: {**s, "pdf": str(tmp_path / "a" / "wd" / s["pdf"])} for sid, s in geo["sessions"].items()}}
    (moved / "tinnhiem-ho-so" / bm.GEOMETRY).write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    r = cli("scan", scans, "--workdir", moved, "--json", "--force")
    assert r.exit_code == 0 and r.json["ballots"] == 2, r.stdout[-2000:]
    resolved = bm.load_geometry(moved / "tinnhiem-ho-so" / bm.GEOMETRY)["sessions"]["so-tai-chinh"]["pdf"]
    assert Path(resolved).is_file() and Path(resolved).is_relative_to(moved)


def _fill_review(book: Path, answer) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["Xem lại"]
    head = [c.value for c in ws[1]]
    for cells in ws.iter_rows(min_row=2):
        v = {h: c.value for h, c in zip(head, cells)}
        cells[head.index("Quyết định")].value = answer(v)
    wb.save(book)


def test_an_unreadable_page_is_keyed_or_declared_in_the_review(printed, tmp_path, cli):
    """A page the reader cannot read goes to the review workbook with its image; the committee
    keys its ballots in the sheet 'Nhập tay' (or declares it no ballot), and `scan --review`
    adds them: no ballot lost, none counted twice."""
    from openpyxl import load_workbook

    wd = _copy_workdir(printed, tmp_path)
    scans = tmp_path / "scans"
    truths = gen.make_scans(wd, scans, seed=11, sessions=["so-tai-chinh"], spoil=0.0, fmt="png", clean=True, cut=0.0)
    first = sorted(scans.glob("quet-*.png"))[0]
    img = cv2.imread(str(first), cv2.IMREAD_GRAYSCALE)
    img[:, : img.shape[1] // 12] = 255  # the left marks torn off: neither ballot of the sheet can be placed
    cv2.imwrite(str(first), img)
    blank = np.full((1200, 850), 255, np.uint8)
    cv2.imwrite(str(scans / "zz-trang-trang.png"), blank)
    r = cli("scan", scans, "--workdir", wd, "--json")
    assert r.exit_code == 1
    lost = truths[:2]  # the two ballots of the first sheet
    assert r.json["ballots"] == len(truths) - 2
    assert sorted(u["file"] for u in r.json["unreadable_pages"]) == sorted([str(first), str(first), str(scans / "zz-trang-trang.png")])
    out = wd / "tinnhiem-quet"
    book = out / "xem-lai.xlsx"
    wb = load_workbook(book)
    assert "Nhập tay" in wb.sheetnames
    pages = [row for row in wb["Xem lại"].iter_rows(min_row=2, values_only=True) if str(row[0]).startswith("T")]
    assert len(pages) == 2 and len(wb["Xem lại"]._images) >= 2  # each page with its image
    page_of = {row[1]: row[0] for row in pages}
    people = [c.value for c in wb["Nhập tay"][1]][3:-1]

    def key_ballots(ballots, page_id):
        ws = load_workbook(book)
        sheet = ws["Nhập tay"]
        for t in ballots:
            cells = {r_.person: r_.cell for r_ in t.rows}
            sheet.append([page_id, t.session, t.number, *[cells.get(p, "") for p in people], ""])
        ws.save(book)

    _fill_review(book, lambda v: "nhap_tay" if v["Tệp quét"] == str(first) else "khong_phai_phieu" if v["Mã"].startswith("T") else
                 gen.review_answer(truths, v["Phiên"], v["Số phiếu"] or "", v["Mã cán bộ"] or ""))
    # A ballot already read from another page, keyed again by mistake: refused, nothing written.
    key_ballots([truths[2]], page_of[str(first)])
    r = cli("scan", "--review", book, "--workdir", wd, "--json")
    assert r.exit_code == 1 and "SCAN_REVIEW_KEYED" in [p["code"] for p in r.json["problems"]]
    # Keyed right: the two lost ballots.
    wb = load_workbook(book)
    wb["Nhập tay"].delete_rows(2, 10)
    wb.save(book)
    key_ballots(lost, page_of[str(first)])
    r = cli("scan", "--review", book, "--workdir", wd, "--json")
    assert r.exit_code == 0, r.stdout[-3000:]
    assert r.json["ballots"] == len(truths) and r.json["unreadable_pages"] == []
    with (out / "phieu-quet.csv").open(encoding="utf-8-sig", newline="") as fh:
        got = {(row["Phiên"], row["Số phiếu"]): row for row in csv.DictReader(fh)}
    assert len(got) == len(truths)
    for t in truths:
        assert all(got[(t.session, t.number)][tr.person] == tr.cell for tr in t.rows), t.number
    assert got[(lost[0].session, lost[0].number)]["Tệp quét"] == str(first)
    # Applied again: the keyed ballots are not added twice.
    r = cli("scan", "--review", book, "--workdir", wd, "--json")
    assert r.exit_code == 0 and r.json["ballots"] == len(truths)


def test_a_worn_code_is_read_module_by_module():
    """A black-and-white 150 dpi JPEG code: ink bled into the white modules and the grid off by
    a fifth of a module from where the marks put it; redrawn clean, it decodes."""
    text = bm.qr_text(bm.session_key("so-tai-chinh"), 1, 1, "T5GVNA")
    matrix = np.array([list(row) for row in bm.qr_matrix(text)], np.uint8)
    rq, margin = 10.0, 3.0
    side = int(round((bm.QR_SIZE + 2 * margin) * rq))
    crop = np.full((side, side), 255, np.uint8)
    module = bm.MODULE * rq
    off = margin * rq + 0.3 * module  # the grid is not where the marks say
    for (r, c), v in np.ndenumerate(matrix):
        if v:
            y, x = int(round(off + r * module)), int(round(off + c * module))
            crop[y:int(round(off + (r + 1) * module)), x:int(round(off + (c + 1) * module))] = 0
    crop = cv2.erode(crop, np.ones((4, 4), np.uint8))  # ink bleeds
    _, jpeg = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 60])
    worn = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)
    assert si._resampled_code(worn, margin, rq) == text


def test_black_and_white_pages_are_told_in_png_and_jpeg(tmp_path):
    """A light pencil mark below the scanner's black-and-white threshold is not on the image:
    such pages are told (two levels, or a JPEG of them decoded at reduced size) so that their
    rows with no mark go to review; a grey scan is not taken for one."""
    s = session(3)
    pdf, info, geo = _geometry_for(tmp_path, s, 1, None)
    page = _pages(pdf, 300)[0]
    _, bw = cv2.threshold(page, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    for name, img in (("den-trang", bw), ("xam", page)):
        for ext, params in ((".png", []), (".jpg", [cv2.IMWRITE_JPEG_QUALITY, 85])):
            path = tmp_path / f"{name}{ext}"
            cv2.imwrite(str(path), img, params)
            decoded = next(si.iter_pages(path)).image
            assert si.bilevel(decoded) == (name == "den-trang"), path.name
            if name == "den-trang":
                reads, _ = si.read_image(decoded, geo, si.Templates())
                assert {d.reason for d in reads[0]["rows"]} == {"bw_no_mark"}
