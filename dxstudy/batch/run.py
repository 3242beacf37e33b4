# The fiscal-year batch behind `dxstudy run --fiscal-year 2021`: lock the year, build the tables, run
# every notebook of the plan on the worker pool, write index.html and run.json, swap into place.
"""The fiscal-year batch.

:func:`run_batch` does, for one fiscal year:

1. takes the per-year lock ``<out>/.FY2021.lock`` (a second run for the same year refuses);
2. builds the tables: ``dxstudy.tables.build.build_processed`` → ``<data>/processed/FY2021/``;
3. executes the plan (:func:`~dxstudy.batch.plan.build_plan`: overview, the theme notebook once
   per theme of ``dxstudy/reference/themes.csv``, conclusions) with papermill in a pool of worker
   processes (``jobs``, default the number of CPUs), each notebook on a fresh kernel of this
   Python, and exports each to HTML (:mod:`dxstudy.render.html_export`) — all into a hidden
   directory ``<out>/.FY2021.tmp-<pid>/``;
4. writes ``index.html`` and ``run.json`` (:mod:`dxstudy.batch.record`);
5. if every notebook succeeded, swaps the directory into ``<out>/FY2021/`` (the previous complete
   run stays readable until then) and removes an old ``<out>/FY2021.failed/``; if any notebook
   failed, the run goes to ``<out>/FY2021.failed/`` instead and ``<out>/FY2021/`` is left as it
   was — a failed or interrupted run never replaces or half-writes the last complete one.

One failing notebook does not stop the others; its executed notebook (with papermill's error cell)
and a failure-marked HTML are kept, and the result's status is ``"failed"`` (CLI exit status 1).
"""

from __future__ import annotations

import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TextIO

from dxstudy.batch import pool as workers_pool
from dxstudy.batch import record
from dxstudy.batch.plan import (
    CONDITIONS,
    REPORTS,
    BatchError,
    ReportSpec,
    build_plan,
    check_plan,
)
from dxstudy.batch.publish import (
    BatchLockedError,
    RunLock,
    failed_dir,
    recover_interrupted,
    swap_into_place,
    temp_run_dir,
)
from dxstudy.batch.record import BatchResult
from dxstudy.batch.scratch import remove_stale_scratch, short_tempdir
from dxstudy.batch.types import KERNEL_TRANSPORT, WARM_IMPORTS, JobResult, NotebookJob
from dxstudy.errors import DxstudyError
from dxstudy.inputs import check_fiscal_year
from dxstudy.paths import outputs_dir, raw_dir, year_dir_name
from dxstudy.render.html_export import Stamp

__all__ = [
    "BatchError",
    "BatchLockedError",
    "BatchResult",
    "NotebookJob",
    "ReportSpec",
    "REPORTS",
    "build_plan",
    "run_batch",
]


def _default_build_tables(fiscal_year: int, data_dir: Path) -> dict:
    from dxstudy.tables.build import build_processed

    return build_processed(fiscal_year, data_dir)


class _Progress:
    """One line per step or finished notebook on stderr (or a given stream, or nowhere)."""

    def __init__(self, enabled: bool | TextIO):
        if enabled is True:
            self.stream: TextIO | None = sys.stderr
        elif enabled:
            self.stream = enabled  # a file-like object
        else:
            self.stream = None
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.stream is not None:
            print(f"[{time.perf_counter() - self.t0:5.1f}s] {message}", file=self.stream, flush=True)


def run_batch(
    fiscal_year: int,
    data_dir: str | Path = "data",
    out: str | Path = "outputs",
    jobs: int | None = None,
    notebooks_dir: str | Path | None = None,
    progress: bool | TextIO = True,
    *,
    plan: list[NotebookJob] | None = None,
    build_tables: Callable[[int, Path], dict] | None = None,
    preload: tuple[str, ...] | None = None,
) -> BatchResult:
    """Run the batch of one fiscal year (see the module docstring for the steps).

    ``data_dir`` and ``out`` are resolved against the current directory. ``plan`` replaces
    :func:`build_plan` and ``build_tables`` replaces ``dxstudy.tables.build.build_processed`` (tests and
    analysts' variants). ``preload``: modules every kernel imports at start, before the notebook
    (default ``dxstudy.batch.types.WARM_IMPORTS``). Raises :class:`BatchError` for bad inputs and
    :class:`BatchLockedError` if another run of the same fiscal year is active; notebook failures
    do not raise (see :attr:`BatchResult.status`).
    """
    run = _Run(
        fiscal_year=check_fiscal_year(fiscal_year), data_dir=Path(data_dir).resolve(),
        out_dir=Path(out).resolve(),
        say=_Progress(progress), build_tables=build_tables or _default_build_tables,
        preload=tuple(WARM_IMPORTS if preload is None else preload),
    )
    run.check(plan, notebooks_dir, jobs, custom_tables=build_tables is not None)
    lock = RunLock(run.out_dir, run.fiscal_year)
    lock.acquire()
    with workers_pool.sigterm_raises():
        try:
            return run.execute()
        finally:
            run.stop()
            lock.release()


