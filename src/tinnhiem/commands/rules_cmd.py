"""`tinnhiem rules`: show, check and copy rule sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import DebugOpt, ForceOpt, JsonOpt

app = typer.Typer(help="Xem, kiểm tra và sao chép bộ quy tắc (cantho-2019, national-2023 hoặc tệp của bạn).\n\nVí dụ: tinnhiem rules show national-2023", no_args_is_help=True)


@app.command("show", help="In bộ quy tắc dễ đọc.\n\nVí dụ: tinnhiem rules show cantho-2019")
def show(
    name: Annotated[Optional[str], typer.Argument(metavar="[TÊN|TỆP]", help="Tên bộ quy tắc hoặc tệp .toml (mặc định cantho-2019).")] = None,
    json: JsonOpt = False,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, Outcome, run
    from tinnhiem.core.problems import Problems

    common = Common(rules=name, json=json, debug=debug)

    def body():
        rs = common.ruleset()
        doc = {"rules": rs.name, "title": rs.title, "source": rs.source, "sha256": rs.sha256, "data": rs.data}
        return Outcome(doc, Problems(), lambda: render(rs))

    run(common, body)


@app.command("check", help="Kiểm tra một tệp quy tắc: khóa lạ, mẫu sai, phần còn thiếu (nêu số dòng).\n\nVí dụ: tinnhiem rules check quy-tac-cua-toi.toml")
def check(
    file: Annotated[str, typer.Argument(metavar="TỆP|TÊN", help="Tệp quy tắc .toml hoặc tên bộ quy tắc có sẵn.")],
    json: JsonOpt = False,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, Outcome, run, stdout_console
    from tinnhiem.core.problems import Problems

    common = Common(rules=file, json=json, debug=debug)

    def body():
        rs = common.ruleset()
        doc = {"rules": rs.name, "source": rs.source, "sha256": rs.sha256, "valid": True}
        return Outcome(doc, Problems(), lambda: stdout_console().print(f"Bộ quy tắc '{rs.name}' ({file}) hợp lệ. SHA-256: {rs.sha256}"))

    run(common, body)


@app.command("new", help="Ghi một bản sao có thể sửa của bộ quy tắc có sẵn.\n\nVí dụ: tinnhiem rules new --from national-2023 tinh-moi.toml")
def new(
    file: Annotated[Path, typer.Argument(metavar="TỆP", help="Tệp .toml sẽ ghi.")],
    source: Annotated[str, typer.Option("--from", metavar="TÊN|TỆP", help="Bộ quy tắc gốc.")] = "cantho-2019",
    force: ForceOpt = False,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, Outcome, run, stdout_console
    from tinnhiem.core import rules as rules_mod
    from tinnhiem.core.problems import Problems
    from tinnhiem.io.atomic import check_writable, write_text

    common = Common(debug=debug, force=force)

    def body():
        check_writable(file, force)
        _, text = rules_mod.resolve(source)
        rules_mod.parse(text, source)  # never copy a broken file
        write_text(file, text)
        return Outcome({"written": str(file), "from": source}, Problems(),
                       lambda: stdout_console().print(f"Đã ghi {file} (sao từ {source}). Sửa tệp rồi dùng: --rules {file}"))

    run(common, body)


def render(rs) -> None:
    from rich.table import Table

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.eligibility import ROUTE_VI

    con = stdout_console()
    con.print(f"[bold]{rs.name}[/bold] — {rs.title}\nNguồn: {rs.source}  SHA-256: {rs.sha256[:16]}…")
    if rs.tenure_enabled:
        cmp = ">" if rs.tenure_strict else "≥"
        con.print(f"Thời gian giữ chức vụ: được lấy phiếu khi ngày lấy phiếu {cmp} ngày bắt đầu + {rs.tenure_months} tháng.")
    ex = rs.section("exclusions")
    excl = [label for key, label in (("retirement_announced", "đã có thông báo nghỉ hưu"), ("elected_this_year", "được bầu, bổ nhiệm trong năm")) if ex.get(key)]
    if ex.get("long_sick_leave_months"):
        excl.append(f"nghỉ ốm từ {ex['long_sick_leave_months']} tháng liên tục")
    if excl:
        con.print("Không lấy phiếu: " + "; ".join(excl) + ".")
    con.print(f"Phiếu không hợp lệ: {'cả phiếu' if rs.validity_mode == 'whole_ballot' else 'chỉ dòng của người đó'} ({rs.validity_mode}). "
              f"Tối đa {rs.max_places} nơi lấy phiếu mỗi người. Kiêm nhiệm: {'chỉ chức vụ cao nhất' if rs.highest_post_only else 'mọi chức vụ'}.")
    q = rs.section("quorum")
    if q:
        con.print(f"Số người có mặt tối thiểu: {q.get('num')}/{q.get('den')} số được triệu tập ({'lỗi' if q.get('severity') == 'error' else 'cảnh báo'}).")
    base_vi = {"returned": "tổng số phiếu thu về", "members": "tổng số đại biểu", "valid": "số phiếu hợp lệ"}
    con.print("Cơ sở tính tỷ lệ: " + "; ".join(f"{ROUTE_VI.get(r, r)}: {base_vi.get(b, b)}" for r, b in rs.section("base").items()))
    t = Table(title="Chức danh được lấy phiếu")
    for col in ("Nhóm", "Mã", "Chức danh", "Loại đơn vị", "Tuyến", "Thứ bậc"):
        t.add_column(col)
    for p in rs.posts:
        route = ROUTE_VI.get(p.route, p.route) + (f" (Ủy viên UBND: {ROUTE_VI.get(p.route_if_ubnd_member)})" if p.route_if_ubnd_member else "")
        t.add_row(p.category, p.id, p.label + (" — chỉ khi là Ủy viên UBND" if p.requires_ubnd_member else ""), ", ".join(p.unit_kinds), route, str(p.rank))
    con.print(t)
    bt = Table(title="Mức tín nhiệm thấp và hệ quả")
    for col in ("Mức", "Ngưỡng", "Hệ quả"):
        bt.add_column(col)
    for b in rs.bands:
        sign = "≥" if b.inclusive else ">"
        bt.add_row(f"{b.id}: {b.label}", f"L {sign} {b.num}/{b.den} B", "\n".join(f"{ROUTE_VI.get(k, k)}: {v}" for k, v in b.consequence.items()))
    con.print(bt)
    dl = rs.section("deadlines")
    if dl:
        con.print("Thời hạn: " + "; ".join(f"{k} = {v}" for k, v in dl.items()))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="rules")
