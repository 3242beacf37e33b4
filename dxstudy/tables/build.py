# Builds a fiscal year's tables: a raw reader's parsed tables plus the derived ones (metrics, events,
# coding with the analyst's overrides); the one writer of data/processed/FY<y>/ (parse, run, ingest).
"""Raw → processed for one fiscal year (see docs/data-model.md).

Which reader applies is chosen from the files in ``data/raw/FY<y>/`` (:data:`RAW_READERS`). A reader
returns the parsed tables only; :func:`derive_tables` adds what the rules read from the statements,
and :func:`write_processed` writes them whole or not at all
(:func:`dxstudy.tables.store.write_tables`). :func:`read_report` is the same for one report file.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import pandas as pd

from dxstudy.coding.overrides import default_overrides_path
from dxstudy.coding.pipeline import code_statements
from dxstudy.errors import DxstudyError, FileContentError
from dxstudy.extract.events import extract_events
from dxstudy.extract.metrics import extract_metrics
from dxstudy.paths import data_dir_of, processed_dir, raw_dir
from dxstudy.report.reader import parse_report, parse_report_dir
from dxstudy.survey.assemble import merge_tables, prose
from dxstudy.survey.workbooks import read_survey_dir
from dxstudy.tables.store import Report, sha256_of, write_tables

Deriver = Callable[[pd.DataFrame, int, "Path | None"], dict[str, pd.DataFrame]]


def derive_metrics(statements: pd.DataFrame, fiscal_year: int, data_dir: Path | None) -> dict[str, pd.DataFrame]:
    """``metrics``: the numbers the statements state (see :mod:`dxstudy.extract.metrics`)."""
    return {"metrics": extract_metrics(statements)}


def derive_events(statements: pd.DataFrame, fiscal_year: int, data_dir: Path | None) -> dict[str, pd.DataFrame]:
    """``events``: the dated happenings of the statements (see :mod:`dxstudy.extract.events`)."""
    return {"events": extract_events(statements)}


def derive_coding(statements: pd.DataFrame, fiscal_year: int, data_dir: Path | None) -> dict[str, pd.DataFrame]:
    """The coding tables (stages, challenges, technologies…), with the analyst's stage overrides of
    ``<data_dir>/overrides/FY<year>/stages.csv`` when that file exists."""
    path = default_overrides_path(fiscal_year, data_dir) if data_dir is not None else None
    return code_statements(statements, fiscal_year=fiscal_year,
                           overrides_path=path if path is not None and path.is_file() else None)


#: Derived tables, in order: each deriver takes ``(statements, fiscal_year, data_dir)`` and returns
#: {table name: DataFrame}.
DERIVERS: list[Deriver] = [derive_metrics, derive_events, derive_coding]


def derive_tables(statements: pd.DataFrame, fiscal_year: int,
                  data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Run every deriver (metrics, events, coding) over the statements.

    ``data_dir`` (laid out like ``data/``) is where analyst overrides are looked up; None: no overrides.
    """
    out: dict[str, pd.DataFrame] = {}
    for derive in DERIVERS:
        out.update(derive(statements, fiscal_year, Path(data_dir) if data_dir is not None else None))
    return out


def complete_report(report: Report, data_dir: str | Path | None) -> Report:
    """A report reader's parsed tables with the derived tables added."""
    tables = dict(report.tables)
    tables.update(derive_tables(report.statements, report.fiscal_year, data_dir))
    return replace(report, tables=tables)


def complete_survey(report: Report, data_dir: str | Path | None) -> Report:
    """A survey reader's parsed tables with the rules' rows merged into the respondents' answers."""
    coded = derive_tables(prose(report.statements), report.fiscal_year, data_dir)
    return replace(report, tables=merge_tables(report.tables, coded))


@dataclass(frozen=True)
class RawReader:
    """How one kind of raw data becomes tables: the file ``pattern`` in ``data/raw/FY<y>/``, the
    reader ``read(raw_dir, fiscal_year)`` → parsed Report, and ``complete(report, data_dir)`` →
    the Report with its derived tables."""

    pattern: str
    read: Callable[[Path, int], Report]
    complete: Callable[[Report, "str | Path | None"], Report]


REPORT_TEXT = RawReader("report.md", parse_report_dir, complete_report)
SURVEY_WORKBOOKS = RawReader("*.xlsx", read_survey_dir, complete_survey)

#: How a fiscal year's raw data is read, in order of preference: the first pattern that matches a
#: file of ``data/raw/FY<y>/`` wins.
RAW_READERS: list[RawReader] = [REPORT_TEXT, SURVEY_WORKBOOKS]


