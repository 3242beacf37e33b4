# The members of the study in the tables' order and by name: member names joined for prose, the
# reference order of members, and stage tables sorted by theme and member.
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dxstudy import reference
from dxstudy.reference import labels as lb


def member_names(codes: Iterable[str], municipalities: pd.DataFrame | None = None) -> str:
    """The members' names joined with ・ ("越谷市・三郷市"); an unknown code stands for itself."""
    names = lb.name_map(municipalities)
    return "・".join(names.get(str(c), str(c)) for c in codes)


def short_member_names(codes: Iterable[str], municipalities: pd.DataFrame | None, limit: int = 4) -> str:
    """Names joined with ・, shortened to "A・B・Cほか9市町" beyond ``limit`` (titles stay one line)."""
    codes = list(codes)
    if len(codes) <= limit:
        return member_names(codes, municipalities)
    return f"{member_names(codes[: limit - 1], municipalities)}ほか{len(codes) - limit + 1}市町"


def member_rank(municipalities: pd.DataFrame | None = None) -> dict[str, int]:
    """Member code → its position in the members table (the report's order)."""
    return {c: i for i, c in enumerate(lb.municipalities_table(municipalities)["code"])}


def stages_in_order(stages: pd.DataFrame, municipalities: pd.DataFrame | None) -> pd.DataFrame:
    """Decided stages (numeric ``stage``; undecided rows dropped) sorted by theme, then member order;
    ``_o`` holds the member's position."""
    order = member_rank(municipalities)
    df = stages.assign(
        stage=pd.to_numeric(stages["stage"], errors="coerce"),
        _o=stages["municipality_code"].map(order).fillna(len(order)),
    )
    return df.dropna(subset=["stage"]).sort_values(["theme", "_o"], kind="stable")


def in_reference_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted (stably) by the members' order in the package reference; unknown codes first."""
    order = {c: i for i, c in enumerate(reference.municipalities()["code"])}
    return (frame.assign(_m=frame["municipality_code"].map(order).fillna(-1))
            .sort_values("_m", kind="stable").drop(columns="_m").reset_index(drop=True))


def names_in(*frames: pd.DataFrame) -> dict[str, str]:
    """Member code → the name the frames give it (later frames win; empty names ignored)."""
    names: dict[str, str] = {}
    for f in frames:
        if "municipality" in f.columns:
            names.update({c: n for c, n in zip(f["municipality_code"], f["municipality"]) if n})
    return names


def leads_and_lags(stages: pd.DataFrame, lead: int, lag_max: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``stages`` (numeric) at ``lead`` or above, and those at ``lag_max`` or below."""
    return stages[stages["stage"] >= lead], stages[stages["stage"] <= lag_max]


def in_member_order(frame: pd.DataFrame, municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """``frame`` sorted (stably) by the members' order in ``municipalities``; ``_o`` holds the
    position (unknown codes last)."""
    order = member_rank(municipalities)
    return frame.assign(_o=frame["municipality_code"].map(order).fillna(len(order))).sort_values("_o", kind="stable")
