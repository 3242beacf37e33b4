# How the exploration notebook shows things: tables with Japanese headers and labels (the data keeps
# its ids and English columns), and drop-downs for member/theme/aspect where ipywidgets is available.
"""Display helpers for the exploration notebook."""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from dxstudy.explore.selection import ALL, REGION
from dxstudy.reference import labels as lb

#: Column → Japanese header for display.
COLUMN_LABELS = {
    "result": "結果", "statement_id": "文ID", "section": "節", "municipality_code": "団体コード",
    "municipality": "市町", "theme": "テーマ", "aspect": "区分", "left": "前", "keyword": "語",
    "right": "後", "text": "文", "evidence": "根拠の文", "term": "語", "count": "出現数",
    "statements": "文の数", "pos1": "品詞", "fiscal_year": "年度", "code": "課題コード",
    "code_label": "課題", "technology": "技術", "status": "状況", "stage": "段階",
    "stage_label": "段階の説明", "metric": "指標", "value": "値", "unit": "単位", "date": "日付",
}


def show(frame: pd.DataFrame, max_rows: int | None = 50) -> pd.DataFrame:
    """A copy of ``frame`` for reading: Japanese column headers, theme and aspect as labels, region-wide
    rows as 地域全体; at most ``max_rows`` rows (None: all). The frame itself is left unchanged."""
    out = frame.copy()
    if "theme" in out.columns:
        labels = dict(zip(lb.themes_table()["theme"], lb.themes_table()["label_ja"]))
        out["theme"] = out["theme"].map(lambda t: labels.get(t, t))
    if "aspect" in out.columns:
        out["aspect"] = out["aspect"].map(lambda a: lb.labels("aspect").get(a, a))
    if "municipality" in out.columns and "municipality_code" in out.columns:
        region = out["municipality_code"].astype(str) == ""
        out["municipality"] = out["municipality"].where(~region, REGION)
    out = out.rename(columns=COLUMN_LABELS)
    return out if max_rows is None else out.head(max_rows)


@dataclass
class Choice:
    """The member, theme and aspect the notebook's cells use; the drop-downs of :func:`controls`
    change it in place (re-run the cells below after choosing)."""
    member: str = ALL
    theme: str = ALL
    aspect: str = ALL

    def filters(self) -> dict[str, str]:
        """``member``, ``theme`` and ``aspect`` as keyword arguments of the explore helpers."""
        return {"member": self.member, "theme": self.theme, "aspect": self.aspect}


class _Note:
    """A short note shown as HTML in the notebook and as text elsewhere."""

    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.text)}</p>"

    def __repr__(self) -> str:
        return self.text


def _options(municipalities: pd.DataFrame | None, themes: pd.DataFrame | None) -> dict[str, list[str]]:
    return {"member": [ALL, *lb.municipalities_table(municipalities)["name_ja"], REGION],
            "theme": [ALL, *lb.themes_table(themes)["label_ja"]],
            "aspect": [ALL, "現状", "課題"]}


def controls(choice: Choice, municipalities: pd.DataFrame | None = None, themes: pd.DataFrame | None = None):
    """Drop-downs 市町・テーマ・区分 bound to ``choice`` (ipywidgets, in JupyterLab). Without ipywidgets
    (or in a run without a live front end) a note says which values the cells below use."""
    note = (f"選択：市町＝{choice.member}、テーマ＝{choice.theme}、区分＝{choice.aspect}"
            "（変えるときは上のパラメータのセルを書き換えて、下のセルを実行し直してください）")
    try:
        import ipywidgets as widgets
    except ImportError:
        return _Note(note)
    labels = {"member": "市町", "theme": "テーマ", "aspect": "区分"}
    boxes = []
    for field, options in _options(municipalities, themes).items():
        value = getattr(choice, field)
        box = widgets.Dropdown(options=options if value in options else [value, *options], value=value,
                               description=labels[field])
        box.observe(lambda change, field=field: setattr(choice, field, change["new"]), names="value")
        boxes.append(box)
    return widgets.VBox([widgets.HBox(boxes), widgets.HTML(
        "<small>選んだ後、下のセルを実行し直してください（パラメータのセルの値は変わりません）。</small>")])
