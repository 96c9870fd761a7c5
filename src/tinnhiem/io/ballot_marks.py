"""What makes a printed ballot readable by `tinnhiem scan`: four registration marks and a small
QR code on every ballot page, and the record of where every box is (the ballot geometry).

The marks are ArUco 4x4 markers (OpenCV's DICT_4X4_50): small black squares like the usual
corner marks, but each one says which corner it is, so a page is found in any orientation and
the two ballots of an uncut A4 sheet are told apart (ids 0-3 for a ballot printed alone or at
the top of a sheet, 4-7 at the bottom: TL, TR, BR, BL). They sit in the side margins, beside
the content of each ballot page, so they belong to the ballot and not to the sheet: a half
scanned after cutting carries its own four.

The QR code holds `TN1:<session key>:<page>/<pages>:<ballot number>` (format version 1; the key is
8 characters derived from the session id and mapped back by the geometry record, because a
40-character session id would need a code too big for the margin). Nothing about the voter.

Coordinates in the geometry record are millimetres in the ballot-page frame: origin at the
centre of the top-left mark, x to the right, y down, as printed. The top and bottom ballots of a
sheet have the same frame, so one record serves both."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

FORMAT = "TN1"
GEOMETRY = "ballot-geometry.json"  # in the working folder's record (tinnhiem-ho-so/)

MARK = 6.0  # side of a registration mark (mm): 6 cells of 1 mm
MARK_X = (5.0, 199.0)  # left edge of the left and right marks on the page (mm)
MODULE = 0.6  # QR module (mm): 3.5 px at 150 dpi
QR_MODULES = 25  # version 2
QR_SIZE = QR_MODULES * MODULE
QR_QUIET = 1.5  # free space kept around the code (mm)
QR_BAND = QR_SIZE + 2 * QR_QUIET + 1.0  # kept free under the rows of a page that is not a ballot's last
HALF_CONTENT = 130.5  # content height of a ballot in half a sheet (PAGE_H/2 - HALF_GAP - MARGIN_TOP)
FULL_CONTENT = 273.0  # content height of a ballot page of its own (PAGE_H - 2 * 12)

# ArUco DICT_4X4_50 markers 0-7, 6x6 cells with the black border, 1 = white.
# tests/test_scan.py checks them against OpenCV's dictionary.
ARUCO = {
    0: ("000000", "010110", "001010", "000110", "000100", "000000"),
    1: ("000000", "000000", "011110", "010010", "010100", "000000"),
    2: ("000000", "000110", "000110", "000100", "011010", "000000"),
    3: ("000000", "010010", "010010", "001000", "001100", "000000"),
    4: ("000000", "001010", "001000", "010010", "011100", "000000"),
    5: ("000000", "001110", "010010", "011000", "011010", "000000"),
    6: ("000000", "010010", "011100", "000100", "011100", "000000"),
    7: ("000000", "011000", "001000", "011110", "000100", "000000"),
}


def session_key(session_id: str) -> str:
    """8 characters (A-Z, 2-7: QR alphanumeric mode) standing for the session in the code."""
    return base64.b32encode(hashlib.sha256(session_id.encode("utf-8")).digest())[:8].decode("ascii")


def qr_text(key: str, page: int, pages: int, number: str) -> str:
    return f"{FORMAT}:{key}:{page}/{pages}:{number or ''}"


def parse_qr(text: str) -> dict | None:
    parts = (text or "").strip().split(":")
    if len(parts) != 4 or parts[0] != FORMAT:
        return None
    try:
        page, pages = (int(v) for v in parts[2].split("/"))
    except ValueError:
        return None
    return {"key": parts[1], "page": page, "pages": pages, "number": parts[3]}


def qr_matrix(text: str) -> list[bytes]:
    import segno

    # A fixed mask: choosing the best of 8 costs 2 ms a code, and a reader decodes any mask.
    code = segno.make(text, error="q", version=2, mode="alphanumeric", mask=3, boost_error=False)
    return [bytes(row) for row in code.matrix]


# -- placing -------------------------------------------------------------------------------------

def frame(content_top: float) -> tuple[float, float]:
    """Page position (mm) of the frame origin for a ballot whose content starts at content_top."""
    return MARK_X[0] + MARK / 2, content_top + MARK / 2


def marker_boxes(content_h: float) -> list[tuple[int, float, float]]:
    """(corner index 0-3: TL TR BR BL, x, y of the mark's top-left) in page mm, content top at 0."""
    bottom = content_h - MARK
    return [(0, MARK_X[0], 0.0), (1, MARK_X[1], 0.0), (2, MARK_X[1], bottom), (3, MARK_X[0], bottom)]


def qr_place(items, content_top: float, content_h: float, margin_x: float) -> tuple[float, float]:
    """Top-left (page mm) of the code: always at the same place of the frame, bottom left of
    the content (beside the stamp on a ballot's last page, under the rows on the others), so that
    the reader looks for it there only. Raises if something drawn in that column reaches it."""
    x, y = margin_x, content_top + content_h - QR_SIZE - 2.0
    lo, hi = x - QR_QUIET, x + QR_SIZE + QR_QUIET
    for it in items:
        if it.kind in ("text", "rect", "line", "dash_rect", "row") and it.x < hi and it.x + max(it.w, 0) > lo:
            if it.y + it.h > y - QR_QUIET:
                raise ValueError(f"the ballot's QR code at y={y:.1f} mm overlaps '{it.kind}' ending at {it.y + it.h:.1f} mm")
    return x, y


# -- drawing -------------------------------------------------------------------------------------

def _rects_op(pdf, cells: list[bytes] | tuple, x: float, y: float, cell: float, dark: int) -> str:
    """PDF operators filling the cells equal to `dark`, one rectangle per horizontal run."""
    k = pdf.k
    page_h = pdf.h
    out = []
    for r, row in enumerate(cells):
        c = 0
        n = len(row)
        while c < n:
            if row[c] == dark:
                start = c
                while c < n and row[c] == dark:
                    c += 1
                x0 = (x + start * cell) * k
                y0 = (page_h - (y + (r + 1) * cell)) * k
                out.append(f"{x0:.2f} {y0:.2f} {(c - start) * cell * k:.2f} {cell * k:.2f} re")
            else:
                c += 1
    return "\n".join(out)


def _marker_ops(pdf, content_top: float, content_h: float, slot: int) -> str:
    ops = []
    for corner, x, y in marker_boxes(content_h):
        cells = tuple(row.encode("ascii") for row in ARUCO[corner + 4 * slot])
        ops.append(_rects_op(pdf, cells, x, content_top + y, MARK / 6, ord("0")))
    return "\n".join(ops)


class Marks:
    """Draws the marks and the code of each ballot page; one per ballot PDF."""

    def __init__(self, session_id: str, pages_items: list, two_up: bool, margin_x: float, margin_top: float):
        self.key = session_key(session_id)
        self.content_h = HALF_CONTENT if two_up else FULL_CONTENT
        self.margin_x = margin_x
        self.margin_top = margin_top
        self.qr = [qr_place(items, margin_top, self.content_h, margin_x) for items in pages_items]
        self._markers: dict[int, str] = {}

    def draw(self, pdf, number: str, dy: float, page_no: int, pages: int) -> None:
        top = self.margin_top + dy
        slot = 1 if dy > 0 else 0
        ops = self._markers.get(slot)
        if ops is None:
            ops = self._markers[slot] = _marker_ops(pdf, top, self.content_h, slot)
        qx, qy = self.qr[page_no - 1]
        code = _rects_op(pdf, qr_matrix(qr_text(self.key, page_no, pages, number)), qx, qy + dy, MODULE, 1)
        pdf._out(f"q 0 g\n{ops}\n{code}\nf Q")


def geometry(session_id: str, pages_items: list, two_up: bool, margin_x: float, margin_top: float) -> dict:
    """Where everything a reader needs is, in the frame of the ballot page (see module doc)."""
    ox, oy = frame(margin_top)
    content_h = HALF_CONTENT if two_up else FULL_CONTENT

    def rect(x, y, w, h):
        return [round(x - ox, 3), round(y - oy, 3), round(w, 3), round(h, 3)]

    pages = []
    for p, items in enumerate(pages_items, 1):
        qx, qy = qr_place(items, margin_top, content_h, margin_x)
        rows: dict[str, dict] = {}
        for it in items:
            if it.kind == "row":
                rows[it.text] = {"person": it.text, "row": rect(it.x, it.y, it.w, it.h), "boxes": []}
        for it in items:
            if it.kind == "rect" and it.style == "box":
                rows[it.text]["boxes"].append(rect(it.x, it.y, it.w, it.h))
        numbers = [rect(it.x, it.y, it.w, it.h) for it in items if it.kind == "number"]
        stamps = [rect(it.x, it.y, it.w, it.h) for it in items if it.kind == "dash_rect"]
        pages.append({
            "page": p,
            "markers": [{"corner": c, "box": rect(x, margin_top + y, MARK, MARK)}
                        for c, x, y in marker_boxes(content_h)],
            "qr": rect(qx, qy, QR_SIZE, QR_SIZE),
            "rows": list(rows.values()),
            "number": numbers,
            "stamp": stamps,
        })
    w = MARK_X[1] + MARK - MARK_X[0]
    return {"key": session_key(session_id), "two_up": two_up,
            "extent": [round(-MARK / 2, 3), round(-MARK / 2, 3), w, content_h], "pages": pages}


def geometry_record(target, sessions: list, shapes: list, pdf_of) -> dict:
    """The working folder's record: every session's geometry, its code key, the rated people in
    ballot order and where its ballot PDF is (`pdf_of(session)`: the reader compares a scan with
    the blank print)."""
    out = {"format": FORMAT, "ballots": str(target), "sessions": {}}
    keys: dict[str, str] = {}
    for s, shape in zip(sessions, shapes):
        if shape is None:
            continue
        key = shape["key"]
        if key in keys:  # 40 bits: two ids of one round sharing a key is a bug to stop at
            raise ValueError(f"session key {key} shared by {keys[key]} and {s.id}")
        keys[key] = s.id
        pdf = pdf_of(s)
        out["sessions"][s.id] = {**shape, "unit": s.unit, "pdf": str(pdf.resolve()),
                                 "people": [{"id": p.person_id, "name": p.name} for p in s.rated]}
    return out


# -- where the ballot PDFs are -------------------------------------------------------------------

def paths_relative(record: dict, root: Path) -> dict:
    """The record with its PDF paths relative to the working folder `root` (forward slashes), so
    that the folder can be moved or copied to another laptop; a path that cannot be made
    relative (another drive) stays absolute."""

    def rel(p: str) -> str:
        try:
            return Path(os.path.relpath(Path(p).resolve(), Path(root).resolve())).as_posix()
        except ValueError:
            return p

    out = {**record, "sessions": {sid: {**s, "pdf": rel(s["pdf"])} for sid, s in record.get("sessions", {}).items()}}
    if "ballots" in record:
        out["ballots"] = rel(record["ballots"])
    return out


def resolve_pdf(recorded: str, geometry_path: Path) -> Path:
    """A session's ballot PDF: relative to the working folder (the folder of tinnhiem-ho-so/);
    an absolute path of an older record that no longer exists (the folder was moved) is looked
    for under the working folder by its last parts (tinnhiem-phieu/<session>/<file>, then
    shorter), then beside the geometry."""
    root = geometry_path.parent.parent
    path = Path(recorded)
    if not path.is_absolute():
        return root / path
    if path.is_file():
        return path
    parts = Path(recorded.replace("\\", "/")).parts[1:]
    for k in range(len(parts), 0, -1):
        candidate = root.joinpath(*parts[-k:])
        if candidate.is_file():
            return candidate
    beside = geometry_path.parent / path.name
    return beside if beside.is_file() else path


def load_geometry(geometry_path: Path) -> dict:
    """The geometry record with every session's `pdf` resolved to a path that can be opened."""
    record = json.loads(Path(geometry_path).read_text(encoding="utf-8"))
    for s in record.get("sessions", {}).values():
        s["pdf"] = str(resolve_pdf(s["pdf"], Path(geometry_path)))
    return record
