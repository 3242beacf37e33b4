# Who is ahead in each staged theme, and 横展開 (horizontal deployment) from the members at stage 3
# to those at stage 0-1: proposal points resting on the sentences that decided the stages.
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from dxstudy.analysis.evidence import cited
from dxstudy.analysis.members import leads_and_lags, member_names, short_member_names, stages_in_order
from dxstudy.reference import labels as lb

STAGE_LEAD = 3
STAGE_LAG_MAX = 1
EXTRA_PRACTICE_SENTENCES = 2


def stages_by_theme(stages: pd.DataFrame, themes: pd.DataFrame | None = None,
                    municipalities: pd.DataFrame | None = None
                    ) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Per staged theme with decided stages: (theme, its stages in member order, the members at
    stage 3, the members at stage 0-1)."""
    df = stages_in_order(stages, municipalities)
    for theme in lb.staged_themes(themes):
        sub = df[df["theme"] == theme]
        if len(sub):
            yield (theme, sub, *leads_and_lags(sub, STAGE_LEAD, STAGE_LAG_MAX))


def stage_distribution(stages: pd.DataFrame, theme: str, municipalities: pd.DataFrame | None = None) -> str:
    """"段階3（実施中）：越谷市・三郷市／段階0（未着手）：松伏町" for one theme, highest stage first."""
    df = stages_in_order(stages[stages["theme"] == theme], municipalities)
    parts = []
    for stage in sorted(df["stage"].unique(), reverse=True):
        codes = df.loc[df["stage"] == stage, "municipality_code"]
        parts.append(f"段階{int(stage)}（{lb.STAGE_LABELS[int(stage)]}）：{member_names(codes, municipalities)}")
    return "／".join(parts)


def _practice_ids(row: pd.Series, statements: pd.DataFrame, extra: int) -> list[str]:
    """The deciding sentence, then up to ``extra`` further status sentences of the member and theme."""
    same = statements[
        (statements["municipality_code"] == row["municipality_code"])
        & (statements["theme"] == row["theme"])
        & (statements["aspect"] == "status")
        & (statements["statement_id"] != row["statement_id"])
    ]
    return [row["statement_id"], *same["statement_id"].head(extra)]


def _nobody_leads(theme: str, sub: pd.DataFrame, statements: pd.DataFrame, label: str, distribution: str,
                  municipalities: pd.DataFrame | None) -> dict:
    top = int(sub["stage"].max())
    best = sub[sub["stage"] == top]
    return {
        "kind": "leader",
        "theme": theme,
        "title_ja": f"{label}：実施中（段階3）の市町はまだない",
        "body_ja": f"最も進んでいるのは{member_names(best['municipality_code'], municipalities)}"
        f"（段階{top}・{lb.STAGE_LABELS[top]}）である。",
        "rationale_ja": f"取組み段階の判定結果：{distribution}。",
        **cited(best["statement_id"], statements),
    }


def leader_points(stages: pd.DataFrame, statements: pd.DataFrame, themes: pd.DataFrame | None = None,
                  municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per staged theme, who is at stage 3 (実施中) and what they do (the deciding sentence and up to
    two further 現状 sentences). Themes with no member at stage 3 get a point saying so."""
    rows = []
    for theme, sub, leads, _lags in stages_by_theme(stages, themes, municipalities):
        label = lb.theme_label(theme, themes)
        distribution = stage_distribution(stages, theme, municipalities)
        if leads.empty:
            rows.append(_nobody_leads(theme, sub, statements, label, distribution, municipalities))
            continue
        ids: list[str] = []
        lines = []
        for _, lead in leads.iterrows():
            ids.extend(_practice_ids(lead, statements, EXTRA_PRACTICE_SENTENCES))
            lines.append(f"{lead['municipality']}：「{lead['evidence']}」")
        rows.append({
            "kind": "leader",
            "theme": theme,
            "title_ja": f"{label}：{member_names(leads['municipality_code'], municipalities)}が実施中（段階3）",
            "body_ja": "\n".join(lines),
            "rationale_ja": f"段階3（実施中：通常運用・全庁的・完了）と判定された市町とその判定根拠の文。"
            f"取組み段階の判定結果：{distribution}。",
            **cited(ids, statements),
        })
    return pd.DataFrame(rows)


def horizontal_points(stages: pd.DataFrame, statements: pd.DataFrame, themes: pd.DataFrame | None = None,
                      municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """横展開 suggestions, one per theme: the practices of the members at stage 3 (their deciding
    sentences) paired with the members at stage 0-1 (with their own deciding sentence: what they
    do now). No point for a theme without both."""
    rows = []
    for theme, _sub, leads, lags in stages_by_theme(stages, themes, municipalities):
        if leads.empty or lags.empty:
            continue
        label = lb.theme_label(theme, themes)
        targets = "・".join(
            f"{r['municipality']}（段階{int(r['stage'])}・{lb.STAGE_LABELS[int(r['stage'])]}）" for _, r in lags.iterrows()
        )
        practices = [f"・{r['municipality']}：「{r['evidence']}」" for _, r in leads.iterrows()]
        lead_names = member_names(leads["municipality_code"], municipalities)
        lag_names = member_names(lags["municipality_code"], municipalities)
        rows.append({
            "kind": "horizontal",
            "theme": theme,
            "title_ja": f"{label}：{short_member_names(leads['municipality_code'], municipalities)}の取組みを"
            f"{short_member_names(lags['municipality_code'], municipalities)}へ",
            "body_ja": "\n".join([
                f"{targets}は、実施中（段階3）の次の取組みを参考にできる。",
                *practices,
                f"{lead_names}から導入の経緯・体制・運用上の課題の説明を受け、{lag_names}の状況に合わせた"
                "導入の手順を検討することを提案する。",
            ]),
            "rationale_ja": f"同じテーマで、{lead_names}は段階3（実施中）、{lag_names}は段階0–1（未着手・検討中）と"
            "判定された（報告書の結論が述べる「有効な取り組みの横展開」を、判定結果から具体化したもの）。",
            **cited([*leads["statement_id"], *lags["statement_id"]], statements),
        })
    return pd.DataFrame(rows)


def stage_gaps(stages: pd.DataFrame, themes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Themes where a member at stage 3 and a member at stage 0-1 coexist.

    Columns: theme, leaders (codes ";"), laggards (codes ";"), statement_ids (";")."""
    rows = [{
        "theme": theme,
        "leaders": ";".join(leads["municipality_code"]),
        "laggards": ";".join(lags["municipality_code"]),
        "statement_ids": ";".join([*leads["statement_id"], *lags["statement_id"]]),
    } for theme, _sub, leads, lags in stages_by_theme(stages, themes) if len(leads) and len(lags)]
    return pd.DataFrame(rows, columns=["theme", "leaders", "laggards", "statement_ids"])
