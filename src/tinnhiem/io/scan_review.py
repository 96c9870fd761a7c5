"""The files `tinnhiem scan` writes and reads back: the per-ballot CSV that `tally` counts, the
review workbook and PDF (the cropped image of every row the machine could not decide, with a
cell for the committee's decision), and the scan's own record (trang-thai-quet.json) from
which `scan --review` rebuilds the CSV once the decisions are in."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tinnhiem.core.scan import REASONS_VI
from tinnhiem.io.atomic import write_text
from tinnhiem.io.csvsafe import write_csv
from tinnhiem.io.xlsx import save as save_xlsx

BALLOTS_FILE = "phieu-quet.csv"
REVIEW_FILE = "xem-lai.xlsx"
REVIEW_PDF = "xem-lai.pdf"
STATE_FILE = "trang-thai-quet.json"
SHEET = "Xem lại"
HEADERS = ("Mã", "Tệp quét", "Trang", "Phiên", "Số phiếu", "Mã cán bộ", "Họ và tên", "Lý do", "Máy đọc", "Ảnh", "Quyết định")
DECISION_HELP = [
    "Ghi vào cột 'Quyết định' của mỗi dòng điều Ban Kiểm phiếu đã xem trên phiếu giấy:",
    "1, 2 hoặc 3: phiếu đánh dấu một mức (1 = Tín nhiệm cao, 2 = Tín nhiệm, 3 = Tín nhiệm thấp);",
    "0: không đánh dấu ô nào; 1,3 (hoặc 13, 12, 23, 123): đánh dấu nhiều ô;",
    "gach_ten, ghi_them, khong_do_ban_kiem_phieu_phat: lỗi của cả phiếu (cột 'Lỗi phiếu' của tally).",
    "Để trống: chưa quyết định (lệnh scan --review vẫn báo còn dòng chờ xem lại, mã thoát 1).",
    "Dòng 'Trang không đọc được' (mã T...): xem trang giấy rồi ghi khong_phai_phieu (trang trắng, bìa, không có phiếu)",
    "hoặc nhap_tay, và nhập từng phiếu trên trang đó vào trang tính 'Nhập tay' (một dòng một phiếu, cột 'Mã trang' ghi",
    "mã T... của trang). Chỉ nhập phiếu chưa có trong phieu-quet.csv: phiếu có số trùng số đã đọc bị báo lỗi.",
    "Rồi chạy: tinnhiem scan --review xem-lai.xlsx",
]
KEYED_SHEET = "Nhập tay"
KEYED_FIXED = ("Mã trang", "Phiên", "Số phiếu")


def reading_text(levels) -> str:
    return ",".join(str(v) for v in levels) if levels else "không có dấu"


def write_state(folder: Path, state: dict) -> None:
    write_text(folder / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=1) + "\n")


def read_state(folder: Path) -> dict | None:
    p = folder / STATE_FILE
    if not p.is_file():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def people_of(state: dict) -> list[str]:
    """Every rated person of the scan's sessions, once, in ballot order."""
    people: list[str] = []
    seen = set()
    for sid in state["sessions"]:
        for pid in state["people"][sid]:
            if pid not in seen:
                seen.add(pid)
                people.append(pid)
    return people


def csv_rows(state: dict) -> tuple[list[str], list[list[str]]]:
    people = people_of(state)
    header = ["Phiên", "Số phiếu", *people, "Lỗi phiếu", "Tệp quét", "Trang"]
    rows = []
    for b in state["ballots"]:
        cells = b["cells"]
        rows.append([b["session"], b["number"], *[cells.get(p, "") for p in people], b["defect"],
                     "; ".join(w[0] for w in b["where"]), "; ".join(str(w[1]) for w in b["where"])])
    return header, rows


def write_ballots_csv(folder: Path, state: dict) -> Path:
    header, rows = csv_rows(state)
    target = folder / BALLOTS_FILE
    write_csv(target, header, rows)
    return target


def _reason_text(it: dict) -> str:
    text = REASONS_VI.get(it["reason"], it["reason"])
    return f"{text}: {it['detail']}" if it.get("detail") else text


