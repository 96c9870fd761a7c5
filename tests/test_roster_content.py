"""Rosters whose values are written the way personnel offices write them (issue 15): every
decision must be the clean roster's, or differ only where a warning or error names the row.

The variants are made by tests/data/rosters/make_content.py from samples/danh-sach-can-bo.csv
(the files are committed). `eligible` and `voters` run on each with --meeting-date 15/01/2019
--json; people are compared on (id, category, route, rated, reason), sessions on (route, rated,
voters). What each variant gives:

- content-abbr-so: `GĐ Sở`, `PGĐ Sở`, `P. Giám đốc`, `Phó GĐ Sở`, `GĐ` (in a Sở), `P.GĐ`:
  the same decisions.
- content-abbr-district: `CT UBND quận`, `Phó CT UBND quận`, `PCT UBND huyện`, `CT. UBND
  huyện`, `Phó Chủ tịch Thường trực UBND quận`: the same decisions.
- content-abbr-public: `P. Hiệu trưởng`, `GĐ Bệnh viện`, `PGĐ` (hospital), `Trưởng Ban`: the same.
- content-abbr-company: `GĐ Công ty`, `KTT`, `KTT Công ty`, `Trưởng BKS` (so the `Kiểm soát
  viên` of that company is still not rated), `Chủ tịch HĐTV`, `TGĐ`, `KSV`: the same.
- content-kiem: CN01's two rows as one `Chủ tịch kiêm Giám đốc Công ty`: both posts held,
  rated once for the higher (the same decisions; one row fewer).
- content-quyen-abbr: `Q. Giám đốc` for `Quyền Giám đốc`: still to review (needs_review).
- content-titles-case-form: titles in capitals, lower case, NFD, with spaces and a
  non-breaking space around: the same.
- content-unit-no-kind-word: `Tài chính`, `Xây dựng` for `Sở Tài chính`, `Sở Xây dựng`: read
  as the Sở (warning ROSTER_UNIT_NAME), the same decisions and sessions.
- content-unit-stray-chars: `- Sở Tài chính`, `*Sở Nội vụ`, `• Sở Xây dựng`, `+ UBND quận Bến
  Ninh`: the same (warning ROSTER_UNIT_NAME).
- content-ids-case-spaces: a person's later rows keyed `tc01`, `TR 01`, `Cn01`, ` XS08 `: one
  person each (warning ROSTER_ID_SPELLING naming the rows), the same decisions and voters.
- content-ids-leading-zeros: numeric ids, later rows with leading zeros (`55` / `0055`): one
  person each (warning ROSTER_ID_SPELLING), the same.
- content-same-name-two-ids: TC01's second post keyed TC99: warning ROSTER_SAME_NAME_TWO_IDS
  naming the row; the only differences are about TC01/TC99.
- content-dates-month-only: start dates `3/2016`, `tháng 5/2016`, `Tháng 7 năm 2016`,
  `01/2015`: both ends of each month give the same answer, the same decisions (warning
  ROSTER_MONTH_ONLY).
- content-dates-month-boundary: TC02's `15/04/2018` (9 months to the day) as `4/2018`: not
  decidable, so TC02 is needs_review with the month in `detail` (the one difference).
- content-dates-two-digit-year: every date as `d/m/yy`: read as Excel does (15/4/18 is 2018),
  the same decisions (warning ROSTER_TWO_DIGIT_YEAR).
- content-unknown-leader-title: XS02's `Giám đốc` as `Giám đốc điều hành`: matches no rule
  but looks like a leader's title, so it is to review (other_posts, reason needs_review,
  warning TITLE_TO_REVIEW naming row and column; an error under --strict); XS02 is the only
  difference.
- content-kiem-party: TC01's two rows as one `Giám đốc Sở kiêm Bí thư Đảng ủy Sở`: rated as
  Giám đốc, and still a Party-committee voter: the same decisions and voters.
- content-titles-no-diacritics: titles typed without marks (`Pho Giam doc So`, `GD So`, `PGD
  So`): the same.
- content-titles-stray-chars: `- Giám đốc Sở`, `* Phó Giám đốc`, `• Kế toán trưởng`, `Trưởng
  ban.`: the same.
- content-dates-swapped.xlsx: the start-date column as an English-locale Excel leaves it (day
  <= 12 real dates with day and month swapped, day > 12 text): error ROSTER_DATES_SWAPPED naming
  the column, exit 1, no output written.

On every variant and on both samples, `rows` adds up to `read`, `read` is the number of rows
of the table, and `other_posts` lists exactly the rows that are not in `people`.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinnhiem.io.roster import id_key

ROOT = Path(__file__).resolve().parents[1]
ROSTERS = Path(__file__).resolve().parent / "data" / "rosters"
CLEAN = ROOT / "samples" / "danh-sach-can-bo.csv"
MEETING = "15/01/2019"

# variant -> (warning codes that must be there, ids whose decisions may differ)
SAME = {
    "abbr-so": ((), ()),
    "abbr-district": ((), ()),
    "abbr-public": ((), ()),
    "abbr-company": ((), ()),
    "kiem": ((), ()),
    "quyen-abbr": ((), ()),
    "titles-case-form": ((), ()),
    "unit-no-kind-word": (("ROSTER_UNIT_NAME",), ()),
    "unit-stray-chars": (("ROSTER_UNIT_NAME",), ()),
    "ids-case-spaces": (("ROSTER_ID_SPELLING",), ()),
    "ids-leading-zeros": (("ROSTER_ID_SPELLING",), ()),
    "same-name-two-ids": (("ROSTER_SAME_NAME_TWO_IDS",), ("TC01", "TC99")),
    "dates-month-only": (("ROSTER_MONTH_ONLY",), ()),
    "dates-month-boundary": (("ROSTER_MONTH_ONLY",), ("TC02",)),
    "dates-two-digit-year": (("ROSTER_TWO_DIGIT_YEAR",), ()),
    "unknown-leader-title": (("TITLE_TO_REVIEW",), ("XS02",)),
    "kiem-party": ((), ()),
    "titles-no-diacritics": ((), ()),
    "titles-stray-chars": ((), ()),
}


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [r for r in list(csv.reader(fh, delimiter=";"))[1:] if any(c.strip() for c in r)]


def _id_map(variant: Path) -> dict[str, str]:
    """Variant id (as compared) -> clean id. Row by row where the variant keeps the clean rows
    (numeric ids stand for the clean ones); otherwise ids are the clean ones, compared folded."""
    clean, rows = _csv_rows(CLEAN), _csv_rows(variant)
    if len(clean) == len(rows) and "leading-zeros" in variant.name:
        return {id_key(v[0]): c[0] for v, c in zip(rows, clean)}
    return {id_key(c[0]): c[0] for c in clean}


def _people(doc: dict, ids: dict[str, str]) -> Counter:
    return Counter((ids.get(id_key(p["id"]), p["id"]), p["category"], p["route"], p["rated"], p["reason"]) for p in doc["people"])


def _sessions(doc: dict, ids: dict[str, str]) -> dict:
    def m(i):
        return ids.get(id_key(i), i)

    return {s["id"]: (s["route"], sorted(map(m, s["rated"])), sorted(map(m, s["voters"]))) for s in doc["sessions"]}


def _run(cli, tmp_path: Path, roster: Path, *extra):
    e = cli("eligible", roster, "--meeting-date", MEETING, "--json", "--workdir", tmp_path, "--force", *extra)
    v = cli("voters", roster, "--meeting-date", MEETING, "--json", "--workdir", tmp_path, "--force", *extra)
    return e, v


def _check_rows(doc: dict, table_rows: int | None = None) -> None:
    rows = doc["rows"]
    assert rows["a_to_d"] + rows["not_a_to_d"] + rows["to_review"] + rows["left_out"] == rows["read"]
    if table_rows is not None:
        assert rows["read"] == table_rows
    listed = {o["row"] for o in doc["other_posts"]}
    in_people = {p["row"] for p in doc["people"]}
    assert not listed & in_people
    assert len(doc["other_posts"]) == rows["not_a_to_d"] + rows["to_review"]
    assert len(in_people) == rows["a_to_d"]
    assert Counter(o["status"] for o in doc["other_posts"]) == Counter(
        {k: rows[k] for k in ("not_a_to_d", "to_review") if rows[k]})
    for o in doc["other_posts"]:
        assert set(o) >= {"id", "name", "unit", "post", "row", "status", "detail"}
        if o["status"] == "to_review":
            assert o["reason"] == "needs_review" and o["detail"]


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    from tinnhiem.cli import app
    from typer.testing import CliRunner
    import json

    tmp = tmp_path_factory.mktemp("clean")
    runner = CliRunner()
    docs = []
    for cmd in ("eligible", "voters"):
        r = runner.invoke(app, [cmd, str(CLEAN), "--meeting-date", MEETING, "--json", "--workdir", str(tmp)], catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
        docs.append(json.loads(r.stdout))
    return docs


def test_there_are_enough_variants():
    made = sorted(p.name for p in ROSTERS.glob("content-*"))
    assert len(made) >= 15
    assert {f"content-{v}.csv" for v in SAME} | {"content-dates-swapped.xlsx"} == set(made)


@pytest.mark.parametrize("variant", sorted(SAME))
def test_variant_gives_the_clean_decisions(cli, tmp_path, clean_run, variant):
    path = ROSTERS / f"content-{variant}.csv"
    codes, may_differ = SAME[variant]
    e, v = _run(cli, tmp_path, path)
    assert e.exit_code == 0, e.stderr
    assert v.exit_code == 0, v.stderr
    _check_rows(e.json, len(_csv_rows(path)))
    for code in codes:  # the difference from the clean roster is said, with row and column
        found = [p for p in e.json["problems"] if p["code"] == code]
        assert found, f"{variant}: no {code}"
        assert all(p["row"] and p["column"] for p in found)
    ids = _id_map(path)
    clean_e, clean_v = clean_run
    want, got = _people(clean_e, ids), _people(e.json, ids)
    differ = {k[0] for k in (want - got) + (got - want)}
    assert differ <= set(may_differ), f"{variant}: silent differences for {sorted(differ - set(may_differ))}"
    said = {p["row"] for p in e.json["problems"] if p["code"] in codes}
    for person in differ:  # each difference is named, at one of that person's rows
        rows = {i for i, r in enumerate(_csv_rows(path), start=2) if id_key(r[0]) == id_key(person)}
        assert rows & said, f"{variant}: {person} differs but no {codes} names rows {sorted(rows)}"
    want_s, got_s = _sessions(clean_v, ids), _sessions(v.json, ids)
    for sid in set(want_s) | set(got_s):
        a, b = want_s.get(sid), got_s.get(sid)
        if a == b:
            continue
        if a is None or b is None:  # a session whose only rated people are the ones that differ
            assert set((a or b)[1]) <= set(may_differ), f"{variant}: session {sid} appeared or vanished"
            continue
        changed = set(a[1]) ^ set(b[1]) | set(a[2]) ^ set(b[2])
        assert a[0] == b[0] and changed <= set(may_differ), f"{variant}: session {sid} differs silently: {changed}"


def test_kiem_holds_both_posts_and_is_rated_once(cli, tmp_path):
    e, _ = _run(cli, tmp_path, ROSTERS / "content-kiem.csv")
    cn01 = [p for p in e.json["people"] if p["id"] == "CN01"]
    assert sorted(p["post_kind"] for p in cn01) == ["chu_tich_cong_ty", "giam_doc_cong_ty"]
    assert len({p["row"] for p in cn01}) == 1
    assert [p["post_kind"] for p in cn01 if p["rated"]] == ["chu_tich_cong_ty"]
    assert [p["reason"] for p in cn01 if not p["rated"]] == ["rated_for_higher_post"]


def test_abbreviated_board_head_still_excludes_the_controller(cli, tmp_path):
    e, _ = _run(cli, tmp_path, ROSTERS / "content-abbr-company.csv")
    ids = {p["id"] for p in e.json["people"]}
    assert "CN02" in ids and "CN03" not in ids  # Trưởng BKS rated; Kiểm soát viên of that company not
    cn03 = next(o for o in e.json["other_posts"] if o["id"] == "CN03")
    assert cn03["status"] == "not_a_to_d" and "Trưởng Ban kiểm soát" in cn03["detail"]


def test_month_boundary_is_sent_to_review_with_the_reason(cli, tmp_path):
    e, _ = _run(cli, tmp_path, ROSTERS / "content-dates-month-boundary.csv")
    tc02 = next(p for p in e.json["people"] if p["id"] == "TC02")
    assert (tc02["rated"], tc02["reason"]) == (False, "needs_review")
    assert "4/2018" in tc02["detail"] and "30/04/2018" in tc02["detail"]


def test_unknown_leader_title_is_to_review_and_strict_makes_it_an_error(cli, tmp_path):
    path = ROSTERS / "content-unknown-leader-title.csv"
    e, _ = _run(cli, tmp_path, path)
    xs02 = [o for o in e.json["other_posts"] if o["id"] == "XS02"]
    assert [(o["status"], o["reason"], o["row"]) for o in xs02] == [("to_review", "needs_review", 52)]
    assert "giám đốc" in xs02[0]["detail"] and "gần nhất: 'Giám đốc Công ty'" in xs02[0]["detail"]
    strict = cli("eligible", path, "--meeting-date", MEETING, "--json", "--workdir", tmp_path, "--force", "--strict")
    assert strict.exit_code == 1
    assert any(p["code"] == "TITLE_TO_REVIEW" and p["severity"] == "error" and p["row"] == 52 and p["column"] == "Chức vụ"
               for p in strict.json["problems"])


def test_swapped_dates_are_an_error_naming_the_column(cli, tmp_path):
    e, v = _run(cli, tmp_path, ROSTERS / "content-dates-swapped.xlsx")
    for r in (e, v):
        assert r.exit_code == 1
        found = [p for p in r.json["problems"] if p["code"] == "ROSTER_DATES_SWAPPED"]
        assert len(found) == 1 and found[0]["column"] == "Ngày giữ chức vụ" and found[0]["row"]
        assert "dòng 4, 5, 12" in found[0]["message"]  # the day > 12 dates left as text
    assert e.json["output"] is None
    # Nothing is decided from the column: no one rated or left out for tenure.
    assert all(p["reason"] == "needs_review" or p["rated"] is False for p in e.json["people"])
    assert not any(p["rated"] for p in e.json["people"])
    assert not any(p["reason"] == "tenure_under_9_months" for p in e.json["people"])


def test_ids_spelled_two_ways_are_one_voter(cli, tmp_path):
    _, v = _run(cli, tmp_path, ROSTERS / "content-ids-case-spaces.csv")
    for s in v.json["sessions"]:
        keys = [id_key(i) for i in s["voters"]]
        assert len(keys) == len(set(keys)), s["id"]
    warn = [p for p in v.json["problems"] if p["code"] == "ROSTER_ID_SPELLING"]
    assert any("'tc01' ở dòng 3" in p["message"] for p in warn)


def test_variant_as_subprocess(cli_subprocess, tmp_path, clean_run):
    r = cli_subprocess("eligible", ROSTERS / "content-abbr-district.csv", "--meeting-date", MEETING, "--json", cwd=tmp_path)
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    ids = _id_map(CLEAN)
    assert _people(r.json, ids) == _people(clean_run[0], ids)
    _check_rows(r.json)
    path = ROSTERS / "content-ids-leading-zeros.csv"
    v = cli_subprocess("voters", path, "--meeting-date", MEETING, "--json", "--workdir", tmp_path, "--force", cwd=tmp_path)
    assert v.exit_code == 0, v.stderr
    assert _sessions(v.json, _id_map(path)) == _sessions(clean_run[1], _id_map(path))


@pytest.mark.parametrize("args", [
    (ROOT / "samples" / "danh-sach-can-bo.xlsx", "--schedule", ROOT / "samples" / "lich-lay-phieu.xlsx"),
    (ROOT / "samples" / "danh-sach-can-bo.csv", "--meeting-date", MEETING, "--rules", "national-2023"),
    (ROOT / "samples" / "province-2025" / "danh-sach-can-bo.xlsx", "--schedule", ROOT / "samples" / "province-2025" / "lich-lay-phieu.xlsx",
     "--rules", ROOT / "samples" / "province-2025" / "quy-tac-tinh-2025.toml"),
], ids=["city-xlsx", "city-national", "province-2025"])
def test_rows_add_up_on_the_samples(cli, tmp_path, args):
    r = cli("eligible", *args, "--json", "--workdir", tmp_path)
    assert r.exit_code == 0, r.stderr
    csv_path = Path(args[0]).with_suffix(".csv")
    _check_rows(r.json)
    # The xlsx sample is laid out as an office sends it (signature rows under the table): those
    # rows are read and left out; the posts are the CSV's rows.
    assert r.json["rows"]["read"] - r.json["rows"]["left_out"] == len(_csv_rows(csv_path))
    assert r.json["rows"]["to_review"] == 0  # the samples hold no unknown leader's title


# -- title normalisation, unit by unit ------------------------------------------------------

TITLES = [  # (title as written, unit, kind, rule it must be)
    ("GĐ Sở", "Sở Tài chính", "so", "giam_doc_so"),
    ("PGĐ Sở", "Sở Tài chính", "so", "pho_giam_doc_so"),
    ("P. Giám đốc", "Sở Tài chính", "so", "pho_giam_doc_so"),
    ("P.Giám đốc", "Sở Tài chính", "so", "pho_giam_doc_so"),
    ("Phó GĐ Sở", "Sở Tài chính", "so", "pho_giam_doc_so"),
    ("GĐ", "Sở Tài chính", "so", "giam_doc_so"),
    ("GĐ", "Tài chính", "so", "giam_doc_so"),
    ("PGĐ", "- Sở Tài chính", "so", "pho_giam_doc_so"),
    ("CT UBND quận", "UBND quận Bến Ninh", "quan_huyen", "chu_tich_ubnd_qh"),
    ("Phó CT UBND quận", "UBND quận Bến Ninh", "quan_huyen", "pho_chu_tich_ubnd_qh"),
    ("PCT UBND huyện", "UBND huyện Phong Thạnh", "quan_huyen", "pho_chu_tich_ubnd_qh"),
    ("Phó Chủ tịch Thường trực UBND quận", "UBND quận Bến Ninh", "quan_huyen", "pho_chu_tich_ubnd_qh"),
    ("P. Hiệu trưởng", "Trường Cao đẳng Sông Hậu", "su_nghiep", "pho_su_nghiep"),
    ("GĐ Bệnh viện", "Bệnh viện Đa khoa", "su_nghiep", "truong_su_nghiep"),
    ("GĐ Công ty", "Công ty TNHH MTV Cấp nước", "cong_ty", "giam_doc_cong_ty"),
    ("KTT", "Công ty TNHH MTV Cấp nước", "cong_ty", "ke_toan_truong_cong_ty"),
    ("Trưởng BKS", "Công ty TNHH MTV Cấp nước", "cong_ty", "truong_ban_kiem_soat"),
    ("Chủ tịch HĐTV", "Công ty TNHH MTV Cấp nước", "cong_ty", "chu_tich_cong_ty"),
]


def _post(title, unit, kind, **kw):
    from tinnhiem.core.models import Post

    return Post(person_id="X1", name="Nguyễn Văn A", unit=unit, unit_kind=kind, title=title, row=2, **kw)


@pytest.fixture(scope="module", params=["cantho-2019", "national-2023"])
def rules(request):
    from tinnhiem.io import rulesets

    return rulesets.load(request.param)


@pytest.mark.parametrize("title,unit,kind,rule_id", TITLES)
def test_title_as_offices_write_it(rules, title, unit, kind, rule_id):
    from tinnhiem.core.eligibility import post_rules

    unit = rules.unit_name(unit.lstrip("- "), kind)  # as io.roster reads the unit
    found = post_rules(_post(title, unit, kind, ubnd_member=True), rules)
    assert [(r.id, review) for r, review in found] == [(rule_id, [])]


def test_chairman_and_director_held_at_once(rules):
    from tinnhiem.core.eligibility import post_rules

    found = post_rules(_post("Chủ tịch kiêm Giám đốc Công ty", "Công ty TNHH MTV A", "cong_ty"), rules)
    assert sorted(r.id for r, _ in found) == ["chu_tich_cong_ty", "giam_doc_cong_ty"]
    # "kiểm soát" is not the joiner "kiêm"
    assert [r.id for r, _ in post_rules(_post("Trưởng Ban kiểm soát", "Công ty TNHH MTV A", "cong_ty"), rules)] == ["truong_ban_kiem_soat"]


def test_acting_title_abbreviated_still_to_review(rules):
    from tinnhiem.core.eligibility import post_rules

    [(rule, review)] = post_rules(_post("Q. Giám đốc", "Sở Xây dựng", "so"), rules)
    assert rule.id == "giam_doc_so" and review and "quyền" in review[0].lower()


def test_p_dot_inside_a_title_is_not_pho(rules):
    """'P.' at the start is Phó; inside a title it may be Phòng: left as written."""
    from tinnhiem.core.text import fold

    assert rules.titles.expand(fold("Trưởng P. Kế hoạch")).startswith("truong p")


def test_province_adds_its_own_abbreviation(tmp_path):
    from tinnhiem.core.eligibility import post_rules
    from tinnhiem.core.rules import parse
    from tinnhiem.io.rulesets import resolve

    text = resolve("cantho-2019")[1].replace('"ktt" = "kế toán trưởng",', '"ktt" = "kế toán trưởng", "gds" = "giám đốc sở",')
    rs = parse(text)
    assert [r.id for r, _ in post_rules(_post("GĐS", "Sở Tài chính", "so"), rs)] == ["giam_doc_so"]


def test_rule_file_with_bad_titles_section_is_refused():
    from tinnhiem.core.problems import InputError
    from tinnhiem.core.rules import parse
    from tinnhiem.io.rulesets import resolve

    text = resolve("cantho-2019")[1].replace('ignore = ["thường trực"]', 'ignore = "thường trực"\nabbrevs = {}')
    with pytest.raises(InputError) as exc:
        parse(text)
    codes = {p.code for p in exc.value.problems}
    assert {"RULES_BAD_TYPE", "RULES_UNKNOWN_KEY"} <= codes


_FORMS = st.sampled_from(["NFC", "NFD"])


@settings(max_examples=60, deadline=None)
@given(i=st.integers(0, len(TITLES) - 1), form=_FORMS, case=st.sampled_from([str, str.upper, str.lower]),
       left=st.sampled_from(["", " ", "  ", "\u00a0", "\t"]), right=st.sampled_from(["", " ", "\u00a0 "]))
def test_title_normalisation_is_form_case_and_space_blind(i, form, case, left, right):
    from tinnhiem.core.eligibility import title_parts
    from tinnhiem.core.text import nfc
    from tinnhiem.io import rulesets

    rs = rulesets.load("cantho-2019")
    title = TITLES[i][0]
    written = unicodedata.normalize(form, left + case(title) + right)
    assert title_parts(nfc(written), rs) == title_parts(title, rs)


@settings(max_examples=80, deadline=None)
@given(prefix=st.sampled_from(["CN", "cn", "Cn", "TC"]), number=st.integers(0, 999), zeros=st.integers(0, 3),
       spaces=st.sampled_from(["", " ", "  "]))
def test_id_key_ignores_case_spaces_and_leading_zeros_of_numbers(prefix, number, zeros, spaces):
    assert id_key(f"{spaces}{prefix}{spaces}{number:02d}{spaces}") == id_key(f"{prefix.upper()}{number:02d}")
    assert id_key("0" * zeros + str(number)) == id_key(str(number))
    assert id_key(f"{prefix}{number}") != id_key(f"{prefix}0{number}")  # zeros only matter in numeric ids


@settings(max_examples=150, deadline=None)
@given(year=st.integers(2015, 2019), month=st.integers(1, 12),
       meeting=st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2020, 12, 31)))
def test_month_only_start_decided_only_when_both_ends_agree(year, month, meeting):
    import calendar

    from tinnhiem.core.dates import period_complete
    from tinnhiem.core.eligibility import decide
    from tinnhiem.core.models import Roster
    from tinnhiem.io import rulesets

    rs = rulesets.load("cantho-2019")
    first, last = dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    post = _post("Giám đốc Sở", "Sở Tài chính", "so", since=first, since_latest=last)
    [d], _ = decide(Roster([post]), rs, meeting)
    early, late = period_complete(first, 9, meeting), period_complete(last, 9, meeting)
    if early == late:
        assert d.rated == early and d.reason in (None, "tenure_under_9_months")
    else:
        assert (d.rated, d.reason) == (False, "needs_review") and f"{month}/{year}" in d.detail


def test_province_rule_file_carries_its_own_abbreviation():
    """samples/province-2025: "đk" (đặc khu) is the province's own, written in its rule file."""
    from tinnhiem.core.eligibility import post_rules
    from tinnhiem.io import rulesets

    rs = rulesets.load(str(ROOT / "samples" / "province-2025" / "quy-tac-tinh-2025.toml"))
    found = post_rules(_post("PCT UBND đk Côn Đảo", "UBND đặc khu Côn Đảo", "xa_phuong", ubnd_member=True), rs)
    assert [r.id for r, _ in found] == ["pho_chu_tich_ubnd_xa"]
    assert rulesets.load("national-2023").titles.abbreviations.get("dk") is None


