# The batch's worker processes as the main process sees them: which start method (forkserver where the
# platform has it, else spawn), starting and stopping the pool, and SIGTERM handled like Ctrl-C.
"""Worker-process plumbing of the fiscal-year batch (main-process side; never imports papermill)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import types
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dxstudy.batch.types import JobResult, NotebookJob

if TYPE_CHECKING:
    from dxstudy.render.html_export import Stamp

__all__ = [
    "Terminated",
    "mp_context",
    "start_pool",
    "submit_job",
    "terminate_pool",
    "sigterm_raises",
    "cpu_count",
]


class Terminated(BaseException):
    """SIGTERM during a run (handled like Ctrl-C: clean up, then stop)."""


# Worker entry points. They import dxstudy.batch.workers (papermill, nbconvert) only inside the
# workers — where a fork server has preloaded it, or once per spawned worker.
def _init_worker(*args: Any) -> None:
    from dxstudy.batch.workers import init_worker

    init_worker(*args)


def _ping() -> int:
    return os.getpid()


def _run_job(job: NotebookJob, run_dir: str, stamp: Stamp) -> JobResult:
    from dxstudy.batch.workers import run_job

    return run_job(job, run_dir, stamp)


def mp_context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where the platform offers it (workers are forked from a server that imported
    papermill and nbconvert and warmed the HTML exporter once), else ``spawn`` (Windows: each
    worker imports them once, when it starts)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["dxstudy.batch.workers", "dxstudy.batch.preload"])
        return ctx
    return multiprocessing.get_context("spawn")


@contextmanager
def _workers_without_main():
    """Start worker processes without re-running the caller's ``__main__`` in them.

    multiprocessing's spawn/forkserver children normally re-import the parent's main script (to
    find functions defined there); a script calling ``run_batch`` without an
    ``if __name__ == "__main__":`` guard would then run the batch again inside every worker. Our
    workers only run dxstudy functions, so the main module is hidden while they are started.
    """
    real_main = sys.modules.get("__main__")
    stub = types.ModuleType("__main__")
    stub.__spec__ = None
    sys.modules["__main__"] = stub
    try:
        yield
    finally:
        if real_main is not None:
            sys.modules["__main__"] = real_main


def start_pool(n_workers: int, n_jobs: int, initargs: tuple) -> tuple[ProcessPoolExecutor, Any]:
    """A pool of ``n_workers`` processes, all started now (one ping each), and the shared counters
    ``[notebooks waiting, spare kernels]`` they use to start kernels ahead. ``initargs`` go to
    ``dxstudy.batch.workers.init_worker`` after the counters' place: (cwd, kernel log, preload,
    scratch folder)."""
    ctx = mp_context()
    counters = ctx.Array("i", [n_jobs, 0])
    cwd, log_path, preload, scratch = initargs
    pool = ProcessPoolExecutor(
        max_workers=n_workers, mp_context=ctx, initializer=_init_worker,
        initargs=(cwd, log_path, counters, preload, scratch),
    )
    with _workers_without_main():
        for _ in range(n_workers):
            pool.submit(_ping)
    return pool, counters


def submit_job(pool: ProcessPoolExecutor, job: NotebookJob, run_dir: str, stamp: Stamp):
    """Run one notebook on the pool; the future's result is its :class:`JobResult`."""
    return pool.submit(_run_job, job, run_dir, stamp)


def terminate_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose notebooks must not finish (Ctrl-C, SIGTERM, an error in the batch)."""
    processes = dict(getattr(pool, "_processes", None) or {})  # not public API; fine if missing
    for process in processes.values():
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def sigterm_raises():
    """SIGTERM during a run raises :class:`Terminated` (cleaned up like Ctrl-C)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cpu_count() -> int:
    """CPUs this process may use (respects affinity/container limits where the OS tells)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1
