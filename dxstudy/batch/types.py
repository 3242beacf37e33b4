# The two records the batch passes between its main process and its workers: a notebook run to do
# (NotebookJob) and what came of it (JobResult). Kept apart so the main process never imports papermill.
"""Plan and result records of the fiscal-year batch."""

from __future__ import annotations

import os
import socket
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["NotebookJob", "JobResult", "WARM_IMPORTS", "KERNEL_ENV", "KERNEL_TRANSPORT"]

# Imported by every kernel at start, before any notebook code (dxstudy.batch.workers.kernel_spec).
# None of them changes rcParams or other state a notebook could observe; not matplotlib.pyplot or
# matplotlib_inline (they bind the plotting backend to the IPython shell, which must exist first),
# not project modules (dxstudy, matplotlib_fontja): their import-time effects happen where the
# notebook imports them.
WARM_IMPORTS = (
    "numpy", "pandas", "matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg",
    "networkx", "openpyxl",
)
# Environment of every kernel: a fixed hash seed, so that set and dict-of-set iteration orders (and
# therefore outputs) are the same in every run; no debugger file-validation warning (should a
# notebook import debugpy itself).
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    # One BLAS thread per kernel: kernels already run in parallel, and sums come out the same.
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
#: ZeroMQ transport between a worker and its kernels: Unix sockets where the platform has them (local
#: only, no TCP port races between parallel kernels), else TCP on 127.0.0.1 (Windows).
KERNEL_TRANSPORT = "ipc" if os.name == "posix" and hasattr(socket, "AF_UNIX") else "tcp"


@dataclass(frozen=True)
class NotebookJob:
    """One notebook run of the batch plan.

    ``name``: output base name (``theme-telework`` → ``theme-telework.html``/``.ipynb``);
    ``notebook``: absolute path of the source notebook; ``parameters``: papermill parameters;
    ``title``: Japanese title for the page and the index; ``parameters_label``: parameters as shown
    to readers (without machine-specific paths); ``when``: name of a condition in
    ``dxstudy.batch.plan.CONDITIONS`` that must hold (checked after the tables are built), or ``None``.
    """

    name: str
    notebook: str
    parameters: dict[str, Any]
    title: str
    parameters_label: str = ""
    when: str | None = None


@dataclass
class JobResult:
    """Outcome of one :class:`NotebookJob`.

    ``status`` is ``"ok"`` or ``"failed"``; ``error`` a one-line description (exception name,
    message, cell) when failed; ``html``/``ipynb`` file names relative to the run directory (``None``
    when not written); ``duration_s`` wall time in the worker, split into ``kernel_wait_s``,
    ``execute_s`` and ``export_s``.
    """

    name: str
    title: str
    notebook: str
    parameters: dict[str, Any]
    status: str
    html: str | None = None
    ipynb: str | None = None
    error: str | None = None
    error_detail: str | None = None
    duration_s: float = 0.0
    kernel_wait_s: float = 0.0
    execute_s: float = 0.0
    export_s: float = 0.0
    worker_pid: int = field(default_factory=os.getpid)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
