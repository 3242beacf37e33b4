"""Kernels forked from the zygote behave like freshly launched ones: this Python, the requested
working directory and environment, the preloaded modules only, a clean namespace, and they stop
when shut down."""
from __future__ import annotations

import os
import sys

import pytest
from jupyter_core.utils import run_sync

from dxstudy.batch.workers import KERNEL_ENV, KERNEL_NAME, ThisPythonKernelSpecs, shutdown
from dxstudy.batch.zygote import Zygote, ZygoteKernelManager, short_tempdir


@pytest.fixture(scope="module")
def zygote():
    z = Zygote(("json", "csv"), env={**os.environ, **KERNEL_ENV})
    yield z
    z.close()


def _execute(km, code: str) -> str:
    """Run ``code`` in the kernel and return what it printed."""
    from jupyter_client import AsyncKernelClient  # noqa: F401  (km.client() returns one)

    async def go():
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        out = []
        reply = await kc.execute_interactive(
            code, timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
        kc.stop_channels()
        return reply["content"]["status"], "".join(out)

    status, text = run_sync(go)()
    assert status == "ok", text
    return text


@pytest.fixture(scope="module")
def ipc_dir():
    """A short directory for the kernels' Unix sockets (deleted afterwards)."""
    import shutil

    path = short_tempdir("dxk-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def kernel(zygote, ipc_dir, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("kernel-cwd")
    km = ZygoteKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ThisPythonKernelSpecs(),
                             transport="ipc", ip=os.path.join(ipc_dir, "k"))
    km.zygote = zygote
    run_sync(km.start_kernel)(cwd=str(cwd))
    yield km, cwd
    shutdown(km)


def test_forked_kernel_runs_this_python_in_the_requested_directory(kernel):
    km, cwd = kernel
    out = _execute(km, "import os, sys\nprint(sys.executable)\nprint(os.getcwd())")
    assert out.split("\n")[:2] == [sys.executable, str(cwd)]


def test_forked_kernel_has_the_kernel_environment(kernel):
    km, _cwd = kernel
    out = _execute(km, "import os\nprint(os.environ['PYTHONHASHSEED'], os.environ['JPY_PARENT_PID'] != '')")
    assert out.strip() == "0 True"


def test_forked_kernel_has_preloaded_modules_but_not_pyplot_and_a_clean_namespace(kernel):
    km, _cwd = kernel
    out = _execute(km, "import sys\nprint('csv' in sys.modules, 'matplotlib.pyplot' in sys.modules)\n"
                       "print(sorted(k for k in globals() if not k.startswith('_') and k not in "
                       "('In', 'Out', 'get_ipython', 'exit', 'quit', 'open', 'sys', 'os')))")
    assert out.split("\n")[:2] == ["True False", "[]"]


def test_forked_kernel_is_its_own_process_group(kernel):
    km, _cwd = kernel
    pid = km.provisioner.pid
    assert os.getpgid(pid) == pid


def test_short_tempdir_stays_short_under_a_deep_tmpdir(tmp_path, monkeypatch):
    import tempfile

    deep = tmp_path / ("d" * 60)
    deep.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    path = short_tempdir("dxk-test-")
    try:
        assert len(path) < 40
    finally:
        os.rmdir(path)


def test_shutdown_stops_the_forked_kernel(zygote, ipc_dir, tmp_path):
    km = ZygoteKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ThisPythonKernelSpecs(),
                             transport="ipc", ip=os.path.join(ipc_dir, "k2"))
    km.zygote = zygote
    run_sync(km.start_kernel)(cwd=str(tmp_path))
    pid = km.provisioner.pid
    _execute(km, "print(1)")
    shutdown(km)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_socket_folders_of_killed_runs_are_removed_and_live_ones_kept(tmp_path):
    import subprocess
    import sys

    from dxstudy.batch.zygote import remove_stale_scratch

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = short_tempdir("dxstudy-k-")  # this process: alive
    stale = os.path.join(os.path.dirname(live), f"dxz-{dead.pid}_abc123")
    os.mkdir(stale)
    try:
        removed = remove_stale_scratch()
        assert os.path.basename(stale) in removed and not os.path.exists(stale)
        assert os.path.isdir(live)
    finally:
        os.rmdir(live)
