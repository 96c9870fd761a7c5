"""`tinnhiem status`: units x steps of a working folder, deadlines and exit codes."""

from __future__ import annotations

import json

from result_books import person, write_result

TC, NV = "Sở Tài chính", "Sở Nội vụ"


def workdir(root, sent=(TC,), consolidated=False, requests=None):
    """Sở Tài chính (meets 15/01) and Sở Nội vụ (14/01), both planned and printed; results for
    the units in `sent`."""
    state = root / "tinnhiem-ho-so"
    state.mkdir(parents=True, exist_ok=True)
    sessions = [{"id": "so-tai-chinh", "unit": TC, "route": "workplace", "meeting_date": "2019-01-15", "rated": [], "voters": []},
                {"id": "so-noi-vu", "unit": NV, "route": "workplace", "meeting_date": "2019-01-14", "rated": [], "voters": []}]
    docs = {
        "inputs.json": {"roster": "danh-sach.xlsx", "rules": "builtin:cantho-2019"},
        "eligible.json": {"rules": "cantho-2019", "people": [
            {"id": "TC02", "unit": TC, "route": "workplace", "rated": True, "meeting_date": "2019-01-15"},
            {"id": "NV01", "unit": NV, "route": "workplace", "rated": True, "meeting_date": "2019-01-14"}]},
        "sessions.json": {"rules": "cantho-2019", "rules_source": "builtin:cantho-2019", "sessions": sessions},
        "ballot-manifest.json": {"rules": "cantho-2019", "numbered": False, "sessions": [
            {"id": "so-tai-chinh", "unit": TC, "printed": 30, "spares": 2, "numbers": None},
            {"id": "so-noi-vu", "unit": NV, "printed": 30, "spares": 2, "numbers": None}]},
        "results.json": {"sessions": [{"id": "so-tai-chinh", "unit": TC, "report_date": "2019-01-17"}]},
    }
    if requests is not None:
        docs["requests.json"] = {"register": "yeu-cau.xlsx", "requests": requests}
    for name, doc in docs.items():
        (state / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for unit in sent:
        sid = "so-tai-chinh" if unit == TC else "so-noi-vu"
        write_result(root / "tinnhiem-ket-qua" / f"ket-qua-{sid}.xlsx", unit, sid, [person("X", "X", "X", "b", 1, 1, 1)])
    if consolidated:
        (state / "consolidated.json").write_text(json.dumps({"units": [{"unit": u, "status": "received"} for u in sent]},
                                                            ensure_ascii=False), encoding="utf-8")
    return root


def units(doc):
    return {u["unit"]: u for u in doc["units"]}


def test_before_deadlines_exit_0(cli, tmp_path):
    workdir(tmp_path)
    r = cli("status", tmp_path, "--as-of", "13/01/2019", "--json")
    assert r.exit_code == 0, r.stderr
    u = units(r.json)
    tc, nv = u[TC], u[NV]
    assert all(tc["steps"][s]["done"] for s in ("roster", "sessions", "ballots", "counted", "sent"))
    assert tc["steps"]["consolidated"]["done"] is False and tc["next"] == "consolidated"
    assert tc["steps"]["consolidated"]["due"] == "2019-01-30" and tc["steps"]["consolidated"]["days_left"] == 17
    assert nv["steps"]["counted"]["done"] is False and nv["next"] == "counted"
    assert nv["steps"]["sent"]["due"] == "2019-01-18" and nv["steps"]["sent"]["days_left"] == 5
    assert nv["steps"]["counted"]["days_left"] == 1
    assert "DEADLINE_SOON" in {p["code"] for p in r.json["problems"]}
    assert [x["unit"] for x in r.json["units"]] == [NV, TC]  # by meeting date


def test_exit_codes_around_the_unit_deadline(cli, tmp_path):
    workdir(tmp_path, sent=(TC,))
    # Sở Nội vụ met on 14/01 and has no result: counting is overdue from 15/01 on.
    r = cli("status", "--workdir", tmp_path, "--as-of", "14/01/2019", "--json")
    assert r.exit_code == 0
    r = cli("status", "--workdir", tmp_path, "--as-of", "15/01/2019", "--json")
    assert r.exit_code == 1
    late = [p for p in r.json["problems"] if p["code"] == "DEADLINE_PASSED"]
    assert [p["unit"] for p in late] == [NV]
    # Once it is counted and sent, the unit deadline (18/01) is what matters.
    workdir(tmp_path, sent=(TC, NV))
    assert cli("status", tmp_path, "--as-of", "18/01/2019").exit_code == 0
    r = cli("status", tmp_path, "--as-of", "31/01/2019", "--json")  # the City deadline (30/01) has passed
    assert r.exit_code == 1
    assert units(r.json)[TC]["overdue"] == ["consolidated"]
    workdir(tmp_path, sent=(TC, NV), consolidated=True)
    r = cli("status", tmp_path, "--as-of", "31/01/2019")
    assert r.exit_code == 0, r.stderr
    assert "2 đã xong mọi bước" in " ".join(r.stdout.split())


def test_open_requests(cli, tmp_path):
    reqs = [{"row": 2, "person_id": "TC02", "name": "Lê Thị Hồng Nhung", "session_id": "so-tai-chinh", "unit": TC,
             "status": "open", "due": "2019-01-12"},
            {"row": 3, "person_id": "NV01", "session_id": "so-noi-vu", "unit": NV, "status": "answered", "due": "2019-01-11"}]
    workdir(tmp_path, requests=reqs)
    r = cli("status", tmp_path, "--as-of", "12/01/2019", "--json")
    assert r.exit_code == 0
    assert [q["person_id"] for q in r.json["requests"]] == ["TC02"]
    assert units(r.json)[TC]["open_requests"] == 1
    r = cli("status", tmp_path, "--as-of", "13/01/2019", "--json")
    assert r.exit_code == 1
    p = next(p for p in r.json["problems"] if p["code"] == "REQUEST_OVERDUE")
    assert p["file"] == "yeu-cau.xlsx" and p["row"] == 2


def test_absent_and_broken_records_are_tolerated(cli, tmp_path):
    r = cli("status", tmp_path, "--as-of", "13/01/2019", "--json")
    assert r.exit_code == 0
    assert r.json["units"] == [] and "WORKDIR_EMPTY" in {p["code"] for p in r.json["problems"]}
    state = tmp_path / "tinnhiem-ho-so"
    state.mkdir()
    (state / "sessions.json").write_text("{không phải json", encoding="utf-8")
    (state / "eligible.json").write_text(json.dumps({"people": [{"unit": TC, "route": "workplace", "rated": True,
                                                                   "meeting_date": "2019-01-15"}]}), encoding="utf-8")
    (state / "ballot-manifest.json").write_text(json.dumps({"sessions": "sai kiểu"}), encoding="utf-8")
    r = cli("status", tmp_path, "--as-of", "10/01/2019", "--json")
    assert r.exit_code == 0, r.stderr
    tc = units(r.json)[TC]
    assert tc["sessions"] == ["so-tai-chinh"] and tc["steps"]["roster"]["done"] and not tc["steps"]["sessions"]["done"]
    assert tc["steps"]["sessions"]["due"] == "2019-01-10" and tc["next"] == "sessions"
    # ... and an overdue plan step is exit 1.
    assert cli("status", tmp_path, "--as-of", "11/01/2019").exit_code == 1


def test_status_subprocess_human_view(cli_subprocess, tmp_path):
    workdir(tmp_path)
    r = cli_subprocess("status", "--as-of", "20/01/2019", cwd=tmp_path)
    assert r.exit_code == 1
    assert "1 có việc quá hạn" in r.stdout and "DEADLINE_PASSED" in r.stderr and "Sở Nội vụ" in r.stderr
    assert "Traceback" not in r.stderr
