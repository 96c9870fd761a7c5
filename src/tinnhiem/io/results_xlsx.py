"""The result workbook of one session unit, `ket-qua-<session id>.xlsx`, which `consolidate` and
`verify` read: sheets "Kết quả" (for people: a heading, Vietnamese labels, a native bar chart of
each person's official percentages on the stated base), "Thông tin" (provenance), "Phiếu"
(normalised per-ballot records, no voter identity), "Vấn đề", and two hidden sheets: "Số liệu"
(the same rows in fixed columns and codes, which `consolidate` reads) and "Dữ liệu kiểm tra"
(what `verify` needs to write the workbook again).

Format 1 (the first release) had no "Số liệu": its "Kết quả" held the fixed columns and codes.
Readers take either; `verify` rewrites a workbook in the format it was written in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np

from tinnhiem.core.dates import vn
from tinnhiem.core.records import ROUTE_VI
from tinnhiem.core.tally import BAD, BASE_VI, CAO, REASONS_VI, THAP, TN, SessionResult, mark_text
from tinnhiem.io.xlsx import BAND_FILLS, add_table_sheet, new_workbook, save

RESULT_HEADER = ["Mã phiên", "Đơn vị", "Tuyến", "Ngày lấy phiếu", "Mã cán bộ", "Họ và tên", "Chức vụ", "Nhóm",
                 "Số người được triệu tập", "Số có mặt", "Số phiếu phát ra", "Số phiếu thu về", "Số phiếu hợp lệ",
                 "Số phiếu không hợp lệ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "Cơ sở tính tỷ lệ",
                 "Giá trị cơ sở", "% Tín nhiệm cao", "% Tín nhiệm", "% Tín nhiệm thấp", "Mức", "Mức (diễn giải)", "Hệ quả"]
# "Kết quả" as people read it (format 2): session figures in the heading, one row per person.
DISPLAY_HEADER = ["STT", "Mã cán bộ", "Họ và tên", "Chức vụ", "Nhóm", "Số phiếu hợp lệ", "Số phiếu không hợp lệ",
                  "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp", "% Tín nhiệm cao", "% Tín nhiệm", "% Tín nhiệm thấp",
                  "Mức", "Hệ quả"]
DISPLAY_WIDTHS = [5, 10, 20, 24, 6, 9, 9, 8, 8, 8, 8, 8, 8, 16, 28]  # 175: one landscape page wide at >= 9 pt
DATA_SHEET = "Số liệu"  # hidden: RESULT_HEADER rows, with codes, for consolidate
MODE_VI = {"whole_ballot": "cả phiếu (một dòng không hợp lệ thì cả phiếu không hợp lệ)",
           "per_person": "từng người (chỉ dòng không hợp lệ bị loại)"}
BALLOT_HEADER = ["Mã phiên", "Phiếu", "Mã cán bộ", "Đánh dấu", "Lỗi phiếu", "Hợp lệ", "Lý do"]
# Above this many long-format rows the per-ballot records stay in the input files (whose
# SHA-256 the workbook records): Excel holds 1,048,576 rows and writing millions takes minutes.
BALLOT_SHEET_LIMIT = 200_000


def _pct(text: str | None):
    return float(Decimal(text)) if text is not None else None


def result_rows(res: SessionResult) -> list[list]:
    rows = []
    for r in res.results:
        rows.append([res.info.id, res.info.unit, res.route, res.info.meeting_date, r.id, r.name, r.post, r.category or None,
                     res.summoned, res.present, res.issued, res.returned, r.valid, r.invalid, r.cao, r.tin_nhiem, r.thap,
                     res.base, r.base_value, _pct(r.pct_cao), _pct(r.pct_tin_nhiem), _pct(r.pct_thap),
                     r.band, r.band_label or None, r.consequence or None])
    return rows


def session_problems(res: SessionResult, problems) -> list:
    """The problems that concern this session: its unit, its id in the message, or its files."""
    sources = set()
    if res.ballots is not None:
        sources = {(w.get("file"), w.get("sheet")) for w in res.ballots[0].where}
    return [p for p in problems if p.unit == res.info.unit or f"'{res.info.id}'" in p.message
            or (p.file, p.sheet) in sources]


class ProblemIndex:
    """session_problems for every session of a run without a scan of all problems per session
    (20,000 sessions x 40,000 problems): problems indexed by unit, by each quoted text in their
    message, and by file and sheet. Same answers, in the same order."""

    def __init__(self, problems):
        self.problems = list(problems)
        self.by_unit: dict = {}
        self.by_quoted: dict = {}
        self.by_source: dict = {}
        for i, p in enumerate(self.problems):
            self.by_unit.setdefault(p.unit, []).append(i)
            self.by_source.setdefault((p.file, p.sheet), []).append(i)
            # "'x'" occurs in a message only between two consecutive quotes, when x holds none.
            quotes = [k for k, ch in enumerate(p.message) if ch == "'"]
            for a, b in zip(quotes, quotes[1:]):
                self.by_quoted.setdefault(p.message[a + 1:b], []).append(i)

    def of(self, res: SessionResult) -> list:
        sid = res.info.id
        if "'" in sid:  # not indexed: the plain scan
            return session_problems(res, self.problems)
        hits = set(self.by_unit.get(res.info.unit, ())) | set(self.by_quoted.get(sid, ()))
        if res.ballots is not None:
            for w in res.ballots[0].where:
                hits.update(self.by_source.get((w.get("file"), w.get("sheet")), ()))
        return [self.problems[i] for i in sorted(hits)]


def write_result_workbook(target: Path, res: SessionResult, rules, problems, input_files, report_date: dt.date) -> None:
    """The result workbook; its hidden sheet records what `verify` needs to write it again."""
    write_from_facts(target, res, result_facts(res, rules, problems, input_files, report_date))


def result_facts(res: SessionResult, rules, problems, input_files, report_date: dt.date) -> dict:
    """Everything besides the per-ballot records ("Phiếu") that the workbook's cells come from.
    `verify` recounts the records with these facts and writes the workbook again: any cell a
    person reads that differs from that rewrite was changed after the count. Where there are no
    per-ballot records in the workbook (per-person totals, or too many ballots), the per-person
    counts here are the record. The writer's version ("openpyxl") is added where the workbook is
    written (write_from_facts): working the facts out does not load the writer."""
    from tinnhiem import __version__

    info = res.info
    layout = res.layout
    deck = res.ballots[0] if res.ballots is not None else None
    ballot_note = None
    if deck is not None and len(deck.rows) * len(deck.person_ids) > BALLOT_SHEET_LIMIT:
        layout = "ballots_external"
        ballot_note = (f"Không chép vào bảng tính ({len(deck.rows) * len(deck.person_ids)} dòng, quá {BALLOT_SHEET_LIMIT}); "
                       "xem tệp đầu vào và SHA-256 ở trên.")
    facts = {
        "format": FACTS_FORMAT, "tool": f"tinnhiem {__version__}", "openpyxl": None,
        "rules": {"name": rules.name, "source": rules.source, "sha256": rules.sha256, "text": rules.text},
        "session": {"id": info.id, "unit": info.unit, "route": info.route,
                    "meeting_date": info.meeting_date.isoformat() if info.meeting_date else None,
                    "location": info.location,  # not the committee: its members are voters
                    "people": [[pid, p.get("name"), p.get("post"), p.get("category")] for pid, p in info.people.items()],
                    "summoned": _int(info.summoned), "members": _int(info.members), "printed": _int(info.printed),
                    "known": bool(info.known), "issued": None if info.numbers is None else sorted(map(str, info.numbers))},
        "figures": {k: _int(getattr(res, k)) for k in ("summoned", "present", "issued", "returned", "members", "spoilt")},
        "mode": res.mode, "base": res.base, "report_date": report_date.isoformat(), "layout": layout,
        # Ballots without a number (empty or missing): the numbers that are not true, counted in C.
        "unnumbered": None if deck is None else int(len(deck.numbers) - np.count_nonzero(np.asarray(deck.numbers, dtype=object))),
        "person_ids": [r.id for r in res.results],
        "totals": None if layout == "ballots" else [[r.id, r.name, r.post, r.category, _int(r.valid), _int(r.invalid),
                                                     _int(r.cao), _int(r.tin_nhiem), _int(r.thap)] for r in res.results],
        "reasons": [[str(k), _int(v)] for k, v in res.reasons.items()],  # pairs: JSON keys get sorted
        "inputs": [[name, digest] for name, digest in input_files],
        "ballot_note": ballot_note,
        "problems": [p.to_json() for p in problems],
    }
    return facts


def _int(v):
    return None if v is None else int(v)


# The hidden sheet that holds the facts (JSON, in pieces under Excel's 32,767 characters a cell).
FACTS_SHEET = "Dữ liệu kiểm tra"
FACTS_MARK = "tinnhiem: dữ liệu để kiểm tra bảng kết quả (tinnhiem verify); không sửa"
FACTS_FORMAT = 2
FACTS_FORMATS_READ = (1, 2)  # verify rewrites each in its own format
FACTS_PIECE = 30_000


def facts_text(facts: dict) -> str:
    import json

    return json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def write_from_facts(target: Path, res: SessionResult, facts: dict) -> None:
    """Write the workbook of a counted session from its result and facts (tally, and verify's
    rewrite), in the format the facts name."""
    from tinnhiem.core.problems import Problem
    from tinnhiem.io.eligible_xlsx import PROBLEM_HEADER, PROBLEM_WIDTHS, problem_rows

    if "openpyxl" in facts and facts["openpyxl"] is None:  # facts just worked out (result_facts)
        import openpyxl

        facts = {**facts, "openpyxl": openpyxl.__version__}
    fmt = facts.get("format", 1)
    wb = new_workbook()
    if fmt >= 2:
        _display_sheet(wb, res, facts)
    else:
        _coded_sheet(wb, res, "Kết quả", chart=True)

    rules = facts["rules"]
    info = [
        ["Công cụ", facts["tool"]],
        ["Bộ quy tắc", rules["name"]],
        ["Nguồn bộ quy tắc", rules["source"]],
        ["SHA-256 bộ quy tắc", rules["sha256"]],
        ["Đơn vị", res.info.unit],
        ["Mã phiên", res.info.id],
        ["Ngày báo cáo", dt.date.fromisoformat(facts["report_date"])],
        ["Chế độ phiếu không hợp lệ", MODE_VI.get(res.mode, res.mode) if fmt >= 2 else res.mode],
    ]
    info += [[f"Tệp đầu vào: {name}", digest] for name, digest in facts["inputs"]]
    ballot_rows = _ballot_rows(res) if facts["layout"] == "ballots" and res.ballots is not None else None
    if facts.get("ballot_note"):
        info.append(["Bản ghi từng phiếu", facts["ballot_note"]])
    info.append(["Cơ sở tính tỷ lệ", BASE_VI.get(res.base, res.base) if fmt >= 2 else res.base])
    info.append(["Lý do phiếu không hợp lệ", "; ".join(f"{REASONS_VI.get(k, k)}: {v}" for k, v in facts["reasons"]) or "—"])
    add_table_sheet(wb, "Thông tin", ["Mục", "Giá trị"], info, widths=[34, 80])
    if ballot_rows is not None:
        _ballot_sheet(wb, ballot_rows)
    problems = [Problem(**p) for p in facts["problems"]]
    if fmt >= 2:
        add_table_sheet(wb, "Vấn đề", PROBLEM_HEADER, problem_rows(problems), widths=PROBLEM_WIDTHS, landscape=True,
                        heading=["CÁC VẤN ĐỀ CẦN XỬ LÝ", f"{res.info.unit}; ngày báo cáo: "
                                 f"{vn(dt.date.fromisoformat(facts['report_date']))}"])
        _coded_sheet(wb, res, DATA_SHEET, chart=False).sheet_state = "hidden"
    else:
        add_table_sheet(wb, "Vấn đề", PROBLEM_HEADER, problem_rows(problems, notes_apart=False), widths=PROBLEM_WIDTHS,
                        landscape=True)
    _facts_sheet(wb, facts)
    save(wb, target)


def _coded_sheet(wb, res: SessionResult, title: str, chart: bool):
    """The rows in fixed columns, with codes: format 1's "Kết quả" (with fills and its chart),
    format 2's hidden "Số liệu" (plain)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    rows = result_rows(res)
    pct_cols = {20: "0.00", 21: "0.00", 22: "0.00"}
    ws = add_table_sheet(wb, title, RESULT_HEADER, rows,
                         widths=[18, 26, 11, 12, 10, 24, 26, 6] + [11] * 11 + [9, 9, 9, 18, 28, 50],
                         landscape=True, number_formats=pct_cols)
    n = len(rows)
    if n and chart:
        # Static fills (printed) and a conditional rule (kept when a person edits the band).
        for i, r in enumerate(res.results, 2):
            color = BAND_FILLS.get(r.band or "")
            if color:
                for c in range(1, len(RESULT_HEADER) + 1):
                    ws.cell(row=i, column=c).fill = PatternFill("solid", fgColor=color)
        rng = f"A2:Y{n + 1}"
        for band, color in BAND_FILLS.items():
            ws.conditional_formatting.add(rng, FormulaRule(formula=[f'$W2="{band}"'], fill=PatternFill("solid", bgColor=color)))
        _chart(ws, res, pct_col=20, name_col=6, header_row=1, n=n)
    return ws


