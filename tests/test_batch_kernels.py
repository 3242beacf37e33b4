# A notebook whose kernel dies before answering (on Windows' TCP transport another process can take a
# port between its choice and the kernel's bind) is run again on a fresh kernel, with real kernels.
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_core.utils import run_sync

from dxstudy.batch import workers
from dxstudy.batch.types import NotebookJob
from dxstudy.render.html_export import Stamp


class _DyingSpecs(KernelSpecManager):
    """A kernel that exits at once, as one whose port was taken does."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:  # noqa: D102
        return KernelSpec(argv=[sys.executable, "-c", "import sys; sys.exit(3)"], display_name="dies",
                          language="python")


class _PoolWhoseKernelsDie(workers.KernelPool):
    """Hands out ``dying`` dead kernels first, then real ones."""

    def __init__(self, *args, dying: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.dying = dying
        self.handed = 0

    def fresh(self, cwd: str) -> AsyncKernelManager:
        self.handed += 1
        if self.handed > self.dying:
            return super().fresh(cwd)
        km = AsyncKernelManager(kernel_name="dies", kernel_spec_manager=_DyingSpecs())
        run_sync(km.start_kernel)(cwd=cwd)
        return km


def _notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 試験"),
                                         nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell("print(x + 1)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def pool_factory(monkeypatch, tmp_path):
    made = []

    def make(dying: int) -> _PoolWhoseKernelsDie:
        pool = _PoolWhoseKernelsDie(str(tmp_path), None, preload=(), dying=dying)
        monkeypatch.setitem(workers._WORKER, "pool", pool)
        monkeypatch.setitem(workers._WORKER, "exporter", workers.make_exporter())
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.close()


def _run(tmp_path: Path) -> workers.JobResult:
    job = NotebookJob(name="probe", notebook=str(_notebook(tmp_path)), title="試験", parameters={"x": 41})
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    return workers.run_job(job, str(run_dir), Stamp(fiscal_year=2021))


def test_a_kernel_that_dies_at_start_is_replaced_and_the_notebook_runs(pool_factory, tmp_path):
    pool = pool_factory(dying=workers.KERNEL_START_ATTEMPTS - 1)
    result = _run(tmp_path)
    assert result.status == "ok", result.error
    assert pool.handed == workers.KERNEL_START_ATTEMPTS
    executed = nbformat.read(tmp_path / "run" / "probe.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "42\n"


def test_kernels_that_keep_dying_fail_the_notebook_with_the_reason(pool_factory, tmp_path):
    pool = pool_factory(dying=workers.KERNEL_START_ATTEMPTS)
    result = _run(tmp_path)
    assert result.status == "failed"
    assert "kernel_info" in result.error
    assert pool.handed == workers.KERNEL_START_ATTEMPTS
