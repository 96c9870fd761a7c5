"""Reading scanned ballot pages: pages from PDF/PNG/JPEG/TIFF files, the ballots on a page found
by their registration marks (io/ballot_marks.py), the page warped onto the recorded geometry,
the QR code read, and the ink in every box and row measured against the blank ballot (the
ballot PDF that `ballots` wrote, rasterised once per session and page). Deciding is
core/scan.py's work.

OpenCV does the image work (ArUco markers, homography, warping, the QR decoder); pypdfium2
rasterises PDFs, both from wheels, with nothing to install on a Windows laptop."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from tinnhiem.core.scan import BoxInk, RowInk, decide_row
from tinnhiem.io import ballot_marks as bm

R = 6.0  # pixels per mm of the warped ballot (152 dpi)
PDF_DPI = 200  # a scanner's PDF is rendered at this resolution
MAX_SIDE = 1800  # a page image is first reduced by a whole factor to about this long side
DETECT_SIDE = 1200  # and to this many to find the marks
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
SCAN_EXT = IMAGE_EXT | {".pdf"}
INSET = 0.75  # mm of a box's edge left out of its inside (the printed outline, blur, misfit)
TEMPLATE_GROW = 3  # px: the blank ballot's ink is grown by this much before "new ink" is counted


@dataclass
class Page:
    file: str
    page: int  # 1-based page of the file
    image: np.ndarray | None  # grey, uint8
    error: str = ""


def scan_files(inputs: list[Path]) -> tuple[list[Path], list[Path]]:
    """The files to read, folders expanded (sorted by name), and those that are no scan."""
    files: list[Path] = []
    unknown: list[Path] = []
    for p in inputs:
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in SCAN_EXT))
        elif p.suffix.lower() in SCAN_EXT:
            files.append(p)
        else:
            unknown.append(p)
    return files, unknown


def iter_pages(path: Path) -> Iterator[Page]:
    """The pages of one scan file, one at a time (a 500-page PDF is never held whole)."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pypdfium2 as pdfium

        try:
            doc = pdfium.PdfDocument(str(path))
        except Exception:  # noqa: BLE001 - pdfium's errors vary; the file is unreadable
            yield Page(name, 1, None, "unreadable_file")
            return
        try:
            for i in range(len(doc)):
                page = doc[i]
                try:
                    bitmap = page.render(scale=PDF_DPI / 72, grayscale=True)
                    arr = np.array(bitmap.to_numpy(), copy=True)
                    bitmap.close()
                except Exception:  # noqa: BLE001
                    yield Page(name, i + 1, None, "unreadable_page")
                    continue
                finally:
                    page.close()
                yield Page(name, i + 1, arr.reshape(arr.shape[0], arr.shape[1], -1)[:, :, 0])
        finally:
            doc.close()
        return
    data = np.fromfile(str(path), dtype=np.uint8) if path.is_file() else np.zeros(0, np.uint8)
    if suffix in (".tif", ".tiff"):
        ok, images = cv2.imdecodemulti(data, cv2.IMREAD_GRAYSCALE) if data.size else (False, [])
        if not ok or not images:
            yield Page(name, 1, None, "unreadable_file")
            return
        for i, img in enumerate(images):
            yield Page(name, i + 1, img)
        return
    img = _decode(data, suffix) if data.size else None
    yield Page(name, 1, img) if img is not None else Page(name, 1, None, "unreadable_file")


