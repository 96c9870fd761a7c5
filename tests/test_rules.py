"""Rule files: the shipped sets, validation with line numbers, and the `rules` command."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinnhiem.core import rules
from tinnhiem.core.problems import InputError
from tinnhiem.io import rulesets

ROOT = Path(__file__).resolve().parents[1]
PROVINCE_RULES = ROOT / "samples" / "province-2025" / "quy-tac-tinh-2025.toml"


def text_of(name: str) -> str:
    return rulesets.builtin_path(name).read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line that contains `needle`."""
    hits = [i for i, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def problems_of(text: str) -> list:
    with pytest.raises(InputError) as exc:
        rules.parse(text, "thu.toml")
    return list(exc.value.problems)


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


# -- the shipped rule sets ------------------------------------------------------------------------

@pytest.mark.parametrize("name", [*rules.BUILTIN, str(PROVINCE_RULES)])
def test_shipped_sets_load_and_have_no_lint_warnings(name):
    rs = rulesets.load(name)
    assert rs.posts and rs.bands and rs.unit_kinds
    assert rules.lint(rs) == []


def test_national_2023_settings():
    rs = rulesets.load("national-2023")
    assert rs.name == "national-2023"
    assert rs.tenure_enabled is False
    ex = rs.section("exclusions")
    assert ex["retirement_announced"] is True and ex["elected_this_year"] is True
    assert ex["long_sick_leave_months"] == 6
    assert {r: rs.base_for(r) for r in rules.ROUTES} == {"hdnd": "returned", "workplace": "returned", "company": "returned"}
    assert rs.section("quorum") == {"num": 2, "den": 3, "severity": "error"}
    assert rs.max_places == 2
    assert [b.id for b in rs.bands] == ["two_thirds_or_more", "over_half"]
    # No fixed city dates in 2023.
    dl = rs.section("deadlines")
    assert "unit_report_before" not in dl and "city_report_before" not in dl
    # The 2023 consequences, per route.
    top, over = rs.bands
    assert "không chờ hết nhiệm kỳ" in top.consequence["workplace"]
    assert "QĐ 96-QĐ/TW" in over.consequence["company"] and "từ chức" in over.consequence["workplace"]
    assert "NQ 96/2023/QH15" in over.consequence["hdnd"]
    assert set(top.consequence) == set(over.consequence) == set(rules.ROUTES)


def test_cantho_2019_differs_where_domain_says():
    old, new = rulesets.load("cantho-2019"), rulesets.load("national-2023")
    assert old.tenure_enabled and old.tenure_months == 9 and not new.tenure_enabled
    assert old.base_for("hdnd") == "members" and new.base_for("hdnd") == "returned"
    assert old.section("quorum")["severity"] == "warning" and new.section("quorum")["severity"] == "error"
    assert not old.section("exclusions").get("elected_this_year")


def test_national_2023_keeps_the_2019_structure_of_posts_and_voters():
    """Same kinds of posts a-d; voter roles are the plan's. If cantho-2019 changes its posts or
    roles, national-2023 must follow (or say why it differs)."""
    old, new = rulesets.load("cantho-2019"), rulesets.load("national-2023")
    for key in ("unit_kinds", "posts", "review", "roles", "voters", "hdnd"):
        assert _as_in_cantho(new.data.get(key)) == old.data.get(key), key


# The one difference said: national-2023 serves every province, whose district level also has
# thành phố thuộc tỉnh (Cần Thơ in 2019 had quận, huyện only), in its titles and unit kinds.
_DISTRICT_EXTRA = ("ubnd thị xã", "ubnd thành phố thuộc tỉnh", "ubnd cấp huyện", "cấp huyện")


def _as_in_cantho(value):
    if isinstance(value, dict):
        return {k: _as_in_cantho(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_in_cantho(v) for v in value if v not in _DISTRICT_EXTRA]
    if isinstance(value, str):
        return value.replace("(quan|huyen|thi xa|thanh pho)", "(quan|huyen|thi xa)")
    return value


def test_every_schema_key_is_documented_in_national_2023():
    text = text_of("national-2023")
    keys = set()
    for section, names in rules._SCHEMA.items():
        keys |= names
        if section and "*" not in section:
            keys.add(section)
    missing = sorted(k for k in keys if not re.search(rf"\b{re.escape(k)}\b", text))
    assert missing == []


def test_comments_are_in_vietnamese_and_english():
    for text in (text_of("national-2023"), PROVINCE_RULES.read_text(encoding="utf-8")):
        comments = "\n".join(line for line in text.split("\n") if line.lstrip().startswith("#"))
        assert "Không lấy phiếu" in comments or "không lấy phiếu" in comments
        assert "Not rated" in comments or "not rated" in comments or "rated" in comments
        assert "Bộ quy tắc" in comments and "rule set" in comments.lower()


# -- bands: integers, never rounded percentages -----------------------------------------------

@pytest.mark.parametrize("name", rules.BUILTIN)
@pytest.mark.parametrize("low, expected", [(15, None), (16, "over_half"), (19, "over_half"), (20, "two_thirds_or_more"), (21, "two_thirds_or_more"), (30, "two_thirds_or_more"), (0, None)])
def test_band_edges_for_base_30(name, low, expected):
    band = rulesets.load(name).band_for(low, 30)
    assert (band.id if band else None) == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=2000).flatmap(lambda b: st.tuples(st.integers(0, b), st.just(b))))