def _chart(ws, res: SessionResult, pct_col: int, name_col: int, header_row: int, n: int) -> None:
    """The official percentages on the stated base (for an HĐND, the deputies, absent ones
    included), side by side: never counts stacked to 100 %."""
    from openpyxl.chart import Reference

    from tinnhiem.io.xlsx import percent_bar_chart

    data = Reference(ws, min_col=pct_col, max_col=pct_col + 2, min_row=header_row, max_row=header_row + n)
    cats = Reference(ws, min_col=name_col, min_row=header_row + 1, max_row=header_row + n)
    chart = percent_bar_chart(ws, f"Tỷ lệ phiếu tín nhiệm (%, trên {BASE_VI.get(res.base, res.base)}) — {res.info.unit}",
                              data, cats, n, f"A{header_row + n + 3}")
    chart.x_axis.title = None
    chart.y_axis.majorGridlines = None


def display_heading(res: SessionResult, report_date: dt.date) -> list[str]:
    """Body and title, the day of the vote and of the report, the session's figures, the base."""
    info = res.info
    meeting = "Kỳ họp" if res.route == "hdnd" else "Hội nghị"
    lines = [f"KẾT QUẢ LẤY PHIẾU TÍN NHIỆM — {info.unit}",
             f"{meeting} lấy phiếu ngày {vn(info.meeting_date) or '(chưa có ngày)'}; tuyến: "
             f"{ROUTE_VI.get(res.route, res.route)}; ngày báo cáo: {vn(report_date)}"]
    figures = [("Số người được triệu tập", res.summoned), ("có mặt", res.present), ("số phiếu phát ra", res.issued),
               ("thu về", res.returned), ("hợp lệ", res.valid), ("không hợp lệ", res.invalid)]
    if res.route == "hdnd" or res.members is not None:
        figures.append(("tổng số đại biểu", res.members))
    lines.append("; ".join(f"{k}: {'—' if v is None else v}" for k, v in figures))
    values = {r.base_value for r in res.results}
    base = BASE_VI.get(res.base, res.base)
    lines.append(f"Tỷ lệ % tính trên {base}" + (f" ({values.pop()})" if len(values) == 1 and None not in values else "")
                 + f"; phiếu không hợp lệ tính theo {MODE_VI.get(res.mode, res.mode)}.")
    return lines


