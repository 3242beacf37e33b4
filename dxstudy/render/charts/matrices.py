# The wide tables behind the heatmaps: members as rows (reference order) by stage theme, technology or
# challenge code. Table reshaping only; the drawing is in heatmaps.py.
from __future__ import annotations

import pandas as pd

from dxstudy.reference import labels as lb

TECH_STATUS_ORDER = ["in_use", "pilot", "considering"]
"""Technology statuses, most advanced first."""


def members(municipalities: pd.DataFrame | None, data: pd.DataFrame) -> pd.DataFrame:
    """Members to show as rows (code, name_ja, order): the reference table, plus any code found only
    in ``data`` (its columns municipality_code, municipality), after the reference members."""
    ref = lb.municipalities_table(municipalities)
    extra = data.loc[
        (data["municipality_code"] != "") & ~data["municipality_code"].isin(ref["code"]),
        ["municipality_code", "municipality"],
    ].drop_duplicates("municipality_code")
    if len(extra):
        extra = extra.rename(columns={"municipality_code": "code", "municipality": "name_ja"})
        extra["order"] = ref["order"].max() + 1 if len(ref) else 1
        ref = pd.concat([ref, extra], ignore_index=True).sort_values(["order", "code"], kind="stable")
    return ref.reset_index(drop=True)


def stage_matrix(
    stages: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    themes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Wide table municipality (name_ja, rows in member order) x theme (label_ja) of stages 0-3.

    Missing cells are NaN. Only the staged themes (chapters 1-4) are columns.
    """
    rows = members(municipalities, stages)
    theme_ids = lb.staged_themes(themes)
    wide = (
        stages.assign(stage=pd.to_numeric(stages["stage"], errors="coerce"))
        .pivot_table(index="municipality_code", columns="theme", values="stage", aggfunc="max")
        .reindex(index=rows["code"], columns=theme_ids)
    )
    wide.index = rows["name_ja"].tolist()
    wide.columns = [lb.theme_label(t, themes) for t in theme_ids]
    return wide


def technology_matrix(
    technologies: pd.DataFrame, municipalities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Wide table municipality (name_ja) x technology (label_ja) with the most advanced status.

    Status order: in_use > pilot > considering; "" where nothing is recorded. Columns are the
    technologies present in the data, most widely used first.
    """
    rows = members(municipalities, technologies)
    rank = {s: i for i, s in enumerate(TECH_STATUS_ORDER)}
    df = technologies.assign(_rank=technologies["status"].map(rank).fillna(len(rank)))
    best = df.sort_values("_rank", kind="stable").drop_duplicates(["municipality_code", "technology"])
    order = (
        best.groupby("technology")
        .agg(n=("municipality_code", "nunique"), in_use=("_rank", lambda r: int((r == 0).sum())))
        .reset_index()
    )
    known = list(lb.labels("technology"))
    order["_known"] = order["technology"].map({t: i for i, t in enumerate(known)}).fillna(len(known))
    order = order.sort_values(["in_use", "n", "_known"], ascending=[False, False, True], kind="stable")
    wide = best.pivot(index="municipality_code", columns="technology", values="status").reindex(
        index=rows["code"], columns=order["technology"].tolist()
    )
    wide = wide.fillna("")
    wide.index = rows["name_ja"].tolist()
    wide.columns = [technology_label(t, technologies) for t in wide.columns]
    return wide


def technology_label(technology: str, technologies: pd.DataFrame | None = None) -> str:
    """Japanese label of a technology id: the table's ``technology_label`` (from the coding rules)
    when present, else rules/labels_ja.csv."""
    if technologies is not None and "technology_label" in technologies.columns:
        hit = technologies.loc[(technologies["technology"] == technology) & (technologies["technology_label"] != ""),
                               "technology_label"]
        if len(hit):
            return str(hit.iloc[0])
    return lb.label("technology", technology)


def challenge_matrix(
    challenges: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    theme: str | None = None,
) -> pd.DataFrame:
    """Crosstab municipality (name_ja) x challenge code (code_label) of coded statements.

    Counts distinct statements. Columns sorted by the number of members sharing the code (most
    shared first), then by total count. Region-wide statements (no municipality) are left out.
    """
    df = challenges if theme is None else challenges[challenges["theme"] == theme]
    df = df[df["municipality_code"] != ""]
    rows = members(municipalities, challenges)
    if df.empty:
        return pd.DataFrame(index=rows["name_ja"].tolist())
    label_of = df.drop_duplicates("code").set_index("code")["code_label"].to_dict() if "code_label" in df else {}
    counts = df.drop_duplicates(["municipality_code", "code", "statement_id"]).pivot_table(
        index="municipality_code", columns="code", values="statement_id", aggfunc="count", fill_value=0
    )
    shared = (counts > 0).sum().rename("members")
    total = counts.sum().rename("total")
    order = pd.concat([shared, total], axis=1).sort_values(["members", "total"], ascending=False, kind="stable")
    wide = counts.reindex(index=rows["code"], columns=order.index, fill_value=0)
    wide.index = rows["name_ja"].tolist()
    wide.columns = [label_of.get(c) or c for c in wide.columns]
    return wide.astype(int)