def _decode(data: np.ndarray, suffix: str) -> np.ndarray | None:
    """A JPEG of 300-600 dpi is decoded at a half or a quarter of its size (the decoder does it
    for almost nothing), since the reader works at about 150-250 dpi anyway."""
    if suffix in (".jpg", ".jpeg"):
        tiny = cv2.imdecode(data, cv2.IMREAD_REDUCED_GRAYSCALE_8)
        if tiny is not None:
            side = max(tiny.shape) * 8
            for factor, flag in ((4, cv2.IMREAD_REDUCED_GRAYSCALE_4), (2, cv2.IMREAD_REDUCED_GRAYSCALE_2)):
                if side / factor >= 1700:
                    reduced = cv2.imdecode(data, flag)
                    if reduced is None or not _maybe_bilevel(reduced):
                        return reduced
                    # Perhaps a black-and-white scan, which the reduction has averaged into
                    # greys: decoded whole, judged, then reduced the same way.
                    full = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
                    if full is None:
                        return reduced
                    bw = bilevel(full)
                    out = _reduce(full, factor)
                    if bw:  # the reduced page keeps two levels, so that it is judged black and white
                        out = np.where(out < 128, 0, 255).astype(np.uint8)
                    return out
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def _maybe_bilevel(reduced: np.ndarray) -> bool:
    """White paper and few greys on a reduced JPEG: worth decoding whole to tell."""
    sample = reduced[::4, ::4]
    h = np.bincount(sample.ravel(), minlength=256)
    return h[250:].sum() > 0.5 * sample.size and h[40:216].sum() < 0.05 * sample.size


def pdf_page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except Exception:  # noqa: BLE001 - reported when its pages are read
        return 0
    n = len(doc)
    doc.close()
    return n


