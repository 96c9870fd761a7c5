"""`tinnhiem rules`: show, check and copy rule sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from tinnhiem.options import DebugOpt, ForceOpt, JsonOpt, StrictOpt

app = typer.Typer(
    help="Xem, kiểm tra và sao chép bộ quy tắc (cantho-2019, national-2023 hoặc tệp .toml của bạn).\n\n"
         "Ví dụ: tinnhiem rules show national-2023",
    no_args_is_help=True,
)

BASE_VI = {"returned": "tổng số phiếu thu về", "members": "tổng số đại biểu (kể cả vắng mặt)", "valid": "số phiếu hợp lệ"}
LEVEL_VI = {"city": "cấp tỉnh/thành phố", "district": "cấp huyện (HĐND riêng)", "commune": "cấp xã (HĐND riêng)"}
DEADLINE_VI = {
    "notice_days_before": "Thông báo thời gian, địa điểm: chậm nhất {} ngày trước ngày lấy phiếu",
    "answers_days_before": "Trả lời yêu cầu cung cấp thông tin: chậm nhất {} ngày trước ngày lấy phiếu",
    "unit_report_before": "Đơn vị báo cáo kết quả: trước ngày {}",
    "city_report_before": "Báo cáo tổng hợp: trước ngày {}",
    "unit_report_days_after": "Đơn vị báo cáo kết quả: chậm nhất {} ngày sau ngày lấy phiếu",
    "city_report_days_after": "Báo cáo tổng hợp: chậm nhất {} ngày sau ngày lấy phiếu",
}


@app.command("show", help="In bộ quy tắc dễ đọc: ai được lấy phiếu, theo tuyến nào, cơ sở tính tỷ lệ, mức hệ quả, thời hạn.\n\n"
                          "Ví dụ: tinnhiem rules show national-2023")
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

    run(common, body, lock=False)  # reads only (no working folder to guard)


@app.command("check", help="Kiểm tra một tệp quy tắc: khóa lạ, sai kiểu giá trị, mẫu chức vụ sai, phần còn thiếu; "
                           "mỗi lỗi nêu số dòng. Mã thoát 1 khi có lỗi.\n\n"
                           "Ví dụ: tinnhiem rules check quy-tac-cua-toi.toml")
def check(
    file: Annotated[str, typer.Argument(metavar="TỆP|TÊN", help="Tệp quy tắc .toml hoặc tên bộ quy tắc có sẵn.")],
    json: JsonOpt = False,
    strict: StrictOpt = False,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, Outcome, run, stdout_console
    from tinnhiem.core import rules as rules_mod
    from tinnhiem.core.problems import InputError, Problems

    common = Common(rules=file, json=json, debug=debug, strict=strict)

    def body():
        try:
            rs = common.ruleset()
        except InputError as exc:
            doc = {"rules": None, "source": file, "valid": False}
            return Outcome(doc, Problems(exc.problems),
                           lambda: stdout_console().print(f"Bộ quy tắc {file} có lỗi, chưa dùng được (xem các lỗi bên dưới)."))
        warnings = Problems(rules_mod.lint(rs))
        if rs.document("templates"):
            from tinnhiem.io import templates

            try:
                templates.for_rules(rs)  # the templates it names must load too
            except InputError as exc:
                doc = {"rules": rs.name, "source": file, "valid": False}
                return Outcome(doc, Problems(exc.problems), lambda: stdout_console().print(
                    f"Mẫu văn bản mà bộ quy tắc {file} chỉ tới có lỗi (xem các lỗi bên dưới)."))
        doc = {"rules": rs.name, "source": rs.source, "sha256": rs.sha256, "valid": True,
               "posts": len(rs.posts), "unit_kinds": list(rs.unit_kinds), "bands": [b.id for b in rs.bands]}

        def say():
            stdout_console().print(f"Bộ quy tắc '{rs.name}' ({file}) hợp lệ: {len(rs.unit_kinds)} loại đơn vị, "
                                   f"{len(rs.posts)} chức danh, {len(rs.bands)} mức hệ quả. SHA-256: {rs.sha256}")
        return Outcome(doc, warnings, say)

    run(common, body, lock=False)  # reads only (no working folder to guard)


@app.command("new", help="Ghi một bản sao có thể sửa của bộ quy tắc (có sẵn hoặc tệp khác); tên bộ quy tắc trong "
                         "bản sao lấy theo tên tệp. Sửa xong, kiểm tra bằng 'tinnhiem rules check TỆP'.\n\n"
                         "Ví dụ: tinnhiem rules new --from national-2023 tinh-moi.toml")
def new(
    file: Annotated[Path, typer.Argument(metavar="TỆP", help="Tệp .toml sẽ ghi.")],
    source: Annotated[str, typer.Option("--from", metavar="TÊN|TỆP", help="Bộ quy tắc gốc.")] = "cantho-2019",
    json: JsonOpt = False,
    force: ForceOpt = False,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, Outcome, run, stdout_console
    from tinnhiem.core import rules as rules_mod
    from tinnhiem.core.problems import Problems, UsageError
    from tinnhiem.io import rulesets
    from tinnhiem.io.atomic import check_writable, write_text

    common = Common(json=json, debug=debug, force=force)

    def body():
        if file.suffix.lower() != ".toml":
            raise UsageError(f"Tệp quy tắc phải có đuôi .toml: '{file}'.")
        src_path = None if source in rules_mod.BUILTIN else Path(source)
        check_writable(file, force, (src_path,) if src_path else ())
        label, text = rulesets.resolve(source)
        rules_mod.parse(text, label)  # never copy a broken file
        text = copy_text(text, file.stem, source)
        rs = rules_mod.parse(text, str(file))  # and never write one
        write_text(file, text)
        doc = {"written": str(file), "from": source, "rules": rs.name, "sha256": rs.sha256}
        return Outcome(doc, Problems(), lambda: stdout_console().print(
            f"Đã ghi {file} (sao từ {source}, tên bộ quy tắc '{rs.name}').\n"
            f"Sửa tệp, kiểm tra bằng: tinnhiem rules check {file}\nrồi dùng: --rules {file}"))

    run(common, body, lock=False)  # reads only (no working folder to guard)


@app.command("templates", help="Sao thư mục mẫu văn bản (lời văn của thông báo, trình tự, danh sách, biên bản kiểm "
                               "phiếu, báo cáo tổng hợp) để tỉnh, thành phố sửa bằng trình soạn thảo văn bản. Dùng mẫu đã "
                               "sửa: dòng templates = \"THƯ_MỤC\" trong mục [documents] của bộ quy tắc, hoặc --templates "
                               "THƯ_MỤC của các lệnh meeting, ballots, tally, consolidate.\n\n"
                               "Ví dụ: tinnhiem rules templates mau-van-ban")
def templates_cmd(
    folder: Annotated[Path, typer.Argument(metavar="THƯ_MỤC", help="Thư mục sẽ ghi các tệp mẫu.")],
    source: Annotated[Optional[str], typer.Option("--from", metavar="TÊN|TỆP|THƯ_MỤC", help="Mẫu gốc: thư mục mẫu, hoặc bộ quy tắc có [documents] templates (mặc định: mẫu kèm theo).")] = None,
    json: JsonOpt = False,
    force: ForceOpt = False,
    debug: DebugOpt = False,
):
    from tinnhiem.commands.common import Common, Outcome, run, stdout_console
    from tinnhiem.core.problems import Problems, UsageError
    from tinnhiem.io import rulesets, templates

    common = Common(json=json, debug=debug, force=force)

    def body():
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"'{folder}' là một tệp, không phải thư mục.")
        if source and Path(source).is_dir():
            origin = Path(source)
        else:
            origin = templates.folder_for(rulesets.load(source)) if source else None
        templates.load(origin)  # never copy a broken set
        existing = [f for f in (folder / f"{stem}.toml" for stem in templates.SCHEMA) if f.exists()]
        if existing and not force:
            raise UsageError(f"'{existing[0]}' đã có. Dùng --force để ghi thay, hoặc chọn thư mục khác.")
        written = templates.export(folder, origin)
        doc = {"written": [str(p) for p in written], "from": str(origin or templates.default_folder())}
        return Outcome(doc, Problems(), lambda: stdout_console().print(
            f"Đã ghi {len(written)} tệp mẫu văn bản vào {folder}.\nSửa lời văn trong các tệp .toml (lưu dạng UTF-8), rồi dùng: "
            f"--templates {folder}, hoặc dòng templates = \"{folder}\" trong mục [documents] của bộ quy tắc."))

    run(common, body, lock=False)  # writes only the folder it is given


def copy_text(text: str, name: str, source: str) -> str:
    """The copy names itself after its file, so that results never claim a built-in rule set
    that the user has since edited; a first line says where it came from."""
    import json as _json
    import re

    new_name = _json.dumps(name, ensure_ascii=False)
    text, count = re.subn(r'(?m)^name\s*=\s*(".*?"|\'.*?\')\s*(#.*)?$', lambda m: f"name = {new_name}", text, count=1)
    if not count:
        return text
    return f"# Sao từ '{source}' bằng `tinnhiem rules new`; sửa rồi kiểm tra bằng `tinnhiem rules check`.\n" \
           f"# Copied from '{source}'; edit, then validate with `tinnhiem rules check`.\n" + text


def render(rs) -> None:
    from rich.table import Table
    from rich.text import Text

    from tinnhiem.commands.common import stdout_console
    from tinnhiem.core.eligibility import ROUTE_VI

    con = stdout_console()
    con.print(Text.assemble((rs.name, "bold"), f" — {rs.title}\nNguồn: {rs.source}  SHA-256: {rs.sha256[:16]}…"))
    if rs.tenure_enabled:
        cmp = ">" if rs.tenure_strict else "≥"
        con.print(f"Thời gian giữ chức vụ: được lấy phiếu khi ngày lấy phiếu {cmp} ngày bắt đầu + {rs.tenure_months} tháng.")
    else:
        con.print("Thời gian giữ chức vụ: không xét (không có điều kiện số tháng).")
    ex = rs.section("exclusions")
    excl = [label for key, label in (("retirement_announced", "đã có thông báo nghỉ hưu, nghỉ công tác chờ nghỉ hưu"),
                                     ("elected_this_year", "được bầu, phê chuẩn, bổ nhiệm trong năm lấy phiếu")) if ex.get(key)]
    if ex.get("long_sick_leave_months"):
        excl.append(f"nghỉ ốm điều trị bệnh hiểm nghèo từ {ex['long_sick_leave_months']} tháng liên tục trở lên")
    if excl:
        con.print("Không lấy phiếu: " + "; ".join(excl) + ".")
    con.print(f"Phiếu không hợp lệ: {'cả phiếu' if rs.validity_mode == 'whole_ballot' else 'chỉ dòng của người đó'} ({rs.validity_mode}). "
              f"Tối đa {rs.max_places} nơi lấy phiếu mỗi người. Kiêm nhiệm: {'chỉ chức vụ cao nhất' if rs.highest_post_only else 'mọi chức vụ'}.")
    q = rs.section("quorum")
    if q:
        con.print(f"Số người có mặt tối thiểu: {q.get('num')}/{q.get('den')} số được triệu tập "
                  f"({'dưới mức này là lỗi' if q.get('severity') == 'error' else 'dưới mức này là cảnh báo'}).")
    con.print("Cơ sở tính tỷ lệ: " + "; ".join(f"{ROUTE_VI.get(r, r)}: {BASE_VI.get(b, b)}" for r, b in rs.section("base").items()))

    kt = Table(title="Loại đơn vị")
    for col in ("Mã", "Tên", "Cấp", "Cách ghi khác"):
        kt.add_column(col)
    for code, spec in rs.unit_kinds.items():
        kt.add_row(code, spec.get("label", code), LEVEL_VI.get(spec.get("level", "city"), spec.get("level", "")),
                   ", ".join(spec.get("aliases", [])))
    con.print(kt)

    t = Table(title="Chức danh được lấy phiếu")
    for col in ("Nhóm", "Mã", "Chức danh", "Loại đơn vị", "Tuyến", "Thứ bậc"):
        t.add_column(col)
    for p in rs.posts:
        route = ROUTE_VI.get(p.route, p.route) + (f" (Ủy viên UBND: {ROUTE_VI.get(p.route_if_ubnd_member)})" if p.route_if_ubnd_member else "")
        t.add_row(p.category, p.id, p.label + (" — chỉ khi là Ủy viên UBND" if p.requires_ubnd_member else ""), ", ".join(p.unit_kinds), route, str(p.rank))
    con.print(t)
    bt = Table(title="Mức tín nhiệm thấp và hệ quả (L: số phiếu tín nhiệm thấp, B: cơ sở tính tỷ lệ)")
    for col in ("Mức", "Ngưỡng", "Hệ quả"):
        bt.add_column(col)
    higher = None
    for b in rs.bands:
        sign = "≥" if b.inclusive else ">"
        cond = f"L·{b.den} {sign} B·{b.num}"
        if higher is not None:
            # Bands are reported highest first, so a lower band stops where the one above starts.
            cond += f" và L·{higher.den} {'<' if higher.inclusive else '≤'} B·{higher.num}"
        bt.add_row(f"{b.id}: {b.label}", cond, "\n".join(f"{ROUTE_VI.get(k, k)}: {v}" for k, v in b.consequence.items()))
        higher = b
    con.print(bt)
    dl = rs.section("deadlines")
    if dl:
        con.print("Thời hạn:")
        for k, v in dl.items():
            shown = v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v
            con.print("  • " + DEADLINE_VI.get(k, k + " = {}").format(shown))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="rules")


def demo_step(ctx) -> None:
    """Demo: the province sample (after 2025, no districts) runs on its own rule file, with no
    code change, in a working folder of its own so the city pipeline is left as it is."""
    from tinnhiem.io.workdir import OUT_ELIGIBLE

    prov = ctx.sample("province-2025")
    sub = ctx.out / "tinh-2025"
    sub.mkdir(parents=True, exist_ok=True)
    ctx.invoke("rules", ["eligible", str(prov / "danh-sach-can-bo.xlsx"), "--schedule", str(prov / "lich-lay-phieu.xlsx"),
                         "--rules", str(prov / "quy-tac-tinh-2025.toml")], workdir=sub)
    ctx.record("rules", sub / OUT_ELIGIBLE, "Tỉnh sau sắp xếp 2025 (Sở, xã, phường; quy định 2023): ai được lấy phiếu")
