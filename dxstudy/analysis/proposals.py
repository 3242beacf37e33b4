# The conclusions / proposals draft for next year's working group, assembled from the points of
# leaders, joint_actions, national and trends; and the plain sentences at the top of the conclusions.
"""Every point carries its rationale and the quoted sentences (section, statement id) it rests on
(the columns are :data:`dxstudy.analysis.evidence.PROPOSAL_COLUMNS`). The reference figures and the
joint-action rules are read by :mod:`dxstudy.external`; HTML and Markdown of the points are made by
:mod:`dxstudy.render.proposal_text`."""
from __future__ import annotations

import pandas as pd

from dxstudy.analysis.evidence import PROPOSAL_COLUMNS, numbered
from dxstudy.analysis.joint_actions import MIN_SHARE, joint_action_points, shared_challenges
from dxstudy.analysis.leaders import horizontal_points, leader_points, stage_gaps
from dxstudy.analysis.national import national_points
from dxstudy.analysis.trends import emphasise_persistent, stalled_points
from dxstudy.analysis.yoy.summary import shared_listing, trend_sentences
from dxstudy.reference import labels as lb

__all__ = ["AUTO", "PROPOSAL_COLUMNS", "build_proposals", "conclusion_points"]

AUTO = "auto"
"""``previous=AUTO``: the previous year's tables that ``tables`` carries as ``tables.previous``
(``dxstudy.render.loading.load`` attaches them when that year is processed); nothing for hand-built
tables or a first year."""


def _resolve_previous(tables, previous):
    if isinstance(previous, str) and previous == AUTO:
        return getattr(tables, "previous", None)
    return previous


def build_proposals(
    tables,
    benchmarks: pd.DataFrame | None = None,
    mapping: pd.DataFrame | None = None,
    min_share: float = MIN_SHARE,
    previous=AUTO,
) -> pd.DataFrame:
    """The conclusions/proposals draft as one table (PROPOSAL_COLUMNS), in display order (so the
    ids run on within each section): leaders per theme, 横展開 per theme, joint actions, national
    figures.

    ``tables`` needs statements, stages, challenges, technologies, municipalities, themes.
    ``benchmarks`` and ``mapping`` as read by dxstudy.external (None: the project's national
    benchmarks and the package's joint actions). ``previous``: the previous year's tables, None, or
    AUTO (``tables.previous`` when the tables carry it). With a previous year, members at 検討中 in
    both years get a 横展開 point right after their theme's (stalled_points), and joint actions for
    challenges that half or more of the members raised in both years are marked 【前年度から継続】
    and come first (emphasise_persistent). Without one, the draft is the single-year draft.
    """
    themes = getattr(tables, "themes", None)
    municipalities = tables.municipalities
    previous = _resolve_previous(tables, previous)
    lead = leader_points(tables.stages, tables.statements, themes, municipalities)
    horiz = horizontal_points(tables.stages, tables.statements, themes, municipalities)
    if previous is not None:
        stalled = stalled_points(previous, tables, themes, municipalities)
        if len(stalled):
            order = {t: i for i, t in enumerate(lb.staged_themes(themes))}
            horiz = pd.concat([horiz, stalled], ignore_index=True)
            horiz = horiz.assign(_t=horiz["theme"].map(order)).sort_values("_t", kind="stable").drop(columns="_t")
    per_theme = pd.concat([lead, horiz], ignore_index=True)  # each already in theme order
    joint = joint_action_points(tables.challenges, tables.stages, tables.statements, municipalities, themes,
                                mapping, min_share)
    if previous is not None:
        joint = emphasise_persistent(joint, previous, tables, municipalities, mapping, min_share)
    return numbered([per_theme, joint, national_points(tables, benchmarks)], "P")


def conclusion_points(tables, previous=AUTO) -> list[str]:
    """A few plain Japanese sentences summarising the draft (for the top of the conclusions); with a
    previous year (``previous`` as in build_proposals) also how the stages moved since then, who
    stayed at 検討中 and which shared challenges persisted."""
    themes = getattr(tables, "themes", None)
    municipalities = tables.municipalities
    region = lb.region_label(municipalities)
    staged = lb.staged_themes(themes)
    gaps = stage_gaps(tables.stages, themes)
    out = []
    if len(staged):
        out.append(
            f"{len(staged)}テーマのうち{len(gaps)}テーマで、実施中（段階3）の市町と未着手・検討中（段階0–1）の市町が"
            f"併存しており、{region}の推進状況には差がある。"
        )
    shared = shared_challenges(tables.challenges, municipalities, themes=themes)
    top = shared[shared["shared"]]
    if len(top):
        out.append(f"半数以上の市町に共通する課題は{shared_listing(top)}である。")
    previous = _resolve_previous(tables, previous)
    if previous is not None:
        out.extend(trend_sentences(previous, tables, municipalities, themes))
    return out
