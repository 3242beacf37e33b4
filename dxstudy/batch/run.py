# The fiscal-year batch behind `dxstudy run --fiscal-year 2021`: build the tables, run every notebook
# of the plan in parallel with papermill, export HTML, write index.html and run.json, swap into place.
"""The fiscal-year batch.

:func:`run_batch` does, for one fiscal year:

1. takes the per-year lock ``<out>/.FY2021.lock`` (a second run for the same year refuses);
2. builds the tables: ``dxstudy.tables.build.build_processed`` → ``<data>/processed/FY2021/``;
3. executes the plan (:func:`build_plan`: overview, the theme notebook once per theme of
   ``dxstudy/reference/themes.csv``, conclusions) with papermill in a pool of worker processes
   (``jobs``, default the number of CPUs), each notebook on a fresh kernel of this Python, and
   exports each to HTML (:mod:`dxstudy.render.html_export`) — all into a hidden directory
   ``<out>/.FY2021.tmp-<pid>/``;
4. writes ``index.html`` and ``run.json`` (what was run: fiscal year, input files and hashes,
   rules version, dxstudy version, start time, duration, every report and its status);
5. if every notebook succeeded, swaps the directory into ``<out>/FY2021/`` (the previous complete
   run stays readable until then) and removes an old ``<out>/FY2021.failed/``; if any notebook
   failed, the run goes to ``<out>/FY2021.failed/`` instead and ``<out>/FY2021/`` is left as it
   was — a failed or interrupted run never replaces or half-writes the last complete one.

One failing notebook does not stop the others; its executed notebook (with papermill's error cell)
and a failure-marked HTML are kept, and the result's status is ``"failed"`` (CLI exit status 1).
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import shutil
import signal
import sys
import time
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TextIO

from dxstudy.batch.types import KERNEL_ENV, WARM_IMPORTS, JobResult, NotebookJob
from dxstudy.errors import DxstudyError
from dxstudy.paths import outputs_dir, processed_dir, raw_dir
from dxstudy.render.html_export import Stamp, fiscal_year_label, render_index
from dxstudy.inputs import InputError, check_fiscal_year, fiscal_year_arg, safe_name
from dxstudy.batch.publish import (
    BatchLockedError,
    RunLock,
    recover_interrupted,
    run_dir_name,
    swap_into_place,
    temp_run_dir,
)

__all__ = [
    "BatchError",
    "BatchLockedError",
    "BatchResult",
    "NotebookJob",
    "ReportSpec",
    "REPORTS",
    "build_plan",
    "run_batch",
    "add_run_command",
    "run_command",
]

PACKAGE_DIR = Path(__file__).resolve().parents[1]
THEMES_CSV = PACKAGE_DIR / "reference" / "themes.csv"


class BatchError(DxstudyError):
    """The batch cannot start or cannot build its inputs (bad paths, missing notebooks, ...)."""


# Worker entry points. They import dxstudy.batch.workers (papermill, nbconvert) only inside the workers,
# where the fork server has preloaded it; the main process never imports papermill.
def _init_worker(*args) -> None:
    from dxstudy.batch.workers import init_worker

    init_worker(*args)


def _ping() -> int:
    return os.getpid()


def _run_job(job: NotebookJob, run_dir: str, stamp: Stamp) -> JobResult:
    from dxstudy.batch.workers import run_job

    return run_job(job, run_dir, stamp)


@dataclass(frozen=True)
class ReportSpec:
    """One kind of report: ``notebook`` (file in the notebooks directory), output ``name`` (or
    ``name-<theme>`` when ``per_theme``), its Japanese ``title``, and ``when``: the name of a
    condition in :data:`CONDITIONS` for reports that are only made for some years."""

    name: str
    notebook: str
    title: str
    per_theme: bool = False
    when: str | None = None


#: The reports of a fiscal year, in the order of the index page.
REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec("overview", "overview.ipynb", "概要"),
    ReportSpec("theme", "theme.ipynb", "テーマ別", per_theme=True),
    ReportSpec("conclusions", "conclusions.ipynb", "結論・次年度に向けた提言（案）"),
    ReportSpec("year_over_year", "year_over_year.ipynb", "前年度比較", when="previous_year"),
)


def _previous_year_ready(fiscal_year: int, data_dir: Path) -> tuple[bool, str]:
    """前年度比較 needs the processed tables of the year before (built from its raw data if needed)."""
    from dxstudy.tables.build import ensure_processed

    if ensure_processed(fiscal_year - 1, data_dir):
        return True, ""
    return False, f"no tables or raw data of FY{fiscal_year - 1} in {data_dir}"


#: Conditions of optional reports: name → function(fiscal_year, data_dir) → (holds, reason if not).
#: Evaluated after the year's tables are built, in the same step.
CONDITIONS: dict[str, Callable[[int, Path], tuple[bool, str]]] = {
    "previous_year": _previous_year_ready,
}


def _themes(themes_csv: Path = THEMES_CSV) -> list[dict[str, str]]:
    with open(themes_csv, encoding="utf-8-sig", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row.get("theme")]


def default_notebooks_dir() -> Path:
    """The project's ``notebooks/`` (next to the package in a source checkout), else ``./notebooks``."""
    beside = PACKAGE_DIR.parent / "notebooks"
    return beside if beside.is_dir() else Path.cwd() / "notebooks"


