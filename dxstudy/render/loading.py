# The notebooks' set-up and loaders: fonts and CSS, the checked parameters, a year's tables with
# stand-ins for missing ones (and the previous year on demand), and the two years of 前年度比較.
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from dxstudy.analysis.yoy import Comparison, compare_tables, comparison_of
from dxstudy.errors import DxstudyError
from dxstudy.inputs import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN, InputError, check_fiscal_year
from dxstudy.paths import data_dir_of, fiscal_year_of_dir, processed_dir
from dxstudy.reference import labels as lb
from dxstudy.render import charts
from dxstudy.render.html_blocks import CSS, HtmlBlock, esc
from dxstudy.tables.build import has_processed
from dxstudy.tables.store import Report, load_tables


class ParameterError(DxstudyError, ValueError):
    """A notebook parameter (fiscal_year, data_dir, theme) that cannot be used; the message says, in
    Japanese and English, which one, what was expected and what was given."""


class PreviousYearMissing(DxstudyError, ValueError):
    """The year before has no processed tables, so the two years cannot be compared."""


EXPECTED_TABLES: dict[str, list[str]] = {
    "statements": ["statement_id", "fiscal_year", "section", "theme", "aspect", "municipality_code",
                   "municipality", "kind", "text"],
    "municipalities": ["code", "name_ja", "name_en", "kind"],
    "themes": ["theme", "label_ja", "label_en", "chapter"],
    "meetings": ["number", "date", "agenda"],
    "document": ["title", "fiscal_year", "published", "as_of", "publisher"],
    "metrics": ["statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section", "metric",
                "label_ja", "value", "unit", "target_fiscal_year", "evidence"],
    "events": ["statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section", "date",
               "date_precision", "era_text", "role", "event_type", "event", "evidence"],
    "stages": ["fiscal_year", "municipality_code", "municipality", "theme", "stage", "stage_label", "source",
               "rule", "statement_id", "evidence"],
    "challenges": ["fiscal_year", "municipality_code", "municipality", "theme", "code", "code_label",
                   "statement_id", "evidence"],
    "technologies": ["fiscal_year", "municipality_code", "municipality", "technology", "status", "statement_id",
                     "evidence"],
}
"""Tables the notebooks read, with the columns they use. A table missing from the processed
directory is replaced by an empty one (and listed in ``tables.missing``), so a notebook still runs
and says 該当するデータはありません where it would have shown it."""


def setup_notebook() -> HtmlBlock:
    """Set up a notebook: Japanese fonts and the missing-glyph check for charts, figures displayed as
    PNG by IPython (when running in IPython), and the CSS of the tables (returned; display it)."""
    charts.setup()
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - IPython ships with the notebook stack
        return HtmlBlock(f"<style>{CSS}</style>")
    shell = get_ipython()
    if shell is not None:
        formatters = shell.display_formatter.formatters
        formatters["image/png"].for_type(Figure, _figure_png)
    return HtmlBlock(f"<style>{CSS}</style>", "(styles)")


def _figure_png(fig) -> tuple[bytes, dict]:
    data = charts.to_png(fig)
    return data, {"width": int(fig.get_figwidth() * 96)}


def validate_parameters(fiscal_year, data_dir, theme: str | None = None, need_theme: bool = False) -> dict:
    """Check the notebook parameters and return them normalised.

    fiscal_year: an int (or a string of digits; not a bool, float or path) between 2000 and 2100
    (``dxstudy.inputs.check_fiscal_year``), whose processed tables exist as
    ``<data_dir>/processed/FY<fiscal_year>/``; data_dir: an existing directory (relative paths are
    taken from the current directory); theme: one of the themes of dxstudy/reference/themes.csv.
    Returns {"fiscal_year": int, "data_dir": str (absolute), "theme": str | None}.
    Raises ParameterError (a DxstudyError and ValueError) with a message in Japanese and English naming the bad parameter.
    """
    try:
        year = check_fiscal_year(fiscal_year, "fiscal_year")
    except InputError as exc:
        raise ParameterError(
            f"パラメータ fiscal_year は{FISCAL_YEAR_MIN}〜{FISCAL_YEAR_MAX}の年度の数値（例：2021）で指定してください / "
            f"fiscal_year must be a year such as 2021 — {exc}"
        ) from None
    directory = Path(str(data_dir)).expanduser().resolve()
    if not directory.is_dir():
        raise ParameterError(
            f"データディレクトリがありません / data_dir is not a directory: {directory} (given {data_dir!r})"
        )
    processed = processed_dir(year, directory)
    if not processed.is_dir():
        raise ParameterError(
            f"{year}年度の処理済みテーブルがありません / no processed tables for fiscal year {year}: expected "
            f"{processed} (run `dxstudy parse` or `make report` first)"
        )
    if theme is not None or need_theme:
        known = lb.themes_table()["theme"].tolist()
        if theme not in known:
            raise ParameterError(
                f"パラメータ theme が不明です / unknown theme {theme!r}; expected one of {', '.join(known)}"
            )
    return {"fiscal_year": year, "data_dir": str(directory), "theme": theme}


