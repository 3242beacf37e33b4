# The tables of one fiscal year: the ``Report`` container, and writing/reading them as files
# (CSV with UTF-8 BOM per table plus one ``tables.xlsx``), e.g. ``data/processed/FY{year}/``.
"""Table storage. Which tables a year has, and the one writer of ``data/processed/``, are in
:mod:`dxstudy.tables.build`."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dxstudy.tables.cellsafe import neutralize_frame, restore_frame
from dxstudy.errors import DxstudyError
from dxstudy.paths import processed_dir
from dxstudy.inputs import check_replaceable, replace_path

#: Columns that hold codes or ids and must stay text when read back from CSV.
TEXT_COLUMNS = {"code", "municipality_code", "statement_id", "section", "statement_ids", "date",
                "as_of", "published", "sha256", "ref", "era_text", "phone", "period",
                "layout_version"}


@dataclass
class Report:
    """The tables read from one report. ``tables`` maps a table name to a DataFrame; each table is also
    an attribute (``report.statements``). ``problems`` lists what lenient reading had to skip."""

    path: Path | None
    fiscal_year: int
    tables: dict[str, pd.DataFrame]
    problems: list = field(default_factory=list)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"no table named {name!r}; tables: {', '.join(tables)}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.tables))


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists as text and formula-like text neutralized, so that CSV and Excel hold what a reader sees
    and nothing a respondent typed runs as a formula."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return neutralize_frame(out)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write each table as ``<name>.csv`` (UTF-8 with BOM) and all of them as sheets of ``tables.xlsx``.

    The files are written into a temporary sibling directory which then replaces ``out_dir`` whole, so a
    failure never leaves a half-written directory and the previous tables stay until the new ones are
    complete. A directory holding anything else than tables (CSV, XLSX) is refused, never wiped.
    """
    out_dir = Path(out_dir)
    check_replaceable(out_dir, what="tables directory")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        written = []
        for name, frame in tables.items():
            target = tmp / f"{name}.csv"
            _excel_safe(frame).to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\r\n")
            written.append(out_dir / target.name)
        with pd.ExcelWriter(tmp / "tables.xlsx", engine="openpyxl") as writer:
            for name, frame in tables.items():
                _excel_safe(frame).to_excel(writer, sheet_name=name[:31], index=False)
        written.append(out_dir / "tables.xlsx")
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def _replace_dir(new: Path, target: Path) -> None:
    """Swap ``new`` into place of ``target`` with renames only (retried while Windows holds a file of
    ``target`` open, e.g. ``tables.xlsx`` in Excel; the old folder is put back if the swap fails)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        replace_path(target, old)
    try:
        replace_path(new, target)
    except OSError:
        if old is not None:
            replace_path(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_tables(directory: str | Path) -> dict[str, pd.DataFrame]:
    """Read every ``<name>.csv`` of a processed directory back (ids and codes stay text)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DxstudyError(f"{directory}: expected a directory of processed tables, found none "
                           f"(run `dxstudy parse` or `make report` first)")
    tables = {}
    for csv in sorted(directory.glob("*.csv")):
        header = pd.read_csv(csv, nrows=0, encoding="utf-8-sig").columns
        dtype = {c: str for c in header if c in TEXT_COLUMNS}
        frame = pd.read_csv(csv, encoding="utf-8-sig", dtype=dtype, keep_default_na=False)
        tables[csv.stem] = restore_frame(frame)
    return tables


def load_tables(fiscal_year: int, data_dir: str | Path = "data") -> Report:
    """The processed tables of a fiscal year, as written by ``dxstudy parse`` or the batch."""
    directory = processed_dir(fiscal_year, data_dir)
    return Report(path=directory, fiscal_year=int(fiscal_year), tables=read_tables(directory))


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (the provenance of raw inputs)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