def build_plan(
    fiscal_year: int,
    data_dir: str | Path,
    notebooks_dir: str | Path | None = None,
    reports: tuple[ReportSpec, ...] = REPORTS,
    themes_csv: Path = THEMES_CSV,
) -> list[NotebookJob]:
    """The notebook runs of a fiscal year: one :class:`NotebookJob` per report (per theme for the
    theme notebook). Parameters passed: ``fiscal_year`` (int), ``data_dir`` (absolute path), and
    ``theme`` for per-theme reports. Optional reports (``when``) are included when their notebook
    exists; whether they run is decided after the tables are built."""
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    nb_dir = nb_dir.resolve()
    data_abs = str(Path(data_dir).resolve())
    jobs: list[NotebookJob] = []
    for spec in reports:
        notebook = str(nb_dir / spec.notebook)
        if spec.when and not Path(notebook).is_file():
            continue  # an optional report whose notebook this folder does not have
        base = {"fiscal_year": int(fiscal_year), "data_dir": data_abs}
        if spec.per_theme:
            for theme in _themes(themes_csv):
                jobs.append(NotebookJob(
                    name=f"{spec.name}-{theme['theme']}",
                    notebook=notebook,
                    parameters={**base, "theme": theme["theme"]},
                    title=f"{spec.title}: {theme['label_ja']}",
                    parameters_label=f"fiscal_year={int(fiscal_year)}, theme={theme['theme']}",
                ))
        else:
            jobs.append(NotebookJob(
                name=spec.name, notebook=notebook, parameters=base, title=spec.title,
                parameters_label=f"fiscal_year={int(fiscal_year)}", when=spec.when,
            ))
    return jobs


@dataclass
class BatchResult:
    """What a batch run did.

    ``status``: ``"ok"`` (every report made, now in ``output_dir`` = ``<out>/FY2021``) or
    ``"failed"`` (some report failed; this run is in ``output_dir`` = ``<out>/FY2021.failed`` and
    ``<out>/FY2021`` was not touched). ``reports``: one :class:`JobResult` per notebook run, in plan
    order. ``manifest``: the content of ``run.json``.
    """

    fiscal_year: int
    status: str
    output_dir: Path
    final_dir: Path
    reports: list[JobResult]
    started_at: str
    duration_s: float
    manifest: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.reports if r.status != "ok"]

    def summary(self) -> str:
        """A one-screen summary: one line per report, the failures and where the outputs are."""
        n_ok = sum(r.status == "ok" for r in self.reports)
        lines = [
            f"dxstudy run — {fiscal_year_label(self.fiscal_year)}: "
            f"{len(self.reports)} reports, {n_ok} ok, {len(self.reports) - n_ok} failed, "
            f"{self.duration_s:.1f} s",
        ]
        width = max((len(r.name) for r in self.reports), default=10)
        for r in self.reports:
            mark = "ok    " if r.status == "ok" else "FAILED"
            lines.append(f"  {mark} {r.name:<{width}}  {r.duration_s:5.1f} s  {r.title}")
            if r.status != "ok":
                lines.append(f"         {r.error}")
                if r.ipynb:
                    lines.append(f"         executed notebook: {self.output_dir / r.ipynb}")
        lines.append(f"index: {self.output_dir / 'index.html'}")
        if not self.ok:
            if self.final_dir.exists():
                lines.append(f"the previous complete run was kept in {self.final_dir}/")
            else:
                lines.append(f"no complete run exists yet in {self.final_dir}/")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# --- helpers -----------------------------------------------------------------------------------

