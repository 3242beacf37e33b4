# Worker side of the batch: executes one notebook with papermill on a kernel of this very Python
# (pre-started while the previous notebook runs) and exports its HTML; loaded once per worker process.
"""Notebook execution for the fiscal-year batch (runs inside the worker processes).

papermill, nbconvert and the HTML exporter are imported and built once per worker process (workers
are long-lived pool processes; where the platform has a fork server, this module is preloaded there
and the cost is paid once per batch), never once per notebook.
Each notebook gets a fresh kernel; while one notebook runs, the worker starts the kernel for the
next one if more notebooks are waiting than spare kernels exist (see :class:`KernelPool`), so
kernel start-up overlaps with execution.

Kernel: ``sys.executable -m dxstudy.batch.kernel`` (ipykernel without its debugger) — always the
Python of the running environment, whatever kernelspecs exist elsewhere on the machine — with
``PYTHONHASHSEED=0`` so that set and
dict-of-set iteration orders (and therefore outputs) are the same in every run, IPython history
kept in memory (parallel kernels do not fight over one SQLite file), and third-party libraries
without import-time side effects on plotting (:data:`WARM_IMPORTS`) imported at kernel start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

# jsonschema (imported by nbformat) builds ~30 Lark parsers for its optional IRI format checks when
# rfc3987_syntax is installed, which costs about 2 s per process; nothing here validates IRIs.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat  # noqa: E402
import papermill  # noqa: E402
from jupyter_client import AsyncKernelManager  # noqa: E402
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager  # noqa: E402
from jupyter_core.utils import run_sync  # noqa: E402
from papermill.exceptions import PapermillExecutionError  # noqa: E402

from dxstudy.batch.types import KERNEL_ENV, KERNEL_TRANSPORT, WARM_IMPORTS, JobResult, NotebookJob  # noqa: E402
from dxstudy.render.html_export import Stamp, export_report, make_exporter  # noqa: E402
from dxstudy.batch.scratch import SCRATCH_PREFIX, short_tempdir  # noqa: E402
from dxstudy.inputs import confined  # noqa: E402

__all__ = [
    "KERNEL_NAME",
    "KERNEL_TRANSPORT",
    "WARM_IMPORTS",
    "NotebookJob",
    "JobResult",
    "kernel_spec",
    "ThisPythonKernelSpecs",
    "KernelPool",
    "init_worker",
    "run_job",
]

KERNEL_NAME = "python3"


def kernel_spec(warm_imports: tuple[str, ...] = WARM_IMPORTS) -> KernelSpec:
    """Kernel spec for ``sys.executable`` (the environment running the batch)."""
    argv = [
        sys.executable, "-m", "dxstudy.batch.kernel", "-f", "{connection_file}",
        "--HistoryManager.hist_file=:memory:",
    ]
    if warm_imports:
        modules = ", ".join(repr(m) for m in warm_imports)
        argv.append(f"--IPKernelApp.exec_lines=None if [__import__(m) for m in ({modules},)] else None")
    return KernelSpec(
        argv=argv,
        display_name="Python 3 (dxstudy batch)",
        language="python",
        env=dict(KERNEL_ENV),
        metadata={"debugger": False},
    )


class ThisPythonKernelSpecs(KernelSpecManager):
    """Resolves every kernel name to :func:`kernel_spec` (never a user-level kernelspec)."""

    def __init__(self, warm_imports: tuple[str, ...] = (), **kwargs):
        super().__init__(**kwargs)
        self.warm_imports = tuple(warm_imports)

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:  # noqa: D102
        return kernel_spec(self.warm_imports)

    def find_kernel_specs(self) -> dict[str, str]:  # noqa: D102
        return {KERNEL_NAME: str(Path(sys.executable).parent)}


class KernelPool:
    """Fresh kernels on demand, with at most one spare started ahead per worker.

    Each kernel is ``python -m dxstudy.batch.kernel`` (ipykernel without its debugger) importing
    ``preload`` at start, talking over :data:`KERNEL_TRANSPORT`; its connection file lives in
    ``ipc_dir`` (one short folder per run, deleted with it; the pool makes and deletes its own
    when none is given). ``counters`` is a shared ``multiprocessing.Array('i', 2)``:
    ``[waiting_jobs, spare_kernels]`` across all workers; a worker starts a spare only while more
    jobs wait than spares exist.
    """

    def __init__(self, cwd: str, log_path: str | None, counters=None,
                 preload: tuple[str, ...] = WARM_IMPORTS, ipc_dir: str | None = None):
        self.cwd = cwd
        self.log_path = log_path
        self.counters = counters
        self.specs = ThisPythonKernelSpecs(tuple(preload))
        self.spare: AsyncKernelManager | None = None
        self.spare_cwd: str | None = None
        self._owns_ipc_dir = ipc_dir is None
        self.ipc_dir = ipc_dir if ipc_dir is not None else short_tempdir(SCRATCH_PREFIX)
        self._started = 0

    def _log(self):
        return open(self.log_path, "ab") if self.log_path else open(os.devnull, "wb")

    def fresh(self, cwd: str) -> AsyncKernelManager:
        """A kernel started now for ``cwd`` (no spare bookkeeping; also to retry a job whose kernel died)."""
        self._started += 1
        base = os.path.join(self.ipc_dir, f"{os.getpid()}-{self._started}")
        # The connection file goes with the sockets (deleted with the run's scratch folder).
        where = dict(transport=KERNEL_TRANSPORT, connection_file=base + ".json")
        if KERNEL_TRANSPORT == "ipc":
            where["ip"] = base
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=self.specs, **where)
        with self._log() as log:
            run_sync(km.start_kernel)(cwd=cwd, stdout=subprocess.DEVNULL, stderr=log)
        return km

    def maybe_start_spare(self) -> None:
        """Start a kernel for a later job if jobs are waiting that no spare will take."""
        if self.spare is not None or self.counters is None:
            return
        with self.counters.get_lock():
            waiting, spares = self.counters[0], self.counters[1]
            if waiting <= spares:
                return
            self.counters[1] = spares + 1
        self.spare, self.spare_cwd = self.fresh(self.cwd), self.cwd

    def take(self, cwd: str) -> AsyncKernelManager:
        """A started kernel whose working directory is ``cwd`` (the spare if it fits)."""
        if self.counters is not None:
            with self.counters.get_lock():
                self.counters[0] = self.counters[0] - 1
                if self.spare is not None:
                    self.counters[1] = self.counters[1] - 1
        km, spare_cwd = self.spare, self.spare_cwd
        self.spare = self.spare_cwd = None
        if km is not None and spare_cwd != cwd:
            shutdown(km)
            km = None
        return km if km is not None else self.fresh(cwd)

    def close(self) -> None:
        if self.spare is not None:
            shutdown(self.spare)
            self.spare = None
        if self._owns_ipc_dir:
            shutil.rmtree(self.ipc_dir, ignore_errors=True)


def shutdown(km: AsyncKernelManager) -> None:
    """Stop a kernel immediately (its work is done or no longer needed)."""
    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
        else:
            run_sync(km.cleanup_resources)()
    except Exception:  # pragma: no cover - a kernel that is already gone
        pass


# --- per-worker state --------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def warm_exporter() -> None:
    """Build this process's HTML exporter and render a tiny notebook once (compiles the templates,
    loads the CSS). Called in the fork server where there is one (workers inherit the warm
    exporter), else once in each spawned worker."""
    exporter = make_exporter()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 準備\n\n## 節")])
    export_report(nb, exporter, stamp=Stamp(fiscal_year=2021), notebook="warm-up.ipynb")
    _WORKER["exporter"] = exporter


def init_worker(cwd: str, log_path: str | None, counters=None,
                preload: tuple[str, ...] = WARM_IMPORTS, ipc_dir: str | None = None) -> None:
    """Process-pool initializer: build the exporter once, start the first kernel."""
    pool = KernelPool(cwd, log_path, counters, preload=preload, ipc_dir=ipc_dir)
    if "exporter" not in _WORKER:  # built in the fork server (dxstudy.batch.preload) where there is one
        warm_exporter()
    _WORKER["pool"] = pool
    pool.maybe_start_spare()
    # Worker processes end with os._exit(): atexit does not run there, multiprocessing finalizers do.
    from multiprocessing.util import Finalize

    Finalize(pool, pool.close, exitpriority=10)


def _worker_state(cwd: str) -> tuple[Any, KernelPool]:
    if "exporter" not in _WORKER:
        init_worker(cwd, None)
    return _WORKER["exporter"], _WORKER["pool"]


#: Times a notebook is tried on a fresh kernel when its kernel dies before answering kernel_info.
KERNEL_START_ATTEMPTS = 3


def _died_at_start(exc: BaseException) -> bool:
    """A kernel that died before answering ``kernel_info``. Over TCP (Windows) another process can
    take a port jupyter_client picked before the kernel binds it; a fresh kernel gets new ports."""
    return isinstance(exc, RuntimeError) and "before replying to kernel_info" in str(exc)


def _describe_error(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, PapermillExecutionError):
        cell = f"セル {exc.exec_count}" if exc.exec_count else f"セル番号 {exc.cell_index}"
        one_line = f"{exc.ename}: {exc.evalue}（{cell}）"
        return one_line, "\n".join(exc.traceback or [])
    return f"{type(exc).__name__}: {exc}", traceback.format_exc()


def run_job(job: NotebookJob, run_dir: str, stamp: Stamp) -> JobResult:
    """Execute ``job`` into ``run_dir/<name>.ipynb`` and export ``run_dir/<name>.html``.

    Never raises for a notebook error: a failing notebook gives a ``"failed"`` result, its executed
    notebook (with papermill's error cell) is kept, and its HTML is written with a failure banner
    when nbconvert can render it.
    """
    t0 = time.perf_counter()
    exporter, pool = _worker_state(str(Path(job.notebook).parent))
    out_ipynb = confined(run_dir, job.name, ".ipynb", what="report name")
    out_html = confined(run_dir, job.name, ".html", what="report name")
    result = JobResult(
        name=job.name, title=job.title, notebook=Path(job.notebook).name,
        parameters=dict(job.parameters), status="ok",
    )
    cwd = str(Path(job.notebook).parent)
    km = pool.take(cwd)
    pool.maybe_start_spare()
    t1 = time.perf_counter()
    result.kernel_wait_s = t1 - t0
    nb = None
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                nb = papermill.execute_notebook(
                    job.notebook,
                    str(out_ipynb),
                    parameters=dict(job.parameters),
                    kernel_name=KERNEL_NAME,
                    km=km,
                    progress_bar=False,
                    log_output=False,
                    request_save_on_cell_execute=False,
                )
            except Exception as exc:  # a cell's error, kernel died, bad notebook file, ...
                if _died_at_start(exc) and attempt < KERNEL_START_ATTEMPTS:
                    shutdown(km)
                    km = pool.fresh(cwd)
                    continue
                result.status = "failed"
                result.error, result.error_detail = _describe_error(exc)
            break
    finally:
        shutdown(km)
    t2 = time.perf_counter()
    result.execute_s = t2 - t1
    if nb is None and out_ipynb.exists():
        try:
            nb = nbformat.read(out_ipynb, as_version=4)
        except Exception:  # pragma: no cover - unreadable partial file
            nb = None
    if out_ipynb.exists():
        result.ipynb = out_ipynb.name
    if nb is not None:
        try:
            page = export_report(
                nb, exporter, stamp=stamp, notebook=result.notebook,
                parameters_label=job.parameters_label, title=job.title,
                error=result.error if result.status != "ok" else None,
            )
            out_html.write_text(page, encoding="utf-8")
            result.html = out_html.name
        except Exception as exc:
            if result.status == "ok":
                result.status = "failed"
                result.error, result.error_detail = _describe_error(exc)
                result.error = "HTML 出力に失敗: " + result.error
    result.export_s = time.perf_counter() - t2
    result.duration_s = time.perf_counter() - t0
    return result
