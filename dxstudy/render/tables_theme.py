# The theme notebook's own tables: the theme as the report names it, the region-wide summary, each
# member's stage with the sentence that decided it, and 現状 / 課題 side by side.
from __future__ import annotations

import pandas as pd

from dxstudy.analysis.evidence import section_of
from dxstudy.analysis.members import in_member_order
from dxstudy.reference import labels as lb
from dxstudy.render.html_blocks import HtmlBlock, empty_block, esc, html_table, sentences_html


def theme_heading(theme: str, themes: pd.DataFrame | None = None) -> HtmlBlock:
    """The theme as the report names it, e.g. 第3章 テレワークの推進 (a lead line, not an <h*>)."""
    df = lb.themes_table(themes)
    row = df[df["theme"] == theme]
    chapter = f"第{int(row['chapter'].iloc[0])}章 " if len(row) and not pd.isna(row["chapter"].iloc[0]) else ""
    text = f"{chapter}{lb.theme_label(theme, themes)}"
    return HtmlBlock(f'<p class="dx-lead"><strong>{esc(text)}</strong></p>', text)


def region_summary(statements: pd.DataFrame, theme: str) -> HtmlBlock:
    """The region-wide 現状 and 課題 text of a theme (rows without municipality), with sections."""
    df = statements[(statements["theme"] == theme) & (statements["municipality_code"] == "")]
    if df.empty:
        return empty_block("このテーマには地域全体のまとめの記述はありません。")
    parts = []
    for aspect in ("status", "challenge", ""):
        sub = df[df["aspect"] == aspect]
        if sub.empty:
            continue
        heading = lb.label("aspect", aspect) if aspect else "概要"
        parts.append(f"<p><strong>{esc(heading)}</strong></p>{sentences_html(sub)}")
    text = "\n".join(df["text"])
    return HtmlBlock(f'<div class="dx-summary">{"".join(parts)}</div>', text)


def stage_table(stages: pd.DataFrame, theme: str, statements: pd.DataFrame | None = None,
                municipalities: pd.DataFrame | None = None, themes: pd.DataFrame | None = None) -> HtmlBlock:
    """Each member's stage for a theme with the sentence that decided it (and its section)."""
    if theme not in lb.staged_themes(themes):
        return empty_block(f"「{lb.theme_label(theme, themes)}」は取組み段階の判定対象ではありません。")
    df = stages[stages["theme"] == theme]
    if df.empty:
        return empty_block()
    df = in_member_order(df, municipalities).copy()
    df["stage_text"] = [lb.stage_label(s) for s in pd.to_numeric(df["stage"])]
    sections = {}
    if statements is not None:
        sections = statements.set_index("statement_id")["section"].to_dict()
    df["quote"] = [
        f'「{esc(e)}」<span class="dx-cite">（{esc(sections.get(i, section_of(i)))}・{esc(i)}）</span>'
        for e, i in zip(df["evidence"], df["statement_id"])
    ]
    df["how"] = [
        "分析者の判断" + (f"（{r}）" if r else "") if s == "override" else "ルール"
        for s, r in zip(df.get("source", ""), df.get("rule", ""))
    ]
    return html_table(df, {"municipality": "市町", "stage_text": "段階", "quote": "判定の根拠となった文",
                           "how": "判定"}, raw_html=("quote",), narrow=("municipality", "stage_text", "how"))


def status_challenge_table(statements: pd.DataFrame, theme: str,
                           municipalities: pd.DataFrame | None = None) -> HtmlBlock:
    """現状 and 課題 side by side per municipality, every sentence in full with its section.

    For a theme without aspects (各市町独自の取組み) a single column 取組み is shown."""
    df = statements[(statements["theme"] == theme) & (statements["municipality_code"] != "")]
    if df.empty:
        return empty_block()
    members = lb.municipalities_table(municipalities)
    aspects = [a for a in ("status", "challenge") if (df["aspect"] == a).any()]
    rows = []
    for code, name in zip(members["code"], members["name_ja"]):
        sub = df[df["municipality_code"] == code]
        row = {"municipality": name}
        if aspects:
            for a in aspects:
                part = sub[sub["aspect"] == a]
                row[a] = sentences_html(part) if len(part) else '<p class="dx-empty">記述なし</p>'
        else:
            row["all"] = sentences_html(sub) if len(sub) else '<p class="dx-empty">記述なし</p>'
        rows.append(row)
    frame = pd.DataFrame(rows)
    cols = {"municipality": "市町"}
    cols.update({a: lb.label("aspect", a) for a in aspects} if aspects else {"all": "取組み"})
    block = html_table(frame, cols, raw_html=tuple(c for c in cols if c != "municipality"))
    block.text = "\n".join(df["text"])
    return block