def test_bands_agree_with_exact_fractions(lb):
    low, base = lb
    rs = rulesets.load("national-2023")
    band = rs.band_for(low, base)
    share = Fraction(low, base)
    if share >= Fraction(2, 3):
        assert band.id == "two_thirds_or_more"
    elif share > Fraction(1, 2):
        assert band.id == "over_half"
    else:
        assert band is None


def test_band_for_unknown_figures_is_none():
    rs = rulesets.load("national-2023")
    assert rs.band_for(None, 30) is None and rs.band_for(3, None) is None and rs.band_for(3, 0) is None


# -- validation: every error kind, with its line -------------------------------------------------

NAT = "national-2023"


def _case(old, new, code, needle, base=NAT):
    return pytest.param(base, old, new, code, needle, id=f"{code}:{(needle or new or old)[:30]}")


CASES = [
    # unknown keys, in every kind of table
    _case('year = 2023\n', 'year = 2023\nnom = "x"\n', "RULES_UNKNOWN_KEY", 'nom = "x"'),
    _case('den = 3\nseverity = "error"', 'den = 3\nseverty = "error"', "RULES_UNKNOWN_KEY", 'severty ='),
    _case("[tenure]\nenabled = false", "[tenure]\nrank = 5\nenabled = false", "RULES_UNKNOWN_KEY", "rank = 5"),
    _case("rank = 30\n", "rank = 30\nrout = \"hdnd\"\n", "RULES_UNKNOWN_KEY", 'rout = "hdnd"'),
    _case('[unit_kinds.cong_ty]\nlabel', '[unit_kinds.cong_ty]\nalias = ["ct"]\nlabel', "RULES_UNKNOWN_KEY", 'alias = ["ct"]'),
    _case('company = "Đưa ra khỏi', 'hdnd_xa = "?"\ncompany = "Đưa ra khỏi', "RULES_UNKNOWN_KEY", 'hdnd_xa = "?"'),
    _case('[roles.cap_uy]\n', '[roles.cap_uy]\nlabels = "x"\n', "RULES_UNKNOWN_KEY", 'labels = "x"'),
    # bad patterns: a one-line list, an item of a multi-line list, a [[review]] entry
    _case("'^ke toan truong\\b.*$'", "'^ke toan (truong\\b.*$'", "RULES_BAD_PATTERN", "'^ke toan (truong"),
    _case("'^truong ban nu cong\\b',", "'^truong ban (nu cong\\b',", "RULES_BAD_PATTERN", "'^truong ban (nu cong"),
    _case("pattern = '^(quyen|q\\.)\\s*'", "pattern = '^(quyen|q\\.\\s*'", "RULES_BAD_PATTERN", "pattern = '^(quyen|q\\.\\s*'"),
    _case("unit_patterns = ['^so\\b']\nrank = 30", "unit_patterns = ['^so[\\b']\nrank = 30", "RULES_BAD_PATTERN", "'^so[\\b'"),
    # missing parts
    _case('name = "national-2023"\n', "", "RULES_MISSING", "# Bộ quy tắc / Rule set: national-2023"),
    _case("rank = 44\n", "", "RULES_MISSING", None),
    # wrong types
    _case("rank = 42", 'rank = "42"', "RULES_BAD_TYPE", 'rank = "42"'),
    _case("rank = 41", "rank = true", "RULES_BAD_TYPE", "rank = true"),
    _case("[tenure]\nenabled = false", '[tenure]\nenabled = "không"', "RULES_BAD_TYPE", 'enabled = "không"'),
    _case("min_voters = 5", "min_voters = -1", "RULES_BAD_TYPE", "min_voters = -1"),
    _case("answers_days_before = 3\n", 'answers_days_before = 3\nunit_report_before = "19/01/2027"\n', "RULES_BAD_TYPE", 'unit_report_before = "19/01/2027"'),
    _case("patterns = ['^ke toan truong\\b.*$']", "patterns = 44", "RULES_BAD_TYPE", "patterns = 44"),
    _case('levels = ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]', 'levels = "Tín nhiệm cao"', "RULES_BAD_TYPE", 'levels = "Tín nhiệm cao"'),
    _case("[quorum]\nnum = 2", "[quorum_x]\nnum = 2", "RULES_UNKNOWN_KEY", "[quorum_x]"),
    _case('year = 2023\n', 'year = "2023"\n', "RULES_BAD_TYPE", 'year = "2023"'),
    # bad values
    _case('category = "d"\nunit_kinds = ["cong_ty"]\npatterns = [\'^ke toan', 'category = "e"\nunit_kinds = ["cong_ty"]\npatterns = [\'^ke toan', "RULES_BAD_VALUE", 'category = "e"'),
    _case('rank = 43\nroute = "company"', 'rank = 43\nroute = "cong_ty"', "RULES_BAD_VALUE", 'route = "cong_ty"'),
    _case('level = "district"', 'level = "ward"', "RULES_BAD_VALUE", 'level = "ward"'),
    _case('hdnd = "returned"', 'hdnd = "deputies"', "RULES_BAD_VALUE", 'hdnd = "deputies"'),
    _case('[validity]\nmode = "whole_ballot"', '[validity]\nmode = "per_row"', "RULES_BAD_VALUE", 'mode = "per_row"'),
    _case('den = 3\nseverity = "error"', 'den = 3\nseverity = "fatal"', "RULES_BAD_VALUE", 'severity = "fatal"'),
    _case("num = 1\nden = 2", "num = 3\nden = 2", "RULES_BAD_VALUE", "num = 3"),
    _case('unit_kinds = ["cong_ty"]\npatterns = [\'^ke toan', 'unit_kinds = ["cty"]\npatterns = [\'^ke toan', "RULES_BAD_VALUE", 'unit_kinds = ["cty"]'),
    _case('unless_unit_has = "truong_ban_kiem_soat"', 'unless_unit_has = "ban_kiem_soat"', "RULES_BAD_VALUE", 'unless_unit_has = "ban_kiem_soat"'),
    _case("schema = 1\n", "schema = 2\n", "RULES_BAD_VALUE", "schema = 2"),
    _case('id = "kiem_soat_vien"', 'id = "truong_ban_kiem_soat"', "RULES_DUPLICATE", None),
    # syntax
    _case("rank = 42", "rank = 4 2", "RULES_SYNTAX", "rank = 4 2"),
    _case('label = "Kế toán trưởng Công ty"', 'label = "Kế toán trưởng Công ty', "RULES_SYNTAX", 'label = "Kế toán trưởng Công ty'),
]


