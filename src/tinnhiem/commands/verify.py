"""`tinnhiem verify`: recompute a result workbook from its own records and report every cell
that was changed by hand, and every input file that changed since the count."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from tinnhiem.options import DebugOpt, JsonOpt, RulesOpt, StrictOpt, WorkdirOpt

HELP = """Kiểm tra một bảng tính kết quả (ket-qua-....xlsx do 'tinnhiem tally' lập) có bị sửa tay
không: đếm lại từ các phiếu ghi trong trang "Phiếu" (nếu có), kiểm tra số liệu trang "Kết quả"
khớp nhau (ba mức cộng lại bằng số phiếu hợp lệ, ...), tính lại tỷ lệ và mức theo bộ quy tắc
đã ghi trong tệp; nếu chỉ thêm các tệp đầu vào (sổ nhập phiếu, danh sách, ...) thì so mã SHA-256
của chúng với mã đã ghi trong trang "Thông tin".

Liệt kê từng ô khác (trang, ô, giá trị trong tệp, giá trị tính lại). Mã thoát 1 khi có khác biệt.

Ví dụ: tinnhiem verify tinnhiem-ket-qua/ket-qua-so-tai-chinh.xlsx tinnhiem-phieu/so-nhap-phieu.xlsx
"""


def verify(
    result: Annotated[Path, typer.Argument(metavar="KET_QUA.xlsx", help="Bảng tính kết quả do 'tinnhiem tally' lập.")],
    inputs: Annotated[Optional[List[Path]], typer.Argument(metavar="[TỆP_ĐẦU_VÀO...]", help="Các tệp đầu vào đã dùng khi kiểm phiếu, để so mã SHA-256.")] = None,
    rules: RulesOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=workdir)
    run(common, lambda: _body(common, result, inputs or []))


def _mode(value, default: str) -> str:
    from tinnhiem.core.text import fold, header_key

    key = header_key(value or "")
    if not key:
        return default
    if key in ("wholeballot",) or "caphieu" in key:
        return "whole_ballot"
    if key in ("perperson",) or "tungnguoi" in key or "tungdong" in key or "nguoi" in fold(value):
        return "per_person"
    return default


def _rules(common, book, problems):
    """The rule set the count used: --rules, else the one recorded in the workbook."""
    from tinnhiem.core import rules as rules_mod
    from tinnhiem.core.text import nfc

    if common.rules is None:
        name = nfc(book.info_value("Bộ quy tắc") or "")
        source = nfc(book.info_value("Nguồn bộ quy tắc") or "").removeprefix("builtin:")
        if name in rules_mod.BUILTIN:
            common.rules = name
        elif source and (source in rules_mod.BUILTIN or Path(source).is_file()):
            common.rules = source
        elif name or source:
            problems.warn("RULES_NOT_FOUND", f"Không tìm thấy bộ quy tắc '{name or source}' đã ghi trong tệp; kiểm tra theo {rules_mod.DEFAULT}. Dùng --rules TỆP.toml để chỉ đúng bộ quy tắc.", file=book.file)
    rs = common.ruleset()
    recorded = nfc(book.info_value("SHA-256 bộ quy tắc") or "").lower()
    if recorded and recorded != rs.sha256:
        problems.warn("RULES_CHANGED", f"Mã SHA-256 của bộ quy tắc '{rs.name}' khác mã đã ghi trong tệp: bộ quy tắc đã thay đổi sau khi kiểm phiếu.", file=book.file, sheet="Thông tin", row=book.info_row("SHA-256 bộ quy tắc"))
    return rs


def _body(common, result_path: Path, input_paths: list[Path]):
    import unicodedata

    from tinnhiem.commands.common import Outcome, existing_file
    from tinnhiem.core.consolidate import Difference, check_results
    from tinnhiem.core.problems import InputError, Problem, Problems
    from tinnhiem.io.results_in import INFO_SHEET, NotAResult, display_name, open_result_book, sha256_file

    existing_file(result_path, "bảng tính kết quả")
    for p in input_paths:
        existing_file(p, "tệp đầu vào")
    display = display_name(result_path)
    try:
        book = open_result_book(result_path, display)
    except NotAResult:
        raise InputError([Problem("NOT_A_RESULT", "Không phải bảng tính kết quả do 'tinnhiem tally' lập (cần trang \"Kết quả\" và \"Thông tin\").", file=display)]) from None
    problems = Problems()
    rules = _rules(common, book, problems)
    mode = _mode(book.info_value("Chế độ phiếu không hợp lệ"), rules.validity_mode)
    diffs, p = check_results(book.rows, book.letters, book.headers, rules, book.ballots, mode, book.ballot_letters,
                             sheet=book.result_sheet, ballot_sheet=book.ballot_sheet)
    problems.extend(p)

    recorded = {unicodedata.normalize("NFC", name): (sha, row) for name, sha, row in book.inputs}
    checked_inputs = []
    for path in input_paths:
        name = unicodedata.normalize("NFC", Path(path).name)
        actual = sha256_file(path)
        rec = recorded.get(name)
        if rec is None:
            problems.warn("INPUT_NOT_RECORDED", f"Tệp '{name}' không có trong danh sách tệp đầu vào đã ghi ở trang \"Thông tin\".", file=display_name(path))
            checked_inputs.append({"file": display_name(path), "recorded": None, "actual": actual, "status": "not_recorded"})
            continue
        sha, row = rec
        same = sha == actual
        checked_inputs.append({"file": display_name(path), "recorded": sha, "actual": actual, "status": "same" if same else "changed"})
        if not same:
            diffs.append(Difference("INPUT_CHANGED", INFO_SHEET, row, "Giá trị", f"{book.info_value_letter}{row}", sha, actual,
                                    f"Tệp đầu vào '{name}' đã thay đổi sau khi kiểm phiếu (mã SHA-256 khác)."))
    for d in diffs:
        problems.add(d.code, f"Ô {d.cell}: trong tệp là {_show(d.stored)}, tính lại được {_show(d.recomputed)}. {d.message}",
                     file=display, sheet=d.sheet, row=d.row, column=d.column)
    doc = {"file": display, "rules": rules.name, "mode": mode,
           "recount": "ballots" if book.ballots is not None else "totals",
           "rows": len(book.rows), "ballots": len(book.ballots) if book.ballots is not None else None,
           "differences": [d.to_json() for d in diffs], "inputs": checked_inputs, "ok": not diffs}
    return Outcome(doc, problems, lambda: render(doc, diffs))


def _show(value) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return repr(value) if isinstance(value, str) else str(value)


def render(doc, diffs) -> None:
    from rich.table import Table
    from rich.text import Text

    from tinnhiem.commands.common import stdout_console

    con = stdout_console()
    what = f"{doc['rows']} dòng kết quả" + (f", {doc['ballots']} dòng phiếu" if doc["ballots"] is not None else "")
    if not diffs:
        con.print(Text.assemble(("Không phát hiện ô nào bị sửa", "green"), f" trong {doc['file']} ({what}, bộ quy tắc {doc['rules']})."))
        return
    t = Table(title=f"{len(diffs)} ô khác với giá trị tính lại — {doc['file']}")
    for col in ("Trang", "Ô", "Cột", "Trong tệp", "Tính lại", "Ghi chú"):
        t.add_column(col)
    for d in diffs:
        t.add_row(d.sheet, d.cell, d.column, _show(d.stored), _show(d.recomputed), d.message)
    con.print(t)
    con.print(f"Đã kiểm tra {what}.")


def register(app: typer.Typer) -> None:
    app.command("verify", help=HELP)(verify)


def demo_step(ctx) -> None:
    """Demo: verify the demo's first result workbook against its own records."""
    from tinnhiem.io.workdir import OUT_TALLY

    books = sorted((ctx.out / OUT_TALLY).glob("ket-qua-*.xlsx")) if (ctx.out / OUT_TALLY).is_dir() else []
    if books:
        code = ctx.invoke("verify", ["verify", str(books[0])])
        ctx.record("verify", books[0], "Tính lại từ các phiếu trong bảng kết quả: "
                   + ("không ô nào bị sửa" if code == 0 else "có ô khác với giá trị tính lại"))