def pdf_page(path: Path, index: int) -> Page:
    """One page of a PDF (a worker reads its own pages of a long scan)."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except Exception:  # noqa: BLE001
        return Page(str(path), index + 1, None, "unreadable_file")
    try:
        page = doc[index]
        bitmap = page.render(scale=PDF_DPI / 72, grayscale=True)
        arr = np.array(bitmap.to_numpy(), copy=True)
        bitmap.close()
        page.close()
        return Page(str(path), index + 1, arr.reshape(arr.shape[0], arr.shape[1], -1)[:, :, 0])
    except Exception:  # noqa: BLE001
        return Page(str(path), index + 1, None, "unreadable_page")
    finally:
        doc.close()


# -- finding the ballots on a page -------------------------------------------------------------

_DICT = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)


def _detector():
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    params.adaptiveThreshWinSizeMin = 7
    params.adaptiveThreshWinSizeMax = 27
    params.adaptiveThreshWinSizeStep = 10
    # Read each cell by its centre: a black-and-white JPEG scan frays the cells' edges.
    params.perspectiveRemovePixelPerCell = 8
    params.perspectiveRemoveIgnoredMarginPerCell = 0.2
    params.maxErroneousBitsInBorderRate = 0.5
    return cv2.aruco.ArucoDetector(_DICT, params)


_DETECTOR = _detector()


def _marker_frame(corner: int, content_h: float) -> np.ndarray:
    """The four corners of a mark (in ArUco's order: its own TL, TR, BR, BL) in frame mm."""
    ox, oy = bm.frame(0.0)
    _, x, y = bm.marker_boxes(content_h)[corner]
    x -= ox
    y -= oy
    s = bm.MARK
    return np.array([[x, y], [x + s, y], [x + s, y + s], [x, y + s]], np.float64)


def _content_height(centres: dict[int, np.ndarray]) -> float | None:
    """A ballot in half a sheet or on a page of its own, from the distances between its marks."""
    across = [np.linalg.norm(centres[a] - centres[b]) for a, b in ((0, 1), (3, 2)) if a in centres and b in centres]
    down = [np.linalg.norm(centres[a] - centres[b]) for a, b in ((0, 3), (1, 2)) if a in centres and b in centres]
    if not across or not down:
        return None
    width = bm.MARK_X[1] - bm.MARK_X[0]
    tall = float(np.mean(down)) / float(np.mean(across)) * width + bm.MARK
    for h in (bm.HALF_CONTENT, bm.FULL_CONTENT):
        if abs(tall - h) / h < 0.08:
            return h
    return None


@dataclass
class Found:
    slot: int
    content_h: float
    warped: np.ndarray  # the ballot page in the frame, R px/mm, from frame (-3, -3)
    H: np.ndarray  # frame mm -> px of `image`
    image: np.ndarray


def _reduce(img: np.ndarray, k: int) -> np.ndarray:
    """The image reduced k times, each pixel the mean of k x k (cropped to a multiple of k so
    that OpenCV takes its fast whole-factor path)."""
    if k <= 1:
        return img
    h, w = img.shape[0] - img.shape[0] % k, img.shape[1] - img.shape[1] % k
    return cv2.resize(img[:h, :w], (w // k, h // k), interpolation=cv2.INTER_AREA)


def find_ballots(gray: np.ndarray) -> tuple[list[Found], list[str]]:
    """Every ballot page on the image, warped upright; or a reason when none is found."""
    # A 300-600 dpi page is reduced by a whole factor (averaging k x k pixels: the fast case of
    # INTER_AREA) to 150-300 dpi, enough for the ballot warped at R px/mm.
    img = _reduce(gray, int(max(gray.shape) / MAX_SIDE + 0.5))
    # The marks are found on a smaller copy (4 px per 1 mm cell is plenty), the ballot warped
    # from the larger one.
    factor = max(img.shape) / DETECT_SIDE
    if factor >= 1.5:  # by a whole factor again: averaged, not sampled (a thin line is kept)
        small = _reduce(img, int(factor + 0.5))
    elif factor > 1:
        small = cv2.resize(img, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_LINEAR)
    else:
        small = img
    small_scale = small.shape[1] / img.shape[1]
    corners, ids, _ = _DETECTOR.detectMarkers(small)
    # Pixel centres: pixel i of the small copy is centred on (i + 0.5) / scale - 0.5 of the large.
    corners = [(c + 0.5) / small_scale - 0.5 for c in corners]
    got = [] if ids is None else [int(i) for i in ids.ravel()]
    slots_seen = {i // 4 for i in got if i < 8}
    if small_scale < 1 and (not got or any(sum(1 for i in got if i // 4 == s) < 4 for s in slots_seen)):
        # A mark missed on the small copy (a black-and-white scan, a smudge): look again at full size.
        corners, ids, _ = _DETECTOR.detectMarkers(img)
    if ids is None or len(ids) == 0:
        return [], ["no_marks"]
    slots: dict[int, dict[int, np.ndarray]] = {}
    doubled = set()
    for c, i in zip(corners, ids.ravel()):
        i = int(i)
        if i > 7:
            continue
        slot, corner = divmod(i, 4)
        if corner in slots.setdefault(slot, {}):
            doubled.add(slot)
        slots[slot][corner] = c.reshape(4, 2).astype(np.float64)
    found: list[Found] = []
    reasons: list[str] = []
    for slot, marks in sorted(slots.items()):
        if slot in doubled:
            reasons.append("marks_doubled")
            continue
        if len(marks) < 3:
            reasons.append("marks_missing")
            continue
        h = _content_height({k: v.mean(axis=0) for k, v in marks.items()})
        if h is None:
            reasons.append("marks_inconsistent")
            continue
        src = np.vstack([_marker_frame(k, h) for k in sorted(marks)])
        dst = np.vstack([marks[k] for k in sorted(marks)])
        H, _ = cv2.findHomography(src, dst, 0)
        if H is None:
            reasons.append("marks_inconsistent")
            continue
        proj = cv2.perspectiveTransform(src.reshape(-1, 1, 2), H).reshape(-1, 2)
        px_per_mm = np.linalg.norm(dst[1] - dst[0]) / bm.MARK
        if float(np.abs(proj - dst).max()) > 0.8 * px_per_mm:
            reasons.append("marks_inconsistent")
            continue
        # frame mm -> warped px is T; warped px -> image px is H @ inv(T)
        off = bm.MARK / 2
        T = np.array([[R, 0, off * R], [0, R, off * R], [0, 0, 1]], np.float64)
        M = H @ np.linalg.inv(T)
        w = int(round((bm.MARK_X[1] + bm.MARK - bm.MARK_X[0]) * R))
        hh = int(round(h * R))
        warped = cv2.warpPerspective(img, M, (w, hh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        found.append(Found(slot, h, warped, H, img))
    return found, (reasons if found or reasons else ["no_marks"])


def px(v: float) -> int:
    """Frame mm -> warped px."""
    return int(round((v + bm.MARK / 2) * R))


_QR = cv2.QRCodeDetector()
_QR_ARUCO = cv2.QRCodeDetectorAruco()


def qr_frame(content_h: float) -> tuple[float, float]:
    """Where the code is in the frame (mm): the same on every ballot page of that height."""
    ox, oy = bm.frame(0.0)
    x, y = bm.MARK_X[0] + 10.0, content_h - bm.QR_SIZE - 2.0  # MARGIN_X = 15 on the page
    return x - ox, y - oy


def read_code(f: Found) -> tuple[str, np.ndarray | None]:
    """The QR code at its place on the ballot: (text, its corners in px of the warped ballot).
    The code is warped from the scan at 10 px/mm of its own, finer than the ballot's; a worn
    code is tried again redrawn module by module, with OpenCV's other detector, and binarised."""
    qx, qy = qr_frame(f.content_h)
    m = 3.0
    side = bm.QR_SIZE + 2 * m
    printed = np.array([[px(qx), px(qy)], [px(qx + bm.QR_SIZE), px(qy)],
                        [px(qx + bm.QR_SIZE), px(qy + bm.QR_SIZE)], [px(qx), px(qy + bm.QR_SIZE)]], np.float64)
    crops: dict[float, np.ndarray] = {}

    def crop(rq: float) -> np.ndarray:
        if rq not in crops:
            T = np.array([[rq, 0, -(qx - m) * rq], [0, rq, -(qy - m) * rq], [0, 0, 1]], np.float64)
            n = int(round(side * rq))
            crops[rq] = cv2.warpPerspective(f.image, f.H @ np.linalg.inv(T), (n, n), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                            borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        return crops[rq]

    # The code's corners are known from the marks: decoding at them skips the search (4x faster).
    a, b = m * 10.0, (m + bm.QR_SIZE) * 10.0
    text = _QR.decode(crop(10.0), np.array([[[a, a], [b, a], [b, b], [a, b]]], np.float32))[0]
    if text:
        return text, printed
    for rq in (10.0, 14.0):
        text, pts, _ = _QR.detectAndDecode(crop(rq))
        if text:
            pts = pts.reshape(-1, 2) / rq + np.array([qx - m, qy - m])  # frame mm
            return text, np.array([[px(x), px(y)] for x, y in pts], np.float64)
    text = _resampled_code(crop(10.0), m, 10.0)
    if text:  # found where it was printed: its corners are the printed ones
        return text, printed
    for rq in (10.0, 14.0, 6.0):
        text = _QR_ARUCO.detectAndDecode(crop(rq))[0]
        if text:
            return text, printed
    for rq in (6.0, 8.0, 14.0):
        _, bw = cv2.threshold(crop(rq), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        text = _QR.detectAndDecode(bw)[0]
        if text:
            return text, printed
    return "", None


def _resampled_code(crop: np.ndarray, margin: float, rq: float) -> str:
    """A worn code (a black-and-white scan at 150 dpi, a smudge) read module by module: the
    place of every module is known from the marks, so each is sampled at its centre and the
    code redrawn clean for the decoder, which then only has to correct errors. A black-and-white
    JPEG at 150 dpi bleeds ink into the white modules and the marks place the grid to a fraction
    of a module: the cut between dark and light is tried at mid-range and at the median (half a
    code is dark), and the grid shifted by a fifth of a module each way."""
    n = bm.QR_MODULES
    r = max(1, int(bm.MODULE * rq * 0.2))
    blurred = cv2.blur(crop, (2 * r + 1, 2 * r + 1))
    cell = 8
    quiet = 4
    shifts = [(0.0, 0.0)] + [(dx, dy) for dx in (0.0, -0.2, 0.2) for dy in (0.0, -0.2, 0.2) if dx or dy]
    for dx, dy in shifts:
        ix = np.clip(np.round((margin + (np.arange(n) + 0.5 + dx) * bm.MODULE) * rq).astype(int), 0, crop.shape[1] - 1)
        iy = np.clip(np.round((margin + (np.arange(n) + 0.5 + dy) * bm.MODULE) * rq).astype(int), 0, crop.shape[0] - 1)
        values = blurred[np.ix_(iy, ix)].astype(np.float32)
        for cut in ((float(values.min()) + float(values.max())) / 2, float(np.median(values))):
            clean = np.full(((n + 2 * quiet) * cell,) * 2, 255, np.uint8)
            dark = np.kron((values < cut).astype(np.uint8), np.ones((cell, cell), np.uint8))
            clean[quiet * cell:(quiet + n) * cell, quiet * cell:(quiet + n) * cell][dark == 1] = 0
            text = _QR.detectAndDecode(clean)[0]
            if text:
                return text
    return ""


# -- measuring --------------------------------------------------------------------------------

class Templates:
    """The ink of the blank ballot pages of each session (rasterised from the ballot PDF in the
    frame, grown by TEMPLATE_GROW px): the last KEEP of them, so that memory stays bounded
    whatever the number of sessions (a stack is scanned session by session)."""

    KEEP = 16

    def __init__(self):
        from collections import OrderedDict

        self._cache: OrderedDict[tuple[str, int], np.ndarray | None] = OrderedDict()

    def get(self, session: dict, sid: str, page: int) -> np.ndarray | None:
        key = (sid, page)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        blank = self._render(session, page)
        if blank is not None:
            size = 2 * TEMPLATE_GROW + 1
            blank = cv2.dilate((blank < 170).astype(np.uint8), np.ones((size, size), np.uint8)).astype(bool)
        self._cache[key] = blank
        while len(self._cache) > self.KEEP:
            self._cache.popitem(last=False)
        return blank

    @staticmethod
    def _render(session: dict, page: int) -> np.ndarray | None:
        import pypdfium2 as pdfium

        path = Path(session["pdf"])
        if not path.is_file():
            return None
        index = 0 if session["two_up"] else page - 1
        doc = pdfium.PdfDocument(str(path))
        try:
            p = doc[index]
            bitmap = p.render(scale=R * 25.4 / 72, grayscale=True)
            arr = np.array(bitmap.to_numpy(), copy=True)
            arr = arr.reshape(arr.shape[0], arr.shape[1], -1)[:, :, 0]
        finally:
            doc.close()
        content_h = bm.HALF_CONTENT if session["two_up"] else bm.FULL_CONTENT
        x0, y0 = int(round(bm.MARK_X[0] * R)), int(round(12.0 * R))  # the frame's (-3, -3) on the page
        w = int(round((bm.MARK_X[1] + bm.MARK - bm.MARK_X[0]) * R))
        h = int(round(content_h * R))
        out = np.full((h, w), 255, np.uint8)
        crop = arr[y0:y0 + h, x0:x0 + w]
        out[:crop.shape[0], :crop.shape[1]] = crop
        return out


def _rect(r, inset: float = 0.0) -> tuple[slice, slice]:
    x, y, w, h = r
    # Clamped at 0: a negative start would count from the far end (the number sits at the top edge).
    return slice(max(0, px(y + inset)), max(0, px(y + h - inset))), slice(max(0, px(x + inset)), max(0, px(x + w - inset)))


def _cell_width(row: dict) -> float:
    """Width (mm) of the level cells around the boxes, from the geometry: the distance between
    the centres of neighbouring boxes (the cells are as wide as that and centred on them)."""
    centres = [bx + bw / 2 for bx, _, bw, _ in row["boxes"]]
    if len(centres) >= 2:
        return min(b - a for a, b in zip(centres, centres[1:]))
    x, _, w, _ = row["row"]
    return 2 * (x + w - centres[0]) if centres else 0.0


def bilevel(gray: np.ndarray) -> bool:
    """A page the scanner made black and white: two grey levels (PNG, TIFF or a PDF of a B/W
    scan), or nearly so (a JPEG of one: its compression leaves a few greys near the edges,
    where a grey scan has the anti-aliased edges of all its print)."""
    h = np.bincount(gray[::3, ::3].ravel(), minlength=256)
    return int(np.count_nonzero(h)) <= 2 or int(h[40:216].sum()) < 0.0025 * h.sum()


def measure(warped: np.ndarray, blank: np.ndarray, page_geo: dict, bw_page: bool = False) -> tuple[list, float]:
    """(the decision of each row on the page, mm² of new ink outside every row); `blank`: the
    blank ballot's ink (Templates); `bw_page`: the page was scanned black and white."""
    sample = warped[::4, ::4]
    paper = float(np.percentile(sample, 90))
    paper = max(paper, 60.0)
    dark = warped < paper * 0.55
    faint = warped < paper * 0.80
    ink = warped < paper * 0.65
    new = (ink & ~blank).astype(np.uint8)
    new = cv2.morphologyEx(new, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    # What may differ from the blank print: the number, the code, the stamp, and the marks (the
    # bottom ballot of a sheet has marks of its own).
    for r in page_geo["number"] + page_geo["stamp"] + [page_geo["qr"]] + [m["box"] for m in page_geo["markers"]]:
        x, y, w, h = r
        new[_rect((x - 1.5, y - 1.5, w + 3, h + 3))] = 0
    mm2 = 1.0 / (R * R)
    decisions = []
    in_rows = 0.0
    for row in page_geo["rows"]:
        rs = _rect(row["row"])
        row_new = float(new[rs].sum()) * mm2
        boxes = []
        cells_new = 0.0
        cell_w = _cell_width(row)
        for b in row["boxes"]:
            bx, by, bw, bh = b
            inside = _rect(b, INSET)
            cell = (bx + bw / 2 - cell_w / 2 + 0.5, row["row"][1] + 0.5, cell_w - 1.0, row["row"][3] - 1.0)
            cell_new = float(new[_rect(cell)].sum()) * mm2
            box_new = float(new[_rect(b, -0.6)].sum()) * mm2
            cells_new += cell_new
            boxes.append(BoxInk(float(dark[inside].mean()), float(faint[inside].mean()), max(0.0, cell_new - box_new)))
        in_rows += row_new
        decisions.append(decide_row(RowInk(row["person"], tuple(boxes), max(0.0, row_new - cells_new), bw_page)))
    outside = float(new.sum()) * mm2 - in_rows
    return decisions, outside


def page_png(gray: np.ndarray, side: int = 900) -> bytes:
    """A page as the committee sees it in the review workbook: about `side` px on its long side."""
    scale = min(1.0, side / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    return _png(small)


def _png(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", img)
    return buf.tobytes() if ok else b""


def read_image(gray: np.ndarray, geometry: dict, templates: Templates) -> tuple[list[dict], list[str]]:
    """The ballot pages found on one scanned image (dicts for core.scan.group_pages, with the
    PNG crops of the rows to review), and the reasons for what could not be read."""
    found, reasons = find_ballots(gray)
    bw_page = bilevel(gray) if found else False
    by_key = {s["key"]: (sid, s) for sid, s in geometry.get("sessions", {}).items()}
    reads = []
    for f in found:
        text, pts = read_code(f)
        code = bm.parse_qr(text)
        if code is None:
            reasons.append("no_code" if not text else "code_unknown")
            continue
        if code["key"] not in by_key:
            reasons.append("session_unknown")
            continue
        sid, session = by_key[code["key"]]
        if not 1 <= code["page"] <= len(session["pages"]) or code["pages"] != len(session["pages"]):
            reasons.append("code_unknown")
            continue
        page_geo = session["pages"][code["page"] - 1]
        if (f.content_h == bm.HALF_CONTENT) != bool(session["two_up"]):
            reasons.append("marks_inconsistent")
            continue
        qx, qy, qs, _ = page_geo["qr"]
        expect = np.array([px(qx), px(qy)], np.float64)
        if pts is None or np.linalg.norm(pts.min(axis=0) - expect) > 3 * R:
            reasons.append("code_misplaced")
            continue
        template = templates.get(session, sid, code["page"])
        if template is None:
            reasons.append("ballot_pdf_missing")
            continue
        decisions, outside = measure(f.warped, template, page_geo, bw_page)
        crops = {}
        for d, row in zip(decisions, page_geo["rows"]):
            if d.kind == "uncertain":
                x, y, w, h = row["row"]
                crops[d.person] = _png(f.warped[_rect((x - 2, y - 2, w + 4, h + 4))])
        ballot_reason = "ink_on_ballot" if outside >= 4.0 else ""
        reads.append({"session": sid, "number": code["number"], "page": code["page"], "pages": code["pages"],
                      "rows": decisions, "crops": crops, "ballot_reason": ballot_reason,
                      "ballot_image": _png(cv2.resize(f.warped, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
                      if ballot_reason else b""})
    return reads, reasons
