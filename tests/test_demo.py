"""`tinnhiem demo` runs every pipeline step on the bundled samples, from scratch each time."""



def test_demo_runs_every_step(cli_subprocess, tmp_path):
    out = tmp_path / "demo"
    r = cli_subprocess("demo", "--out", out, "--json", cwd=tmp_path, timeout=600)
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    doc = r.json
    assert doc["problems"] == []
    steps = [f["step"] for f in doc["files"]]
    assert steps[0] == "eligible"
    for f in doc["files"]:
        assert (out / f["path"]).exists(), f
    # It always starts afresh: a second run replaces the folder without --force.
    (out / "cu.txt").write_text("x")
    r = cli_subprocess("demo", "--out", out, cwd=tmp_path, timeout=600)
    assert r.exit_code == 0, r.stderr
    assert not (out / "cu.txt").exists()


def test_demo_refuses_a_foreign_folder(cli, tmp_path):
    folder = tmp_path / "tai-lieu"
    folder.mkdir()
    (folder / "quan-trong.xlsx").write_text("x")
    r = cli("demo", "--out", folder)
    assert r.exit_code == 2
    assert (folder / "quan-trong.xlsx").exists()


def test_a_failed_step_is_seen_not_passed_over(tmp_path):
    """Commands end with typer.Exit; run in-process without standalone mode, click returns that
    code instead of raising it. The demo must count it as a failed step."""
    from tinnhiem.commands.demo import DemoContext

    ctx = DemoContext(out=tmp_path, samples=tmp_path)
    bad = tmp_path / "sai.csv"
    bad.write_text("a,b\n9,zz\n", encoding="utf-8")  # marks no rule set knows
    assert ctx.invoke("tally", ["tally", str(bad)]) == 1
    assert ctx.invoke("tally", ["tally", str(tmp_path / "khong-co.csv")]) == 2
    assert ctx.failed == [("tally", 1), ("tally", 2)]
