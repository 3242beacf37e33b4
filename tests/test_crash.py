"""The batch killed hard: `dxstudy run` (the real command, in a subprocess and its own process group)
killed with SIGKILL at random points leaves the previous complete outputs/FY2021/ byte for byte,
and the next run takes over the dead run's lock, removes its temporary folders and succeeds; two
real runs of the same fiscal year at once: the second refuses with the lock message."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from batch_helpers import write_data_dir, write_synthetic_notebooks

ROOT = Path(__file__).resolve().parents[1]
#: Kill points: drawn from this seed across the duration of the first complete run.
SEED = 20211
KILLS = 3
#: pids (process-group leaders) of the runs killed by the SIGKILL test, for the temp-dir check.
KILLED: list[int] = []


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Synthetic notebooks, a copy of the FY2021 data, and one complete real-CLI run (the
    "previous outputs") with its wall-clock duration."""
    base = tmp_path_factory.mktemp("crash")
    data = write_data_dir(base / "data")
    nb_dir = write_synthetic_notebooks(base / "notebooks")
    out = base / "outputs"
    tmpdir = base / "tmp"
    tmpdir.mkdir()
    t0 = time.monotonic()
    proc = _start(data, nb_dir, out, tmpdir)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return base, data, nb_dir, out, tmpdir, time.monotonic() - t0


def _start(data: Path, nb_dir: Path, out: Path, tmpdir: Path) -> subprocess.Popen:
    """`python -m dxstudy.cli run` in a new session (its own process group: the workers are in it;
    kernels end when their worker is gone), with TMPDIR pointed at ``tmpdir``."""
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen(
        [sys.executable, "-m", "dxstudy.cli", "run", "--fiscal-year", "2021", "--data-dir", str(data),
         "--out", str(out), "--notebooks-dir", str(nb_dir), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        cwd=ROOT, env=env)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=60)


