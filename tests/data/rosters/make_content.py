"""Content variants of the clean sample roster (samples/danh-sach-can-bo.csv): the same people
and posts, with the values written the way personnel offices write them. Each variant is one
file next to this script, named `content-<variant>.csv` (or `.xlsx` where only a workbook can
hold the trap). tests/test_roster_content.py runs `eligible` and `voters` on each and compares
every decision with the clean roster's run; what each variant must give is listed there.

Run: uv run python tests/data/rosters/make_content.py
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLEAN = HERE.parents[2] / "samples" / "danh-sach-can-bo.csv"

ID, NAME, UNIT, KIND, TITLE, SINCE = range(6)


def read_clean() -> tuple[list[str], list[list[str]]]:
    with open(CLEAN, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return rows[0], rows[1:]


def set_title(rows, person: str, old: str, new: str, nth: int = 0) -> None:
    """Title of the person's row that holds `old` (the nth such row)."""
    hits = [r for r in rows if r[ID] == person and r[TITLE].strip() == old]
    hits[nth][TITLE] = new


def abbreviations_so(rows):
    set_title(rows, "TC01", "Giám đốc Sở", "GĐ Sở")
    set_title(rows, "TC02", "Phó Giám đốc Sở", "PGĐ Sở")
    set_title(rows, "TC03", "Phó Giám đốc", "P. Giám đốc")
    set_title(rows, "NV03", "Phó Giám đốc Sở", "Phó GĐ Sở")
    set_title(rows, "NV01", "Giám đốc", "GĐ")
    set_title(rows, "XD02", unicodedata.normalize("NFD", "Phó Giám đốc Sở"), "P.GĐ")


def abbreviations_district(rows):
    set_title(rows, "BN01", "Chủ tịch UBND quận", "CT UBND quận")
    set_title(rows, "BN02", "Phó Chủ tịch UBND quận", "Phó CT UBND quận")
    set_title(rows, "PT02", "Phó Chủ tịch UBND huyện", "PCT UBND huyện")
    set_title(rows, "BN03", "Phó Chủ tịch", "Phó Chủ tịch Thường trực UBND quận")
    set_title(rows, "PT01", "Chủ tịch UBND huyện", "CT. UBND huyện")


def abbreviations_public(rows):
    set_title(rows, "TR02", "Phó Hiệu trưởng", "P. Hiệu trưởng")
    set_title(rows, "BV01", "Giám đốc Bệnh viện", "GĐ Bệnh viện")
    set_title(rows, "BV02", "Phó Giám đốc", "PGĐ")
    set_title(rows, "BQ01", "Trưởng ban", "Trưởng Ban")


def abbreviations_company(rows):
    set_title(rows, "XS02", "Giám đốc", "GĐ Công ty")
    set_title(rows, "XS05", "Kế toán trưởng", "KTT")
    set_title(rows, "CN04", "Kế toán trưởng", "KTT Công ty")
    set_title(rows, "CN02", "Trưởng Ban kiểm soát", "Trưởng BKS")
    set_title(rows, "CN01", "Chủ tịch Hội đồng thành viên", "Chủ tịch HĐTV")
    set_title(rows, "CN01", "Tổng Giám đốc", "TGĐ")
    set_title(rows, "XS04", "Kiểm soát viên", "KSV")


def kiem(rows):
    """CN01's two rated posts on one row: 'Chủ tịch kiêm Giám đốc Công ty'."""
    first = next(r for r in rows if r[ID] == "CN01")
    second = [r for r in rows if r[ID] == "CN01"][1]
    first[TITLE] = "Chủ tịch kiêm Giám đốc Công ty"
    rows.remove(second)


def quyen_abbreviated(rows):
    set_title(rows, "XD01", unicodedata.normalize("NFD", "Quyền Giám đốc"), "Q. Giám đốc")


def titles_case_and_form(rows):
    """Titles in capitals, in lower case, decomposed (NFD), with spaces around."""
    for i, r in enumerate(rows):
        title = unicodedata.normalize("NFC", r[TITLE]).strip()
        form = (title.upper(), title.lower(), unicodedata.normalize("NFD", title), f"  {title}\u00a0")[i % 4]
        r[TITLE] = form


def unit_without_kind_word(rows):
    """'Tài chính' for 'Sở Tài chính' (Loại đơn vị says it is a sở)."""
    for r in rows:
        if r[UNIT] == "Sở Tài chính":
            r[UNIT] = "Tài chính"
        if r[UNIT] == "Sở Xây dựng":
            r[UNIT] = "Xây dựng"


def unit_stray_characters(rows):
    marks = {"Sở Tài chính": "- Sở Tài chính", "Sở Nội vụ": "*Sở Nội vụ", "Sở Xây dựng": "• Sở Xây dựng",
             "UBND quận Bến Ninh": "+ UBND quận Bến Ninh"}
    for r in rows:
        r[UNIT] = marks.get(r[UNIT], r[UNIT])


def ids_case_and_spaces(rows):
    """The second row of each person with two rows: the id in another case or with a space."""
    seen: set[str] = set()
    forms = [str.lower, lambda s: s[:2] + " " + s[2:], lambda s: s[0] + s[1:].lower(), lambda s: f" {s} "]
    k = 0
    for r in rows:
        if r[ID] in seen:
            r[ID] = forms[k % len(forms)](r[ID])
            k += 1
        seen.add(r[ID].strip().upper().replace(" ", ""))


