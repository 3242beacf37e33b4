# The Japanese summary sentences of the 前年度比較 notebook and the conclusions, each computed from the
# comparison tables: stage moves, 2年続けて検討中, metrics against targets, challenges, technologies.
from __future__ import annotations

import pandas as pd

from dxstudy.analysis.frames import table_of, year_of
from dxstudy.analysis.yoy.changes import stage_transitions, stalled, value_text
from dxstudy.analysis.yoy.comparison import (Comparison, disagreements, member_rows, persistent_challenges,
                                             year_sources)
from dxstudy.reference import labels as lb


def listing(items: list[str], limit: int = 4) -> str:
    """"A、B、C" — beyond ``limit`` items "A、B、Cなど7件"."""
    if len(items) <= limit:
        return "、".join(items)
    return f"{'、'.join(items[:limit - 1])}など{len(items)}件"


def summary_points(comparison: Comparison) -> list[str]:
    """A few plain Japanese sentences on what changed, each computed from the comparison tables:
    the years and sources, stage moves (up / down / unchanged, two years at 検討中), metrics with a
    target, challenges appeared / resolved / persisted for half or more of the members, and
    technologies new or advanced."""
    c = comparison
    themes = c.themes
    sources = year_sources(c).set_index("role")
    before, after = sources.loc["前年度"], sources.loc["今年度"]
    out = [f"{c.previous_year}年度（{before['form']}）と{c.fiscal_year}年度（{after['form']}）を比較した。"]
    st = c.stages
    both = st[st["change"].isin(["up", "down", "same"])]
    if len(both):
        counts = both["change"].value_counts()
        ups = [f"{r.municipality}の{lb.theme_label(r.theme, themes)}（{r.stage_before}→{r.stage_after}）"
               for r in both[both["change"] == "up"].itertuples()]
        text = (f"両年度に段階がある{len(both)}件（市町×テーマ）のうち、段階が上がったのは{counts.get('up', 0)}件、"
                f"下がったのは{counts.get('down', 0)}件、変わらなかったのは{counts.get('same', 0)}件である。")
        if ups:
            text += f"上がったのは{listing(ups)}。"
        out.append(text)
    missing = st[st["change"] == "gone"]["municipality"].drop_duplicates().tolist()
    if missing:
        out.append(f"{c.fiscal_year}年度の段階がない市町：{'・'.join(missing)}（回答がない、または記述がない）。")
    if len(c.stalled):
        items = [f"{r.municipality}（{lb.theme_label(r.theme, themes)}）" for r in c.stalled.itertuples()]
        out.append(f"2年続けて検討中（段階1）なのは{len(c.stalled)}件：{listing(items, 6)}。")
    differ = disagreements(c)
    if len(differ):
        items = [f"{r.municipality}（{lb.theme_label(r.theme, themes)}：回答{r.stage}・記述{r.rules_stage}）"
                 for r in differ.itertuples()]
        out.append(f"{c.fiscal_year}年度の回答の段階が、同じ回答の現状の記述からの自動判定と異なるものが{len(differ)}件"
                   f"ある：{listing(items)}。確認が必要である。")
    m = c.metrics
    targeted = m[m["target_value"].notna() & m["value_after"].notna()]
    for r in targeted.itertuples():
        before_text = r.value_text_before or "記載なし"
        deadline = f"{int(r.target_fiscal_year)}年度までの" if pd.notna(r.target_fiscal_year) else ""
        gap = r.gap_to_target
        where = f"目標{value_text(r.target_value, r.unit)}まであと{value_text(gap, r.unit)}" if gap > 0 else \
            f"目標{value_text(r.target_value, r.unit)}に達している"
        moved_text = (f"前年度と同じ{r.value_text_after}" if r.change == "unchanged"
                      else f"{before_text}から{r.value_text_after}になった")
        out.append(f"{r.municipality}の{r.label_ja}は{moved_text}（{deadline}{where}）。")
    moved = m[m["change"].isin(["increased", "decreased"])]
    if len(m):
        n_both = int((m["value_before"].notna() & m["value_after"].notna()).sum())
        out.append(f"両年度に値がある指標{n_both}件（市町×指標）のうち、値が変わったのは{len(moved)}件である。")
    ch = member_rows(c.challenges)
    if len(ch):
        counts = ch["change"].value_counts()
        out.append(f"各市町の課題の記述では、新たに挙がった課題が{counts.get('appeared', 0)}件、継続が"
                   f"{counts.get('persisted', 0)}件、挙がらなくなった課題が{counts.get('resolved', 0)}件"
                   "（市町×テーマ×課題コード）。")
    persistent = persistent_challenges(table_of(c.before, "challenges"), table_of(c.after, "challenges"), c.municipalities)
    top = persistent[persistent["shared"]]
    if len(top):
        items = [f"「{r.code_label}」（{r.n_members}市町）" for r in top.itertuples()]
        out.append(f"2年続けて半数以上の市町が挙げた課題は{listing(items, 5)}である。")
    tech = c.technologies
    new = [f"{r.municipality}：{r.technology_label}" for r in tech[tech["change"] == "new"].itertuples()]
    adv = [f"{r.municipality}：{r.technology_label}（{r.status_label_before}→{r.status_label_after}）"
           for r in tech[tech["change"] == "advanced"].itertuples()]
    if new:
        out.append(f"新たに記載された技術は{len(new)}件（{listing(new)}）。")
    if adv:
        out.append(f"状況が進んだ技術は{len(adv)}件（{listing(adv)}）。")
    return out


def trend_sentences(before, after, municipalities: pd.DataFrame | None = None,
                    themes: pd.DataFrame | None = None) -> list[str]:
    """Sentences on the trend since the previous year for the conclusions: stage moves, 2年続けて
    検討中, persistent shared challenges (counts and names computed from the two years' tables)."""
    year_before = year_of(before)
    transitions = stage_transitions(table_of(before, "stages"), table_of(after, "stages"))
    counts = transitions["change"].value_counts()
    out = [f"前年度（{year_before}年度）と比べ、取組み段階が上がったのは{counts.get('up', 0)}件、下がったのは"
           f"{counts.get('down', 0)}件、変わらなかったのは{counts.get('same', 0)}件（市町×テーマ）である。"]
    stuck = stalled(transitions)
    if len(stuck):
        items = "、".join(f"{r.municipality}（{lb.theme_label(r.theme, themes)}）" for r in stuck.itertuples())
        out.append(f"2年続けて検討中（段階1）なのは{items}であり、横展開による支援を提案する。")
    persistent = persistent_challenges(table_of(before, "challenges"), table_of(after, "challenges"), municipalities)
    top = persistent[persistent["shared"]]
    if len(top):
        out.append(f"2年続けて半数以上の市町が挙げた課題は{shared_listing(top)}であり、共同の取組みを優先して検討する。")
    return out


def shared_listing(shared: pd.DataFrame) -> str:
    """"「研修・育成の体系」（5市町）、…": the shared challenge codes with their number of members."""
    return "、".join(f"「{r.code_label}」（{r.n_members}市町）" for r in shared.itertuples())