@pytest.mark.parametrize("base, old, new, code, needle", CASES)
def test_each_error_kind_names_its_line(base, old, new, code, needle):
    text = edit(text_of(base), old, new)
    found = [p for p in problems_of(text) if p.code == code]
    assert found, problems_of(text)
    p = found[0]
    assert p.severity == "error" and p.file == "thu.toml"
    assert p.row is not None
    if needle is not None:
        assert p.row == line_of(text, needle), (p.row, p.message)
    # Vietnamese, with diacritics
    assert re.search(r"[^\x00-\x7f]", p.message), p.message


def test_missing_key_in_a_post_names_the_entry_header():
    text = edit(text_of(NAT), "rank = 44\n", "")
    p = next(p for p in problems_of(text) if p.code == "RULES_MISSING")
    assert "ke_toan_truong_cong_ty" in p.message and "rank" in p.message
    header = line_of(text, 'id = "ke_toan_truong_cong_ty"') - 1
    assert text.split("\n")[header - 1] == "[[posts]]" and p.row == header


def test_duplicate_post_id_points_at_the_second_one():
    text = edit(text_of(NAT), 'id = "kiem_soat_vien"', 'id = "truong_ban_kiem_soat"')
    p = next(p for p in problems_of(text) if p.code == "RULES_DUPLICATE")
    lines = [i for i, line in enumerate(text.split("\n"), 1) if line == 'id = "truong_ban_kiem_soat"']
    assert p.row == lines[1]