def test_loose_dates_read_with_a_note_per_column(tmp_path):
    from tinnhiem.io import rulesets
    from tinnhiem.io.roster import read_roster

    path = tmp_path / "ds.csv"
    path.write_text("Mã cán bộ;Họ và tên;Đơn vị;Loại đơn vị;Chức vụ;Ngày giữ chức vụ;Nghỉ ốm từ\n"
                    "A1;Nguyễn Văn A;Sở Tài chính;so;Giám đốc Sở;15/4/18;1/3/23\n"
                    "A2;Trần Thị B;Sở Tài chính;so;Phó Giám đốc Sở;Tháng 6 năm 2017;\n"
                    "A3;Lê Văn C;Sở Tài chính;so;Phó Giám đốc Sở;01/01/2016;3/2023\n", encoding="utf-8")
    roster, problems = read_roster(path, rulesets.load("national-2023"))
    a1, a2 = roster.posts[:2]
    assert (a1.since, a1.sick_from, a1.since_latest) == (dt.date(2018, 4, 15), dt.date(2023, 3, 1), None)
    assert (a2.since, a2.since_latest) == (dt.date(2017, 6, 1), dt.date(2017, 6, 30))
    by_code = {(p.code, p.column): p for p in problems}
    assert ("ROSTER_TWO_DIGIT_YEAR", "Ngày giữ chức vụ") in by_code and ("ROSTER_TWO_DIGIT_YEAR", "Nghỉ ốm từ") in by_code
    assert by_code[("ROSTER_MONTH_ONLY", "Ngày giữ chức vụ")].row == 3
    # A month without its day is not a start of sick leave: an error naming the row.
    assert by_code[("ROSTER_DATE", "Nghỉ ốm từ")].row == 4 and by_code[("ROSTER_DATE", "Nghỉ ốm từ")].severity == "error"


