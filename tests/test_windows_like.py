"""The batch on a Windows-like Python: `python -m dxstudy run` on the real FY2021 data in a process tree
where tests/windows_like/sitecustomize.py took away fcntl, os.fork, the fork and forkserver start
methods, os.pread/pwrite/killpg and Unix sockets, completes with the same reports as a normal run."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from batch_helpers import ROOT, real_batch, real_notebooks_present, write_data_dir
from dxstudy.render.html_export import strip_stamp

WINDOWS_LIKE = Path(__file__).resolve().parent / "windows_like"

_PROBE = """
import json, multiprocessing, os, socket, sys
def refuses(method):
    try:
        multiprocessing.get_context(method)
    except ValueError:
        return True
    return False
try:
    import fcntl
    has_fcntl = True
except ImportError:
    has_fcntl = False
try:
    socket.socket(1, socket.SOCK_STREAM)
    unix_socket = True
except OSError:
    unix_socket = False
print(json.dumps({
    "fcntl": has_fcntl,
    "os": sorted(n for n in ("fork", "forkpty", "pread", "pwrite", "killpg", "register_at_fork") if hasattr(os, n)),
    "start_methods": multiprocessing.get_all_start_methods(),
    "refuses_fork": refuses("fork"), "refuses_forkserver": refuses("forkserver"),
    "AF_UNIX": hasattr(socket, "AF_UNIX"), "unix_socket": unix_socket,
    "socketpair": len(socket.socketpair()),
}))
"""


def windows_like_env(**extra: str) -> dict[str, str]:
    """This environment with tests/windows_like first on PYTHONPATH (inherited by every child)."""
    path = os.pathsep.join(p for p in (str(WINDOWS_LIKE), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def test_the_windows_like_python_lacks_what_windows_lacks():
    probe = subprocess.run([sys.executable, "-c", _PROBE], env=windows_like_env(),
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert seen == {"fcntl": False, "os": [], "start_methods": ["spawn"], "refuses_fork": True,
                    "refuses_forkserver": True, "AF_UNIX": False, "unix_socket": False, "socketpair": 2}


def test_a_normal_python_has_them():
    """The same probe without the sitecustomize: the check above can fail."""
    probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60)
    seen = json.loads(probe.stdout)
    assert seen["fcntl"] and "fork" in seen["os"] and "forkserver" in seen["start_methods"]
    assert seen["AF_UNIX"] and seen["unix_socket"]


def visible_text(page: str) -> str:
    """What a reader sees of a report page, without the run stamp, styles and scripts."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", strip_stamp(page), flags=re.S | re.I)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.mark.skipif(not real_notebooks_present(), reason="the project's notebooks are not in the repository")
def test_real_batch_through_the_cli_on_a_windows_like_python_makes_the_same_reports(tmp_path):
    normal, _base = real_batch()
    assert normal.ok, normal.summary()
    data = write_data_dir(tmp_path / "data")
    if (ROOT / "data" / "external").is_dir():
        shutil.copytree(ROOT / "data" / "external", data / "external")
    out = tmp_path / "outputs"
    proc = subprocess.run(
        [sys.executable, "-m", "dxstudy", "run", "--fiscal-year", "2021", "--data-dir", str(data),
         "--out", str(out)],
        env=windows_like_env(), cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    run_dir = out / "FY2021"
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert manifest["platform"]["workers"] == "spawn" and manifest["platform"]["kernel_transport"] == "tcp"
    assert sorted(p.name for p in out.iterdir()) == ["FY2021"]  # no lock, guard or temporary run left
    pages = sorted(p.name for p in run_dir.glob("*.html"))
    assert pages == sorted(p.name for p in normal.output_dir.glob("*.html"))
    differing = [name for name in pages if name != "index.html"
                 and visible_text((run_dir / name).read_text(encoding="utf-8"))
                 != visible_text((normal.output_dir / name).read_text(encoding="utf-8"))]
    assert differing == []
