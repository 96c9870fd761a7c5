"""Scanned ballots with known answers, made from the tool's own ballot PDFs (issue 17).

Each ballot page of a `ballots` PDF is rasterised (pypdfium2) at 150/200/300 dpi, marked as a
pen or pencil would (X, tick, filled box, light pencil, thick felt pen, a mark slightly outside
its box, two marks, a corrected mark, no mark), sometimes spoilt (a name crossed out, words
written on it), then put through what a scanner and a careless stack do: rotation up to ±5°,
any of four orientations, scale ±3 %, blur, noise, JPEG compression, a grey background, black
and white, and an A5 half cut from a two-ballot sheet. The answers say, for every row, what the
ballot says and whether a person must look at it.

Used by tests/test_scan.py (a handful of ballots) and benchmarks/scan_bench.py (thousands)."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from tinnhiem.io import ballot_marks as bm

MARK_KINDS = ("x", "x", "x", "x", "x", "check", "check", "filled", "light", "thick", "outside")


@dataclass
class RowTruth:
    person: str
    cell: str  # "1", "" or "1,3": what the ballot says
    must_review: bool = False  # a corrected mark, a crossed-out name, words on the row
    style: str = ""


@dataclass
class BallotTruth:
    session: str
    number: str
    rows: list[RowTruth] = field(default_factory=list)
    defect: str = ""  # what the committee decides for the whole ballot (crossed-out name...)
    slot: int = 0


def render_pdf_page(pdf, index: int, dpi: float) -> np.ndarray:
    page = pdf[index]
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    arr = np.array(bitmap.to_numpy(), copy=True)
    page.close()
    return arr.reshape(arr.shape[0], arr.shape[1], -1)[:, :, 0]


def _frame_origin(slot: int) -> tuple[float, float]:
    """Page mm of the frame origin of the ballot in this slot (0 top or alone, 1 bottom)."""
    dy = 297.0 / 2 + 6.0 - 12.0 if slot else 0.0
    return bm.frame(12.0 + dy)


def _pt(x_mm: float, y_mm: float, ppmm: float) -> tuple[int, int]:
    return int(round(x_mm * ppmm)), int(round(y_mm * ppmm))


def draw_mark(img, box, kind: str, ppmm: float, rng: random.Random, shade: int = 25) -> None:
    """A mark in a box (page mm: x, y, w, h)."""
    x, y, w, h = box
    cx, cy = x + w / 2 + rng.uniform(-0.4, 0.4), y + h / 2 + rng.uniform(-0.4, 0.4)
    half = w / 2 * rng.uniform(0.75, 1.05)
    thick = max(1, int(round(rng.uniform(0.35, 0.6) * ppmm)))
    if kind == "thick":
        thick = max(2, int(round(rng.uniform(0.9, 1.3) * ppmm)))
    if kind == "light":
        shade = rng.randint(120, 150)
    if kind == "outside":
        ang = rng.uniform(0, 2 * math.pi)
        d = rng.uniform(1.3, 2.0)
        cx, cy = cx + d * math.cos(ang), cy + d * math.sin(ang)
    if kind == "filled":
        cv2.rectangle(img, _pt(x + 0.2, y + 0.2, ppmm), _pt(x + w - 0.2, y + h - 0.2, ppmm), shade, -1)
        return
    if kind == "check":
        p1 = _pt(cx - half, cy, ppmm)
        p2 = _pt(cx - half * 0.3, cy + half * 0.8, ppmm)
        p3 = _pt(cx + half * 1.1, cy - half * 1.1, ppmm)
        cv2.polylines(img, [np.array([p1, p2, p3])], False, shade, thick, cv2.LINE_AA)
        return
    j = lambda: rng.uniform(-0.3, 0.3)  # noqa: E731 - a hand is never straight
    cv2.line(img, _pt(cx - half + j(), cy - half + j(), ppmm), _pt(cx + half + j(), cy + half + j(), ppmm), shade, thick, cv2.LINE_AA)
    cv2.line(img, _pt(cx + half + j(), cy - half + j(), ppmm), _pt(cx - half + j(), cy + half + j(), ppmm), shade, thick, cv2.LINE_AA)


def write_word(img, row_rect, ppmm: float, rng: random.Random, word: str | None = None) -> None:
    """A few words written by hand in the post cell of a row (page mm: x, y, w, h)."""
    x, y, w, h = row_rect
    cv2.putText(img, word or rng.choice(["dong y", "khong", "Nguyen Van B", "?? ok"]),
                _pt(x + 68, y + h - 1.5, ppmm), cv2.FONT_HERSHEY_SIMPLEX, 0.09 * ppmm, 40,
                max(1, int(0.35 * ppmm)), cv2.LINE_AA)


def fill_ballot(img, geo_page: dict, slot: int, ppmm: float, rng: random.Random, levels: int,
                spoil: float = 0.0) -> tuple[list[RowTruth], str]:
    """Marks for every row of one ballot page; returns the truths and a whole-ballot defect."""
    ox, oy = _frame_origin(slot)
    truths = []
    defect = ""
    for row in geo_page["rows"]:
        boxes = [(bx + ox, by + oy, bw, bh) for bx, by, bw, bh in row["boxes"]]
        u = rng.random()
        if u < 0.03:
            truths.append(RowTruth(row["person"], "", style="none"))
            continue
        if u < 0.045:
            a, b = sorted(rng.sample(range(levels), 2))
            draw_mark(img, boxes[a], "x", ppmm, rng)
            draw_mark(img, boxes[b], "x", ppmm, rng)
            truths.append(RowTruth(row["person"], f"{a + 1},{b + 1}", style="two"))
            continue
        if u < 0.052:
            a, b = rng.sample(range(levels), 2)
            draw_mark(img, boxes[a], "filled", ppmm, rng)
            draw_mark(img, boxes[b], "x", ppmm, rng)
            truths.append(RowTruth(row["person"], str(b + 1), must_review=True, style="corrected"))
            continue
        level = rng.randrange(levels)
        kind = rng.choice(MARK_KINDS)
        draw_mark(img, boxes[level], kind, ppmm, rng)
        truths.append(RowTruth(row["person"], str(level + 1), style=kind))
    if spoil and rng.random() < spoil:
        t = rng.randrange(len(truths))
        row = geo_page["rows"][t]
        x, y, w, h = row["row"]
        x, y = x + ox, y + oy
        if rng.random() < 0.5:  # the name crossed out
            yy = y + h / 2 + rng.uniform(-1, 1)
            cv2.line(img, _pt(x + 11, yy, ppmm), _pt(x + 11 + rng.uniform(30, 50), yy + rng.uniform(-1, 1), ppmm), 30,
                     max(1, int(0.5 * ppmm)), cv2.LINE_AA)
            truths[t].must_review = True
            truths[t].style += "+crossed"
            defect = "gach_ten"
        else:  # a word written in the post cell
            write_word(img, (x, y, w, h), ppmm, rng)
            truths[t].must_review = True
            truths[t].style += "+written"
            defect = "ghi_them"
    return truths, defect


def degrade(img: np.ndarray, rng: random.Random, ppmm: float, *, angle: float | None = None,
            quarter: int | None = None, scale: float | None = None, blur: bool | None = None,
            noise: bool | None = None, grey: bool | None = None, bw: bool = False) -> np.ndarray:
    """What the scanner and the stack do to a page."""
    angle = rng.uniform(-5, 5) if angle is None else angle
    quarter = rng.randrange(4) if quarter is None else quarter
    scale = rng.uniform(0.97, 1.03) if scale is None else scale
    h, w = img.shape
    pad = int(0.04 * max(h, w))
    img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    hh, ww = img.shape
    M = cv2.getRotationMatrix2D((ww / 2, hh / 2), angle, scale)
    img = cv2.warpAffine(img, M, (ww, hh), flags=cv2.INTER_LINEAR, borderValue=255)
    if quarter:
        img = np.ascontiguousarray(np.rot90(img, quarter))
    if blur if blur is not None else rng.random() < 0.5:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 0.9))
    if grey if grey is not None else rng.random() < 0.3:
        level = rng.uniform(0.78, 0.92)
        img = (img.astype(np.float32) * level).astype(np.uint8)
    if noise if noise is not None else rng.random() < 0.5:
        n = np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(4, 10), img.shape)
        img = np.clip(img.astype(np.float32) + n, 0, 255).astype(np.uint8)
    if bw:
        _, img = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return img


def encode(img: np.ndarray, path: Path, rng: random.Random) -> None:
    if path.suffix == ".jpg":
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(60, 90)])
    else:
        ok, buf = cv2.imencode(path.suffix, img)
    assert ok
    path.write_bytes(buf.tobytes())


def make_scans(workdir: Path, out: Path, *, seed: int = 1, dpis=(150, 200, 300), spoil: float = 0.03,
               limit: int | None = None, fmt: str = "mixed", cut: float = 0.15, bw: float = 0.05,
               sessions: list[str] | None = None, levels: int = 3, clean: bool = False,
               skip_spares: bool = True) -> list[BallotTruth]:
    """Scans of every ballot of the working folder's ballot PDFs (or `limit` sheets), written
    under `out`; returns the truths in scan order. clean: no rotation, noise or blur."""
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    geo = bm.load_geometry(workdir / "tinnhiem-ho-so" / bm.GEOMETRY)
    manifest = json.loads((workdir / "tinnhiem-ho-so" / "ballot-manifest.json").read_text(encoding="utf-8"))
    numbers = {s["id"]: s.get("numbers") for s in manifest["sessions"]}
    # The spares stay in the committee's drawer: only the ballots handed out come back.
    printed = {s["id"]: s["printed"] - (s.get("spares") or 0 if skip_spares else 0) for s in manifest["sessions"]}
    out.mkdir(parents=True, exist_ok=True)
    truths: list[BallotTruth] = []
    written = 0
    sheets = 0
    for sid, sess in geo["sessions"].items():
        if sessions is not None and sid not in sessions:
            continue
        pdf = pdfium.PdfDocument(sess["pdf"])
        k = len(sess["pages"])
        per_sheet = 2 if sess["two_up"] else 1
        for index in range(len(pdf)):
            if limit is not None and sheets >= limit:
                break
            if (index * per_sheet if per_sheet == 2 else index // k) >= printed[sid]:
                break
            sheets += 1
            dpi = rng.choice(dpis)
            ppmm = dpi / 25.4
            img = render_pdf_page(pdf, index, dpi)
            slots = []
            if per_sheet == 2:
                n_here = min(2, printed[sid] - index * 2)
                if n_here == 1:  # the other half is a spare, cut off and kept
                    img[img.shape[0] // 2:] = 255
                for slot in range(n_here):
                    b = index * 2 + slot
                    slots.append((slot, b, 1))
            else:
                slots.append((0, index // k, index % k + 1))
            page_truths = []
            for slot, b, page in slots:
                nums = numbers.get(sid)
                rows, defect = fill_ballot(img, sess["pages"][page - 1], slot, ppmm, rng, levels, spoil)
                if page == 1 or not truths or truths[-1].session != sid:
                    page_truths.append(BallotTruth(sid, nums[b] if nums else "", rows, defect, slot))
                else:
                    truths[-1].rows.extend(rows)
                    truths[-1].defect = truths[-1].defect or defect
            truths.extend(page_truths)
            pieces = [img]
            if per_sheet == 2 and len(slots) == 2 and rng.random() < cut:
                mid = img.shape[0] // 2
                pieces = [img[:mid], img[mid:]]  # cut along the dashed line, scanned as two A5 pages
            for piece in pieces:
                if clean:
                    page_img = degrade(piece, rng, ppmm, angle=0, quarter=0, scale=1.0, blur=False, noise=False, grey=False)
                else:
                    page_img = degrade(piece, rng, ppmm, bw=rng.random() < bw)
                written += 1
                name = f"quet-{written:05d}"
                if fmt == "mixed":
                    ext = rng.choice([".png", ".jpg", ".jpg", ".tif"])
                else:
                    ext = "." + fmt
                encode(page_img, out / (name + ext), rng)
        pdf.close()
    return truths


def truth_csv(path: Path, truths: list[BallotTruth], people: list[str]) -> None:
    """The same ballots keyed in by hand (the per-ballot layout), to compare with the scan."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Phiên", "Số phiếu", *people, "Lỗi phiếu"])
        for t in truths:
            cells = {r.person: r.cell for r in t.rows}
            w.writerow([t.session, t.number, *[cells.get(p, "") for p in people], t.defect])


def review_answer(truths: list[BallotTruth], session: str, number: str, person: str) -> str:
    """What the committee writes in the review workbook, looking at the paper ballot."""
    t = next(t for t in truths if t.session == session and t.number == number)
    if not person:
        return t.defect or "0"
    row = next(r for r in t.rows if r.person == person)
    if t.defect and ("crossed" in row.style or "written" in row.style):
        return t.defect
    return row.cell or "0"


def truths_json(truths: list[BallotTruth]) -> list[dict]:
    return [{"session": t.session, "number": t.number, "defect": t.defect,
             "rows": [{"person": r.person, "cell": r.cell, "must_review": r.must_review, "style": r.style} for r in t.rows]}
            for t in truths]
