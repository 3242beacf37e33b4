# What the previous year adds to the proposals: 横展開 for members at 検討中 two years running, and
# joint actions of challenges that persisted for half or more of the members (【前年度から継続】).
from __future__ import annotations

import pandas as pd

from dxstudy import external
from dxstudy.analysis.evidence import cited, no_points, numbered
from dxstudy.analysis.frames import both_years_statements, table_of, year_of
from dxstudy.analysis.joint_actions import MIN_SHARE, action_title, joint_action_points
from dxstudy.analysis.leaders import STAGE_LEAD
from dxstudy.analysis.members import member_names, short_member_names, stages_in_order
from dxstudy.analysis.yoy import (first_status_sentences, persistent_challenges, rules_verdicts, stage_transitions,
                                  stalled)
from dxstudy.reference import labels as lb

TREND_MARK = "【前年度から継続】"
"""Prefix of a joint action emphasised because its challenge persisted for half or more of the members."""
PERSISTENT_HEADING = "【前年度から継続している共通の課題】"


def _stage_practice_ids(row: dict, statements: pd.DataFrame) -> list[str]:
    """The statement that decided a stage and, when that is a survey answer (the stage cell) rather
    than prose, the member's first 現状 sentence of the theme: what it does."""
    ids = [row["statement_id"]]
    year = statements[statements["statement_id"].str.startswith(row["statement_id"][:7])]
    first = first_status_sentences(year).get((row["municipality_code"], row["theme"]), "")
    if first and first != row["statement_id"]:
        ids.append(first)
    return ids


