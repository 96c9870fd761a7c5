"""A stop asked for (Ctrl+C, SIGTERM) is remembered: if the KeyboardInterrupt it raised was
swallowed on its way, the run still stops before its outputs are moved into place
(tinnhiem.stop)."""

from __future__ import annotations

import pytest

from tinnhiem import stop
from tinnhiem.io.atomic import atomic_path
from tinnhiem.io.outputs import OutputSet


@pytest.fixture
def stop_asked():
    stop.request()
    try:
        yield
    finally:
        stop._requested = False


def test_a_remembered_stop_prevents_the_commit(tmp_path, stop_asked):
    target = tmp_path / "kq"
    with pytest.raises(KeyboardInterrupt):
        with OutputSet(target) as out:
            out.path("a.txt").write_text("x", encoding="utf-8")
            out.commit()
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_a_remembered_stop_prevents_replacing_a_file(tmp_path, stop_asked):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"new")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_without_a_stop_the_commit_goes_through(tmp_path):
    assert not stop.requested()
    with OutputSet(tmp_path / "kq") as out:
        out.path("a.txt").write_text("x", encoding="utf-8")
        out.commit()
    assert (tmp_path / "kq" / "a.txt").read_text(encoding="utf-8") == "x"


def test_the_staging_folder_is_named_before_it_is_made(tmp_path, monkeypatch):
    """An interruption just as the staging folder is made leaves nothing behind: the folder
    has its name before os.mkdir returns."""
    import os

    import tinnhiem.io.outputs as outputs

    real = os.mkdir

    def interrupted(path, mode=0o777):
        real(path, mode)
        raise KeyboardInterrupt  # as if the signal arrived the moment the folder was made

    monkeypatch.setattr(outputs.os, "mkdir", interrupted)
    with pytest.raises(KeyboardInterrupt):
        with OutputSet(tmp_path / "kq"):
            pass
    assert list(tmp_path.iterdir()) == []