def write_review(folder: Path, items: list[dict], images: dict[str, bytes], people: list[str] | None = None) -> tuple[Path, Path]:
    """The review workbook and the same as a PDF to print; `images`: item id -> PNG bytes;
    `people`: the columns of the sheet where the ballots of unreadable pages are keyed (when
    there are such pages)."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image as XlImage
    from openpyxl.styles import Alignment, Font, PatternFill
    from PIL import Image as PilImage

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(HEADERS))
    for c in ws[1]:
        c.font = Font(bold=True)
    widths = (9, 22, 7, 24, 10, 11, 22, 34, 12, 80, 12)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    yellow = PatternFill("solid", fgColor="FFF2CC")
    for r, it in enumerate(items, start=2):
        ws.append([it["id"], it["file"], it["page"], it["session"], it["number"], it["person"], it["name"],
                   _reason_text(it), reading_text(it["levels"]) if it["person"] else "", "", ""])
        ws.cell(r, 11).fill = yellow
        for c in ws[r]:
            c.alignment = Alignment(vertical="center", wrap_text=True)
        png = images.get(it["id"])
        if png:
            pil = PilImage.open(io.BytesIO(png))
            img = XlImage(io.BytesIO(png))
            scale = min(560 / pil.width, 1.0) if it["person"] else min(560 / pil.width, 420 / pil.height)
            img.width, img.height = int(pil.width * scale), int(pil.height * scale)
            ws.add_image(img, f"J{r}")
            ws.row_dimensions[r].height = img.height * 0.75 + 6
    ws.freeze_panes = "A2"
    if people:
        keyed = wb.create_sheet(KEYED_SHEET)
        keyed.append([*KEYED_FIXED, *people, "Lỗi phiếu"])
        for c in keyed[1]:
            c.font = Font(bold=True)
        keyed.freeze_panes = "D2"
    help_ws = wb.create_sheet("Hướng dẫn")
    for line in DECISION_HELP:
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 110
    xlsx = folder / REVIEW_FILE
    save_xlsx(wb, xlsx)
    pdf_path = folder / REVIEW_PDF
    _review_pdf(pdf_path, items, images)
    return xlsx, pdf_path


def _review_pdf(target: Path, items: list[dict], images: dict[str, bytes]) -> None:
    from tinnhiem.io.pdf import FONT, new_pdf, save_pdf

    pdf = new_pdf("Phiếu cần Ban Kiểm phiếu xem lại")
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 8, "PHIẾU CẦN BAN KIỂM PHIẾU XEM LẠI", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for line in DECISION_HELP:
        pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for it in items:
        png = images.get(it["id"])
        h_img = 0.0
        if png:
            from PIL import Image as PilImage

            pil = PilImage.open(io.BytesIO(png))
            w_img = 180.0 if it["person"] else 120.0
            h_img = w_img * pil.height / pil.width
        if pdf.get_y() + 12 + h_img > pdf.h - 15:
            pdf.add_page()
        pdf.set_font(FONT, "B", 9)
        who = f"{it['person']} {it['name']}" if it["person"] else ("cả trang" if it.get("kind") == "page" else "cả phiếu")
        pdf.multi_cell(0, 4.5, f"{it['id']}  ·  {it['file']} trang {it['page']}  ·  phiên {it['session']}  ·  "
                               f"số phiếu {it['number'] or '—'}  ·  {who}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        reading = f"; máy đọc: {reading_text(it['levels'])}" if it["person"] else ""
        pdf.multi_cell(0, 4.5, f"Lý do: {_reason_text(it)}{reading}.   Quyết định: ..........",
                       new_x="LMARGIN", new_y="NEXT")
        if png:
            pdf.image(io.BytesIO(png), x=pdf.l_margin, w=w_img)
        pdf.ln(3)
    save_pdf(pdf, target)


def read_review(path: Path) -> tuple[list[tuple[int, str, str]], list[str]]:
    """(sheet row, item id, decision text) of each line, and the layout problems found."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    if SHEET not in wb.sheetnames:
        return [], [f"không có trang tính '{SHEET}'"]
    ws = wb[SHEET]
    rows = ws.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    if "Mã" not in header or "Quyết định" not in header:
        return [], ["thiếu cột 'Mã' hoặc 'Quyết định'"]
    ki, di = header.index("Mã"), header.index("Quyết định")
    out = []
    for r, values in enumerate(rows, start=2):
        if not values or all(v is None for v in values):
            continue
        key = str(values[ki] or "").strip()
        value = values[di] if di < len(values) else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append((r, key, "" if value is None else str(value)))
    wb.close()
    return out, []


def read_keyed(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    """The ballots keyed by hand in the sheet 'Nhập tay': (sheet row, {header: text}), and the
    layout problems found. No such sheet: no keyed ballot."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if KEYED_SHEET not in wb.sheetnames:
            return [], []
        rows = wb[KEYED_SHEET].iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        if any(h not in header for h in KEYED_FIXED):
            return [], [f"trang tính '{KEYED_SHEET}' thiếu cột " + ", ".join(f"'{h}'" for h in KEYED_FIXED if h not in header)]
        out = []
        for r, values in enumerate(rows, start=2):
            if not values or all(v is None or str(v).strip() == "" for v in values):
                continue
            cells = {}
            for h, v in zip(header, values):
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                cells[h] = "" if v is None else str(v).strip()
            out.append((r, cells))
        return out, []
    finally:
        wb.close()