def _group_gone(pgid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


class _Strict(HTMLParser):
    """Parses a page and records whether it reached </html>."""

    def __init__(self):
        super().__init__()
        self.closed = False

    def handle_endtag(self, tag):
        if tag == "html":
            self.closed = True


def snapshot(run_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(run_dir.iterdir())}


def assert_complete(run_dir: Path) -> dict:
    """run.json valid and ok; index.html and every report's HTML present, parseable, ending with
    </html>; nothing but finished files (no temporary or partial names). Returns run.json."""
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    pages = ["index.html"] + [r["html"] if "html" in r else f"{r['name']}.html" for r in manifest["reports"]]
    assert len(pages) == 8
    for name in pages:
        parser = _Strict()
        parser.feed((run_dir / name).read_text(encoding="utf-8"))
        parser.close()
        assert parser.closed, f"{name} is cut short"
    odd = [p.name for p in run_dir.iterdir()
           if p.name.startswith(".") or p.suffix in (".tmp", ".part") or not p.is_file()]
    assert odd == []
    return manifest


def test_first_run_is_complete(project):
    _base, _data, _nb, out, _tmp, _duration = project
    assert_complete(out / "FY2021")
    assert sorted(p.name for p in out.iterdir()) == ["FY2021"]


def test_sigkill_at_random_points_keeps_the_previous_outputs_and_the_next_run_succeeds(project):
    _base, data, nb_dir, out, tmpdir, duration = project
    rng = random.Random(SEED)
    delays = sorted(rng.uniform(0.3, duration) for _ in range(KILLS))
    previous = snapshot(out / "FY2021")
    seen_leftovers: set[str] = set()
    for delay in delays:
        proc = _start(data, nb_dir, out, tmpdir)
        KILLED.append(proc.pid)
        time.sleep(delay)
        finished = proc.poll() is not None
        _kill_group(proc)
        assert _group_gone(proc.pid), "processes of the killed run are still alive"
        now = snapshot(out / "FY2021")
        if now != previous:
            # Only a run that reached its swap may change FY2021/, and then as a whole new run.
            assert json.loads(now["run.json"])["started_at"] != json.loads(previous["run.json"])["started_at"]
        assert_complete(out / "FY2021")
        previous = now
        seen_leftovers |= {p.name for p in out.iterdir()} - {"FY2021"}
        if not finished:
            # The killed run leaves at most its lock (record and guard) and its temporary run directory.
            assert all(n in (".FY2021.lock", ".FY2021.lock.guard") or n.startswith(".FY2021.tmp-")
                       for n in seen_leftovers), seen_leftovers
    # (a killed run may already have removed the leftovers of the one before it)
    pending = [p.name for p in out.iterdir() if p.name.startswith(".FY2021.tmp-")]
    proc = _start(data, nb_dir, out, tmpdir)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert all(f"中断された実行の残り {name} を削除しました" in stdout for name in pending), stdout
    assert_complete(out / "FY2021")
    # The next complete run cleans up: no lock, no temporary directories of the killed runs.
    assert sorted(p.name for p in out.iterdir()) == ["FY2021"]


def test_killed_runs_scratch_folders_are_removed_by_the_next_run(project):
    """The scratch folders a run keeps in the temp directory (``dxstudy-k-<pid>_*``, kernel
    connection files and sockets inside) survive a SIGKILL; the next run removes those of dead pids.
    Left: only multiprocessing's own ``pymp-*`` folders (a socket, no pid in the name), one per
    killed run at most."""
    import re
    import tempfile

    _base, _data, _nb, _out, tmpdir, _duration = project
    assert KILLED, "run after the SIGKILL test"
    scratch = re.compile(r"^dxstudy-k-(\d+)_\w+$")
    for base in {tmpdir, Path("/tmp"), Path(tempfile.gettempdir())}:
        left = [p.name for p in base.iterdir() if (m := scratch.match(p.name)) and int(m.group(1)) in KILLED]
        assert left == [], base
    others = sorted(p.name for p in tmpdir.iterdir())
    assert all(name.startswith("pymp-") for name in others), others
    assert len(others) <= KILLS
    sizes = [f.stat().st_size for p in tmpdir.iterdir() for f in p.rglob("*") if f.is_file()]
    assert sum(sizes) < 4096  # the forkserver's listener socket at most


def test_second_concurrent_cli_run_is_refused_and_the_first_completes(project, tmp_path):
    base, data, nb_dir, _out, tmpdir, _duration = project
    out = tmp_path / "outputs"
    first = _start(data, nb_dir, out, tmpdir)
    try:
        deadline = time.monotonic() + 60
        while not (out / ".FY2021.lock").exists():
            assert time.monotonic() < deadline and first.poll() is None, "first run never took the lock"
            time.sleep(0.05)
        second = _start(data, nb_dir, out, tmpdir)
        _, err2 = second.communicate(timeout=120)
        assert second.returncode == 2
        assert "この年度の dxstudy run が実行中です" in err2
        assert f"ロックの持ち主: {first.pid} " in err2
        assert "Traceback" not in err2
        _, err1 = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            _kill_group(first)
    assert first.returncode == 0, err1
    assert_complete(out / "FY2021")
    assert sorted(p.name for p in out.iterdir()) == ["FY2021"]


_CONTENDER = """
import sys, time
from pathlib import Path
from dxstudy.batch.publish import BatchLockedError, RunLock
out, go = Path(sys.argv[1]), Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
try:
    with RunLock(out, 2021):
        print("got", flush=True)
        time.sleep(1.5)
except BatchLockedError:
    print("refused", flush=True)
"""


def test_racing_runs_on_a_stale_lock_take_it_over_one_at_a_time(tmp_path):
    """Four processes find the lock of a dead run at the same moment: exactly one gets it (the lock
    is an flock the kernel drops when its holder dies, not only a pid in a file)."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for round_no in range(2):
        out = tmp_path / f"out{round_no}"
        out.mkdir()
        (out / ".FY2021.lock").write_text(f"{dead.pid} {os.uname().nodename}\n")
        go = tmp_path / f"go{round_no}"
        procs = [subprocess.Popen([sys.executable, "-c", _CONTENDER, str(out), str(go)], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True) for _ in range(4)]
        time.sleep(2.0)  # all four imported and waiting
        go.touch()
        answers = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
        assert answers == ["got", "refused", "refused", "refused"], answers
        assert not (out / ".FY2021.lock").exists() and not (out / ".FY2021.lock.guard").exists()
