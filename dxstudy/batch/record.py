# What a batch run leaves as its record: versions, input files and their hashes, run.json, index.html,
# and the result an analyst sees (BatchResult and its one-screen Japanese summary).
"""Provenance and results of the fiscal-year batch."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dxstudy.batch.types import JobResult, NotebookJob
from dxstudy.paths import processed_dir, raw_dir
from dxstudy.render.html_export import fiscal_year_label
from dxstudy.render.index_page import render_index

__all__ = [
    "BatchResult",
    "dxstudy_version",
    "rules_version",
    "inputs_and_tables",
    "year_inputs",
    "previous_durations",
    "manifest",
    "write_record",
    "crashed",
]


@dataclass
class BatchResult:
    """What a batch run did.

    ``status``: ``"ok"`` (every report made, now in ``output_dir`` = ``<out>/FY2021``) or
    ``"failed"`` (some report failed; this run is in ``output_dir`` = ``<out>/FY2021.failed`` and
    ``<out>/FY2021`` was not touched). ``reports``: one :class:`JobResult` per notebook run, in plan
    order. ``manifest``: the content of ``run.json``; ``notes``: what the run cleaned up or skipped.
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
        """A one-screen summary (Japanese): one line per report, the failures and where the outputs are."""
        n_ok = sum(r.status == "ok" for r in self.reports)
        lines = [
            f"dxstudy run — {fiscal_year_label(self.fiscal_year)}: レポート {len(self.reports)} 件"
            f"（成功 {n_ok}、失敗 {len(self.reports) - n_ok}）、{self.duration_s:.1f} 秒",
        ]
        width = max((len(r.name) for r in self.reports), default=10)
        for r in self.reports:
            mark = "ok    " if r.status == "ok" else "FAILED"
            lines.append(f"  {mark} {r.name:<{width}}  {r.duration_s:5.1f} s  {r.title}")
            if r.status != "ok":
                lines.append(f"         {r.error}")
                if r.ipynb:
                    lines.append(f"         実行済みノートブック: {self.output_dir / r.ipynb}")
        lines.append(f"目次: {self.output_dir / 'index.html'}")
        if not self.ok:
            if self.final_dir.exists():
                lines.append(f"前回の完全な実行結果は {self.final_dir} にそのまま残しています")
            else:
                lines.append(f"{self.final_dir} にはまだ完全な実行結果がありません")
        lines.extend(f"注: {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def dxstudy_version() -> str:
    """The installed dxstudy version ("n/a" when it cannot be told)."""
    try:
        from importlib.metadata import version

        return version("dxstudy")
    except Exception:
        import dxstudy

        return str(getattr(dxstudy, "__version__", "n/a"))


def rules_version() -> str:
    """``dxstudy.coding.rules_version()``: which coding rules made the tables."""
    from dxstudy import coding

    fn = getattr(coding, "rules_version", None)
    return str(fn()) if callable(fn) else "n/a"


def _relative(path: str | Path, base: Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def inputs_and_tables(info: dict | None, data_dir: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Normalise what the tables step returned: inputs ``[{path, sha256}]`` and table paths,
    relative to the data directory."""
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


def year_inputs(fiscal_year: int, data_dir: Path) -> list[dict[str, str]]:
    """Files a year's tables come from, with SHA-256: ``raw/FY<year>/**`` (or, without raw data,
    the processed CSV tables), paths relative to the data directory."""
    files = sorted(p for p in raw_dir(fiscal_year, data_dir).rglob("*") if p.is_file())
    if not files:
        files = sorted(processed_dir(fiscal_year, data_dir).glob("*.csv"))
    return [{"path": _relative(p, data_dir), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
            for p in files]


def previous_durations(final_dir: Path) -> dict[str, float]:
    """Durations of the reports in the last complete run (to start the longest first)."""
    try:
        previous = json.loads((final_dir / "run.json").read_text(encoding="utf-8"))
        return {r["name"]: float(r["duration_s"]) for r in previous.get("reports", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def manifest(*, fiscal_year: int, status: str, started_at: str, duration_s: float, jobs: int,
             data_dir: Path, inputs: list[dict[str, str]], tables: list[str], rules: str,
             version: str, reports: list[JobResult], skipped: list[dict[str, str]],
             platform: dict[str, str] | None = None) -> dict[str, Any]:
    """The content of ``run.json``: what was run, on which inputs, by which versions, how (``platform``:
    the workers' start method and the kernels' transport), and how it went."""
    return {
        "fiscal_year": fiscal_year,
        "status": status,
        "started_at": started_at,
        "duration_s": round(duration_s, 3),
        "jobs": jobs,
        "data_dir": str(data_dir),
        "inputs": inputs,
        "tables": tables,
        "rules_version": rules,
        "dxstudy_version": version,
        "python": sys.version.split()[0],
        "platform": dict(platform or {}),
        "command": f"dxstudy run --fiscal-year {fiscal_year}",
        "reports": [r.to_dict() for r in reports],
        "skipped": skipped,
    }


def write_record(run_dir: Path, record: dict[str, Any], kernel_log: Path | None = None) -> None:
    """``run.json`` and ``index.html`` into the run directory; an empty kernel log is dropped."""
    (run_dir / "run.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                                      encoding="utf-8")
    (run_dir / "index.html").write_text(render_index(record), encoding="utf-8")
    if kernel_log is not None and kernel_log.exists() and kernel_log.stat().st_size == 0:
        kernel_log.unlink()


def crashed(job: NotebookJob, error: str) -> JobResult:
    """The result of a job whose worker died or whose machinery failed (not the notebook)."""
    return JobResult(name=job.name, title=job.title, notebook=Path(job.notebook).name,
                     parameters=dict(job.parameters), status="failed", error=error)