def read_report(path: str | Path, fiscal_year: int | None = None, *, lenient: bool = False,
                municipalities: pd.DataFrame | None = None, data_dir: str | Path | None = None) -> Report:
    """Read a report file into its tables, the derived ones included (metrics, events, stages,
    challenges, technologies…).

    ``fiscal_year`` defaults to the one in the title (令和3年度 → 2021); ``municipalities`` to the six
    members (reference table). With ``lenient=True`` structural problems are collected in
    ``report.problems`` (and issued as ``ReportWarning``) instead of raising ``ReportFormatError``.
    ``data_dir`` is the directory laid out like ``data/`` whose ``overrides/FY<year>/stages.csv`` the
    coding applies; by default it is inferred when the report lies at ``<data_dir>/raw/FY<year>/``.
    :func:`dxstudy.report.reader.parse_report` reads the same file without the derived tables.
    """
    check_report_suffix(Path(path))
    report = parse_report(path, fiscal_year, lenient=lenient, municipalities=municipalities)
    if data_dir is None:
        data_dir = data_dir_of(Path(path).parent)
    return complete_report(report, data_dir)


#: Report file suffixes read today (the .docx and .pdf readers are not built yet).
REPORT_SUFFIXES = (".md", ".txt")


def check_report_suffix(path: Path) -> None:
    """A FileContentError in Japanese when ``path`` is a report format that is not read."""
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise FileContentError(path, 0, "読める報告書の形式（" + "、".join(REPORT_SUFFIXES) + "）",
                               f"この形式（{path.suffix or '拡張子なし'}）は読めません")


def check_one_report(directory: Path) -> None:
    """Two report files for one year (report.md and report.pdf…) are an error: which one is meant?"""
    reports = sorted(p.name for p in directory.glob("report.*") if p.is_file())
    if len(reports) > 1:
        raise FileContentError(directory, 0, "1年度に報告書ファイルは1つ",
                               "複数あります: " + "、".join(reports))


def raw_inputs(fiscal_year: int, data_dir: str | Path = "data") -> tuple[RawReader, list[Path]]:
    """The raw reader that applies to a fiscal year and the input files it reads."""
    directory = raw_dir(fiscal_year, data_dir)
    if directory.is_dir():
        check_one_report(directory)
    for reader in RAW_READERS:
        files = sorted(p for p in directory.glob(reader.pattern)
                       if p.is_file() and not p.name.startswith((".", "~$")))
        if files:
            return reader, files
    patterns = " or ".join(reader.pattern for reader in RAW_READERS)
    expected = f"{directory}: expected the raw data of FY{fiscal_year} ({patterns}), found "
    if not directory.is_dir():
        raise DxstudyError(expected + "no such directory")
    raise DxstudyError(expected + (", ".join(sorted(p.name for p in directory.iterdir())) or "nothing"))


def write_processed(report: Report, data_dir: str | Path = "data") -> list[Path]:
    """Write a fiscal year's complete tables to ``<data_dir>/processed/FY<y>/`` (whole or not at
    all); the paths written."""
    return write_tables(report.tables, processed_dir(report.fiscal_year, data_dir))


def build_processed(fiscal_year: int, data_dir: str | Path = "data") -> dict:
    """Read the raw data of a fiscal year (report text or survey workbooks) and write its processed tables.

    Returns ``{"fiscal_year", "out_dir", "tables": [paths], "inputs": [{"path", "sha256"}]}``.
    Nothing is written unless the whole input reads without error.
    """
    reader, files = raw_inputs(fiscal_year, data_dir)
    report = reader.complete(reader.read(raw_dir(fiscal_year, data_dir), fiscal_year), data_dir)
    paths = write_processed(report, data_dir)
    return {"fiscal_year": fiscal_year, "out_dir": processed_dir(fiscal_year, data_dir), "tables": paths,
            "inputs": [{"path": str(p), "sha256": sha256_of(p)} for p in files]}


def has_processed(fiscal_year: int, data_dir: str | Path = "data") -> bool:
    """Whether the processed tables of ``fiscal_year`` exist (its statements table is there)."""
    return (processed_dir(fiscal_year, data_dir) / "statements.csv").is_file()


def ensure_processed(fiscal_year: int, data_dir: str | Path = "data") -> bool:
    """Whether ``fiscal_year`` has processed tables, building them from ``<data_dir>/raw/FY<y>/``
    first when only its raw data is there (processed tables are regenerable: on a fresh clone the
    FY2022 batch still gets its 前年度比較). False when the raw data is missing or does not read."""
    if has_processed(fiscal_year, data_dir):
        return True
    if not raw_dir(fiscal_year, data_dir).is_dir():
        return False
    try:
        build_processed(fiscal_year, data_dir)
    except DxstudyError:
        return False
    return has_processed(fiscal_year, data_dir)