def test_all_problems_at_once_in_line_order():
    text = text_of(NAT)
    text = edit(text, "rank = 42", 'rank = "42"')
    text = edit(text, 'den = 3\nseverity = "error"', 'den = 3\nseverty = "error"')
    text = edit(text, "'^ke toan truong\\b.*$'", "'^ke toan (truong'")
    probs = problems_of(text)
    assert {p.code for p in probs} >= {"RULES_BAD_TYPE", "RULES_UNKNOWN_KEY", "RULES_BAD_PATTERN"}
    rows = [p.row for p in probs]
    assert rows == sorted(rows)


def test_unknown_key_suggests_the_right_one_and_lists_valid_keys():
    text = edit(text_of(NAT), "patterns = ['^ke toan truong\\b.*$']", "paterns = ['^ke toan truong\\b.*$']")
    p = next(p for p in problems_of(text) if p.code == "RULES_UNKNOWN_KEY")
    assert "Có phải 'patterns'?" in p.message and "[[posts]]" in p.message
    ids = [spec["id"] for spec in rulesets.load(NAT).data["posts"]]
    assert p.detail == {"key": f"posts[{ids.index('ke_toan_truong_cong_ty') + 1}].paterns"}


def test_json_detail_names_the_key_path():
    text = edit(text_of(NAT), "rank = 42", 'rank = "42"')
    p = next(p for p in problems_of(text) if p.code == "RULES_BAD_TYPE")
    assert p.detail["key"].startswith("posts[") and p.detail["key"].endswith("].rank")


# -- the line scanner, on generated files -----------------------------------------------------

KEY = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)
VALUE = st.one_of(
    st.integers(-5, 5).map(str),
    st.sampled_from(["true", "false", '"a = b"', "'[x]'", '"#"', "2019-01-19"]),
    st.lists(st.sampled_from(['"a"', "'^b\\b'", '"[c]"', "'d = e'"]), max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(st.sampled_from(['"a"', "'^b\\b'", '"x = 1"']), min_size=1, max_size=3).map(lambda xs: "[\n    " + ",\n    ".join(xs) + ",\n]"),
    st.just('"""\nkhông = khóa\n[bảng]\n"""'),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(KEY, VALUE), min_size=1, max_size=5, unique_by=lambda kv: kv[0]), min_size=1, max_size=5),
       st.booleans())