def stalled_points(before, after, themes: pd.DataFrame | None = None,
                   municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """横展開 points for members that stayed at 1 (検討中) in both years, one per theme: paired with
    this year's members at stage 3 of the theme (else the furthest ones), with the stage evidence of
    both years and what the leaders do. ``before`` / ``after`` are the two years' tables."""
    stages_after = table_of(after, "stages")
    verdicts = rules_verdicts(stages_after)
    transitions = stage_transitions(table_of(before, "stages"), stages_after)
    stuck = stalled(transitions)
    if stuck.empty:
        return no_points()
    statements = both_years_statements(before, after)
    year_before, year_after = year_of(before), year_of(after)
    region = lb.region_label(municipalities)
    now = stages_in_order(stages_after, municipalities)
    rows = []
    for theme in lb.staged_themes(themes):
        members = stuck[stuck["theme"] == theme]
        if members.empty:
            continue
        label = lb.theme_label(theme, themes)
        sub = now[(now["theme"] == theme) & ~now["municipality_code"].isin(members["municipality_code"])]
        top = int(sub["stage"].max()) if len(sub) else -1
        leads = sub[sub["stage"] >= STAGE_LEAD] if top >= STAGE_LEAD else sub[(sub["stage"] == top) & (sub["stage"] > 1)]
        names = member_names(members["municipality_code"], municipalities)
        ids: list[str] = []
        for r in members.to_dict("records"):
            ids.append(r["statement_id_before"])
            ids.extend(_stage_practice_ids({**r, "statement_id": r["statement_id_after"]}, statements))
        lines = [f"{names}は、{year_before}年度・{year_after}年度とも検討中（段階1）であり、検討が試行・実施に進んでいない。"]
        if len(leads):
            lead_names = member_names(leads["municipality_code"], municipalities)
            level = f"段階{int(leads['stage'].iloc[0])}・{lb.STAGE_LABELS[int(leads['stage'].iloc[0])]}"
            lines.append(f"{year_after}年度に{level}の{lead_names}の取組み：")
            for r in leads.to_dict("records"):
                practice = _stage_practice_ids(r, statements)
                ids.extend(practice)
                text = statements.loc[statements["statement_id"] == practice[-1], "text"]
                lines.append(f"・{r['municipality']}：「{text.iloc[0] if len(text) else r['evidence']}」")
                verdict = verdicts.get((r["municipality_code"], theme))
                if r.get("source") == "respondent" and verdict is not None and verdict != int(r["stage"]):
                    lines.append(f"　※{r['municipality']}の現状の記述からの自動判定は段階{verdict}"
                                 f"（{lb.STAGE_LABELS[verdict]}）で、回答の段階と異なる。事前に確認が必要。")
            lines.append(f"{lead_names}に、検討から試行・実施に移った経緯（体制・予算・手順）の説明を依頼し、{names}の"
                         "次の一歩（試行の範囲・時期）を一緒に具体化する支援を提案する（先行市町の担当者との意見交換、"
                         "資料の共有など）。")
            title = f"{label}：{short_member_names(members['municipality_code'], municipalities)}は2年続けて検討中 — " \
                    f"{short_member_names(leads['municipality_code'], municipalities)}の支援による横展開を"
        else:
            lines.append(f"このテーマで検討中より進んだ市町はないため、{region}が共同で先行事例の調査と試行の"
                         "計画づくりを進めることを提案する。")
            title = f"{label}：{short_member_names(members['municipality_code'], municipalities)}は2年続けて検討中 — " \
                    f"{region}での共同検討を"
        rows.append({
            "kind": "horizontal",
            "theme": theme,
            "title_ja": title,
            "body_ja": "\n".join(lines),
            "rationale_ja": f"前年度比較（{year_before}年度→{year_after}年度）で、{names}の{label}の段階が両年度とも"
            "1（検討中）と判定された（2年続けて検討中）。"
            + (f"{year_after}年度に{member_names(leads['municipality_code'], municipalities)}は段階{int(leads['stage'].iloc[0])}。"
               if len(leads) else ""),
            **cited(ids, statements),
        })
    return pd.DataFrame(rows, columns=no_points().columns)


def emphasise_persistent(joint: pd.DataFrame, before, after, municipalities: pd.DataFrame | None = None,
                         mapping: pd.DataFrame | None = None, min_share: float = MIN_SHARE) -> pd.DataFrame:
    """Joint actions whose challenge code was raised in both years by at least ``min_share`` of the
    members: the point is marked 【前年度から継続】, says so in its body and rationale, quotes the
    previous year too, and moves to the top. A persistent code without a joint action in this
    year's draft gets a point of its own."""
    persistent = persistent_challenges(table_of(before, "challenges"), table_of(after, "challenges"), municipalities,
                                       min_share)
    persistent = persistent[persistent["shared"]]
    if persistent.empty:
        return joint
    mapping = external.load_joint_actions() if mapping is None else mapping
    region = lb.region_label(municipalities)
    statements = both_years_statements(before, after)
    year_before, year_after = year_of(before), year_of(after)
    out = joint.copy() if len(joint) else no_points()
    out["_weight"] = 0
    added: dict[int, dict[str, list]] = {}  # row of an existing joint action -> what the trend adds
    new_rows = []
    for r in persistent.itertuples():
        line = (f"・課題「{r.code_label}」：{year_before}年度・{year_after}年度とも{r.n_members}/{r.n_total}市町"
                f"（{r.members}）")
        reason = (f"課題コード「{r.code_label}」が{year_before}年度と{year_after}年度の両方で{r.n_total}市町中"
                  f"{r.n_members}市町の課題の記述に現れる（2年続けて半数以上）")
        before_ids, after_ids = r.statement_ids_before.split(";"), r.statement_ids_after.split(";")
        title = action_title(mapping, r.code, region)
        hit = out.index[out["title_ja"] == title] if title else []
        if len(hit):
            item = added.setdefault(hit[0], {"lines": [], "reasons": [], "before": [], "after": [], "n": []})
            item["lines"].append(line)
            item["reasons"].append(reason)
            item["before"].extend(before_ids)
            item["after"].extend(after_ids)
            item["n"].append(int(r.n_members))
            continue
        new_rows.append({
            "kind": "joint_action", "theme": "",
            "title_ja": f"{TREND_MARK}課題「{r.code_label}」への{region}共同の対応",
            "body_ja": "\n".join([PERSISTENT_HEADING, line, "【取組みの内容】",
                                   f"・2年続けて多くの市町が挙げている課題であり、{region}で対応策を共同で検討する"
                                   "（対応表 rules/joint_actions.csv に対応の種類がないため、専門部会で具体化する）。"]),
            "rationale_ja": f"{reason}。",
            **cited([*before_ids, *after_ids], statements), "_weight": int(r.n_members)})
    for i, item in added.items():
        out.at[i, "title_ja"] = TREND_MARK + out.at[i, "title_ja"]
        out.at[i, "body_ja"] = "\n".join([PERSISTENT_HEADING, *item["lines"], out.at[i, "body_ja"]])
        out.at[i, "rationale_ja"] = "。".join(item["reasons"]) + "。" + out.at[i, "rationale_ja"]
        ids = [*item["before"], *out.at[i, "statement_ids"].split(";"), *item["after"]]
        for column, value in cited(ids, statements).items():
            out.at[i, column] = value
        out.at[i, "_weight"] = max(item["n"])
    if new_rows:
        out = pd.concat([out, pd.DataFrame(new_rows)], ignore_index=True)
    out = out.sort_values("_weight", ascending=False, kind="stable")
    return out.drop(columns="_weight").reset_index(drop=True)


def trend_points(before, after, themes: pd.DataFrame | None = None, municipalities: pd.DataFrame | None = None,
                 mapping: pd.DataFrame | None = None, min_share: float = MIN_SHARE) -> pd.DataFrame:
    """The points the previous year adds, on their own (the 前年度比較 notebook shows them):
    members at 検討中 two years running (stalled_points) and the joint actions of challenges that
    persisted for half or more of the members (emphasise_persistent, marked 【前年度から継続】)."""
    stuck = stalled_points(before, after, themes, municipalities)
    joint = joint_action_points(table_of(after, "challenges"), table_of(after, "stages"), table_of(after, "statements"),
                                municipalities, themes, mapping, min_share)
    joint = emphasise_persistent(joint, before, after, municipalities, mapping, min_share)
    joint = joint[joint["title_ja"].str.startswith(TREND_MARK)] if len(joint) else joint
    return numbered([stuck, joint], "T")