def _dxstudy_version() -> str:
    try:
        from importlib.metadata import version

        return version("dxstudy")
    except Exception:
        try:
            import dxstudy

            return str(getattr(dxstudy, "__version__", "n/a"))
        except Exception:  # pragma: no cover
            return "n/a"


def _rules_version() -> str:
    """``dxstudy.coding.rules_version()``, or ``"n/a"`` while the coding layer does not exist."""
    try:
        from dxstudy import coding
    except ModuleNotFoundError as exc:
        if exc.name in ("dxstudy.coding",):
            return "n/a"
        raise
    fn = getattr(coding, "rules_version", None)
    return str(fn()) if callable(fn) else "n/a"


def _default_build_tables(fiscal_year: int, data_dir: Path) -> dict:
    from dxstudy.tables.build import build_processed

    return build_processed(fiscal_year, data_dir)


def _relative(path: str | Path, base: Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def _inputs_and_tables(info: dict | None, data_dir: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Normalise what the tables step returned: inputs [{path, sha256}] and table paths, relative
    to the data directory."""
    info = info or {}
    raw_inputs = info.get("inputs") or []
    if isinstance(raw_inputs, dict):
        raw_inputs = [{"path": k, "sha256": v} for k, v in raw_inputs.items()]
    inputs = [{"path": _relative(i["path"], data_dir), "sha256": str(i["sha256"])} for i in raw_inputs]
    raw_tables = info.get("tables") or []
    if isinstance(raw_tables, dict):
        raw_tables = list(raw_tables.values())
    tables = [_relative(t, data_dir) for t in raw_tables]
    return inputs, tables


def _year_inputs(fiscal_year: int, data_dir: Path) -> list[dict[str, str]]:
    """Files a year's tables come from, with SHA-256: ``raw/FY<year>/**`` (or, without raw data,
    the processed CSV tables), paths relative to the data directory."""
    import hashlib

    files = sorted(p for p in (raw_dir(fiscal_year, data_dir)).rglob("*") if p.is_file())
    if not files:
        files = sorted((processed_dir(fiscal_year, data_dir)).glob("*.csv"))
    return [{"path": _relative(p, data_dir), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
            for p in files]


def _previous_durations(final_dir: Path) -> dict[str, float]:
    """Durations of the reports in the last complete run (to start the longest first)."""
    try:
        manifest = json.loads((final_dir / "run.json").read_text(encoding="utf-8"))
        return {r["name"]: float(r["duration_s"]) for r in manifest.get("reports", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


class _Progress:
    """One line per finished notebook on stderr (or nowhere)."""

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


class _Terminated(BaseException):
    """SIGTERM during a run (handled like Ctrl-C: clean up, then stop)."""


@contextmanager
def _workers_without_main():
    """Start worker processes without re-running the caller's ``__main__`` in them.

    multiprocessing's spawn/forkserver children normally re-import the parent's main script (to
    find functions defined there); a script calling :func:`run_batch` without an
    ``if __name__ == "__main__":`` guard would then run the batch again inside every worker. Our
    workers only run dxstudy functions, so the main module is hidden while they are started.
    """
    import types

    real_main = sys.modules.get("__main__")
    stub = types.ModuleType("__main__")
    stub.__spec__ = None
    sys.modules["__main__"] = stub
    try:
        yield
    finally:
        if real_main is not None:
            sys.modules["__main__"] = real_main


def _mp_context():
    ctx = multiprocessing.get_context("forkserver")
    # Imported once in the fork server; every worker is forked with papermill and nbconvert loaded
    # and the HTML exporter built and warmed.
    ctx.set_forkserver_preload(["dxstudy.batch.workers", "dxstudy.batch.preload"])
    return ctx


# --- the batch ---------------------------------------------------------------------------------

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
    kernel_mode: str = "zygote",
) -> BatchResult:
    """Run the batch of one fiscal year (see the module docstring for the steps).

    ``data_dir`` and ``out`` are resolved against the current directory. ``plan`` replaces
    :func:`build_plan` and ``build_tables`` replaces ``dxstudy.tables.build.build_processed`` (tests and
    analysts' variants). ``preload``: modules every kernel has imported before the notebook starts
    (default ``dxstudy.batch.types.WARM_IMPORTS``); ``kernel_mode``: ``"zygote"`` (kernels forked
    from a process that preloaded them, the fast default) or ``"spawn"`` (one ``python -m
    ipykernel_launcher`` per notebook). Raises :class:`BatchError` for bad inputs and
    :class:`BatchLockedError` if another run of the same fiscal year is active; notebook failures
    do not raise (see :attr:`BatchResult.status`).
    """
    run = _Run(
        fiscal_year=check_fiscal_year(fiscal_year), data_dir=Path(data_dir).resolve(),
        out_dir=Path(out).resolve(),
        say=_Progress(progress), build_tables=build_tables or _default_build_tables,
        preload=tuple(WARM_IMPORTS if preload is None else preload), kernel_mode=kernel_mode,
    )
    run.check(plan, notebooks_dir, jobs, custom_tables=build_tables is not None)
    lock = RunLock(run.out_dir, run.fiscal_year)
    lock.acquire()
    with _sigterm_raises():
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
    kernel_mode: str
    plan: list[NotebookJob] = field(default_factory=list)
    n_workers: int = 1
    tmp: Path | None = None
    pool: ProcessPoolExecutor | None = None
    zygote: Any = None
    counters: Any = None
    ipc_dir: str | None = None
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
        return self.out_dir / f"{run_dir_name(self.fiscal_year)}.failed"

    def check(self, plan, notebooks_dir, jobs, custom_tables: bool) -> None:
        """Validate the inputs before anything is started (BatchError names what is wrong)."""
        fy = run_dir_name(self.fiscal_year)
        if not self.data_dir.is_dir():
            raise BatchError(f"{self.data_dir}: data directory not found (expected a folder laid out "
                             f"like data/, with raw/{fy}/ inside)")
        if not custom_tables and not self.raw.is_dir():
            raise BatchError(f"{self.raw}: expected the raw inputs of fiscal year {self.fiscal_year} "
                             f"here, found no such directory")
        self.plan = list(plan) if plan is not None else build_plan(self.fiscal_year, self.data_dir, notebooks_dir)
        if not self.plan:
            raise BatchError("the batch plan is empty: nothing to run")
        names = [j.name for j in self.plan]
        for name in names:
            try:
                safe_name(name, "report name")
            except InputError as exc:  # e.g. a theme id "../../x" in themes.csv
                raise BatchError(f"batch plan: {exc}") from None
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})[0]
            raise BatchError(f"batch plan: expected one report per output name, found {dup!r} twice")
        missing = sorted({j.notebook for j in self.plan if not Path(j.notebook).is_file()})
        if missing:
            raise BatchError(f"{missing[0]}: notebook not found (expected the notebooks of the batch "
                             f"plan; use --notebooks-dir to point at them)")
        if jobs is not None and int(jobs) < 1:
            raise BatchError(f"--jobs: expected a positive number of parallel notebooks, found {jobs}")
        unknown = sorted({j.when for j in self.plan if j.when and j.when not in CONDITIONS})
        if unknown:
            raise BatchError(f"batch plan: unknown condition {unknown[0]!r} (expected one of "
                             f"{', '.join(sorted(CONDITIONS))})")
        if self.kernel_mode not in ("zygote", "spawn"):
            raise BatchError(f"kernel mode: expected 'zygote' or 'spawn', found {self.kernel_mode!r}")
        self.n_workers = max(1, min(jobs or _cpu_count(), len(self.plan)))

    def execute(self) -> BatchResult:
        from dxstudy.batch.zygote import remove_stale_scratch

        self.notes = recover_interrupted(self.out_dir, self.fiscal_year)
        stale = remove_stale_scratch()
        if stale:
            self.notes.append(f"removed {len(stale)} socket folder(s) of killed runs from the temp directory")
        started = datetime.now().astimezone()
        t0 = time.perf_counter()
        self.tmp = temp_run_dir(self.out_dir, self.fiscal_year)
        if self.kernel_mode == "zygote":
            self.start_zygote()
        # The tables are built in a thread while the worker processes start (starting them blocks
        # until the fork server has imported papermill and nbconvert) and preload their kernels.
        self.say(f"FY{self.fiscal_year}: building tables from {self.raw}")
        tables_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dxstudy-tables")
        tables_future = tables_thread.submit(self.tables_step)
        tables_thread.shutdown(wait=False)
        self.start_workers()
        inputs, tables = self.tables_result(tables_future)
        self.say(f"tables ready ({len(tables)} files); running {len(self.plan)} notebooks on "
                 f"{self.n_workers} workers")
        stamp = Stamp(
            fiscal_year=self.fiscal_year, inputs=inputs, rules_version=_rules_version(),
            dxstudy_version=_dxstudy_version(), run_started=started.strftime("%Y-%m-%d %H:%M:%S %z"),
        )
        reports = self.run_plan(stamp)
        status = "ok" if all(r.status == "ok" for r in reports) else "failed"
        duration = time.perf_counter() - t0
        manifest = {
            "fiscal_year": self.fiscal_year,
            "status": status,
            "started_at": started.isoformat(timespec="seconds"),
            "duration_s": round(duration, 3),
            "jobs": self.n_workers,
            "data_dir": str(self.data_dir),
            "inputs": inputs,
            "tables": tables,
            "rules_version": stamp.rules_version,
            "dxstudy_version": stamp.dxstudy_version,
            "python": sys.version.split()[0],
            "command": f"dxstudy run --fiscal-year {self.fiscal_year}",
            "reports": [r.to_dict() for r in reports],
            "skipped": self.skipped,
        }
        self.write_record(manifest)
        output_dir = self.publish(status)
        self.say(f"done: {status} in {duration:.1f} s → {output_dir}")
        return BatchResult(
            fiscal_year=self.fiscal_year, status=status, output_dir=output_dir,
            final_dir=self.final_dir, reports=reports, started_at=manifest["started_at"],
            duration_s=duration, manifest=manifest, notes=self.notes,
        )

    @property
    def kernel_log(self) -> Path:
        return self.tmp / "kernels.log"

    def start_zygote(self) -> None:
        """One kernel zygote for all workers, started first: it imports the kernel libraries while
        the tables are built and the workers start."""
        from dxstudy.batch.zygote import Zygote

        with open(self.kernel_log, "ab") as log:
            self.zygote = Zygote(self.preload, env={**os.environ, **KERNEL_ENV}, stderr=log)

    def start_workers(self) -> None:
        from dxstudy.batch.zygote import short_tempdir

        self.ipc_dir = short_tempdir("dxstudy-k-")
        ctx = _mp_context()
        self.counters = ctx.Array("i", [len(self.plan), 0])  # [notebooks waiting, spare kernels]
        self.pool = ProcessPoolExecutor(
            max_workers=self.n_workers, mp_context=ctx, initializer=_init_worker,
            initargs=(str(Path(self.plan[0].notebook).parent), str(self.kernel_log), self.counters,
                      self.preload, self.kernel_mode,
                      self.zygote.socket_path if self.zygote is not None else None, self.ipc_dir),
        )
        with _workers_without_main():  # every worker is started here (one ping each)
            for _ in range(self.n_workers):
                self.pool.submit(_ping)

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
            raise BatchError(f"building the tables of FY{self.fiscal_year} from {self.raw} failed: "
                             f"{type(exc).__name__}: {exc}") from exc
        inputs, tables = _inputs_and_tables(info, self.data_dir)
        kept = []
        for job in self.plan:
            holds, reason = decisions.get(job.when, (True, "")) if job.when else (True, "")
            if holds:
                kept.append(job)
            else:
                self.skipped.append({"name": job.name, "title": job.title, "reason": reason})
                self.notes.append(f"{job.name} ({job.title}) not run: {reason}")
        if any(j.when == "previous_year" for j in kept):
            inputs += [i for i in _year_inputs(self.fiscal_year - 1, self.data_dir) if i not in inputs]
        if len(kept) != len(self.plan):
            self.plan = kept
            with self.counters.get_lock():
                self.counters[0] = len(kept)  # workers start no spare kernel for dropped reports
        return inputs, tables

    def run_plan(self, stamp: Stamp) -> list[JobResult]:
        """Every notebook of the plan on the workers, longest first (by the previous run's times);
        one progress line per finished notebook. Results in plan order."""
        previous = _previous_durations(self.final_dir)
        order = sorted(range(len(self.plan)), key=lambda i: -previous.get(self.plan[i].name, 0.0))
        futures = {self.pool.submit(_run_job, self.plan[i], str(self.tmp), stamp): i for i in order}
        results: list[JobResult | None] = [None] * len(self.plan)
        for done, fut in enumerate(as_completed(futures), start=1):
            job = self.plan[futures[fut]]
            try:
                res = fut.result()
            except BrokenProcessPool as exc:
                res = _crashed(job, f"worker process died: {exc}")
            except Exception as exc:  # an error in the batch machinery itself
                res = _crashed(job, f"{type(exc).__name__}: {exc}")
            results[futures[fut]] = res
            mark = "ok" if res.status == "ok" else "FAILED"
            tail = "" if res.status == "ok" else f" — {res.error}"
            self.say(f"[{done}/{len(self.plan)}] {mark:6} {res.name} ({res.duration_s:.1f} s){tail}")
        self.pool.shutdown(wait=True)
        self.pool = None
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        return [r for r in results if r is not None]

    def write_record(self, manifest: dict[str, Any]) -> None:
        """run.json and index.html into the run directory; drop an empty kernel log."""
        (self.tmp / "run.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
        (self.tmp / "index.html").write_text(render_index(manifest), encoding="utf-8")
        if self.kernel_log.exists() and self.kernel_log.stat().st_size == 0:
            self.kernel_log.unlink()

    def publish(self, status: str) -> Path:
        """A complete run replaces FY2021/ (and removes an old FY2021.failed/); a failed one goes to
        FY2021.failed/, leaving FY2021/ as it was."""
        if status == "ok":
            swap_into_place(self.tmp, self.final_dir)
            if self.failed_dir.exists():
                shutil.rmtree(self.failed_dir, ignore_errors=True)
                self.notes.append(f"removed the older failed run {self.failed_dir.name}/")
            target = self.final_dir
        else:
            swap_into_place(self.tmp, self.failed_dir)
            target = self.failed_dir
        self.tmp = None
        return target

    def stop(self) -> None:
        """After a run, or on interruption/error: stop workers and kernels, delete the temporary run."""
        if self.pool is not None:  # interrupted or failed: stop the workers now, running notebooks too
            _terminate_workers(self.pool)
            self.pool = None
        if self.zygote is not None:
            self.zygote.close()  # kernels still running are killed with it
            self.zygote = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if self.ipc_dir is not None:
            shutil.rmtree(self.ipc_dir, ignore_errors=True)
            self.ipc_dir = None


@contextmanager
def _sigterm_raises():
    """SIGTERM during a run raises :class:`_Terminated` (cleaned up like Ctrl-C)."""
    if not _is_main_thread():
        yield
        return

    def on_sigterm(signum, frame):
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose notebooks must not finish (Ctrl-C, SIGTERM, an error in the batch)."""
    processes = dict(getattr(pool, "_processes", None) or {})  # not public API; fine if missing
    for process in processes.values():
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _cpu_count() -> int:
    """CPUs this process may use (respects affinity/container limits where the OS tells)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _crashed(job: NotebookJob, error: str) -> JobResult:
    return JobResult(name=job.name, title=job.title, notebook=Path(job.notebook).name,
                     parameters=dict(job.parameters), status="failed", error=error)


# --- command line ------------------------------------------------------------------------------

def run_command(args: argparse.Namespace) -> int:
    """Handler of ``dxstudy run``: runs the batch, prints the summary, returns the exit status."""
    try:
        result = run_batch(
            args.fiscal_year,
            data_dir=args.data_dir,
            out=args.out,
            jobs=args.jobs,
            notebooks_dir=args.notebooks_dir,
            progress=not args.quiet,
        )
    except (_Terminated, KeyboardInterrupt):
        print("dxstudy: interrupted; the previous outputs were left as they were", file=sys.stderr)
        return 130
    print(result.summary())
    return result.exit_code


def add_run_command(subparsers) -> argparse.ArgumentParser:
    """Register ``dxstudy run`` on an ``argparse`` sub-parsers object (handler: :func:`run_command`)."""
    p = subparsers.add_parser(
        "run",
        help="run the fiscal-year batch: tables, every notebook, HTML reports and index.html",
        description="Build the tables of a fiscal year from DATA_DIR/raw/FY<year>/, execute the "
                    "notebooks with papermill in parallel and export offline HTML reports with an "
                    "index.html into OUT/FY<year>/. A run with a failing notebook goes to "
                    "OUT/FY<year>.failed/ and leaves the previous complete run in place "
                    "(exit status 1).",
    )
    p.add_argument("--fiscal-year", type=fiscal_year_arg, required=True,
                   help="fiscal year, e.g. 2021 (令和3年度)")
    p.add_argument("--data-dir", default="data", type=Path,
                   help="data directory laid out like data/ (default: data, relative to the current directory)")
    p.add_argument("--out", default="outputs", type=Path,
                   help="output directory (default: outputs, relative to the current directory)")
    p.add_argument("--jobs", type=int, default=None,
                   help="notebooks run in parallel (default: the number of CPUs)")
    p.add_argument("--notebooks-dir", type=Path, default=None,
                   help="directory holding overview.ipynb, theme.ipynb and conclusions.ipynb "
                        "(default: the project's notebooks/)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(handler=run_command)
    return p