def ids_numeric_leading_zeros(rows):
    """Numeric ids; a person's later rows written with leading zeros (55 / 0055)."""
    numbers: dict[str, int] = {}
    for r in rows:
        if r[ID] in numbers:
            r[ID] = f"{numbers[r[ID]]:04d}"
        else:
            numbers[r[ID]] = 50 + len(numbers)
            r[ID] = str(numbers[r[ID]])


def same_name_two_ids(rows):
    """TC01's second post keyed under another id: the same name in the same unit, two ids."""
    [r for r in rows if r[ID] == "TC01"][1][ID] = "TC99"


def dates_month_only(rows):
    """Start dates on the first of a month well before the cut-off written without the day."""
    forms = ["{m}/{y}", "tháng {m}/{y}", "Tháng {m} năm {y}", "{m:02d}/{y}"]
    k = 0
    for r in rows:
        d = dt.datetime.strptime(r[SINCE], "%d/%m/%Y").date()
        if d.day == 1 and d < dt.date(2018, 1, 1):
            r[SINCE] = forms[k % len(forms)].format(m=d.month, y=d.year)
            k += 1


def dates_month_only_boundary(rows):
    """TC02 took office 15/04/2018 (9 months to the day on 15/01/2019): '4/2018' cannot decide."""
    next(r for r in rows if r[ID] == "TC02")[SINCE] = "4/2018"


def dates_two_digit_year(rows):
    for r in rows:
        d = dt.datetime.strptime(r[SINCE], "%d/%m/%Y").date()
        r[SINCE] = f"{d.day}/{d.month}/{d.year % 100:02d}"


def unknown_leader_title(rows):
    """A title that looks like a leader's but matches no rule: to review, never dropped."""
    set_title(rows, "XS02", "Giám đốc", "Giám đốc điều hành")


def kiem_party(rows):
    """TC01's two rows as one 'Giám đốc Sở kiêm Bí thư Đảng ủy Sở': the Party role still counts."""
    first, second = [r for r in rows if r[ID] == "TC01"]
    first[TITLE] = "Giám đốc Sở kiêm Bí thư Đảng ủy Sở"
    rows.remove(second)


def titles_without_diacritics(rows):
    """Titles typed without Vietnamese marks (an old keyboard), some abbreviated."""
    for r in rows:
        bare = unicodedata.normalize("NFD", r[TITLE]).replace("đ", "d").replace("Đ", "D")
        r[TITLE] = bare.encode("ascii", "ignore").decode("ascii")
        r[TITLE] = r[TITLE].replace("Giam doc", "GD") if r[ID] in ("TC01", "BV01") else r[TITLE]
    next(r for r in rows if r[ID] == "TC02")[TITLE] = "PGD So"


def titles_stray_characters(rows):
    """Bullets and stars before titles, a full stop after."""
    marks = ["- {}", "* {}", "• {}", "{}."]
    for i, r in enumerate(rows):
        r[TITLE] = marks[i % len(marks)].format(r[TITLE].strip())


VARIANTS = {
    "abbr-so": abbreviations_so,
    "abbr-district": abbreviations_district,
    "abbr-public": abbreviations_public,
    "abbr-company": abbreviations_company,
    "kiem": kiem,
    "quyen-abbr": quyen_abbreviated,
    "titles-case-form": titles_case_and_form,
    "unit-no-kind-word": unit_without_kind_word,
    "unit-stray-chars": unit_stray_characters,
    "ids-case-spaces": ids_case_and_spaces,
    "ids-leading-zeros": ids_numeric_leading_zeros,
    "same-name-two-ids": same_name_two_ids,
    "dates-month-only": dates_month_only,
    "dates-month-boundary": dates_month_only_boundary,
    "dates-two-digit-year": dates_two_digit_year,
    "unknown-leader-title": unknown_leader_title,
    "kiem-party": kiem_party,
    "titles-no-diacritics": titles_without_diacritics,
    "titles-stray-chars": titles_stray_characters,
}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\r\n").writerows([header, *rows])


def write_swapped_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """As an English-locale Excel leaves a column of typed dd/mm/yyyy dates: those with a day of
    12 or less became real dates with day and month swapped; the others stayed text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(header)
    for r in rows:
        values: list = list(r)
        day, month, year = (int(x) for x in re.match(r"(\d+)/(\d+)/(\d+)", r[SINCE]).groups())
        if day <= 12:
            values[SINCE] = dt.datetime(year, day, month)
        ws.append(values)
    for row in ws.iter_rows(min_row=2, min_col=SINCE + 1, max_col=SINCE + 1):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "m/d/yyyy"
    wb.save(path)


def main() -> None:
    header, clean = read_clean()
    for name, change in VARIANTS.items():
        rows = [list(r) for r in clean]
        change(rows)
        write_csv(HERE / f"content-{name}.csv", header, rows)
    write_swapped_xlsx(HERE / "content-dates-swapped.xlsx", header, [list(r) for r in clean])
    print(f"{len(VARIANTS) + 1} variants written to {HERE}")


if __name__ == "__main__":
    main()
