# Starts Jupyter kernels by forking a process that has already imported ipykernel and the heavy
# libraries, so each notebook of the batch gets a fresh kernel without paying the imports again.
"""Kernel zygote for the fiscal-year batch.

A *zygote* is a Python process (``python dxstudy/kernel_zygote.py``, run as a script so that the
dxstudy package itself is not imported) that imports ipykernel and a
list of third-party libraries once, then waits on its stdin for requests. For each request it
forks; the child becomes a normal IPython kernel (``ipykernel.kernelapp``, the same code
``python -m ipykernel_launcher`` runs) with the requested connection file, working directory and
environment. The parent replies with the child's pid.

Nothing is executed in the zygote besides imports: no kernel, shell, event loop or ZeroMQ context
exists before the fork, so every kernel starts from the same clean state as a freshly launched one,
only with those modules already in ``sys.modules``. Only libraries whose import has no effect a
notebook could observe are preloaded (see ``dxstudy.batch_types.WARM_IMPORTS``); in particular not
``matplotlib.pyplot`` (which binds a backend) nor project modules.

Used through :class:`ZygoteKernelManager` (a jupyter_client ``AsyncKernelManager`` whose
provisioner asks a :class:`Zygote` instead of spawning a process). Linux/macOS only (``os.fork``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from typing import Any

__all__ = ["Zygote", "ZygoteKernelManager", "main"]

_READY = "dxstudy-zygote-ready"


# --- the zygote process ------------------------------------------------------------------------

def _child(request: dict[str, Any]) -> None:
    """In the forked child: become an IPython kernel as described by ``request``; never returns."""
    code = 1
    try:
        os.setpgid(0, 0)  # own process group: signals for the kernel do not hit its siblings
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)  # the zygote's request pipe and reply pipe are not the kernel's
        os.dup2(devnull, 1)
        os.close(devnull)
        if request.get("cwd"):
            os.chdir(request["cwd"])
        sys.path.insert(0, os.getcwd())  # what `python -m ipykernel_launcher` has as sys.path[0]
        env = request.get("env")
        if env:
            os.environ.clear()
            os.environ.update(env)
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        sys.argv = ["ipykernel_launcher", *request["args"]]
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


def main() -> None:
    """Zygote loop: preload, say ready, then fork one kernel per JSON request line on stdin."""
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # run as a script: the package directory is not an import root
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch ends us by closing stdin
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel does
    modules = [m for m in sys.argv[1:] if m]
    import importlib

    # The kernel machinery itself (ipykernel.ipkernel also imports debugpy for the debugger).
    for name in ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell"):
        importlib.import_module(name)
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # a missing optional library only costs its import later
            print(f"dxstudy zygote: cannot preload {name}: {exc}", file=sys.stderr)
    reply = os.fdopen(os.dup(1), "w", buffering=1)
    requests = os.fdopen(os.dup(0), "r")
    reply.write(_READY + "\n")
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            requests.close()
            reply.close()
            _child(request)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # the child already did it (or is gone)
        reply.write(json.dumps({"pid": pid}) + "\n")


# --- worker side -------------------------------------------------------------------------------

class Zygote:
    """Client for one zygote process (start it early; it preloads in the background)."""

    def __init__(self, preload: tuple[str, ...], env: dict[str, str], stderr=None):
        self._lock = threading.Lock()
        self._ready = False
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), *preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
            env=env, text=True, bufsize=1, start_new_session=True,
        )

    def launch(self, args: list[str], cwd: str | None, env: dict[str, str]) -> int:
        """Fork a kernel with ``ipykernel_launcher`` arguments ``args``; return its pid."""
        with self._lock:
            if not self._ready:
                line = self.process.stdout.readline().strip()
                if line != _READY:
                    raise RuntimeError(f"kernel zygote did not start (said {line!r}); see the kernel log")
                self._ready = True
            self.process.stdin.write(json.dumps({"args": args, "cwd": cwd, "env": env}) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("kernel zygote exited; see the kernel log")
            return int(json.loads(line)["pid"])

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.process.kill()


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