def _display_sheet(wb, res: SessionResult, facts: dict):
    """"Kết quả" for people: a heading, labels in words, no codes; the band rows filled."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    heading = display_heading(res, dt.date.fromisoformat(facts["report_date"]))
    rows = [[i, r.id, r.name, r.post, r.category or None, r.valid, r.invalid, r.cao, r.tin_nhiem, r.thap,
             _pct(r.pct_cao), _pct(r.pct_tin_nhiem), _pct(r.pct_thap), r.band_label or None, r.consequence or None]
            for i, r in enumerate(res.results, 1)]
    ws = add_table_sheet(wb, "Kết quả", DISPLAY_HEADER, rows, widths=DISPLAY_WIDTHS, heading=heading, landscape=True,
                         number_formats={11: "0.00", 12: "0.00", 13: "0.00"}, title_cols="A:C")
    r0 = len(heading) + 2
    n = len(rows)
    if n:
        last = get_column_letter(len(DISPLAY_HEADER))
        labels = {}
        for i, r in enumerate(res.results, r0 + 1):
            color = BAND_FILLS.get(r.band or "")
            if color:
                labels.setdefault(r.band_label or "", color)
                for c in range(1, len(DISPLAY_HEADER) + 1):
                    ws.cell(row=i, column=c).fill = PatternFill("solid", fgColor=color)
        for label, color in labels.items():
            if label:
                text = label.replace('"', '""')
                ws.conditional_formatting.add(f"A{r0 + 1}:{last}{r0 + n}", FormulaRule(
                    formula=[f'$N{r0 + 1}="{text}"'], fill=PatternFill("solid", bgColor=color)))
        _chart(ws, res, pct_col=11, name_col=3, header_row=r0, n=n)
    return ws


def _facts_sheet(wb, facts: dict) -> None:
    ws = wb.create_sheet(FACTS_SHEET)
    ws.sheet_state = "hidden"
    text = facts_text(facts)
    ws.cell(row=1, column=1, value=FACTS_MARK)
    for k, start in enumerate(range(0, len(text), FACTS_PIECE), 2):
        ws.cell(row=k, column=1, value=text[start:start + FACTS_PIECE]).data_type = "s"


def _ballot_rows(res: SessionResult) -> list[list]:
    deck, person_valid = res.ballots
    n, p = deck.marks.shape
    single = np.isin(deck.marks, (CAO, TN, THAP))
    rows = []
    for k, i in enumerate(secret_order(deck)):
        ballot = deck.numbers[i] or str(k + 1)
        defect = deck.defects[i] or ""
        whole_bad = not person_valid[i].any() or (res.mode == "whole_ballot" and not person_valid[i].all())
        for j, pid in enumerate(deck.person_ids):
            mark = int(deck.marks[i, j])
            ok = bool(person_valid[i, j])
            if ok:
                reason = ""
            elif defect:
                reason = REASONS_VI.get(defect, defect)
            elif not single[i, j]:
                reason = "Không đánh dấu" if mark == 0 else ("Dấu không đọc được" if mark & BAD else "Đánh dấu nhiều ô")
            elif whole_bad:
                reason = "Cả phiếu không hợp lệ"
            else:
                reason = ""
            rows.append([res.info.id, ballot, pid, mark_text(mark), defect, 1 if ok else 0, reason])
    return rows


def secret_order(deck) -> list[int]:
    """The order the per-ballot records are written in: by the random ballot number, never the
    order the ballots were printed or keyed in (which may follow the sign-in list). Ballots
    without a number are ordered by what they hold, and labelled 1, 2, ... in that order."""
    n = len(deck.rows)
    numbers = [str(x or "") for x in deck.numbers]
    if n and all(numbers):
        return sorted(range(n), key=lambda i: numbers[i])
    marks = deck.marks.tolist()
    return sorted(range(n), key=lambda i: (numbers[i], marks[i], str(deck.defects[i] or "")))


def _ballot_sheet(wb, rows: list[list]) -> None:
    """Plain rows (no per-cell styling): this sheet can be long."""
    from openpyxl.styles import Font

    from tinnhiem.io.xlsx import print_setup

    ws = wb.create_sheet("Phiếu")
    ws.append(BALLOT_HEADER)
    for c in range(1, len(BALLOT_HEADER) + 1):
        ws.cell(row=1, column=c).font = Font(bold=True)
    for r in rows:
        ws.append(r)
    ws.freeze_panes = "A2"
    for letter, w in zip("ABCDEFG", (18, 10, 12, 10, 28, 8, 40)):
        ws.column_dimensions[letter].width = w
    print_setup(ws, header_row=1)
