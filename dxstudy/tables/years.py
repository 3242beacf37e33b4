# All processed fiscal years at once: one tidy table per kind (statements, stages, metrics, …) with a
# fiscal_year column, for analyses across years (whatever raw form each year had: report or survey).
from __future__ import annotations

from pathlib import Path

import pandas as pd

from dxstudy.paths import processed_dir, processed_years
from dxstudy.tables.store import read_tables

def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate years; a column missing in some years is "" there when it holds text elsewhere."""
    columns: list[str] = []
    for f in frames:
        columns.extend(c for c in f.columns if c not in columns)
    text_columns = {c for f in frames for c in f.columns
                    if f[c].dtype == object or pd.api.types.is_string_dtype(f[c].dtype)}
    filled = []
    for f in frames:
        f = f.copy()
        for c in columns:
            if c not in f.columns and c in text_columns:
                f[c] = ""
        filled.append(f)
    out = pd.concat(filled, ignore_index=True)
    return out[["fiscal_year", *[c for c in columns if c != "fiscal_year"]]]


def load_all_years(data_dir: str | Path = "data", years: list[int] | None = None) -> dict[str, pd.DataFrame]:
    """Every processed fiscal year (or ``years``) concatenated per table kind.

    Returns {table name: DataFrame}; each frame has ``fiscal_year`` (int) as its first column (added
    to tables such as ``municipalities`` that lack one) and the union of the years' columns (a text
    column absent in a year is "" there: e.g. ``source`` of FY2021 metrics, ``cell`` of FY2021
    statements). Ids and codes stay text. A table missing in a year simply has no rows for it.
    """
    years = processed_years(data_dir) if years is None else sorted(years)
    per_kind: dict[str, list[pd.DataFrame]] = {}
    for year in years:
        for name, frame in read_tables(processed_dir(year, data_dir)).items():
            frame = frame.copy()
            frame["fiscal_year"] = year
            per_kind.setdefault(name, []).append(frame)
    out = {}
    for name, frames in per_kind.items():
        table = _concat(frames)
        table["fiscal_year"] = table["fiscal_year"].astype("int64")
        out[name] = table
    return out
