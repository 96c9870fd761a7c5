"""`tinnhiem verify`: recompute a result workbook from its own records and report every cell
that was changed by hand, and every input file that changed since the count."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from tinnhiem.options import DebugOpt, JsonOpt, RulesOpt, StrictOpt, WorkdirOpt

HELP = """Kiểm tra bảng tính kết quả (ket-qua-....xlsx do 'tinnhiem tally' lập) có bị sửa không:
đếm lại từ các phiếu ghi trong trang "Phiếu" (hoặc, khi kết quả lập từ số tổng theo từng người,
từ các số tổng đã ghi) cùng dữ liệu kiểm tra tally ghi trong tệp, lập lại toàn bộ bảng tính và so
từng ô của mọi trang (họ tên, chức vụ, đơn vị, số liệu, tỷ lệ, mức và hệ quả, ngày, cơ sở tính,
cách tính phiếu không hợp lệ, bộ quy tắc, ...). Thiếu một trang do tally ghi là lỗi.

--digest MÃ: so tệp với "Mã kiểm tra" in trên biên bản kiểm phiếu đã ký. Chỉ cách này phát hiện
được một bản sửa nhất quán ở mọi nơi (phiếu, số liệu và tỷ lệ cùng sửa). Có thể chỉ nhiều tệp và
nhiều --digest (theo thứ tự các tệp).

Các tệp khác trong danh sách (sổ nhập phiếu, danh sách cán bộ, ...) được so mã SHA-256 với mã đã
ghi trong trang "Thông tin"; sổ nhập phiếu khớp mã thì được đếm lại và so với trang "Phiếu".

Liệt kê từng ô khác (trang, ô, giá trị trong tệp, giá trị đúng). Mã thoát 1 khi có khác biệt.

Ví dụ: tinnhiem verify tinnhiem-ket-qua/ket-qua-so-tai-chinh.xlsx --digest 1A2B-3C4D-5E6F-7081
       tinnhiem verify tinnhiem-ket-qua/ket-qua-so-tai-chinh.xlsx tinnhiem-phieu/so-nhap-phieu.xlsx
