"""One ballot manifest, never half (io/manifest.py): `ballots --numbered` stopped at each of its
writes leaves a folder where `tally` either counts consistently or stops with one manifest
error; a damaged or missing manifest is an error as soon as the ballots carry numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLES

STATE = "tinnhiem-ho-so"
PHIEU = "tinnhiem-phieu"
MANIFEST_CODES = {"MANIFEST_MISMATCH", "MANIFEST_OUT_OF_STEP", "MANIFEST_UNREADABLE", "MANIFEST_MISSING"}


@pytest.fixture(scope="module")
def two_printings(tmp_path_factory):
    """A folder after `ballots` (printing A), and the files a second printing B writes, in the
    order it writes them: session files, entry workbook, printed manifest, working folder's."""
    from typer.testing import CliRunner

    from tinnhiem.cli import app
    from tinnhiem.io.filled import fill_entry_workbook

    root = tmp_path_factory.mktemp("manifest")
    runner = CliRunner()
    saved = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TINNHIEM_ALLOW_SEED", "1")
        wd = root / "wd"
        wd.mkdir()
        r = runner.invoke(app, ["eligible", str(SAMPLES / "danh-sach-can-bo.xlsx"), "--schedule", str(SAMPLES / "lich-lay-phieu.xlsx"),
                                "--workdir", str(wd)], catch_exceptions=False)
        assert r.exit_code == 0
        for name, seed in (("A", "1"), ("B", "2")):
            r = runner.invoke(app, ["ballots", "--numbered", "--seed", seed, "--force", "--workdir", str(wd)], catch_exceptions=False)
            assert r.exit_code == 0, r.stderr
            keep = root / name
            shutil.copytree(wd / PHIEU, keep / PHIEU)
            shutil.copytree(wd / STATE, keep / STATE)
            fill_entry_workbook(keep / PHIEU / "so-nhap-phieu.xlsx", keep / "so-nhap-phieu-da-nhap.xlsx")
            saved[name] = keep
    return root, saved


def folder_at(root: Path, saved: dict, step: int, tmp_path: Path) -> Path:
    """The working folder as printing B left it after `step` of its writes (0: none, 4: all)."""
    wd = tmp_path / f"step{step}"
    shutil.copytree(saved["A"], wd)
    b = saved["B"]
    if step >= 1:  # the ballots, blank minutes and session sheets of each session
        for d in (b / PHIEU).iterdir():
            if d.is_dir():
                shutil.rmtree(wd / PHIEU / d.name, ignore_errors=True)
                shutil.copytree(d, wd / PHIEU / d.name)
    if step >= 2:
        shutil.copyfile(b / PHIEU / "so-nhap-phieu.xlsx", wd / PHIEU / "so-nhap-phieu.xlsx")
    if step >= 3:
        shutil.copyfile(b / PHIEU / "danh-muc-phieu.json", wd / PHIEU / "danh-muc-phieu.json")
    if step >= 4:
        shutil.copyfile(b / STATE / "ballot-manifest.json", wd / STATE / "ballot-manifest.json")
    return wd


@pytest.mark.parametrize("step", [0, 1, 2, 3, 4])
def test_ballots_stopped_at_each_write(cli, two_printings, tmp_path, step):
    root, saved = two_printings
    wd = folder_at(root, saved, step, tmp_path)
    # The committee keys in the entry workbook the folder now holds (beside its manifest).
    entry = wd / PHIEU / "so-nhap-phieu-da-nhap.xlsx"
    printing = "B" if step >= 2 else "A"
    shutil.copyfile(saved[printing] / "so-nhap-phieu-da-nhap.xlsx", entry)
    r = cli("tally", entry, "--report-date", "18/01/2019", "--json", "--workdir", wd)
    codes = {p["code"] for p in r.json["problems"]}
    if step in (0, 1, 4):  # one printing throughout: counted, every number issued
        assert r.exit_code == 0, r.stdout
        assert "W206_BALLOT_NOT_ISSUED" not in codes and not codes & MANIFEST_CODES
        assert all(s["invalid_reasons"].get("not_issued") is None for s in r.json["sessions"])
    else:  # two printings mixed: one manifest error, nothing counted, nothing written
        assert r.exit_code == 1
        errors = [p for p in r.json["problems"] if p["severity"] == "error"]
        assert len(errors) == 1 and errors[0]["code"] in MANIFEST_CODES, errors
        assert "W206_BALLOT_NOT_ISSUED" not in codes
        assert not (wd / "tinnhiem-ket-qua").exists()


def test_entry_workbook_of_another_printing_is_one_error(cli, two_printings, tmp_path):
    root, saved = two_printings
    wd = folder_at(root, saved, 0, tmp_path)
    r = cli("tally", saved["B"] / "so-nhap-phieu-da-nhap.xlsx", "--json", "--workdir", wd)
    assert r.exit_code == 1
    errors = [p for p in r.json["problems"] if p["severity"] == "error"]
    assert [p["code"] for p in errors] == ["MANIFEST_MISMATCH"]
    assert "sổ nhập phiếu này không khớp danh mục phiếu đã in" in errors[0]["message"].lower()
    assert len(r.json["problems"]) < 5