def test_key_lines_match_where_keys_are_written(entries, comments):
    import tomllib

    lines, expected = ["[top]", "x = 1"], {}
    for i, entry in enumerate(entries):
        lines.append("[[posts]]" + ("  # mục" if comments else ""))
        expected[("posts", i)] = len(lines)
        for key, value in entry:
            if comments:
                lines.append("# " + key + " = chú thích")
            # A value may span lines (arrays, multi-line strings holding "k = v" and "[t]").
            expected[("posts", i, key)] = len(lines) + 1
            lines.extend(f"{key} = {value}".split("\n"))
        lines.append("[posts.sub]")
        expected[("posts", i, "sub")] = len(lines)
        lines.append("k = 1")
        expected[("posts", i, "sub", "k")] = len(lines)
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # the generated file is valid TOML
    kl = rules.KeyLines(text)
    for path, line in expected.items():
        assert kl.line(*path) == line, (path, text)
    assert kl.line("top", "x") == 2


def test_key_lines_for_nested_and_quoted_keys():
    text = '[a]\n"quoted key" = 1\nb.c = 2\n[[arr]]\n[arr.t]\nz = 3\n[[arr]]\n[arr.t]\nz = 4\n'
    kl = rules.KeyLines(text)
    assert kl.line("a", "quoted key") == 2
    assert kl.line("a", "b", "c") == 3
    assert kl.line("arr", 0, "t", "z") == 6 and kl.line("arr", 1, "t", "z") == 9
    assert kl.line("arr", 1, "t", "missing") == 8  # falls back to the enclosing table


# -- the command ----------------------------------------------------------------------------------

def write_broken(tmp_path: Path, old: str, new: str, name: str = "hong.toml") -> Path:
    path = tmp_path / name
    path.write_text(edit(text_of(NAT), old, new), encoding="utf-8")
    return path


def test_rules_check_valid_builtin_and_file(cli):
    r = cli("rules", "check", "national-2023", "--json")
    assert r.exit_code == 0
    assert r.json["valid"] is True and r.json["rules"] == "national-2023" and r.json["problems"] == []
    assert r.json["bands"] == ["two_thirds_or_more", "over_half"]
    r = cli("rules", "check", PROVINCE_RULES, "--json")
    assert r.exit_code == 0 and "xa_phuong" in r.json["unit_kinds"]


def test_rules_check_broken_file_exit_1_with_lines(cli, tmp_path):
    path = write_broken(tmp_path, "rank = 42", 'rank = "42"')
    text = path.read_text(encoding="utf-8")
    r = cli("rules", "check", path, "--json")
    assert r.exit_code == 1
    assert r.json["valid"] is False
    (p,) = r.json["problems"]
    assert p["code"] == "RULES_BAD_TYPE" and p["row"] == line_of(text, 'rank = "42"') and p["severity"] == "error"
    assert p["file"] == str(path)
    # The human view names the line too, on stderr, never a traceback.
    r = cli("rules", "check", path)
    assert r.exit_code == 1
    row = line_of(text, 'rank = "42"')
    assert f"dòng {row}" in r.stderr and "Traceback" not in r.stderr + r.stdout


def test_rules_check_as_a_real_process(cli_subprocess, tmp_path):
    path = write_broken(tmp_path, "[tenure]\nenabled = false", "[tenure]\nenable = false")
    r = cli_subprocess("rules", "check", path, "--json")
    assert r.exit_code == 1
    p = r.json["problems"][0]
    assert p["code"] == "RULES_UNKNOWN_KEY" and p["row"] == line_of(path.read_text(encoding="utf-8"), "enable = false")
    assert "Có phải 'enabled'?" in p["message"]


def test_rules_check_lint_warnings_and_strict(cli, tmp_path):
    path = write_broken(tmp_path, "patterns = ['^ke toan truong\\b.*$']", "patterns = ['ke toan truong']")
    r = cli("rules", "check", path, "--json")
    assert r.exit_code == 0
    (p,) = r.json["problems"]
    assert p["code"] == "RULES_PATTERN_UNANCHORED" and p["severity"] == "warning"
    assert p["row"] == line_of(path.read_text(encoding="utf-8"), "patterns = ['ke toan truong']")
    assert cli("rules", "check", path, "--strict").exit_code == 1