@dataclass
class _Run:
    """The state of one batch run, step by step (used by :func:`run_batch`)."""

    fiscal_year: int
    data_dir: Path
    out_dir: Path
    say: Callable[[str], None]
    build_tables: Callable[[int, Path], dict]
    preload: tuple[str, ...]
    plan: list[NotebookJob] = field(default_factory=list)
    n_workers: int = 1
    tmp: Path | None = None
    pool: ProcessPoolExecutor | None = None
    counters: Any = None
    scratch: str | None = None
    start_method: str = ""
    notes: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    @property
    def raw(self) -> Path:
        return raw_dir(self.fiscal_year, self.data_dir)

    @property
    def final_dir(self) -> Path:
        return outputs_dir(self.fiscal_year, self.out_dir)

    @property
    def failed_dir(self) -> Path:
        return failed_dir(self.fiscal_year, self.out_dir)

    @property
    def kernel_log(self) -> Path:
        return self.tmp / "kernels.log"

    def check(self, plan, notebooks_dir, jobs, custom_tables: bool) -> None:
        """Validate the inputs before anything is started (BatchError names what is wrong)."""
        fy = year_dir_name(self.fiscal_year)
        if not self.data_dir.is_dir():
            raise BatchError(f"{self.data_dir}: データフォルダが見つかりません（data/ と同じ構成で、"
                             f"中に raw/{fy}/ があるフォルダを指定してください）")
        if not custom_tables and not self.raw.is_dir():
            raise BatchError(f"{self.raw}: {self.fiscal_year} 年度（{fy}）の元データがここにあるはずですが、"
                             f"このフォルダがありません")
        self.plan = list(plan) if plan is not None else build_plan(self.fiscal_year, self.data_dir, notebooks_dir)
        check_plan(self.plan)
        if jobs is not None and int(jobs) < 1:
            raise BatchError(f"--jobs: 同時に実行するノートブックの数は 1 以上のはずですが、{jobs} でした")
        self.n_workers = max(1, min(jobs or workers_pool.cpu_count(), len(self.plan)))

    def execute(self) -> BatchResult:
        self.notes = recover_interrupted(self.out_dir, self.fiscal_year)
        stale = remove_stale_scratch()
        if stale:
            self.notes.append(f"中断された実行の一時フォルダ {len(stale)} 個を削除しました")
        started = datetime.now().astimezone()
        t0 = time.perf_counter()
        self.tmp = temp_run_dir(self.out_dir, self.fiscal_year)
        # The tables are built in a thread while the worker processes start (they import papermill
        # and nbconvert) and start their first kernels.
        self.say(f"FY{self.fiscal_year}: {self.raw} から表を作成中")
        tables_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dxstudy-tables")
        tables_future = tables_thread.submit(self.tables_step)
        tables_thread.shutdown(wait=False)
        self.start_workers()
        inputs, tables = self.tables_result(tables_future)
        self.say(f"表の準備完了（{len(tables)} ファイル）。ノートブック {len(self.plan)} 件を "
                 f"{self.n_workers} プロセスで実行します")
        stamp = Stamp(
            fiscal_year=self.fiscal_year, inputs=inputs, rules_version=record.rules_version(),
            dxstudy_version=record.dxstudy_version(),
            run_started=started.strftime("%Y-%m-%d %H:%M:%S %z"),
        )
        reports = self.run_plan(stamp)
        status = "ok" if all(r.status == "ok" for r in reports) else "failed"
        duration = time.perf_counter() - t0
        manifest = record.manifest(
            fiscal_year=self.fiscal_year, status=status, started_at=started.isoformat(timespec="seconds"),
            duration_s=duration, jobs=self.n_workers, data_dir=self.data_dir, inputs=inputs,
            tables=tables, rules=stamp.rules_version, version=stamp.dxstudy_version, reports=reports,
            skipped=self.skipped,
            platform={"os": sys.platform, "workers": self.start_method, "kernel_transport": KERNEL_TRANSPORT},
        )
        record.write_record(self.tmp, manifest, self.kernel_log)
        output_dir = self.publish(status)
        self.say(f"終了: {status}（{duration:.1f} 秒）→ {output_dir}")
        return BatchResult(
            fiscal_year=self.fiscal_year, status=status, output_dir=output_dir,
            final_dir=self.final_dir, reports=reports, started_at=manifest["started_at"],
            duration_s=duration, manifest=manifest, notes=self.notes,
        )

    def start_workers(self) -> None:
        """The worker pool, every worker started now; kernels' connection files go to a scratch
        folder of this run (removed by the next run if this one is killed)."""
        self.scratch = short_tempdir()
        self.start_method = workers_pool.mp_context().get_start_method()
        self.pool, self.counters = workers_pool.start_pool(
            self.n_workers, len(self.plan),
            (str(Path(self.plan[0].notebook).parent), str(self.kernel_log), self.preload, self.scratch),
        )

    def tables_step(self) -> tuple[dict, dict[str, tuple[bool, str]]]:
        """Build the year's tables, then decide the conditions of optional reports (which may
        build more tables, e.g. the previous year's for 前年度比較)."""
        info = self.build_tables(self.fiscal_year, self.data_dir)
        decisions = {name: CONDITIONS[name](self.fiscal_year, self.data_dir)
                     for name in sorted({j.when for j in self.plan if j.when})}
        return info, decisions

    def tables_result(self, future) -> tuple[list[dict[str, str]], list[str]]:
        """Wait for :meth:`tables_step`; drop optional reports whose condition does not hold."""
        try:
            info, decisions = future.result()
        except DxstudyError:
            raise
        except Exception as exc:
            raise BatchError(f"{self.raw}: {self.fiscal_year} 年度の表を作れませんでした: "
                             f"{type(exc).__name__}: {exc}") from exc
        inputs, tables = record.inputs_and_tables(info, self.data_dir)
        kept = []
        for job in self.plan:
            holds, reason = decisions.get(job.when, (True, "")) if job.when else (True, "")
            if holds:
                kept.append(job)
            else:
                self.skipped.append({"name": job.name, "title": job.title, "reason": reason})
                self.notes.append(f"{job.name}（{job.title}）は作成しません: {reason}")
        if any(j.when == "previous_year" for j in kept):
            previous = record.year_inputs(self.fiscal_year - 1, self.data_dir)
            inputs += [i for i in previous if i not in inputs]
        if len(kept) != len(self.plan):
            self.plan = kept
            with self.counters.get_lock():
                self.counters[0] = len(kept)  # workers start no spare kernel for dropped reports
        return inputs, tables

    def run_plan(self, stamp: Stamp) -> list[JobResult]:
        """Every notebook of the plan on the workers, longest first (by the previous run's times);
        one progress line per finished notebook. Results in plan order."""
        previous = record.previous_durations(self.final_dir)
        order = sorted(range(len(self.plan)), key=lambda i: -previous.get(self.plan[i].name, 0.0))
        futures = {workers_pool.submit_job(self.pool, self.plan[i], str(self.tmp), stamp): i
                   for i in order}
        results: list[JobResult | None] = [None] * len(self.plan)
        for done, fut in enumerate(as_completed(futures), start=1):
            job = self.plan[futures[fut]]
            try:
                res = fut.result()
            except BrokenProcessPool as exc:
                res = record.crashed(job, f"ワーカープロセスが終了しました: {exc}")
            except Exception as exc:  # an error in the batch machinery itself
                res = record.crashed(job, f"{type(exc).__name__}: {exc}")
            results[futures[fut]] = res
            mark = "ok" if res.status == "ok" else "FAILED"
            tail = "" if res.status == "ok" else f" — {res.error}"
            self.say(f"[{done}/{len(self.plan)}] {mark:6} {res.name} ({res.duration_s:.1f} s){tail}")
        self.pool.shutdown(wait=True)
        self.pool = None
        return [r for r in results if r is not None]

    def publish(self, status: str) -> Path:
        """A complete run replaces FY2021/ (and removes an old FY2021.failed/); a failed one goes to
        FY2021.failed/, leaving FY2021/ as it was."""
        if status == "ok":
            swap_into_place(self.tmp, self.final_dir)
            if self.failed_dir.exists():
                shutil.rmtree(self.failed_dir, ignore_errors=True)
                self.notes.append(f"以前の失敗した実行 {self.failed_dir.name}/ を削除しました")
            target = self.final_dir
        else:
            swap_into_place(self.tmp, self.failed_dir)
            target = self.failed_dir
        self.tmp = None
        return target

    def stop(self) -> None:
        """After a run, or on interruption/error: stop workers and kernels, delete the temporary run."""
        if self.pool is not None:  # interrupted or failed: stop the workers now, running notebooks too
            workers_pool.terminate_pool(self.pool)
            self.pool = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
