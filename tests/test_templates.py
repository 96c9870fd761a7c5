"""Templates a province can replace (issue 16): the documents' wording lives in TOML files in the
package; a copied and edited folder, named by --templates or by the rule set, changes the words
of the .docx and .pdf written, and a broken one stops the command (exit 1, nothing written)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from test_ballots import session
from test_documents import _all_paragraphs, check_nd30, pdf_text, signer_blocks, tallied  # noqa: F401 - fixture
from test_meeting import setup  # noqa: F401 - the fixture
from tinnhiem.commands.ballots import write_all
from tinnhiem.core.problems import InputError
from tinnhiem.io import rulesets, templates


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in _all_paragraphs(Document(str(path))))


def edit(path: Path, key: str, value: str) -> None:
    """Set `key = value` (TOML text) in a template file, as an officer does in a text editor."""
    text = path.read_text(encoding="utf-8")
    text, n = re.subn(rf"(?ms)^{key} = .*?(?=^\w+ = |^# |\Z)", f"{key} = {value}\n", text, count=1)
    assert n == 1, key
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def copied(cli, tmp_path) -> Path:
    """The default templates, copied with the command a province would use."""
    folder = tmp_path / "mau-van-ban"
    r = cli("rules", "templates", folder, "--json")
    assert r.exit_code == 0, r.stderr
    assert {Path(p).name for p in r.json["written"]} >= {f"{s}.toml" for s in templates.SCHEMA}
    return folder


def test_the_default_templates_load_and_cover_every_document():
    t = templates.load()
    assert set(t.docs) == set(templates.SCHEMA)
    assert t["thong-bao"].text("kind", {}) == "THÔNG BÁO"


def test_a_copied_unchanged_folder_writes_the_same_bytes(copied, tmp_path):
    rules = rulesets.load("cantho-2019")
    s = session(3, committee=("Võ Thanh Tùng", "Ngô Thị Mai", "Bùi Văn Hậu"))
    write_all(tmp_path / "a", [s], {s.id: 5}, {s.id: None}, rules, 2)
    write_all(tmp_path / "b", [s], {s.id: 5}, {s.id: None}, rules, 2, templates=templates.load(copied))
    for suffix in (".docx", ".pdf"):
        name = f"{s.id}/bien-ban-kiem-phieu-{s.id}{suffix}"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_edited_templates_change_the_meeting_papers(cli, setup, copied, tmp_path):  # noqa: F811
    roster, schedule, register = setup
    edit(copied / "thong-bao.toml", "kind", '"THÔNG BÁO TRIỆU TẬP"')
    edit(copied / "thong-bao.toml", "signer", '["TM. BAN THƯỜNG VỤ", "BÍ THƯ"]')
    edit(copied / "thong-bao.toml", "recipients", '["Như Kính gửi", "Ban Tổ chức Tỉnh ủy", "Lưu: VP"]')
    edit(copied / "thong-bao.toml", "closing_list", '"Đề nghị {unit} chuẩn bị hội trường."')
    edit(copied / "trinh-tu.toml", "heading", '"party"')
    edit(copied / "trinh-tu.toml", "steps", '[["Khai mạc {meeting_word}.", "{chair_role}"], ["Bỏ phiếu.", "Ban Kiểm phiếu"]]')
    edit(copied / "ban-kiem-phieu.toml", "head_role", '"Tổ trưởng"')
    out = tmp_path / "hn"
    r = cli("meeting", roster, "--schedule", schedule(), "--register", register, "--out", out,
            "--as-of", "14/01/2019", "--workdir", tmp_path, "--templates", copied, "--json")
    assert r.exit_code == 0, r.stderr
    doc = check_nd30(out / "so-tai-chinh.docx")  # still ND 30: sizes, fonts, margins from the code
    text = docx_text(out / "so-tai-chinh.docx")
    assert "THÔNG BÁO TRIỆU TẬP" in text and "Đề nghị Sở Tài chính chuẩn bị hội trường." in text
    assert "- Ban Tổ chức Tỉnh ủy;" in text and "- Lưu: VP." in text
    assert text.count("Sở Nội vụ (để theo dõi)") == 1  # the rule set's, left in the report on requests only
    assert ("TM. BAN THƯỜNG VỤ", "") in signer_blocks(doc)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text  # the order of business under the Party heading
    assert "Khai mạc hội nghị." in text and "Tuyên bố lý do" not in text
    assert "Tổ trưởng" in text
    # The PDF says the same, and the workbook's order of business follows the template too.
    pdf = pdf_text(out / "so-tai-chinh.pdf")
    assert "THÔNG BÁO TRIỆU TẬP" in pdf and "ĐẢNG CỘNG SẢN VIỆT NAM" in pdf
    from openpyxl import load_workbook

    ws = load_workbook(out / "so-tai-chinh.xlsx")["Trình tự"]
    assert "Khai mạc hội nghị." in [c.value for row in ws.iter_rows() for c in row]


def test_the_rule_set_names_its_templates(cli, tallied, copied):  # noqa: F811
    wd, _ = tallied
    edit(copied / "bien-ban-kiem-phieu.toml", "head_signer", '"TỔ TRƯỞNG TỔ KIỂM PHIẾU"')
    edit(copied / "bien-ban-kiem-phieu.toml", "issuer", '"Tổ Kiểm phiếu"')
    edit(copied / "bao-cao-tong-hop.toml", "signer", '["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]')
    edit(copied / "bao-cao-tong-hop.toml", "part_2", '"II. KẾT QUẢ THEO CHỨC DANH"')
    rules_file = copied.parent / "quy-tac.toml"
    assert cli("rules", "new", rules_file).exit_code == 0
    text = rules_file.read_text(encoding="utf-8")
    rules_file.write_text(text.replace("[documents]\n", '[documents]\ntemplates = "mau-van-ban"\n', 1), encoding="utf-8")
    assert cli("rules", "check", rules_file).exit_code == 0
    r = cli("tally", wd / "phieu.csv", "--workdir", wd, "--rules", rules_file, "--report-date", "18/01/2019",
            "--force", "--json")
    assert r.exit_code == 0, r.stderr
    minutes = wd / "tinnhiem-ket-qua" / "bien-ban-phieu.docx"
    doc = check_nd30(minutes, recipients=False)
    positions = [pos for pos, _ in signer_blocks(doc)]
    assert positions.count("TỔ TRƯỞNG TỔ KIỂM PHIẾU") == 1 and "TRƯỞNG BAN KIỂM PHIẾU" not in positions
    assert "TỔ KIỂM PHIẾU" in docx_text(minutes)
    from openpyxl import load_workbook

    ws = load_workbook(wd / "tinnhiem-ket-qua" / "bien-ban-phieu.xlsx")["Biên bản"]
    assert "TỔ TRƯỞNG TỔ KIỂM PHIẾU" in [c.value for row in ws.iter_rows() for c in row]
    r = cli("consolidate", "--as-of", "20/01/2019", "--workdir", wd, "--rules", rules_file, "--json")
    assert r.exit_code == 0, r.stderr
    report = next(Path(p) for p in r.json["documents"] if p.endswith(".docx"))
    doc = check_nd30(report)
    assert ("KT. GIÁM ĐỐC", "") in signer_blocks(doc)
    assert "II. KẾT QUẢ THEO CHỨC DANH" in docx_text(report)


def test_a_broken_template_stops_the_command_naming_file_and_key(cli, setup, copied, tmp_path):  # noqa: F811
    roster, schedule, register = setup
    edit(copied / "thong-bao.toml", "summary", '"Về {hoi_nghi} lấy phiếu"')
    out = tmp_path / "hn"
    r = cli("meeting", roster, "--schedule", schedule(), "--register", register, "--out", out,
            "--as-of", "14/01/2019", "--workdir", tmp_path, "--templates", copied, "--json")
    assert r.exit_code == 1
    [p] = r.json["problems"]
    assert p["file"].endswith("thong-bao.toml") and "'summary'" in p["message"] and "{hoi_nghi}" in p["message"]
    assert not out.exists()  # nothing written
    # A missing file: named, with the way to get it back.
    (copied / "thong-bao.toml").unlink()
    r = cli("meeting", roster, "--schedule", schedule(), "--register", register, "--out", out,
            "--as-of", "14/01/2019", "--workdir", tmp_path, "--templates", copied)
    assert r.exit_code == 1 and "thong-bao.toml" in r.stderr and "tinnhiem rules templates" in r.stderr
    assert not out.exists()


def test_a_broken_template_stops_ballots_tally_and_consolidate(cli, tallied, copied):  # noqa: F811
    wd, _ = tallied
    edit(copied / "bien-ban-kiem-phieu.toml", "head_signer", '["TRƯỞNG BAN"]')  # a list where a text is due
    before = sorted(p.name for p in (wd / "tinnhiem-ket-qua").iterdir())
    r = cli("tally", wd / "phieu.csv", "--workdir", wd, "--report-date", "18/01/2019", "--force",
            "--templates", copied, "--json")
    assert r.exit_code == 1
    assert any(p["file"].endswith("bien-ban-kiem-phieu.toml") and "'head_signer'" in p["message"] for p in r.json["problems"])
    assert sorted(p.name for p in (wd / "tinnhiem-ket-qua").iterdir()) == before
    r = cli("consolidate", "--as-of", "20/01/2019", "--workdir", wd, "--templates", copied, "--json")
    assert r.exit_code == 1 and not (wd / "tinnhiem-tong-hop").exists()


def test_a_broken_template_stops_ballots(cli, setup, copied, tmp_path):  # noqa: F811
    roster, schedule, _ = setup
    edit(copied / "bien-ban-kiem-phieu.toml", "closing_blank", '"Biên bản lập xong lúc {gio}."')
    r = cli("ballots", roster, "--schedule", schedule(), "--workdir", tmp_path, "--templates", copied,
            "--out", tmp_path / "phieu", "--json")
    assert r.exit_code == 1
    assert any(p["file"].endswith("bien-ban-kiem-phieu.toml") and "'closing_blank'" in p["message"] for p in r.json["problems"])
    assert not (tmp_path / "phieu").exists()
    r = cli("ballots", roster, "--schedule", schedule(), "--workdir", tmp_path, "--out", tmp_path / "phieu", "--json")
    assert r.exit_code == 0, r.stderr


def test_every_problem_of_every_file_at_once(copied):
    edit(copied / "trinh-tu.toml", "steps", '[["Chỉ một phần"]]')
    edit(copied / "bao-cao-tong-hop.toml", "heading", '"tinh"')
    with open(copied / "danh-sach-nguoi-duoc-lay-phieu.toml", "a", encoding="utf-8") as f:
        f.write('tieu_de = "x"\n')
    (copied / "tra-loi-yeu-cau.toml").write_text("kind = [\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        templates.load(copied)
    found = {(Path(p.file).name, p.code, (p.detail or {}).get("key")) for p in exc.value.problems}
    assert ("trinh-tu.toml", "TEMPLATE_VALUE", "steps") in found
    assert ("bao-cao-tong-hop.toml", "TEMPLATE_VALUE", "heading") in found
    assert ("danh-sach-nguoi-duoc-lay-phieu.toml", "TEMPLATE_KEY_UNKNOWN", "tieu_de") in found
    assert ("tra-loi-yeu-cau.toml", "TEMPLATE_SYNTAX", None) in found