@dataclass
class NotebookTables(Report):
    """A year's tables as the notebooks read them: every table of EXPECTED_TABLES (``missing`` names
    those that were absent and stand in empty), and ``previous``, the processed tables of the year
    before (loaded on first use; None when that year was never processed)."""

    missing: list[str] = field(default_factory=list)

    @cached_property
    def previous(self) -> Report | None:
        return previous_tables(self)


def load(fiscal_year: int, data_dir: str | Path) -> NotebookTables:
    """``dxstudy.load_tables`` plus empty stand-ins for tables not (yet) produced.

    The returned object has every table of EXPECTED_TABLES as an attribute, ``missing`` (names of
    tables that were absent) and ``previous`` (the year before, for the proposals' trend points)."""
    report = load_tables(int(fiscal_year), data_dir)
    missing = []
    for name, columns in EXPECTED_TABLES.items():
        if name not in report.tables:
            report.tables[name] = pd.DataFrame(columns=columns)
            missing.append(name)
    return NotebookTables(path=report.path, fiscal_year=report.fiscal_year, tables=report.tables,
                          problems=report.problems, missing=missing)


def missing_note(tables) -> HtmlBlock:
    """A note naming tables that were not found (empty when all are present)."""
    missing = getattr(tables, "missing", [])
    if not missing:
        return HtmlBlock("", "")
    text = f"次の表が見つからないため、該当する図表は空になります：{', '.join(missing)}"
    return HtmlBlock(f'<p class="dx-note">{esc(text)}</p>', text)


def has_previous_year(fiscal_year: int, data_dir: str | Path = "data") -> bool:
    """Whether the processed tables of ``fiscal_year - 1`` exist (the batch runs 前年度比較 then)."""
    return has_processed(fiscal_year - 1, data_dir)


def previous_tables(tables) -> Report | None:
    """The processed tables of the year before ``tables`` (a Report from ``load_tables``, which knows
    its directory), or None: for hand-built tables, or when that year was never processed."""
    path, year = getattr(tables, "path", None), getattr(tables, "fiscal_year", None)
    if path is None or year is None:
        return None
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    data_dir = data_dir_of(path)
    if data_dir is None or fiscal_year_of_dir(path) != year or not has_previous_year(year, data_dir):
        return None
    return load_tables(year - 1, data_dir)


def _require_previous_year(year: int, data_dir: str | Path) -> None:
    if not has_previous_year(year, data_dir):
        missing = processed_dir(year - 1, data_dir)
        raise PreviousYearMissing(f"前年度（{year - 1}年度）の処理済みテーブルがないため比較できません / no processed "
                                  f"tables of the previous fiscal year to compare with: expected {missing}/statements.csv")


def year_over_year(fiscal_year: int, data_dir: str | Path = "data") -> dict[str, pd.DataFrame]:
    """All comparisons of ``fiscal_year`` with the year before (``dxstudy.analysis.yoy.compare_tables``):
    ``stages``, ``stalled`` (検討中 in both years), ``metrics``, ``challenges``, ``technologies``.
    PreviousYearMissing when the year before has no processed tables."""
    year = int(fiscal_year)
    _require_previous_year(year, data_dir)
    return compare_tables(load_tables(year - 1, data_dir).tables, load_tables(year, data_dir).tables)


def load_comparison(fiscal_year: int, data_dir: str | Path = "data") -> Comparison:
    """Load ``fiscal_year`` and the year before from ``<data_dir>/processed/`` and compare them.

    Raises PreviousYearMissing (a DxstudyError and ValueError; Japanese and English) naming the
    missing directory when the previous year has no processed tables — the notebook shows that
    message instead of a traceback deep inside."""
    year = int(fiscal_year)
    _require_previous_year(year, data_dir)
    before, after = load_tables(year - 1, data_dir), load_tables(year, data_dir)
    return comparison_of(before.tables, after.tables, year)
