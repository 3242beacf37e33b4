"""The swap of a finished run into outputs/FY2021/ and the clean-up after killed runs."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dxstudy.batch.publish import recover_interrupted, swap_into_place, temp_run_dir


def _dir(path, files: dict[str, str]):
    path.mkdir(parents=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_swap_replaces_the_previous_run_as_a_whole(tmp_path):
    _dir(tmp_path / "FY2021", {"index.html": "old", "overview.html": "old"})
    new = _dir(tmp_path / ".FY2021.tmp-1", {"index.html": "new"})
    swap_into_place(new, tmp_path / "FY2021")
    assert {p.name: p.read_text() for p in (tmp_path / "FY2021").iterdir()} == {"index.html": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FY2021"]


def test_swap_into_an_empty_output_folder(tmp_path):
    new = _dir(tmp_path / ".FY2021.tmp-1", {"index.html": "new"})
    swap_into_place(new, tmp_path / "FY2021")
    assert (tmp_path / "FY2021" / "index.html").read_text() == "new"


def test_recover_restores_the_previous_run_after_a_swap_killed_halfway(tmp_path):
    pid = _dead_pid()
    _dir(tmp_path / f".FY2021.old-{pid}", {"index.html": "previous"})
    _dir(tmp_path / f".FY2021.tmp-{pid}", {"index.html": "unfinished"})
    notes = recover_interrupted(tmp_path, 2021)
    assert (tmp_path / "FY2021" / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FY2021"]
    assert any("元に戻しました" in n for n in notes)


def test_recover_keeps_the_temporary_run_of_a_live_process(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _dir(tmp_path / f".FY2021.tmp-{live.pid}", {"index.html": "running"})
        recover_interrupted(tmp_path, 2021)
        assert (tmp_path / f".FY2021.tmp-{live.pid}").is_dir()
    finally:
        live.kill()
        live.wait()


def test_temp_run_dir_is_a_hidden_sibling_named_after_this_process(tmp_path):
    path = temp_run_dir(tmp_path, 2021)
    assert path.name == f".FY2021.tmp-{os.getpid()}" and path.is_dir() and not any(path.iterdir())


def test_swap_retries_while_a_file_is_held_open(tmp_path, monkeypatch):
    """Windows refuses to rename a folder while a file in it is open (tables.xlsx in Excel): the
    rename is retried until the file is closed."""
    from dxstudy import inputs

    real_replace, refusals = os.replace, []

    def held_open_twice(src, dst):
        if len(refusals) < 2:
            refusals.append(src)
            raise PermissionError(13, "The process cannot access the file", str(src))
        real_replace(src, dst)

    monkeypatch.setattr(inputs.os, "replace", held_open_twice)
    _dir(tmp_path / "FY2021", {"index.html": "old"})
    new = _dir(tmp_path / ".FY2021.tmp-1", {"index.html": "new"})
    swap_into_place(new, tmp_path / "FY2021")
    assert len(refusals) == 2 and (tmp_path / "FY2021" / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FY2021"]


def test_swap_gives_up_with_a_japanese_message_and_keeps_the_previous_run(tmp_path, monkeypatch):
    from dxstudy import inputs

    def always_held_open(src, dst):
        raise PermissionError(13, "The process cannot access the file", str(src))

    _dir(tmp_path / "FY2021", {"index.html": "old"})
    new = _dir(tmp_path / ".FY2021.tmp-1", {"index.html": "new"})
    monkeypatch.setattr(inputs, "REPLACE_RETRY_S", 0.2)
    monkeypatch.setattr(inputs.os, "replace", always_held_open)
    with pytest.raises(inputs.FileInUseError, match="他のプログラム（Excel など）で開かれています"):
        inputs.replace_path(new, tmp_path / "FY2021", retry_s=0.2)
    assert (tmp_path / "FY2021" / "index.html").read_text() == "old"
