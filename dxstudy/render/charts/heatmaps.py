# Heatmaps of members by theme, technology or challenge code (seaborn.heatmap on our own Figure):
# discrete stage and status colours, a text in every cell, a row per member that grows with them.
from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, Colormap, ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from dxstudy.reference import labels as lb
from dxstudy.render.charts.figure import empty_figure, footnote, new_figure, render, wrap
from dxstudy.render.charts.matrices import (
    TECH_STATUS_ORDER, challenge_matrix, members, stage_matrix, technology_matrix,
)

STAGE_COLORS = ["#e7e7e7", "#cfe3f2", "#7fb3d9", "#2f6fa8"]
TECH_STATUS_COLORS = {"in_use": "#2f6fa8", "pilot": "#7fb3d9", "considering": "#e3eef7"}
TECH_STATUS_MARKS = {"in_use": "●", "pilot": "◐", "considering": "○"}
BLANK_COLOR = "#f7f7f7"
"""Background of a cell without a value."""
ROW_HEIGHT = 0.38  # inches per matrix row: the figure grows with the number of members
SORT_MEMBERS = 12  # more members than this: the stage heatmap's rows are sorted by total stage


def matrix_figure(nrows: int, ncols: int, col_width: float, extra_height: float = 0.0) -> tuple[Figure, Axes]:
    """A figure and its axes for a member x column matrix: ROW_HEIGHT per row, ``col_width`` inches
    per column (between 5 and 16 inches wide), plus ``extra_height`` for a legend or note."""
    width = min(max(1.6 + col_width * max(ncols, 1) + 1.2, 5.0), 16.0)
    height = max(1.4 + ROW_HEIGHT * max(nrows, 1), 2.4)
    fig = new_figure(width, height + extra_height)
    return fig, fig.add_subplot()


def stage_legend() -> list[Patch]:
    """Legend entries for the four stage colours, "0 未着手" to "3 実施中"."""
    return [Patch(color=STAGE_COLORS[s], label=lb.stage_label(s)) for s in range(4)]


def _draw(ax: Axes, values: np.ndarray, annot: np.ndarray, cmap: Colormap, norm: Normalize, row_labels: list[str],
          col_labels: list[str], fontsize: float = 9) -> None:
    """Draw a cell matrix (rows top to bottom) with seaborn, a text in every cell; NaN cells stay
    background, with their text (e.g. "—") in dark grey. seaborn picks white or dark text by the
    cell colour's luminance."""
    import seaborn as sns

    sns.heatmap(values, ax=ax, cmap=cmap, norm=norm, annot=annot, fmt="", cbar=False, linewidths=1.0,
                linecolor="white", xticklabels=col_labels, yticklabels=row_labels,
                annot_kws={"fontsize": fontsize})
    for i, j in zip(*np.nonzero(np.isnan(values))):
        if annot[i, j]:
            ax.text(j + 0.5, i + 0.5, annot[i, j], ha="center", va="center", fontsize=fontsize, color=".15")
    ax.set_facecolor(BLANK_COLOR)
    ax.tick_params(axis="both", length=0, labelrotation=0)  # seaborn may turn labels vertical


def stage_heatmap(
    stages: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    themes: pd.DataFrame | None = None,
    title: str = "テーマ別の取組み段階",
) -> Figure:
    """Heatmap municipality x theme of the maturity stage, each cell labelled "3 実施中" etc.

    ``stages`` columns used: municipality_code, municipality, theme, stage (0-3), and ``source``
    when present (cells set by an analyst override are marked with ＊). Above SORT_MEMBERS members
    the rows are sorted by total stage, most advanced first.
    """
    if stages.empty:
        return empty_figure(title)
    wide = stage_matrix(stages, municipalities, themes)
    overrides = set()
    if "source" in stages.columns:
        ov = stages[stages["source"] == "override"]
        overrides = set(zip(ov["municipality_code"], ov["theme"]))
    codes = members(municipalities, stages)["code"]
    theme_ids = lb.staged_themes(themes)
    annot = np.full(wide.shape, "—", dtype=object)
    for i, code in enumerate(codes):
        for j, theme in enumerate(theme_ids):
            value = wide.iat[i, j]
            if not pd.isna(value):
                mark = "＊" if (code, theme) in overrides else ""
                annot[i, j] = lb.stage_label(int(value)).replace(" ", "\n") + mark
    if len(wide) > SORT_MEMBERS:  # many members: most advanced first, so groups of rows read as a pattern
        rank = np.argsort(-np.nan_to_num(wide.to_numpy(dtype=float), nan=-1.0).sum(axis=1), kind="stable")
        wide, annot = wide.iloc[rank], annot[rank]
        title = f"{title}（段階の合計が高い順）"
    fig, ax = matrix_figure(len(wide), wide.shape[1], col_width=1.5, extra_height=0.3)
    cmap = ListedColormap(STAGE_COLORS)
    _draw(ax, wide.to_numpy(dtype=float), annot, cmap, BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], cmap.N),
          list(wide.index), [wrap(c, 8) for c in wide.columns])
    ax.xaxis.tick_top()
    ax.set_title(title, loc="left", pad=12)
    note = "＊ 分析者による判定（override）" if overrides else None
    fig.legend(handles=stage_legend(), loc="outside lower center", ncols=4, frameon=False, fontsize=9, title=note,
               title_fontsize=9)
    return render(fig)