def test_damaged_or_missing_manifest(cli, two_printings, tmp_path):
    root, saved = two_printings
    wd = folder_at(root, saved, 4, tmp_path)
    entry = saved["B"] / "so-nhap-phieu-da-nhap.xlsx"
    record = wd / STATE / "ballot-manifest.json"
    text = record.read_text(encoding="utf-8")
    record.write_text(text[: len(text) // 2], encoding="utf-8")  # truncated
    r = cli("tally", entry, "--json", "--workdir", wd)
    assert r.exit_code == 1 and [p["code"] for p in r.json["problems"] if p["severity"] == "error"] == ["MANIFEST_UNREADABLE"]
    record.unlink()
    r = cli("tally", entry, "--json", "--workdir", wd)
    assert r.exit_code == 1 and [p["code"] for p in r.json["problems"] if p["severity"] == "error"] == ["MANIFEST_MISSING"]
    # Given explicitly, the printed copy is used, and a seeded manifest is warned about.
    r = cli("tally", entry, "--manifest", wd / PHIEU / "danh-muc-phieu.json", "--json", "--workdir", wd)
    assert r.exit_code == 0, r.stdout
    assert "MANIFEST_SEEDED" in {p["code"] for p in r.json["problems"]}


def test_seed_is_for_tests_and_the_demo_only(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("TINNHIEM_ALLOW_SEED")
    assert cli("eligible", SAMPLES / "danh-sach-can-bo.xlsx", "--schedule", SAMPLES / "lich-lay-phieu.xlsx", "--workdir", tmp_path).exit_code == 0
    r = cli("ballots", "--numbered", "--seed", "5", "--workdir", tmp_path)
    assert r.exit_code == 2 and "--seed" in r.stderr and not (tmp_path / PHIEU).exists()
    r = cli("ballots", "--numbered", "--json", "--workdir", tmp_path)
    assert r.exit_code == 0
    manifest = json.loads((tmp_path / STATE / "ballot-manifest.json").read_text(encoding="utf-8"))
    assert manifest["seeded"] is False


# -- check() against its definition, one ballot number at a time ------------------------------------

def _check_by_definition(m, decks: dict, problems) -> bool:
    """io.manifest.check as first written: every session's numbers taken, then looked at one
    by one (the definition the whole-file check must agree with)."""
    import numpy as np

    from tinnhiem.io.manifest import TOOL_NUMBER, _numbers_of

    numbers = {sid: d.numbers[np.not_equal(d.numbers, "") & np.not_equal(d.numbers, None)] for sid, d in decks.items()}
    numbered = sum(len(v) for v in numbers.values())
    if numbered and m.damaged:
        for c in m.damaged:
            problems.add("MANIFEST_UNREADABLE", str(c.path), file=str(c.path))
        return False
    good = [c for c in m.copies if c.data is not None]
    if numbered and not m.explicit and len(good) > 1 and any(_numbers_of(c.data) != _numbers_of(good[0].data) for c in good[1:]):
        problems.add("MANIFEST_OUT_OF_STEP", "")
        return False
    if m.data is None:
        if numbered and all(TOOL_NUMBER.match(str(x)) for v in numbers.values() for x in v):
            problems.add("MANIFEST_MISSING", "")
            return False
        return True
    if m.data.get("seeded"):
        problems.warn("MANIFEST_SEEDED", "")
    issued = _numbers_of(m.data)
    if numbered and issued:
        strangers = sum(1 for sid, v in numbers.items() for x in v if str(x) not in issued.get(sid, ()))
        if 2 * strangers > numbered:
            problems.add("MANIFEST_MISMATCH", f"{strangers}/{numbered}")
            return False
    return True


_NUMBERS = ["", None, "ABCDEF", "X2Y3Z4", "ABCDE0", "1", "2", "ABCDEF\n", 7, "PH-01"]


def _manifest_cases():
    from hypothesis import strategies as st

    sids = st.sampled_from(["P1", "P2", "P3"])
    deck = st.lists(st.sampled_from(_NUMBERS), max_size=8)
    record = st.fixed_dictionaries({"id": sids, "numbers": st.lists(st.sampled_from(["ABCDEF", "X2Y3Z4", "1", "7", "PH-01"]), max_size=5)})
    data = st.one_of(st.none(), st.fixed_dictionaries({"sessions": st.lists(record, max_size=4), "seeded": st.booleans()}))
    return st.dictionaries(sids, deck, max_size=3), st.lists(data, max_size=3), st.booleans()


def test_check_agrees_with_its_definition():
    """The whole-file check (numbers looked at only as far as needed, sessions' numbers as one
    array) gives the definition's answer and problems, for any ballots and manifest copies."""
    import numpy as np
    from hypothesis import given, settings
    from types import SimpleNamespace

    from tinnhiem.core.problems import Problems
    from tinnhiem.io.manifest import Copy, Manifest, check

    decks_st, copies_st, explicit_st = _manifest_cases()

    @settings(max_examples=300, deadline=None)
    @given(decks_st, copies_st, explicit_st)
    def run(decks, datas, explicit):
        decks = {sid: SimpleNamespace(numbers=np.array(v, dtype=object)) for sid, v in decks.items()}
        copies = [Copy(Path(f"m{k}.json"), d, None if d is None else "x", None if d is not None else "hỏng") for k, d in enumerate(datas)]
        good = [c for c in copies if c.data is not None]
        m = Manifest(good[0].data if good else None, good[0] if good else None, copies, explicit)
        got, want = Problems(), Problems()
        assert check(m, decks, got) == _check_by_definition(m, decks, want)
        assert [p.code for p in got] == [p.code for p in want]
        mismatch = [p.message for p in got if p.code == "MANIFEST_MISMATCH"]
        assert all(f"{w.message} " in g for g, w in zip(mismatch, [p for p in want if p.code == "MANIFEST_MISMATCH"]))

    run()