def test_meeting_chair_found_under_an_abbreviated_title(rules):
    """The unit's head chairs its meeting: 'GĐ Sở' is the Giám đốc, before a 'PGĐ'."""
    from tinnhiem.core.requests import pick_chair
    from tinnhiem.core.sessions import RatedPerson, Session, Voter

    head = _post("GĐ Sở", "Sở Tài chính", "so")
    deputy = _post("PGĐ Sở", "Sở Tài chính", "so")
    deputy = type(deputy)(**{**deputy.__dict__, "person_id": "X2", "name": "Trần Thị B"})
    s = Session(id="so-tai-chinh", unit="Sở Tài chính", route="workplace", meeting_date=None,
                rated=[RatedPerson("X2", "Trần Thị B", "PGĐ Sở", "Sở Tài chính", "b", "workplace")],
                voters=[Voter("X2", "Trần Thị B", "PGĐ Sở", ("lanh_dao",)), Voter("X1", "Nguyễn Văn A", "GĐ Sở", ("lanh_dao",))])
    chair = pick_chair(s, {"X1": [head], "X2": [deputy]}, rules)
    assert chair is not None and chair.person_id == "X1"


def test_same_post_written_two_ways_is_one_row(tmp_path):
    from tinnhiem.io import rulesets
    from tinnhiem.io.roster import read_roster

    path = tmp_path / "ds.csv"
    path.write_text("Mã cán bộ;Họ và tên;Đơn vị;Loại đơn vị;Chức vụ;Ngày giữ chức vụ\n"
                    "A1;Nguyễn Văn A;Sở Tài chính;so;Giám đốc Sở;01/01/2016\n"
                    "a1;Nguyễn Văn A;- Sở Tài chính;so;GĐ Sở;01/01/2016\n", encoding="utf-8")
    roster, problems = read_roster(path, rulesets.load("cantho-2019"))
    assert [p.row for p in roster.posts] == [2] and roster.duplicates == {3: 2}
    assert {"ROSTER_DUPLICATE_ROW", "ROSTER_ID_SPELLING", "ROSTER_UNIT_NAME"} <= {p.code for p in problems}


