# The overview and conclusions notebooks' tables: the report itself (document, meetings, sentences
# per theme and member), the region against national figures, and the proposals draft.
from __future__ import annotations

import pandas as pd

from dxstudy.reference import labels as lb
from dxstudy.render.html_blocks import COLLAPSE_MEMBERS, HtmlBlock, empty_block, esc, html_table
from dxstudy.render.proposal_text import render_html, render_markdown


def _date_ja(iso: str) -> str:
    try:
        d = pd.Timestamp(iso)
    except (ValueError, TypeError):
        return str(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def document_summary(document: pd.DataFrame, statements: pd.DataFrame | None = None) -> HtmlBlock:
    """Title, publisher, publication and as-of dates of the report, and the number of statements."""
    if document.empty:
        return empty_block()
    d = document.iloc[0]
    rows = [("報告書", d.get("title", "")), ("発行", d.get("publisher", "")),
            ("発行年月", d.get("published", "")), ("内容の時点", d.get("as_of", ""))]
    if statements is not None:
        rows.append(("分析した文の数", f"{len(statements)}文"))
    frame = pd.DataFrame(rows, columns=["item", "value"])
    return html_table(frame, {"item": "項目", "value": "内容"})


def meetings_table(meetings: pd.DataFrame) -> HtmlBlock:
    """The working-group meetings: 回, 開催日, 内容."""
    if meetings.empty:
        return empty_block()
    df = meetings.copy()
    df["no"] = "第" + df["number"].astype(str) + "回"
    weekday = df["weekday_ja"] if "weekday_ja" in df else ""
    df["when"] = [f"{_date_ja(d)}" + (f"（{w}）" if w else "") for d, w in zip(df["date"], weekday if len(weekday) else [""] * len(df))]
    df["what"] = df["agenda"].astype(str).str.replace("; ", "／", regex=False)
    return html_table(df, {"no": "回", "when": "開催日", "what": "内容"})


def statements_summary(statements: pd.DataFrame, themes: pd.DataFrame | None = None,
                       municipalities: pd.DataFrame | None = None) -> HtmlBlock:
    """Number of sentences per theme and municipality (what the analyses rest on)."""
    df = statements[statements["theme"].isin(lb.themes_table(themes)["theme"])]
    if df.empty:
        return empty_block()
    members = lb.municipalities_table(municipalities)
    counts = pd.crosstab(df["theme"], df["municipality_code"])
    out = pd.DataFrame({"theme": [lb.theme_label(t, themes) for t in lb.themes_table(themes)["theme"]]})
    cols = {"theme": "テーマ"}
    for code, name in zip(members["code"], members["name_ja"]):
        out[code] = [int(counts.at[t, code]) if t in counts.index and code in counts.columns else 0
                     for t in lb.themes_table(themes)["theme"]]
        cols[code] = name
    out["region"] = [int(counts.at[t, ""]) if t in counts.index and "" in counts.columns else 0
                     for t in lb.themes_table(themes)["theme"]]
    cols["region"] = "全体"
    if len(members) > COLLAPSE_MEMBERS:  # many members: a row per member (folded), a column per theme
        side = out.set_index("theme")[[c for c in cols if c != "theme"]].T
        side.insert(0, "municipality", [cols[c] for c in side.index])
        side.columns = [str(c) for c in side.columns]
        tcols = {c: ("市町" if c == "municipality" else c) for c in side.columns}
        side["municipality_code"] = ["" if c == "region" else c for c in side.index]  # 全体 is no member
        return html_table(side.reset_index(drop=True), tcols, caption="テーマ・市町別の文の数",
                          numeric=tuple(tcols)[1:])
    return html_table(out, cols, caption="テーマ・市町別の文の数", numeric=tuple(cols)[1:])


def national_table(comparison: pd.DataFrame, municipalities: pd.DataFrame | None = None) -> HtmlBlock:
    """Region against national figures, with both definitions and the source, side by side."""
    if comparison.empty:
        return empty_block()
    region = lb.region_label(municipalities)
    df = comparison.copy()
    df["region"] = [
        f"{p:.1f}%（{int(n)}/{int(d)}）" if not pd.isna(n) else "—"
        for p, n, d in zip(df["region_pct"], df["region_numerator"], df["region_denominator"])
    ]
    df["national"] = [f"{p:.1f}%" for p in df["national_pct"]]
    df["national_def"] = [
        f"{esc(d)}<br><span class='dx-cite'>{esc(pop)}・{esc(a)}時点・{esc(s)}</span>"
        for d, pop, a, s in zip(df["national_definition_ja"], df["national_population"], df["national_as_of"],
                                df["source_ja"])
    ]
    df["region_def"] = [
        f"{esc(d)}<br><span class='dx-cite'>該当：{esc(m) or 'なし'}</span>"
        for d, m in zip(df["region_definition_ja"], df["region_members"])
    ]
    return html_table(df, {"label_ja": "指標", "region": region, "national": "全国",
                           "region_def": f"{region}の判定方法", "national_def": "全国の定義・時点・出典"},
                      numeric=("region", "national"), raw_html=("region_def", "national_def"))


def proposals_block(proposals: pd.DataFrame, kind: str | None = None) -> HtmlBlock:
    """The proposals (optionally of one kind) with their rationale and evidence quotes."""
    df = proposals if kind is None else proposals[proposals["kind"] == kind]
    return HtmlBlock(render_html(df), render_markdown(df))
