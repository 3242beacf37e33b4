# Japanese labels and display order for charts, tables and proposals.
# Reads the reference tables shipped in the package and the display labels in rules/labels_ja.csv.
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

STAGE_LABELS: dict[int, str] = {0: "未着手", 1: "検討中", 2: "試行・一部実施", 3: "実施中"}
"""The maturity scale of issue 3 (docs/coding.md): stage -> label_ja."""

STAGED_THEMES_FALLBACK = ["awareness", "talent", "telework", "planning"]


def _read_package_csv(folder: str, name: str) -> pd.DataFrame:
    with resources.files("dxstudy").joinpath(folder, name).open("r", encoding="utf-8-sig") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def _reference(name: str) -> pd.DataFrame:
    return _read_package_csv("reference", f"{name}.csv")


@lru_cache(maxsize=None)
def _display_labels() -> pd.DataFrame:
    return _read_package_csv("rules", "labels_ja.csv")


def municipalities_table(municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The member municipalities in display order.

    Columns: code (str, 全国地方公共団体コード), name_ja, order (int). Uses the given table (e.g.
    ``tables.municipalities``) or the package reference; sorted by ``order`` then ``code``.
    """
    df = _reference("municipalities") if municipalities is None else municipalities
    df = df.copy()
    df["code"] = df["code"].astype(str)
    if "order" in df.columns:
        df["order"] = pd.to_numeric(df["order"], errors="coerce")
    else:
        df["order"] = range(1, len(df) + 1)
    df = df.sort_values(["order", "code"], kind="stable").reset_index(drop=True)
    return df[["code", "name_ja", "order"]]


def themes_table(themes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The themes in chapter order. Columns: theme, label_ja, chapter (int), has_aspects (bool)."""
    df = _reference("themes") if themes is None else themes
    df = df.copy()
    df["chapter"] = pd.to_numeric(df["chapter"], errors="coerce")
    if "has_aspects" in df.columns:
        df["has_aspects"] = df["has_aspects"].astype(str).str.lower().isin(["true", "1", "yes"])
    else:
        df["has_aspects"] = df["theme"].isin(STAGED_THEMES_FALLBACK)
    return df.sort_values("chapter", kind="stable").reset_index(drop=True)[
        ["theme", "label_ja", "chapter", "has_aspects"]
    ]


def staged_themes(themes: pd.DataFrame | None = None) -> list[str]:
    """Themes that have a maturity stage (those with 現状/課題 parts: chapters 1-4)."""
    df = themes_table(themes)
    return df.loc[df["has_aspects"], "theme"].tolist()


def theme_label(theme: str, themes: pd.DataFrame | None = None) -> str:
    """Japanese label of a theme id, e.g. "telework" -> "テレワークの推進"."""
    df = _reference("themes") if themes is None else themes
    for key, label_ja in zip(df["theme"], df["label_ja"]):
        if key == theme:
            return label_ja
    return theme


REGION_LABEL = "地域全体"


def name_map(municipalities: pd.DataFrame | None = None) -> dict[str, str]:
    """code -> name_ja of the members ("" -> 地域全体)."""
    df = _reference("municipalities") if municipalities is None else municipalities
    return {"": REGION_LABEL, **{str(c): n for c, n in zip(df["code"], df["name_ja"])}}


def label(kind: str, key: str) -> str:
    """Display label from rules/labels_ja.csv (kinds: technology, tech_status, aspect, unit...).

    Falls back to the key itself, so an id without a label is shown rather than dropped.
    """
    df = _display_labels()
    hit = df.loc[(df["kind"] == kind) & (df["id"] == key), "label_ja"]
    return hit.iloc[0] if len(hit) else key


def labels(kind: str) -> dict[str, str]:
    """All labels of one kind, in file order: id -> label_ja."""
    df = _display_labels()
    df = df[df["kind"] == kind]
    return dict(zip(df["id"], df["label_ja"]))


def stage_label(stage: int) -> str:
    """"3" -> "3 実施中" (number and label, as the charts show it)."""
    return f"{int(stage)} {STAGE_LABELS[int(stage)]}"


_KIND_SUFFIX = {"city": "市", "town": "町", "village": "村", "ward": "区"}


def region_label(municipalities: pd.DataFrame | None = None) -> str:
    """The members counted by kind, as the report names them: six members -> "5市1町"."""
    df = _reference("municipalities") if municipalities is None else municipalities
    if "kind" not in df.columns:
        return f"{len(df)}市町"
    counts = df["kind"].value_counts()
    parts = [f"{counts[k]}{s}" for k, s in _KIND_SUFFIX.items() if counts.get(k, 0)]
    return "".join(parts) or f"{len(df)}市町"
