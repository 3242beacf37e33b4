# The analyst's selection: load a fiscal year's tables (building them from raw when needed) and pick
# statements or coded rows by member, theme and aspect, given as Japanese names or as ids.
"""Loading and selecting for the exploration notebook (探索).

Members may be named as written (草加市) or by code (112216); themes by label (テレワークの推進) or id
(telework); aspects as 現状/課題 or status/challenge. ``None`` or 「すべて」 means no filter.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

from dxstudy.errors import DxstudyError
from dxstudy.reference import labels as lb
from dxstudy.tables.build import ensure_processed
from dxstudy.tables.store import Report, load_tables

#: A filter value that selects everything.
ALL = "すべて"
#: The member value of region-wide (chapter summary) statements.
REGION = lb.REGION_LABEL


class SelectionError(DxstudyError, ValueError):
    """A member, theme or aspect that the tables do not have; the message lists what they have."""


def load(fiscal_year: int, data_dir: str | Path = "../data") -> Report:
    """The processed tables of ``fiscal_year`` under ``data_dir``, built from its raw data first when
    only the raw data is there (as on a fresh clone). Tables are attributes: ``t.statements``…"""
    if not ensure_processed(int(fiscal_year), data_dir):
        raise SelectionError(f"{Path(data_dir).resolve()}: {fiscal_year}年度の表も原データ（raw/FY{fiscal_year}/）も"
                             f"見つかりません。data_dir と fiscal_year を確かめてください")
    return load_tables(int(fiscal_year), data_dir)


def _key(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _is_all(value) -> bool:
    return value is None or _key(value) in ("", ALL, "all")


def member_code(value, municipalities: pd.DataFrame | None = None) -> str | None:
    """The member code of a name (草加市) or code (112216); "" for 地域全体; None for すべて."""
    if _is_all(value):
        return None
    key = _key(value)
    if key in (REGION, "region", "全体"):
        return ""
    members = lb.municipalities_table(municipalities)
    for code, name in zip(members["code"], members["name_ja"]):
        if key in (str(code), _key(name)):
            return str(code)
    raise SelectionError(f"市町「{value}」はありません。次のいずれかを指定してください："
                         f"{'、'.join(members['name_ja'])}、{REGION}、{ALL}")


def theme_id(value, themes: pd.DataFrame | None = None) -> str | None:
    """The theme id of a label (テレワークの推進) or id (telework); None for すべて."""
    if _is_all(value):
        return None
    key = _key(value)
    table = lb.themes_table(themes)
    for theme, label in zip(table["theme"], table["label_ja"]):
        if key in (theme, _key(label)):
            return theme
    raise SelectionError(f"テーマ「{value}」はありません。次のいずれかを指定してください："
                         f"{'、'.join(table['label_ja'])}（または {', '.join(table['theme'])}）、{ALL}")


ASPECTS = {"現状": "status", "status": "status", "課題": "challenge", "challenge": "challenge"}


def aspect_id(value) -> str | None:
    """status for 現状, challenge for 課題; None for すべて."""
    if _is_all(value):
        return None
    try:
        return ASPECTS[_key(value)]
    except KeyError:
        raise SelectionError(f"区分「{value}」はありません。現状、課題、{ALL} のいずれかを指定してください") from None


def select(frame: pd.DataFrame, *, member=None, theme=None, aspect=None, contains: str | None = None,
           municipalities: pd.DataFrame | None = None, themes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of ``frame`` (statements, or any coded table with ``municipality_code``/``theme``/``aspect``
    columns) of one member, theme and aspect, and whose ``text`` (or ``evidence``) contains
    ``contains`` (compared after NFKC). Filters left as None (or すべて) select everything."""
    mask = pd.Series(True, index=frame.index)
    code = member_code(member, municipalities)
    if code is not None:
        mask &= frame["municipality_code"].astype(str) == code
    theme = theme_id(theme, themes)
    if theme is not None:
        mask &= frame["theme"] == theme
    aspect = aspect_id(aspect)
    if aspect is not None and "aspect" in frame.columns:
        mask &= frame["aspect"] == aspect
    if contains:
        column = "text" if "text" in frame.columns else "evidence"
        needle = _key(contains)
        mask &= frame[column].astype(str).map(lambda t: needle in unicodedata.normalize("NFKC", t))
    return frame[mask].reset_index(drop=True)


def crosstab(table: pd.DataFrame, column: str, *, municipalities: pd.DataFrame | None = None,
             include_region: bool = False) -> pd.DataFrame:
    """Members (rows, in the reference order, by name) × the values of ``column`` (e.g. a coded
    table's ``code_label`` or ``technology``): the number of rows. Region-wide rows are left out
    unless ``include_region``."""
    data = table if include_region else table[table["municipality_code"].astype(str) != ""]
    names = lb.name_map(municipalities)
    rows = data["municipality_code"].astype(str).map(lambda c: names.get(c, c))
    counts = pd.crosstab(rows.rename("市町"), data[column].rename(column))
    order = [n for n in [*(name for code, name in names.items() if code), REGION] if n in counts.index]
    return counts.reindex(order, fill_value=0)
