# Reading the tables of one year whatever holds them (a Report from load_tables, a dict of DataFrames
# or a namespace of hand-built frames): one table, the names of all, and the fiscal year.
from __future__ import annotations

import pandas as pd


def table_of(tables, name: str) -> pd.DataFrame:
    """A table of a Report, a dict of tables or a namespace; an empty frame when it is absent."""
    if isinstance(tables, dict):
        frame = tables.get(name)
    else:
        frame = getattr(tables, "tables", {}).get(name) if hasattr(tables, "tables") else getattr(tables, name, None)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def table_names(tables) -> list[str]:
    """The names of the tables ``tables`` holds (Report, dict or namespace)."""
    if isinstance(tables, dict):
        return list(tables)
    if hasattr(tables, "tables"):
        return list(tables.tables)
    return [k for k, v in vars(tables).items() if isinstance(v, pd.DataFrame)]


def year_of(tables, fallback: int | None = None) -> int | None:
    """The fiscal year of ``tables``: its ``fiscal_year`` attribute, else the year its statement ids
    carry (FY2021-…), else ``fallback``."""
    year = getattr(tables, "fiscal_year", None)
    if year is None:
        ids = table_of(tables, "statements").get("statement_id", pd.Series(dtype=str))
        years = ids.str.extract(r"^FY(\d{4})-")[0].dropna()
        year = int(years.iloc[0]) if len(years) else fallback
    return int(year) if year is not None else None


def both_years_statements(before, after) -> pd.DataFrame:
    """The statements of two years in one frame (their ids carry the year, so they never collide)."""
    frames = [f for f in (table_of(before, "statements"), table_of(after, "statements")) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["statement_id", "section", "municipality_code", "municipality", "theme", "aspect", "kind", "text"])
