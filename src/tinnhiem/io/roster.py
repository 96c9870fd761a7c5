"""Read a roster (danh sách cán bộ) into core Posts, with every problem at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import replace
from itertools import repeat
from pathlib import Path

from tinnhiem.core.dates import TWO_DIGIT_PIVOT, DateError, dmy_text, parse_date, parse_loose_date
from tinnhiem.core.eligibility import title_parts
from tinnhiem.core.models import Post, Roster
from tinnhiem.core.problems import InputError, Problems
from tinnhiem.core.rules import RuleSet
from tinnhiem.core.text import fold, is_blank, parse_flag
from tinnhiem.io.tables import Column, Table, cell_text, read_known_table

ROSTER_COLUMNS = [
    Column("id", "Mã cán bộ", ("ma_can_bo", "ma cb", "mã cb", "id", "ma"), required=True),
    Column("name", "Họ và tên", ("ho_ten", "ho ten", "name", "họ tên"), required=True),
    Column("unit", "Đơn vị", ("don_vi", "unit", "cơ quan, đơn vị", "co quan", "tên đơn vị", "đơn vị công tác",
                              "cơ quan, đơn vị công tác", "nơi công tác", "tên cơ quan, đơn vị"), required=True),
    Column("unit_kind", "Loại đơn vị", ("loai_don_vi", "unit_kind", "loại"), required=True),
    Column("title", "Chức vụ", ("chuc_vu", "post", "chức danh", "title"), required=True),
    Column("since", "Ngày giữ chức vụ", ("ngay_giu_chuc_vu", "ngay_bo_nhiem", "since", "ngày bổ nhiệm", "từ ngày",
                                         "thời điểm bổ nhiệm", "ngày được bổ nhiệm", "thời gian bổ nhiệm",
                                         "thời điểm giữ chức vụ", "giữ chức vụ từ ngày", "ngày giữ chức vụ hiện tại",
                                         "ngày bổ nhiệm chức vụ hiện tại", "ngày nhận chức")),
    Column("ubnd_member", "Ủy viên UBND", ("uy_vien_ubnd", "ủy viên ubnd", "uỷ viên ubnd", "uv ubnd", "là ủy viên ubnd",
                                           "ủy viên ubnd tp", "ủy viên ubnd thành phố", "ủy viên ủy ban nhân dân",
                                           "thành viên ubnd")),
    Column("roles", "Vai trò", ("vai_tro", "roles")),
    Column("retirement", "Nghỉ hưu", ("nghi_huu", "thông báo nghỉ hưu")),
    Column("sick_from", "Nghỉ ốm từ", ("nghi_om_tu", "nghỉ ốm")),
]

ROLE_ALIASES = {
    "lanhdao": "lanh_dao", "lanh_dao": "lanh_dao",
    "capuy": "cap_uy", "cap_uy": "cap_uy",
    "truongdoanthe": "truong_doan_the", "truong_doan_the": "truong_doan_the",
    "truongdonvi": "truong_don_vi", "truong_don_vi": "truong_don_vi",
    "bithuchibo": "bi_thu_chi_bo", "bi_thu_chi_bo": "bi_thu_chi_bo",
}


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# The unit and its kind may come from section rows ("I. CÁC SỞ, BAN, NGÀNH", "1. SỞ TÀI
# CHÍNH") instead of columns: their columns are looked for as optional, and required after.
_LAYOUT_COLUMNS = [Column(c.key, c.label, c.aliases, required=c.required and c.key not in ("unit", "unit_kind")) for c in ROSTER_COLUMNS]


def read_roster(path: str | Path, rules: RuleSet, sheet: str | None = None, display: str | None = None,
                header_row: int | None = None) -> tuple[Roster, Problems]:
    """The roster and its problems. Raises InputError when the file cannot be used at all."""
    table, found = read_known_table(path, _LAYOUT_COLUMNS, sheet, display, header_row=header_row,
                                    core=("id", "name", "title"), stored_values=("since", "sick_from", "retirement", "ubnd_member"),
                                    what="danh sách cán bộ")
    problems = Problems(found)
    problems.extend(_units_from_layout(table, rules))
    if problems.errors:
        raise InputError(problems)
    posts: list[Post] = []
    names: dict[str, tuple[str, int]] = {}
    skipped: list[dict] = []
    spellings: dict[str, tuple[str, int]] = {}  # id_key -> (first spelling, its row)
    respelled: dict[str, list[tuple[str, int]]] = {}
    renamed: dict[tuple[str, str], list[int]] = {}
    loose: dict[tuple[str, str], list[int]] = {}  # (form of a loose date, column key) -> rows
    real_dates: list[tuple[int, object]] = []  # (row, date) of start dates stored as dates
    text_dates: list[tuple[int, str]] = []  # (row, text) of start dates stored as text
    unit_names: dict[tuple[str, str | None], str] = {}
    from tinnhiem.core.text import header_key

    # A national roster is 100,000 rows of a few thousand distinct unit names, titles and dates:
    # each distinct text is normalised, and each distinct date text parsed, once. The columns are
    # walked as plain lists (a dict per row cost more than the checks themselves).
    texts: dict[str, str] = {}

    def text_of(value) -> str:
        if type(value) is str:
            hit = texts.get(value)
            if hit is None:
                hit = texts[value] = cell_text(value)
            return hit
        return cell_text(value)

    parsed: dict[str, tuple] = {}

    def date_of(value):
        """(date or None, the DateError message or None)."""
        if type(value) is not str:
            try:
                return parse_date(value), None
            except DateError as exc:
                return None, str(exc)
        hit = parsed.get(value)
        if hit is None:
            try:
                hit = (parse_date(value), None)
            except DateError as exc:
                hit = (None, str(exc))
            parsed[value] = hit
        return hit

    keys = ("id", "name", "unit", "unit_kind", "title", "since", "sick_from", "ubnd_member", "retirement", "roles")
    columns = [table.values(k).tolist() if k in table.columns else repeat(None, len(table.df)) for k in keys]
    for row, c_id, c_name, c_unit, c_kind, c_title, c_since, c_sick, c_member, c_ret, c_roles in zip(
            map(int, table.df.index.tolist()), *columns):
        at = lambda key: table.where(row, key)  # noqa: E731
        bad = False
        values = {}
        for key, raw in (("id", c_id), ("name", c_name), ("unit", c_unit), ("unit_kind", c_kind), ("title", c_title)):
            text = text_of(raw)
            if not text:
                problems.add("ROSTER_BLANK", f"Ô bắt buộc để trống ({table.column_name(key)}).", **at(key))
                bad = True
            values[key] = text
        if values["id"]:
            key = id_key(values["id"])
            first = spellings.setdefault(key, (values["id"], row))
            if first[0] != values["id"]:
                respelled.setdefault(key, []).append((values["id"], row))
                values["id"] = first[0]
        kind = rules.unit_kind(values["unit_kind"]) if values["unit_kind"] else None
        if values["unit"]:
            # Stray characters before the name, and the kind word left out ("Tài chính" for
            # "Sở Tài chính"): once per distinct name and kind.
            named = unit_names.get((values["unit"], kind))
            if named is None:
                named = unit_names[(values["unit"], kind)] = rules.unit_name(_clean_unit(values["unit"]), kind)
            if named != values["unit"]:
                renamed.setdefault((values["unit"], named), []).append(row)
                values["unit"] = named
        if values["unit_kind"] and kind is None:
            labels = "; ".join(f"{k} ({v.get('label', k)})" for k, v in rules.unit_kinds.items())
            problems.add("ROSTER_UNIT_KIND", f"Loại đơn vị '{values['unit_kind']}' không có trong bộ quy tắc {rules.name}. Dùng: {labels}.", **at("unit_kind"))
            bad = True
        dates = {}
        since_latest = None
        for key, raw in (("since", c_since), ("sick_from", c_sick)):
            dates[key], error = date_of(raw)
            if error is not None:
                try:
                    found, latest, form = parse_loose_date(raw)
                except DateError:
                    found = None
                # A month without its day is weighed for the tenure only (both ends of it).
                if found is not None and (key == "since" or form == "two_digit_year"):
                    dates[key], error = found, None
                    if key == "since":
                        since_latest = latest
                    loose.setdefault((form, key), []).append(row)
            if error is not None:
                problems.add("ROSTER_DATE", error, **at(key))
                bad = True
        if type(c_since) is str:
            text_dates.append((row, c_since))  # judged below, only when there are real dates
        elif isinstance(c_since, (dt.date, int, float)) and not isinstance(c_since, bool) and dates["since"] is not None:
            real_dates.append((row, dates["since"]))
        member = parse_flag(c_member)
        if member is None:
            problems.add("ROSTER_FLAG", f"Giá trị '{cell_text(c_member)}' không rõ; ghi x, có, 1 hoặc để trống.", **at("ubnd_member"))
            bad, member = True, False
        retirement, retirement_date = False, None
        raw_ret = c_ret
        if not is_blank(raw_ret):
            flag = parse_flag(raw_ret)
            if flag is not None:
                retirement = flag
            else:
                try:
                    retirement_date = parse_date(raw_ret)
                    retirement = retirement_date is not None
                except DateError:
                    problems.add("ROSTER_FLAG", f"Cột nghỉ hưu: '{cell_text(raw_ret)}' không phải ngày hay dấu x.", **at("retirement"))
                    bad = True
        roles = []
        raw_roles = text_of(c_roles)
        for part in raw_roles.replace(",", ";").split(";"):
            if not part.strip():
                continue
            code = ROLE_ALIASES.get(header_key(part)) or ROLE_ALIASES.get(part.strip())
            if code is None:
                role_match = [r for r in rules.roles.values() if header_key(r.label) == header_key(part) or header_key(r.id) == header_key(part)]
                code = role_match[0].id if role_match else None
            if code is None:
                problems.warn("ROSTER_ROLE", f"Vai trò '{part.strip()}' không rõ; dùng: {', '.join(sorted(set(ROLE_ALIASES.values())))}.", **at("roles"))
            else:
                roles.append(code)
        if values["id"]:
            prev = names.get(values["id"])
            if prev and values["name"] and fold(prev[0]) != fold(values["name"]):
                problems.add("ROSTER_ID_CONFLICT", f"Mã cán bộ '{values['id']}' đã dùng cho '{prev[0]}' ở dòng {prev[1]}, nay lại là '{values['name']}'. Mỗi người một mã.", **at("id"))
                bad = True
            elif not prev and values["name"]:
                names[values["id"]] = (values["name"], row)
        if bad:
            skipped.append({"row": row, "id": values["id"], "name": values["name"], "unit": values["unit"],
                            "post": values["title"], "detail": "dòng có lỗi (xem các vấn đề), chưa xét được"})
            continue
        posts.append(Post(
            person_id=values["id"], name=values["name"], unit=values["unit"], unit_kind=kind,
            title=values["title"], since=dates["since"], since_latest=since_latest, ubnd_member=bool(member), roles=tuple(roles),
            retirement=retirement, retirement_date=retirement_date, sick_from=dates["sick_from"],
            row=row, file=table.file, sheet=table.sheet,
        ))
    where = dict(file=table.file, sheet=table.sheet)
    for (before, after), rows in renamed.items():
        problems.warn("ROSTER_UNIT_NAME", f"Đơn vị ghi '{before}' được đọc là '{after}' (dòng {_rows_text(rows)}). Sửa tên đơn vị trong danh sách nếu không đúng.",
                      row=rows[0], column=table.column_name("unit"), **where)
    for key, others in respelled.items():
        first, first_row = spellings[key]
        shown = "; ".join(f"'{v}' ở dòng {r}" for v, r in others)
        problems.warn("ROSTER_ID_SPELLING", f"Mã cán bộ '{first}' (dòng {first_row}) còn được ghi là {shown}: chỉ khác hoa thường, khoảng trắng hoặc số 0 ở đầu, nên là một người, dùng mã '{first}'. Sửa cho thống nhất.",
                      row=others[0][1], column=table.column_name("id"), **where)
    _same_name_two_ids(posts, problems, table)
    for (form, key), rows in loose.items():
        column = table.column_name(key)
        if form == "month":
            problems.warn("ROSTER_MONTH_ONLY", f"Ngày giữ chức vụ chỉ ghi tháng, năm (dòng {_rows_text(rows)}): được xét khi cả ngày đầu và ngày cuối tháng cho cùng một kết quả, nếu không thì đưa vào danh sách cần xem xét. Nên ghi đủ ngày.",
                          row=rows[0], column=column, **where)
        else:
            problems.warn("ROSTER_TWO_DIGIT_YEAR", f"Ngày ghi năm hai chữ số (dòng {_rows_text(rows)}): đọc như Excel, 00-{TWO_DIGIT_PIVOT} là 2000-20{TWO_DIGIT_PIVOT}, {TWO_DIGIT_PIVOT + 1}-99 là 19{TWO_DIGIT_PIVOT + 1}-1999 (15/4/18 là 15/04/2018). Nên ghi đủ bốn chữ số.",
                          row=rows[0], column=column, **where)
    swapped = _swapped_dates(real_dates, [(r, dmy) for r, v in text_dates if (dmy := dmy_text(v)) is not None] if real_dates else [])
    if swapped:
        problems.add("ROSTER_DATES_SWAPPED", swapped, row=(real_dates or text_dates)[0][0], column=table.column_name("since"), **where)
        doubt = "ngày giữ chức vụ có thể đã bị Excel đảo ngày và tháng; sửa cột rồi chạy lại"
        posts = [replace(p, since=None, since_latest=None, since_doubt=doubt) for p in posts]
    seen: dict[tuple, int] = {}
    duplicates: dict[int, int] = {}
    def same_post(p: Post) -> tuple:  # "GĐ Sở" on one row and "Giám đốc Sở" on another: one post
        return (p.person_id, fold(p.unit), title_parts(p.title, rules))

    for p in posts:
        key = same_post(p)
        if key in seen:
            problems.warn("ROSTER_DUPLICATE_ROW", f"Dòng trùng với dòng {seen[key]} (cùng người, đơn vị, chức vụ); chỉ tính một lần.", file=p.file, sheet=p.sheet, row=p.row)
            duplicates[p.row] = seen[key]
        else:
            seen[key] = p.row
    posts = [p for p in posts if seen.get(same_post(p)) == p.row]
    # Footer, section and padding rows the reader left out (when it recognises them).
    left_out = list(getattr(table, "left_out_rows", None) or [])
    roster = Roster(posts=posts, file=table.file, sha256=sha256_file(path), left_out=left_out, skipped=skipped,
                    duplicates=duplicates)
    return roster, problems


def id_key(value: str) -> str:
    """A person id as compared: without spaces, case folded, a numeric id without its leading
    zeros ('CN 01' = 'cn01' = 'CN01'; '0055' = '55')."""
    key = "".join(value.split()).casefold()
    if key.isdigit():
        key = key.lstrip("0") or "0"
    return key


# Stray characters offices put before a unit's name: bullets, dashes, stars.
_UNIT_JUNK = re.compile(r"^[\W_]+|[\s*•·,;:]+$")


def _clean_unit(unit: str) -> str:
    cleaned = _UNIT_JUNK.sub("", unit)
    return cleaned or unit


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:20])
    return shown + (f" và {len(rows) - 20} dòng khác" if len(rows) > 20 else "")


def _same_name_two_ids(posts: list[Post], problems: Problems, table) -> None:
    """The same name in the same unit under two ids: perhaps one person keyed twice."""
    ids: dict[tuple[str, str], dict[str, int]] = {}
    firsts: dict[tuple[str, str], Post] = {}
    for p in posts:
        key = (p.name.lower(), fold(p.unit))  # names are NFC with single spaces already
        ids.setdefault(key, {}).setdefault(p.person_id, p.row)
        firsts.setdefault(key, p)
    for key, found in ids.items():
        if len(found) > 1:
            first = firsts[key]
            shown = "; ".join(f"'{i}' ở dòng {r}" for i, r in found.items())
            problems.warn("ROSTER_SAME_NAME_TWO_IDS", f"'{first.name}' ({first.unit}) có {len(found)} mã cán bộ: {shown}. Nếu là một người, dùng một mã; nếu là hai người trùng tên, bỏ qua cảnh báo này.",
                          file=table.file, sheet=table.sheet, row=sorted(found.values())[1], column=table.column_name("id"))


def _swapped_dates(real: list, text: list) -> str | None:
    """The message when a date column looks swapped by an English-locale Excel: every real date
    has a day of 12 or less (day and month were read the other way round), and the dates it
    could not swap (day over 12) stayed text. None otherwise."""
    if not real or not text:
        return None
    if any(d is None or d.day > 12 for _, d in real):
        return None
    # Appointments are often dated the first of a month; swapped, every one of them would have
    # been typed in January.
    if all(d.day == 1 for _, d in real):
        return None
    if not all(day > 12 for _, (day, _m, _y) in text):
        return None
    real_rows = _rows_text([r for r, _ in real])
    text_rows = _rows_text([r for r, _ in text])
    return ("Cột ngày có vẻ đã bị Excel cài đặt tiếng Anh (tháng/ngày/năm) đảo ngày và tháng: các ô là ngày thật đều có ngày "
            f"không quá 12 (dòng {real_rows}), các ô có ngày trên 12 còn là chữ (dòng {text_rows}). Ngày 03/04/2018 có thể đã "
            "thành 4 tháng 3. Không xét ai theo cột này. Cách sửa: định dạng cột là Văn bản (Text) rồi gõ lại ngày dd/mm/yyyy, "
            "hoặc sửa ngày theo hồ sơ; hoặc mở tệp CSV gốc bằng Data > From Text với định dạng ngày DMY.")

_GROUP_WORDS = ("các ", "khối ", "cac ", "khoi ")


def _units_from_layout(table: Table, rules: RuleSet) -> list:
    """Units and unit kinds as the layout gives them: from section rows when there is no such
    column, and carried down where a unit (or kind) is written only on the first row of its
    block (one warning per column naming the rows filled). Missing columns that the layout
    cannot stand in for are errors."""
    from tinnhiem.core.problems import Problem
    from tinnhiem.io.layout import row_ranges

    problems: list = []
    df = table.df
    if not table.sections and "unit" in table.columns and "unit_kind" in table.columns:
        from tinnhiem.io.tables import blank_cells

        if not blank_cells(df[[table.columns["unit"], table.columns["unit_kind"]]].to_numpy(dtype=object)).any():
            return problems  # the usual table: every unit and kind written on its row
    rows = [int(r) for r in df.index.tolist()]
    events = sorted(table.sections.items())
    unit_of: dict[int, str | None] = {}
    group_of: dict[int, str | None] = {}
    block_of: dict[int, int] = {}
    i, unit, group, block = 0, None, None, 0
    for r in rows:
        while i < len(events) and events[i][0] < r:
            level, title = events[i][1]
            group, unit = (title, None) if level == 1 else (group, title)
            block = events[i][0]
            i += 1
        unit_of[r], group_of[r], block_of[r] = unit, group, block
    where = dict(file=table.file, sheet=table.sheet)

    def add_column(key: str, label: str, values: list) -> None:
        pos = len(table.header)
        table.header.append(label)
        df[pos] = values
        table.columns[key] = pos

    labels = {c.key: c for c in ROSTER_COLUMNS}
    if "unit" not in table.columns:
        if any(unit_of.values()):
            add_column("unit", "Đơn vị (theo dòng đề mục)", [unit_of[r] or "" for r in rows])
            problems.append(Problem(code="ROSTER_UNIT_FROM_SECTION", severity="note", **where, row=rows[0] if rows else None,
                                    message="Bảng không có cột Đơn vị: đơn vị của mỗi người lấy theo dòng đề mục phía trên "
                                            "(như '1. Sở Tài chính')."))
        else:
            problems.append(_missing(labels["unit"], table))
    if "unit_kind" not in table.columns:
        def kind_of(title):
            if not title:
                return None
            text = title.strip()
            for w in _GROUP_WORDS:
                if text.lower().startswith(w):
                    text = text[len(w):]
            return rules.unit_kind(text) and text

        kinds = [kind_of(group_of[r]) or kind_of(unit_of[r]) for r in rows]
        if rows and all(kinds):
            add_column("unit_kind", "Loại đơn vị (theo dòng đề mục)", kinds)
            problems.append(Problem(code="ROSTER_KIND_FROM_SECTION", severity="note", **where, row=rows[0],
                                    message="Bảng không có cột Loại đơn vị: loại đơn vị lấy theo dòng đề mục nhóm phía trên "
                                            "(như 'I. Các sở, ban, ngành')."))
        else:
            problems.append(_missing(labels["unit_kind"], table))
    if any(p.severity == "error" for p in problems):
        return problems
    # Carried down: a blank unit (or kind) under a filled one in the same block of rows, on a
    # row that is a post (it has an id or a name).
    ids = [table.columns.get("id"), table.columns.get("name")]
    for key in ("unit", "unit_kind"):
        pos = table.columns[key]
        column = df[pos].tolist()
        others = [df[p].tolist() if p is not None else [None] * len(rows) for p in ids]
        filled: list[int] = []
        last: dict[int, object] = {}
        for n, r in enumerate(rows):
            value = column[n]
            if not is_blank(value):
                last[block_of[r]] = value
                continue
            if all(is_blank(o[n]) for o in others):
                continue
            above = last.get(block_of[r])
            if above is None and key == "unit" and unit_of[r]:
                above = unit_of[r]
            if above is not None:
                column[n] = above
                filled.append(r)
        if filled:
            df[pos] = column
            problems.append(Problem(code="ROSTER_CARRIED_DOWN", severity="warning", **where, row=filled[0], column=table.header[pos], message=(
                f'Cột "{table.header[pos]}" để trống ở {len(filled)} dòng (dòng {row_ranges(filled)}): đã lấy theo dòng phía trên '
                "cùng khối (ghi một lần ở dòng đầu mỗi khối). Hãy kiểm tra; nếu không đúng, điền đủ các ô."),
                detail={"rows": filled}))
    return problems


def _missing(col: Column, table: Table):
    from tinnhiem.core.problems import Problem

    return Problem(code="MISSING_COLUMN", file=table.file, sheet=table.sheet, row=table.header_row, message=(
        f'Thiếu cột bắt buộc "{col.label}" (có thể ghi: {", ".join([col.label, *col.aliases])}). '
        f"Dòng tiêu đề đã đọc là dòng {table.header_row}: {', '.join(h for h in table.header if h) or '(trống)'}. "
        "Nếu tiêu đề ở dòng khác, dùng --header-row N; nếu bảng ở trang khác, dùng --sheet TÊN_TRANG."))
