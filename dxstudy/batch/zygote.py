# Starts Jupyter kernels by forking a process that has already imported ipykernel and the heavy
# libraries, so each notebook of the batch gets a fresh kernel without paying the imports again.
"""Kernel zygote for the fiscal-year batch.

A *zygote* is a Python process (``python dxstudy/kernel_zygote.py``, run as a script so that the
dxstudy package itself is not imported) that imports ipykernel and a list of third-party libraries
once, then waits for requests on a Unix socket (one connection per worker process). For each
request it forks; the child becomes a normal IPython kernel (``ipykernel.kernelapp``, the same code
``python -m ipykernel_launcher`` runs) with the requested connection file, working directory and
environment. The zygote replies with the child's pid. It exits when the process that started it
is gone.

Nothing is executed in the zygote besides imports: no kernel, shell, event loop or ZeroMQ context
exists before the fork, so every kernel starts from the same clean state as a freshly launched one,
only with those modules already in ``sys.modules``. Only libraries whose import has no effect a
notebook could observe are preloaded (see ``dxstudy.batch.types.WARM_IMPORTS``); in particular not
``matplotlib.pyplot`` (which binds a backend) nor project modules.

Used through :class:`ZygoteKernelManager` (a jupyter_client ``AsyncKernelManager`` whose
provisioner asks a :class:`Zygote` instead of spawning a process). Linux/macOS only (``os.fork``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from typing import Any

__all__ = ["Zygote", "ZygoteClient", "ZygoteKernelManager", "main"]

_READY = "dxstudy-zygote-ready"


# --- the zygote process ------------------------------------------------------------------------

def _child(request: dict[str, Any], inherited: list) -> None:
    """In the forked child: become an IPython kernel as described by ``request``; never returns."""
    code = 1
    try:
        for obj in inherited:  # the zygote's listening socket, client connections, selector
            obj.close()
        os.setpgid(0, 0)  # own process group: signals for the kernel do not hit its siblings
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.close(devnull)
        if request.get("cwd"):
            os.chdir(request["cwd"])
        sys.path.insert(0, os.getcwd())  # what `python -m ipykernel_launcher` has as sys.path[0]
        env = request.get("env")
        if env:
            os.environ.clear()
            os.environ.update(env)
        parent = str(os.getppid())
        os.environ["JPY_PARENT_PID"] = parent
        # ipykernel reads JPY_PARENT_PID when it is imported (in the zygote, where it is unset), so
        # say it on the command line: the kernel exits when the zygote is gone.
        sys.argv = ["ipykernel_launcher", *request["args"], f"--IPKernelApp.parent_handle={parent}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # pragma: no cover - reported in the kernel log
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """Zygote process: listen on a Unix socket, preload, then fork one kernel per request line.

    Arguments: ``SOCKET PARENT_PID MODULE...``. On SIGTERM, or when the parent process is gone, kills
    the kernels it forked that are still running, and exits.
    """
    import selectors
    import socket

    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # run as a script: the package directory is not an import root
    argv = sys.argv[1:] if argv is None else argv
    socket_path, parent = argv[0], int(argv[1])
    modules = [m for m in argv[2:] if m]
    children: list[int] = []

    def stop(*_args) -> None:
        """Kill the kernels still running (an interrupted batch), then exit."""
        for pid in children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(0)  # skip tearing down the preloaded libraries

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the batch; it stops us
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    # Listen first: clients may connect at once; their requests wait until the preload is done.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel does
    import importlib

    # The kernel machinery itself (ipykernel.ipkernel also imports debugpy for the debugger).
    for name in ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell"):
        importlib.import_module(name)
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # a missing optional library only costs its import later
            print(f"dxstudy zygote: cannot preload {name}: {exc}", file=sys.stderr)

    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    buffers: dict[Any, bytes] = {}
    while os.getppid() == parent:
        for key, _events in selector.select(timeout=0.5):
            if key.fileobj is listener:
                conn, _addr = listener.accept()
                selector.register(conn, selectors.EVENT_READ)
                buffers[conn] = b""
                continue
            conn = key.fileobj
            data = conn.recv(1 << 16)
            if not data:
                selector.unregister(conn)
                buffers.pop(conn, None)
                conn.close()
                continue
            buffers[conn] += data
            while b"\n" in buffers[conn]:
                line, buffers[conn] = buffers[conn].split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request, [listener, selector, *buffers])
                children.append(pid)
                try:
                    os.setpgid(pid, pid)
                except OSError:
                    pass  # the child already did it (or is gone)
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    stop()  # the process that started us is gone


def _scratch_base() -> str:
    import tempfile

    base = tempfile.gettempdir()
    if len(base) > 40 and os.path.isdir("/tmp"):
        base = "/tmp"
    return base


def short_tempdir(prefix: str) -> str:
    """A new temporary directory ``<prefix><pid>_<random>`` with a short path (Unix socket paths are
    limited to ~100 bytes, and TMPDIR may point somewhere deep, e.g. a test's tmp_path). The pid lets
    :func:`remove_stale_scratch` delete it if this process is killed before it can."""
    import tempfile

    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}_", dir=_scratch_base())


_SCRATCH = re.compile(r"^(?:dxz|dxstudy-k)-(\d+)_\w+$")


def remove_stale_scratch() -> list[str]:
    """Delete the socket directories (:func:`short_tempdir`) of batch processes that no longer
    exist (runs killed with SIGKILL); returns their names."""
    import shutil

    removed = []
    base = _scratch_base()
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        m = _SCRATCH.match(name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(os.path.join(base, name), ignore_errors=True)
        removed.append(name)
    return removed


# --- batch side --------------------------------------------------------------------------------

class Zygote:
    """A zygote process started by this process (``close()`` stops it; its kernels live on until
    they are shut down)."""

    def __init__(self, preload: tuple[str, ...], env: dict[str, str], stderr=None,
                 socket_path: str | None = None):
        self._dir = None
        if socket_path is None:
            self._dir = short_tempdir("dxz-")
            socket_path = os.path.join(self._dir, "zygote.sock")
        self.socket_path = socket_path
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), socket_path, str(os.getpid()), *preload],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            env=env, start_new_session=True,
        )
        self._client: ZygoteClient | None = None

    def launch(self, args: list[str], cwd: str | None, env: dict[str, str]) -> int:
        if self._client is None:
            self._client = ZygoteClient(self.socket_path, self.process)
        return self._client.launch(args, cwd, env)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self.process.kill()
        if self._dir:
            import shutil

            shutil.rmtree(self._dir, ignore_errors=True)


class ZygoteClient:
    """A connection to a zygote's socket (from any process); one request at a time."""

    def __init__(self, socket_path: str, process: subprocess.Popen | None = None, timeout: float = 120):
        self.socket_path = socket_path
        self.process = process
        self.timeout = timeout
        self._lock = threading.Lock()
        self._sock = None
        self._file = None

    def _connect(self) -> None:
        import socket
        import time

        deadline = time.monotonic() + self.timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.socket_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError("kernel zygote exited before listening; see the kernel log") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"kernel zygote at {self.socket_path} did not start") from None
                time.sleep(0.02)
        self._sock = sock
        self._file = sock.makefile("rb")

    def launch(self, args: list[str], cwd: str | None, env: dict[str, str]) -> int:
        """Fork a kernel with ``ipykernel_launcher`` arguments ``args``; return its pid."""
        with self._lock:
            if self._sock is None:
                self._connect()
            self._sock.sendall(json.dumps({"args": args, "cwd": cwd, "env": env}).encode() + b"\n")
            line = self._file.readline()
            if not line:
                raise RuntimeError("kernel zygote exited; see the kernel log")
            return int(json.loads(line)["pid"])

    def close(self) -> None:
        if self._sock is not None:
            self._file.close()
            self._sock.close()
            self._sock = self._file = None