"""


def verify(
    files: Annotated[List[Path], typer.Argument(metavar="KET_QUA.xlsx... [TỆP_ĐẦU_VÀO...]", help="Bảng tính kết quả do 'tinnhiem tally' lập; thêm các tệp đầu vào đã dùng khi kiểm phiếu để so mã SHA-256.")],
    digest: Annotated[Optional[List[str]], typer.Option("--digest", metavar="MÃ", help="Mã kiểm tra in trên biên bản đã ký (16 ký tự), theo thứ tự các bảng kết quả.")] = None,
    rules: RulesOpt = None,
    json: JsonOpt = False,
    strict: StrictOpt = False,
    workdir: WorkdirOpt = None,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, run

    common = Common(rules=rules, json=json, debug=debug, strict=strict, workdir=workdir)
    run(common, lambda: _body(common, files, digest or []), lock=False)  # reads only


def is_result_book(path: Path) -> bool:
    """A workbook with the sheets "Kết quả" and "Thông tin" (what tally writes)."""
    from tinnhiem.core.text import fold
    from tinnhiem.io.results_in import INFO_SHEET, RESULT_SHEET

    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        names = {fold(n) for n in wb.sheetnames}
        wb.close()
    except Exception:  # noqa: BLE001 - not a readable workbook: an input file, hashed only
        return False
    return fold(RESULT_SHEET) in names and fold(INFO_SHEET) in names


def _body(common, paths: list[Path], digests: list[str]):
    import unicodedata

    from tinnhiem.commands.common import Outcome, existing_file
    from tinnhiem.core.problems import Problems, UsageError
    from tinnhiem.io.result_check import Difference, check_result_file, problems_of
    from tinnhiem.io.results_in import display_name, sha256_file

    for p in paths:
        existing_file(p, "tệp")
    books = [p for p in paths if is_result_book(p)]
    inputs = [p for p in paths if p not in books]
    if not books:
        from tinnhiem.core.problems import InputError, Problem

        raise InputError([Problem("NOT_A_RESULT", "Không phải bảng tính kết quả do 'tinnhiem tally' lập (cần trang \"Kết quả\" và \"Thông tin\").",
                                  file=display_name(p)) for p in paths])
    if digests and len(digests) != len(books):
        raise UsageError(f"Có {len(books)} bảng tính kết quả nhưng {len(digests)} mã --digest: cần một mã cho mỗi bảng tính, theo thứ tự.")
    problems = Problems()
    files = []
    for k, path in enumerate(books):
        display = display_name(path)
        checked = check_result_file(path, display, digests[k] if digests else None)
        recorded = {}
        if checked.sealed:
            from openpyxl import load_workbook

            from tinnhiem.io.result_check import read_facts

            facts, _ = read_facts(load_workbook(path))
            recorded = {unicodedata.normalize("NFC", name): sha for name, sha in (facts or {}).get("inputs", [])}
        entry = checked.to_json()
        entry["inputs"] = []
        for ip in inputs:
            name = unicodedata.normalize("NFC", Path(ip).name)
            actual = sha256_file(ip)
            # Ballots files are recorded by name; the roster, schedule, manifest as "kind: name".
            ballots_file = name in recorded
            sha = recorded.get(name) or next((v for n, v in recorded.items() if n.endswith(": " + name)), None)
            if sha is None:
                problems.warn("INPUT_NOT_RECORDED", f"Tệp '{name}' không có trong danh sách tệp đầu vào đã ghi ở trang \"Thông tin\".", file=display_name(ip))
                entry["inputs"].append({"file": display_name(ip), "recorded": None, "actual": actual, "status": "not_recorded"})
                continue
            same = sha == actual
            entry["inputs"].append({"file": display_name(ip), "recorded": sha, "actual": actual, "status": "same" if same else "changed"})
            if not same:
                d = Difference("Thông tin", "", actual, sha, f"Tệp đầu vào '{name}' đã thay đổi sau khi kiểm phiếu (mã SHA-256 khác).")
                checked.differences.append(d)
                entry["differences"].append(d.to_json())
            elif checked.sealed and ballots_file:
                for d in _recount_from_input(path, ip):
                    checked.differences.append(d)
                    entry["differences"].append(d.to_json())
        entry["ok"] = checked.ok
        problems.extend(problems_of(checked))
        files.append((entry, checked))
    doc = {"files": [e for e, _ in files], "ok": all(c.ok for _, c in files)}
    return Outcome(doc, problems, lambda: render(files))


def _recount_from_input(book_path: Path, input_path: Path) -> list:
    """The result counted again from the original ballots file, compared cell by cell."""
    from tinnhiem.io.result_check import recount_from_input

    return recount_from_input(book_path, input_path)


def _show(value) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return repr(value) if isinstance(value, str) else str(value)


def render(files) -> None:
    from rich.table import Table
    from rich.text import Text

    from tinnhiem.commands.common import stdout_console

    con = stdout_console()
    for entry, checked in files:
        if checked.ok:
            how = "đếm lại từ các phiếu" if checked.recount == "ballots" else "tính lại từ số tổng đã ghi"
            con.print(Text.assemble(("Không phát hiện ô nào bị sửa", "green"),
                                    f" trong {checked.path} ({how}; mã kiểm tra {checked.digest})."))
            continue
        if not checked.differences:
            con.print(Text.assemble(("Không kiểm tra được", "red"), f" {checked.path}."))
            continue
        t = Table(title=f"{len(checked.differences) + checked.more} chỗ khác bản do tally ghi — {checked.path}")
        for col in ("Trang", "Ô", "Trong tệp", "Đúng ra", "Ghi chú"):
            t.add_column(col)
        for d in checked.differences:
            t.add_row(d.sheet, d.cell, _show(d.found), _show(d.expected), d.message)
        con.print(t)
        if checked.more:
            con.print(f"... và {checked.more} ô khác nữa (xem --json).")


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
