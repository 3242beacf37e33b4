# What a fiscal-year batch runs: the kinds of report (overview, one per theme, conclusions, year over
# year), the conditions of optional ones, and the plan of notebook runs built from them and themes.csv.
"""The batch plan: which notebooks run, with which parameters, under which titles."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dxstudy.batch.types import NotebookJob
from dxstudy.errors import DxstudyError
from dxstudy.inputs import InputError, safe_name

__all__ = [
    "BatchError",
    "ReportSpec",
    "REPORTS",
    "CONDITIONS",
    "THEMES_CSV",
    "themes",
    "default_notebooks_dir",
    "build_plan",
    "check_plan",
]

PACKAGE_DIR = Path(__file__).resolve().parents[1]
THEMES_CSV = PACKAGE_DIR / "reference" / "themes.csv"


class BatchError(DxstudyError):
    """The batch cannot start or cannot build its inputs (bad paths, missing notebooks, ...)."""


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
    return False, f"{data_dir} に FY{fiscal_year - 1} の表も元データもありません"


#: Conditions of optional reports: name → function(fiscal_year, data_dir) → (holds, reason if not).
#: Evaluated after the year's tables are built, in the same step.
CONDITIONS: dict[str, Callable[[int, Path], tuple[bool, str]]] = {
    "previous_year": _previous_year_ready,
}


def themes(themes_csv: Path = THEMES_CSV) -> list[dict[str, str]]:
    """The rows of ``themes.csv`` that name a theme (``theme``, ``label_ja``, ...)."""
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
            for theme in themes(themes_csv):
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


def check_plan(plan: list[NotebookJob]) -> None:
    """Refuse a plan that cannot run (:class:`BatchError`, in Japanese): empty, a report name that
    is not a plain file name, two reports with one output name, a missing notebook, an unknown
    condition."""
    if not plan:
        raise BatchError("バッチの計画が空です：実行するノートブックがありません")
    names = [j.name for j in plan]
    for name in names:
        try:
            safe_name(name, "report name")
        except InputError as exc:  # e.g. a theme id "../../x" in themes.csv
            raise BatchError(f"バッチの計画: {exc}") from None
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})[0]
        raise BatchError(f"バッチの計画: 出力名はレポートごとに一つのはずですが、{dup!r} が二度あります")
    missing = sorted({j.notebook for j in plan if not Path(j.notebook).is_file()})
    if missing:
        raise BatchError(f"{missing[0]}: ノートブックが見つかりません（バッチの計画のノートブックが"
                         f"必要です。--notebooks-dir で場所を指定してください）")
    unknown = sorted({j.when for j in plan if j.when and j.when not in CONDITIONS})
    if unknown:
        raise BatchError(f"バッチの計画: 条件 {unknown[0]!r} は不明です（{', '.join(sorted(CONDITIONS))} "
                         f"のいずれかのはずです）")
