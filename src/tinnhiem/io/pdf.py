"""PDF basics shared by ballots, minutes and meeting papers: the bundled Unicode font (DejaVu
Sans covers Vietnamese; text stays searchable), the national heading, fixed metadata so that
the same inputs give byte-identical files, and an atomic save."""

from __future__ import annotations

import datetime as dt
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


def new_pdf(title: str = "", orientation: str = "P"):
    """An A4 FPDF with the Vietnamese font registered and fixed metadata."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FONT, "", str(font_path()))
    pdf.add_font(FONT, "B", str(font_path(bold=True)))
    pdf.set_font(FONT, size=11)
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_creator("tinnhiem")
    pdf.set_producer("tinnhiem")
    if title:
        pdf.set_title(nfc(title))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 12, 15)
    return pdf


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
