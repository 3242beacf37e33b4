# Challenges shared by many members, and the joint actions they call for (the mapping of
# rules/joint_actions.csv, read by dxstudy.external): proposal points with their evidence.
from __future__ import annotations

import math

import pandas as pd

from dxstudy import external
from dxstudy.analysis.evidence import cited
from dxstudy.analysis.leaders import stage_gaps
from dxstudy.analysis.members import member_names, member_rank
from dxstudy.reference import labels as lb

MIN_SHARE = 0.5
STAGE_GAP_TRIGGER = "stage_gap"


def shared_challenges(
    challenges: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    min_share: float = MIN_SHARE,
    themes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Challenge codes and how many members share them, most shared first.

    Columns: code, code_label, n_members, n_total (members in the study), share (0-1), shared
    (bool: n_members >= ceil(min_share * n_total)), members (names, "・"), member_codes (";"),
    themes (labels, "・"), statement_ids (";": the first coded sentence of each member).
    """
    cols = ["code", "code_label", "n_members", "n_total", "share", "shared", "members", "member_codes", "themes",
            "statement_ids"]
    n_total = len(lb.municipalities_table(municipalities))
    df = challenges[challenges["municipality_code"] != ""]
    if df.empty:
        return pd.DataFrame(columns=cols)
    order = member_rank(municipalities)
    theme_order = {t: i for i, t in enumerate(lb.themes_table(themes)["theme"])}
    df = df.assign(_o=df["municipality_code"].map(order).fillna(len(order))).sort_values(
        ["_o", "statement_id"], kind="stable"
    )
    need = math.ceil(min_share * n_total)
    rows = []
    for code, sub in df.groupby("code", sort=False):
        first = sub.drop_duplicates("municipality_code")
        theme_ids = sorted(sub["theme"].unique(), key=lambda t: theme_order.get(t, 99))
        label = sub["code_label"].iloc[0] if "code_label" in sub and sub["code_label"].iloc[0] else code
        rows.append({
            "code": code,
            "code_label": label,
            "n_members": len(first),
            "n_total": n_total,
            "share": len(first) / n_total if n_total else 0.0,
            "shared": len(first) >= need,
            "members": member_names(first["municipality_code"], municipalities),
            "member_codes": ";".join(first["municipality_code"]),
            "themes": "・".join(lb.theme_label(t, themes) for t in theme_ids),
            "statement_ids": ";".join(first["statement_id"]),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_members", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)


def action_title(mapping: pd.DataFrame, code: str, region: str) -> str:
    """The title of the joint action ``mapping`` gives a challenge code ("" when it gives none)."""
    hit = mapping.loc[mapping["code"] == code, "action_ja"]
    return hit.iloc[0].replace("{region}", region) if len(hit) else ""


def _triggers(shared: pd.DataFrame, gaps: pd.DataFrame, action_of: pd.DataFrame) -> dict[str, list[dict]]:
    """action_id → the shared codes (and the stage-gap trigger) that call for it."""
    triggers: dict[str, list[dict]] = {}
    for _, code_row in shared.iterrows():
        if code_row["code"] in action_of.index:
            triggers.setdefault(action_of.at[code_row["code"], "action_id"], []).append(code_row.to_dict())
    if len(gaps) and STAGE_GAP_TRIGGER in action_of.index:
        members = {c for col in ("leaders", "laggards") for v in gaps[col] for c in v.split(";")}
        triggers.setdefault(action_of.at[STAGE_GAP_TRIGGER, "action_id"], []).append({
            "code": STAGE_GAP_TRIGGER,
            "gaps": gaps,
            "n_members": len(members),
        })
    return triggers


def _gap_lines(gaps: pd.DataFrame, themes: pd.DataFrame | None,
               municipalities: pd.DataFrame | None) -> tuple[list[str], list[str]]:
    lines, ids = [], []
    for _, gap in gaps.iterrows():
        lines.append(
            f"・{lb.theme_label(gap['theme'], themes)}：実施中（段階3）の"
            f"{member_names(gap['leaders'].split(';'), municipalities)}と、未着手・検討中（段階0–1）の"
            f"{member_names(gap['laggards'].split(';'), municipalities)}がある"
        )
        ids.extend(gap["statement_ids"].split(";"))
    return lines, ids


def joint_action_points(
    challenges: pd.DataFrame,
    stages: pd.DataFrame,
    statements: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    themes: pd.DataFrame | None = None,
    mapping: pd.DataFrame | None = None,
    min_share: float = MIN_SHARE,
) -> pd.DataFrame:
    """Joint actions for challenges shared by at least ``min_share`` of the members.

    Each shared code is mapped to its joint action (``mapping``, as read by
    dxstudy.external.load_joint_actions; None: the package's rules/joint_actions.csv); codes mapped
    to the same action make one point. The ``stage_gap`` trigger fires when some theme has members
    at stage 3 and at stage 0-1 at the same time (the report's "推進状況に差がある"). Actions are
    ordered by the number of members behind them.
    """
    mapping = external.load_joint_actions() if mapping is None else mapping
    region = lb.region_label(municipalities)
    shared = shared_challenges(challenges, municipalities, min_share, themes)
    action_of = mapping.set_index("code")
    triggers = _triggers(shared[shared["shared"]], stage_gaps(stages, themes), action_of)
    rows = []
    for action_id, items in triggers.items():
        spec = mapping[mapping["action_id"] == action_id].iloc[0]
        lines, reasons, ids, descriptions = [], [], [], []
        for item in items:
            descriptions.append(action_of.at[item["code"], "description_ja"].replace("{region}", region))
            if item["code"] == STAGE_GAP_TRIGGER:
                gap_lines, gap_ids = _gap_lines(item["gaps"], themes, municipalities)
                lines.extend(gap_lines)
                ids.extend(gap_ids)
                reasons.append(
                    f"{len(item['gaps'])}テーマで段階3の市町と段階0–1の市町が併存している（推進状況の差）"
                )
            else:
                lines.append(
                    f"・課題「{item['code_label']}」：{item['n_members']}/{item['n_total']}市町（{item['members']}）"
                )
                reasons.append(
                    f"課題コード「{item['code_label']}」が{item['n_total']}市町中{item['n_members']}市町の課題の記述に"
                    f"現れる（基準：半数以上）"
                )
                ids.extend(item["statement_ids"].split(";"))
        rows.append({
            "kind": "joint_action",
            "theme": "",
            "title_ja": spec["action_ja"].replace("{region}", region),
            "body_ja": "\n".join(["【共通する課題・推進状況の差】", *lines, "【取組みの内容】",
                                   *(f"・{d}" for d in dict.fromkeys(descriptions))]),
            "rationale_ja": "。".join(reasons) + "。対応の種類は rules/joint_actions.csv の対応表による。",
            **cited(ids, statements),
            "_weight": max(int(i["n_members"]) for i in items),
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values("_weight", ascending=False, kind="stable").drop(columns="_weight").reset_index(drop=True)
