# Builds a fiscal year's processed tables from its raw data (report text or survey workbooks):
# the one writer of data/processed/FY<y>/, used by `dxstudy parse`, `dxstudy run` and the survey intake.
"""Raw → processed for one fiscal year (see docs/data-model.md).

Which reader applies is chosen from the files in ``data/raw/FY<y>/`` (:data:`RAW_READERS`); the
tables are written whole or not at all (:func:`dxstudy.tables.store.write_tables`).
"""
from __future__ import annotations

from importlib import import_module
from pathlib import Path

from dxstudy.errors import DxstudyError
from dxstudy.paths import processed_dir, raw_dir
from dxstudy.tables.store import sha256_of, write_tables


#: How a fiscal year's raw data is read, in order of preference: (file pattern in data/raw/FY{year}/,
#: module, function). The first pattern that matches a file wins; the function takes
#: ``(raw_dir, fiscal_year)`` and returns a Report.
RAW_READERS: list[tuple[str, str, str]] = [
    ("report.md", "dxstudy.report.reader", "read_report_dir"),
    ("*.xlsx", "dxstudy.survey.intake", "read_survey_dir"),
]


def raw_inputs(fiscal_year: int, data_dir: str | Path = "data") -> tuple[tuple[str, str, str], list[Path]]:
    """The raw reader that applies to a fiscal year and the input files it reads."""
    directory = raw_dir(fiscal_year, data_dir)
    for entry in RAW_READERS:
        files = sorted(p for p in directory.glob(entry[0]) if p.is_file() and not p.name.startswith((".", "~$")))
        if files:
            return entry, files
    patterns = " or ".join(pattern for pattern, _, _ in RAW_READERS)
    raise DxstudyError(f"{directory}: expected the raw data of FY{fiscal_year} ({patterns}), found "
                       + (", ".join(sorted(p.name for p in directory.iterdir())) or "nothing")
                       if directory.is_dir() else
                       f"{directory}: expected the raw data of FY{fiscal_year} ({patterns}), found no such directory")


def build_processed(fiscal_year: int, data_dir: str | Path = "data") -> dict:
    """Read the raw data of a fiscal year (report text or survey workbooks) and write its processed tables.

    Returns ``{"fiscal_year", "out_dir", "tables": [paths], "inputs": [{"path", "sha256"}]}``.
    Nothing is written unless the whole input reads without error.
    """
    (_, module, function), files = raw_inputs(fiscal_year, data_dir)
    report = getattr(import_module(module), function)(raw_dir(fiscal_year, data_dir), fiscal_year)
    out_dir = processed_dir(fiscal_year, data_dir)
    paths = write_tables(report.tables, out_dir)
    return {"fiscal_year": fiscal_year, "out_dir": out_dir, "tables": paths,
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