def technology_heatmap(
    technologies: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    statements: pd.DataFrame | None = None,
    theme: str | None = None,
    title: str = "デジタル技術の導入状況",
) -> Figure:
    """Matrix municipality x technology; cells ● 実施中 / ◐ 試行・実証 / ○ 検討中.

    ``technologies`` columns used: municipality_code, municipality, technology, status. With
    ``theme`` (and ``statements``), only technologies stated in that theme's sentences are shown.
    """
    if theme is not None and statements is not None:
        ids = set(statements.loc[statements["theme"] == theme, "statement_id"])
        technologies = technologies[technologies["statement_id"].isin(ids)]
        title = f"{title}（{lb.theme_label(theme)}の記述から）"
    if technologies.empty:
        return empty_figure(title)
    wide = technology_matrix(technologies, municipalities)
    rank = {s: float(i) for i, s in enumerate(TECH_STATUS_ORDER)}
    values = wide.apply(lambda col: col.map(rank)).to_numpy(dtype=float)
    names = {s: f"{TECH_STATUS_MARKS[s]}\n{lb.label('tech_status', s)}" for s in TECH_STATUS_ORDER}
    annot = wide.apply(lambda col: col.map(lambda s: names.get(s, ""))).to_numpy(dtype=object)
    fig, ax = matrix_figure(len(wide), wide.shape[1], col_width=1.0, extra_height=0.6)
    cmap = ListedColormap([TECH_STATUS_COLORS[s] for s in TECH_STATUS_ORDER])
    _draw(ax, values, annot, cmap, BoundaryNorm([-0.5, 0.5, 1.5, 2.5], cmap.N), list(wide.index),
          [wrap(c, 6) for c in wide.columns], fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", labelsize=9)
    ax.set_title(title, loc="left", pad=12)
    handles = [Patch(color=TECH_STATUS_COLORS[s], label=f"{TECH_STATUS_MARKS[s]} {lb.label('tech_status', s)}")
               for s in TECH_STATUS_ORDER]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    return render(fig)


def challenge_heatmap(
    challenges: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    theme: str | None = None,
    title: str | None = None,
) -> Figure:
    """Heatmap municipality x challenge code with counts of coded sentences.

    ``challenges`` columns used: municipality_code, municipality, theme, code, code_label,
    statement_id. The column header shows how many members share the code, e.g. "研修（6）".
    """
    title = title or ("課題コード別の該当文数" + (f"（{lb.theme_label(theme)}）" if theme else ""))
    wide = challenge_matrix(challenges, municipalities, theme)
    if wide.shape[1] == 0:
        return empty_figure(title)
    shared = (wide > 0).sum()
    fig, ax = matrix_figure(len(wide), wide.shape[1], col_width=0.85, extra_height=0.8)
    values = wide.to_numpy(dtype=float, copy=True)
    values[values == 0] = np.nan
    top = np.nanmax(values) if np.isfinite(values).any() else 1.0
    annot = np.where(np.isnan(values), "", wide.astype(str).to_numpy())
    _draw(ax, values, annot, matplotlib.colormaps["Oranges"], Normalize(0, max(top, 2) * 1.25), list(wide.index),
          [f"{wrap(c, 6)}\n（{shared[c]}）" for c in wide.columns], fontsize=9)
    ax.tick_params(axis="x", labelsize=9)
    ax.set_title(title, loc="left")
    footnote(fig, "数字は該当する文の数。列名の（ ）内は該当する市町の数。")
    return render(fig)