class _ForkedKernelProcess:
    """The part of ``subprocess.Popen`` that jupyter_client's LocalProvisioner uses, for a kernel
    that is a child of the zygote (not of this process)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # pragma: no cover - pid reused by another user
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _provisioner_class():
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class ZygoteProvisioner(LocalProvisioner):
        """LocalProvisioner that forks the kernel from a :class:`Zygote` instead of spawning it."""

        zygote: Zygote | None = None

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            # cmd is [python, "-m", "ipykernel_launcher", *args] as built from the kernel spec.
            args = cmd[3:] if cmd[1:3] == ["-m", "ipykernel_launcher"] else cmd[1:]
            cwd = kwargs.get("cwd")
            pid = self.zygote.launch(args, str(cwd) if cwd else None, dict(kwargs.get("env") or {}))
            self.process = _ForkedKernelProcess(pid)
            self.pid = pid
            self.pgid = pid
            self.cwd = cwd
            return self.connection_info

    return ZygoteProvisioner


def _manager_class():
    from jupyter_client import AsyncKernelManager

    provisioner_class = _provisioner_class()

    class ZygoteKernelManager(AsyncKernelManager):
        """AsyncKernelManager whose kernels are forked by ``zygote`` (set after construction)."""

        zygote: Zygote | None = None

        async def _async_pre_start_kernel(self, **kw: Any):
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            if self.provisioner is None:
                provisioner = provisioner_class(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
                provisioner.zygote = self.zygote
                self.provisioner = provisioner
            return await super()._async_pre_start_kernel(**kw)

    return ZygoteKernelManager


_MANAGER_CLASS = None


def __getattr__(name: str):
    global _MANAGER_CLASS
    if name == "ZygoteKernelManager":
        if _MANAGER_CLASS is None:
            _MANAGER_CLASS = _manager_class()
        return _MANAGER_CLASS
    raise AttributeError(name)


if __name__ == "__main__":
    main()
