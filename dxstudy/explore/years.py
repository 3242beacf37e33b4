# One member's wording across fiscal years: the sentences of each processed year side by side, by
# theme and aspect, so an analyst can read how the text changed since last year.
"""Comparing the years of one member."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from dxstudy.explore.selection import SelectionError, aspect_id, member_code, theme_id
from dxstudy.reference import labels as lb
from dxstudy.tables.years import load_all_years

YEARS_COLUMNS = ["theme", "aspect", "fiscal_year", "section", "statement_id", "text"]


def member_over_years(member, data_dir: str | Path = "../data", *, theme=None, aspect=None,
                      years: list[int] | None = None) -> pd.DataFrame:
    """The sentences of ``member`` (name or code) in every processed year (or ``years``), one row
    per sentence: ``theme``, ``aspect``, ``fiscal_year``, ``section``, ``statement_id``, ``text``;
    grouped by theme (chapter order) and aspect (現状, then 課題), years ascending within each,
    report order within a year."""
    code = member_code(member)
    if code is None:
        raise SelectionError("年度を比べる市町を一つ指定してください（例：草加市）")
    statements = load_all_years(data_dir, years).get("statements", pd.DataFrame())
    if statements.empty:
        return pd.DataFrame(columns=YEARS_COLUMNS)
    rows = statements[statements["municipality_code"].astype(str) == code]
    if (t := theme_id(theme)) is not None:
        rows = rows[rows["theme"] == t]
    if (a := aspect_id(aspect)) is not None:
        rows = rows[rows["aspect"] == a]
    chapters = {theme: i for i, theme in enumerate(lb.themes_table()["theme"])}
    rows = rows.assign(_theme=rows["theme"].map(chapters), _aspect=rows["aspect"].map({"status": 0, "challenge": 1}),
                       _order=range(len(rows)))
    rows = rows.sort_values(["_theme", "_aspect", "fiscal_year", "_order"], kind="stable", na_position="last")
    return rows[YEARS_COLUMNS].reset_index(drop=True)