def test_real_dates_on_the_first_with_text_dates_are_not_taken_for_a_swap(tmp_path):
    """Real dates all on the 1st of a month beside text dates past the 12th: a common, genuine
    mix (appointments dated the first), not a swap; a real date past the 12th rules one out too."""
    from openpyxl import Workbook

    from tinnhiem.io import rulesets
    from tinnhiem.io.roster import read_roster

    def book(dates):
        wb = Workbook()
        ws = wb.active
        ws.append(["Mã cán bộ", "Họ và tên", "Đơn vị", "Loại đơn vị", "Chức vụ", "Ngày giữ chức vụ"])
        for i, d in enumerate(dates):
            ws.append([f"A{i}", f"Người {i}", "Sở Tài chính", "so", "Phó Giám đốc Sở", d])
        path = tmp_path / f"b{len(list(tmp_path.iterdir()))}.xlsx"
        wb.save(path)
        return path

    rs = rulesets.load("cantho-2019")
    for dates in ([dt.datetime(2016, 3, 1), dt.datetime(2017, 7, 1), "15/04/2018"],
                  [dt.datetime(2016, 3, 4), dt.datetime(2017, 7, 25), "15/04/2018"]):
        _, problems = read_roster(book(dates), rs)
        assert "ROSTER_DATES_SWAPPED" not in {p.code for p in problems}
    _, problems = read_roster(book([dt.datetime(2016, 3, 4), dt.datetime(2017, 7, 11), "15/04/2018"]), rs)
    assert "ROSTER_DATES_SWAPPED" in {p.code for p in problems}


@pytest.mark.parametrize("title,unit,kind_text,rule_id", [
    ("Chủ tịch UBND thành phố", "UBND thành phố Long Xuyên", "UBND thành phố thuộc tỉnh", "chu_tich_ubnd_qh"),
    ("PCT UBND thị xã", "UBND thị xã Tân Châu", "UBND thị xã", "pho_chu_tich_ubnd_qh"),
])
def test_national_rules_know_every_district_level_kind(title, unit, kind_text, rule_id):
    """Cấp huyện is quận, huyện, thị xã and thành phố thuộc tỉnh: the 2023 rules rate all four."""
    from tinnhiem.core.eligibility import post_rules
    from tinnhiem.io import rulesets

    rules = rulesets.load("national-2023")
    kind = rules.unit_kind(kind_text)
    assert kind == "quan_huyen"
    found = post_rules(_post(title, unit, kind, ubnd_member=True), rules)
    assert [(r.id, review) for r, review in found] == [(rule_id, [])]