def test_rules_check_missing_file_is_usage_error(cli, tmp_path):
    assert cli("rules", "check", tmp_path / "khong-co.toml").exit_code == 2


def test_rules_file_not_utf8(cli, tmp_path):
    path = tmp_path / "cp1258.toml"
    path.write_bytes(text_of(NAT).replace("—", "-").encode("utf-8").replace("Bộ".encode(), b"B\xf4\xff"))
    r = cli("rules", "check", path, "--json")
    assert r.exit_code == 1 and r.json["problems"][0]["code"] == "RULES_ENCODING"


def test_rules_new_writes_an_editable_copy(cli, tmp_path):
    target = tmp_path / "tinh-moi.toml"
    r = cli("rules", "new", "--from", "national-2023", target, "--json")
    assert r.exit_code == 0 and r.json["rules"] == "tinh-moi"
    text = target.read_text(encoding="utf-8")
    assert re.search(r'(?m)^name = "tinh-moi"$', text)
    assert text.startswith("# Sao từ 'national-2023'")
    # Everything else is the same rule set.
    copy, orig = rulesets.load(str(target)), rulesets.load("national-2023")
    assert {k: v for k, v in copy.data.items() if k != "name"} == {k: v for k, v in orig.data.items() if k != "name"}
    # Not replaced without --force; replaced with it.
    target.write_text(text + "\n# sửa\n", encoding="utf-8")
    assert cli("rules", "new", "--from", "cantho-2019", target).exit_code == 2
    assert "# sửa" in target.read_text(encoding="utf-8")
    assert cli("rules", "new", "--from", "cantho-2019", target, "--force").exit_code == 0
    assert rulesets.load(str(target)).tenure_enabled is True


def test_rules_new_from_a_file_and_refusals(cli, tmp_path):
    first = tmp_path / "mot.toml"
    assert cli("rules", "new", "--from", PROVINCE_RULES, first).exit_code == 0
    assert rulesets.load(str(first)).name == "mot" and "xa_phuong" in rulesets.load(str(first)).unit_kinds
    broken = write_broken(tmp_path, "rank = 42", "rank = ")
    out = tmp_path / "hai.toml"
    assert cli("rules", "new", "--from", broken, out).exit_code == 1
    assert not out.exists()
    assert cli("rules", "new", "--from", "khong-co", tmp_path / "ba.toml").exit_code == 2
    assert cli("rules", "new", "--from", "national-2023", tmp_path / "bon.txt").exit_code == 2
    assert cli("rules", "new", "--from", first, first, "--force").exit_code == 2  # never over its own input


def test_rules_show_national_2023(cli):
    r = cli("rules", "show", "national-2023")
    assert r.exit_code == 0
    out = " ".join(r.stdout.split())
    assert "Thời gian giữ chức vụ: không xét" in out
    assert "đã có thông báo nghỉ hưu" in out and "6 tháng liên tục" in out
    assert "dưới mức này là lỗi" in out
    assert "L·2 > B·1 và L·3 < B·2" in r.stdout and "L·3 ≥ B·2" in r.stdout
    assert "Trên 1/2 đến" in out
    r = cli("rules", "show", "national-2023", "--json")
    assert r.json["rules"] == "national-2023" and r.json["data"]["tenure"]["enabled"] is False
    assert r.json["data"]["base"]["hdnd"] == "returned"


def test_rules_show_province_file(cli):
    r = cli("rules", "show", PROVINCE_RULES)
    assert r.exit_code == 0
    out = " ".join(r.stdout.split())
    assert "xa_phuong" in out and "cấp xã" in out
    assert "chậm nhất 10 ngày sau ngày lấy phiếu" in out
    assert "quan_huyen" not in out


def test_unknown_rules_name_is_usage_error(cli, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("Mã cán bộ,Họ và tên,Đơn vị,Loại đơn vị,Chức vụ\nA,B,Sở X,so,Giám đốc Sở\n", encoding="utf-8")
    assert cli("eligible", roster, "--meeting-date", "15/01/2019", "--rules", "national-2024", "--workdir", tmp_path).exit_code == 2
