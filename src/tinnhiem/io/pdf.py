"""PDF basics shared by ballots, minutes and meeting papers: the bundled Unicode font (DejaVu
Sans covers Vietnamese; text stays searchable), the national heading, fixed metadata so that
the same inputs give byte-identical files, and an atomic save."""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from importlib import resources
from pathlib import Path

from tinnhiem.io.atomic import atomic_path

FONT = "DejaVu"
FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def font_path(bold: bool = False) -> Path:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(str(resources.files("tinnhiem").joinpath("fonts", name)))


def new_pdf(title: str = "", orientation: str = "P", fast_fonts: bool = False):
    """An A4 FPDF with the Vietnamese font registered and fixed metadata.

    fast_fonts: reuse a font parsed once per process, reduced to the Latin and Vietnamese
    ranges, instead of parsing the whole DejaVu file for every document (about 0.2 s each);
    for commands that write hundreds of PDFs. Falls back to the plain path if fpdf2's
    internals ever differ."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    if not (fast_fonts and _add_cached_fonts(pdf)):
        pdf.add_font(FONT, "", str(font_path()))
        pdf.add_font(FONT, "B", str(font_path(bold=True)))
    pdf.set_font(FONT, size=11)
    fixed_metadata(pdf, title)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 12, 15)
    return pdf


def fixed_metadata(pdf, title: str = "") -> None:
    """The same creation date, creator and producer in every PDF the tool writes (the same inputs
    give the same bytes), and the title."""
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_creator("tinnhiem")
    pdf.set_producer("tinnhiem")
    if title:
        pdf.set_title(nfc(title))


def nfc(text) -> str:
    return unicodedata.normalize("NFC", "" if text is None else str(text))


def national_heading(pdf, left_lines: list[str], width: float | None = None) -> None:
    """Two columns: the unit on the left, the nation and motto on the right (Vietnamese forms)."""
    usable = width or (pdf.w - pdf.l_margin - pdf.r_margin)
    left_w = usable * 0.42
    right_w = usable - left_w
    y0 = pdf.get_y()
    x0 = pdf.l_margin
    pdf.set_font(FONT, "B", 10)
    pdf.set_xy(x0 + left_w, y0)
    pdf.cell(right_w, 5, NATION, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_x(x0 + left_w)
    pdf.cell(right_w, 5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    y_right = pdf.get_y()
    pdf.set_xy(x0, y0)
    for i, line in enumerate(left_lines):
        pdf.set_font(FONT, "B" if i == len(left_lines) - 1 else "", 10)
        pdf.set_x(x0)
        pdf.multi_cell(left_w, 5, nfc(line), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), y_right) + 3)
    pdf.set_font(FONT, "", 11)


def save_pdf(pdf, target: Path) -> None:
    with atomic_path(Path(target)) as tmp:
        pdf.output(str(tmp))


# -- fonts parsed once per process (new_pdf(fast_fonts=True)) ---------------------------------

# Latin, Latin-1, Latin Extended-A/B (Ơ, Ư), combining marks, Latin Extended Additional (all the
# precomposed Vietnamese letters), punctuation, currency, letterlike, arrows, maths, box drawing
# and geometric shapes (□), dingbats.
_KEEP_RANGES = ((0x20, 0x250), (0x300, 0x370), (0x1E00, 0x1F00), (0x2000, 0x2070), (0x20A0, 0x20D0),
                (0x2100, 0x2300), (0x2500, 0x2600), (0x2700, 0x27C0))
_FONT_CACHE: dict[str, tuple[bytes, object]] = {}
_FONT_LOCK = threading.Lock()
_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "kern")


def _reduced_font_bytes(path: Path) -> bytes:
    import io

    from fontTools import subset, ttLib

    # recalcBBoxes=False: the kept glyphs are saved as they are, not decoded and encoded again
    # (three quarters of the time); fpdf2 encodes again the few a document uses when it embeds
    # them, so the files written are the same. The font's box is set below.
    font = ttLib.TTFont(str(path), recalcTimestamp=False, recalcBBoxes=False)
    # The layout tables are dropped below: removed first, the subsetter does not read them (a
    # fifth of the time). The old 'kern' table goes too, as the subsetter drops it when there
    # is a GPOS (both bundled families have one).
    for tag in _LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    # glyph_names: keeps the 'post' names, so that fpdf2's own per-document subsetting does
    # not have to rebuild the glyph order from the cmap (the slow part).
    options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    options.drop_tables += [*_LAYOUT_TABLES, "hdmx", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={u for a, b in _KEEP_RANGES for u in range(a, b)})
    subsetter.subset(font)
    head = font["head"]
    head.xMin, head.yMin, head.xMax, head.yMax = _glyphs_box(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def _glyphs_box(font) -> tuple[int, int, int, int]:
    """The box around every glyph with an outline, from the box each glyph records in its first
    ten bytes (numberOfContours, xMin, yMin, xMax, yMax): the head table's box that recalculating
    it would give, which fpdf2 writes as the font's FontBBox."""
    import struct

    glyf = font["glyf"]
    boxes = []
    for name in font.getGlyphOrder():
        glyph = glyf.glyphs[name]
        data = getattr(glyph, "data", None)
        if data is None:  # already decoded
            if glyph.numberOfContours:
                glyph.recalcBounds(glyf)
                boxes.append((glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax))
        elif len(data) >= 10:
            contours, *box = struct.unpack(">hhhhh", data[:10])
            if contours:
                boxes.append(box)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def add_family(pdf, family: str, files: dict[str, Path]) -> None:
    """Register a family's styles ({"": path, "B": path, ...}) from fonts parsed once per process."""
    if not _add_cached_fonts(pdf, family, files):
        for style, path in files.items():
            pdf.add_font(family, style, str(path))


def _add_cached_fonts(pdf, family: str = FONT, files: dict[str, Path] | None = None) -> bool:
    """Register both styles from a prototype parsed once; fpdf2 subsets a font's TTFont in place
    when it writes a file, so every document gets a fresh (cheap, lazy) TTFont of its own."""
    import copy
    import io

    files = files or {"": font_path(), "B": font_path(bold=True)}
    try:
        from fontTools import ttLib
        from fpdf.fonts import SubsetMap, TTFFont

        for style, path in files.items():
            key = f"{family.lower()}{style}"
            with _FONT_LOCK:  # a warm-up thread may be making it (io/workers.warm_up)
                if key not in _FONT_CACHE:
                    data = _reduced_font_bytes(path)
                    _FONT_CACHE[key] = (data, TTFFont(pdf, io.BytesIO(data), key, style))
            data, proto = _FONT_CACHE[key]
            font = copy.copy(proto)
            font.i = len(pdf.fonts) + 1
            font.ttfont = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
            font.missing_glyphs = []
            font.biggest_size_pt = 0
            font._hbfont = None
            font.subset = SubsetMap(font)
            pdf.fonts[key] = font
        return True
    except Exception:  # noqa: BLE001 - any change in fpdf2's internals: use the documented path
        for style in files:
            pdf.fonts.pop(f"{family.lower()}{style}", None)
        return False
