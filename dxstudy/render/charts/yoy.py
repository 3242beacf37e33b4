# Year-over-year charts (前年度比較; tables from dxstudy.analysis.yoy), drawn with matplotlib: the stage
# of each member and theme in both years, and how metrics moved against their targets.
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from dxstudy.reference import labels as lb
from dxstudy.render.charts.figure import empty_figure, footnote, new_figure, plain_axes, render, wrap
from dxstudy.render.charts.heatmaps import BLANK_COLOR, STAGE_COLORS, matrix_figure, stage_legend
from dxstudy.render.charts.matrices import members
from dxstudy.render.charts.metrics import TARGET_COLOR, group_heading, value_text

CHANGE_MARKS = {"up": "▲", "down": "▼", "same": "＝", "new": "新", "gone": "—", "": "？"}
CHANGE_COLORS = {"up": "#1e7b4a", "down": "#c0392b", "same": "#555555", "new": "#1f4e79", "gone": "#777777", "": "#777777"}
STALLED_COLOR = "#e67e22"


def stage_transition_chart(
    transitions: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    themes: pd.DataFrame | None = None,
    previous_year: int | None = None,
    fiscal_year: int | None = None,
    title: str = "取組み段階の変化",
) -> Figure:
    """Grid municipality × theme: each cell split in two, the left half coloured by last year's stage
    and the right half by this year's, with "1→3 ▲" in the middle (▲ up, ▼ down, ＝ unchanged; a
    cell that stayed at 1 検討中 is framed in orange). A side without a stage is blank and shown as
    "－".

    ``transitions`` is dxstudy.analysis.yoy.stage_transitions(...): municipality_code, municipality, theme,
    stage_before, stage_after, change.
    """
    years = f"（{previous_year}年度→{fiscal_year}年度）" if previous_year and fiscal_year else ""
    title = f"{title}{years}"
    if transitions.empty:
        return empty_figure(title)
    rows = members(municipalities, transitions)
    theme_ids = [t for t in lb.staged_themes(themes) if t in set(transitions["theme"])]
    cells = {(r["municipality_code"], r["theme"]): r for r in transitions.to_dict("records")}
    codes = [c for c in rows["code"] if any((c, t) in cells for t in theme_ids)]
    names = rows.set_index("code")["name_ja"].to_dict()
    fig, ax = matrix_figure(len(codes), len(theme_ids), col_width=1.7, extra_height=0.9)
    for i, code in enumerate(codes):
        for j, theme in enumerate(theme_ids):
            row = cells.get((code, theme))
            if row is None:
                ax.add_patch(Rectangle((j + 0.04, i + 0.06), 0.92, 0.88, color=BLANK_COLOR))
                continue
            before, after = row["stage_before"], row["stage_after"]
            for k, value in enumerate((before, after)):
                color = BLANK_COLOR if pd.isna(value) else STAGE_COLORS[int(value)]
                ax.add_patch(Rectangle((j + 0.04 + 0.46 * k, i + 0.06), 0.46, 0.88, color=color,
                                                          linewidth=0))
            change = str(row.get("change", "") or "")
            stalled = change == "same" and not pd.isna(after) and int(after) == 1
            if stalled:
                ax.add_patch(Rectangle((j + 0.06, i + 0.08), 0.88, 0.84, fill=False,
                                                          edgecolor=STALLED_COLOR, linewidth=2.5))
            text = (f"{'－' if pd.isna(before) else int(before)}→{'－' if pd.isna(after) else int(after)}"
                    f" {CHANGE_MARKS.get(change, '？')}")
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=10,
                    color=STALLED_COLOR if stalled else CHANGE_COLORS.get(change, "#555555"),
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.92})
    ax.set_xlim(0, len(theme_ids))
    ax.set_ylim(len(codes), 0)
    ax.set_xticks(np.arange(len(theme_ids)) + 0.5, [wrap(lb.theme_label(t, themes), 8) for t in theme_ids])
    ax.set_yticks(np.arange(len(codes)) + 0.5, [names.get(c, c) for c in codes])
    ax.xaxis.tick_top()
    plain_axes(ax, hide=("top", "right", "bottom", "left"), axis="both")
    ax.set_title(title, loc="left", pad=12)
    handles = stage_legend()
    handles.append(Patch(facecolor="white", edgecolor=STALLED_COLOR, linewidth=2.0, label="2年続けて検討中"))
    fig.legend(handles=handles, loc="outside lower center", ncols=5, frameon=False, fontsize=9,
               title="各セルの左半分：前年度の段階／右半分：今年度の段階　▲上昇 ▼低下 ＝変化なし",
               title_fontsize=9)
    return render(fig)


def _metric_rows(changes: pd.DataFrame, metric_ids: Sequence[str] | None) -> pd.DataFrame:
    df = changes[changes["value_before"].notna() & changes["value_after"].notna()]
    if metric_ids is not None:
        return df[df["metric"].isin(metric_ids)]
    has_target = df["target_value"].notna() if "target_value" in df else False
    return df[(df["change"] != "unchanged") | has_target]


def metric_change_chart(
    changes: pd.DataFrame,
    metric_ids: Sequence[str] | None = None,
    title: str = "数値の変化（前年度→今年度）",
) -> Figure:
    """One row per member and metric with a value in both years: a grey dot for last year, an arrow to
    a blue dot for this year, and the member's target as a red bar, on a scale per metric (the
    largest of the values and the target). Labels give the values as written and the difference.

    ``changes`` is dxstudy.analysis.yoy.metric_changes(...). By default the metrics whose value changed and
    those with a target (テレワーク用端末の稼働率 against its target); ``metric_ids`` picks others.
    """
    df = _metric_rows(changes, metric_ids)
    if df.empty:
        return empty_figure(title, "前年度から値が変わった指標・目標のある指標はありません")
    rows: list[tuple[str, str, dict | None]] = []
    for metric, sub in df.groupby("metric", sort=False):
        label = str(sub["label_ja"].iloc[0] or metric)
        rows.append(("header", label, None))
        rows.extend(("row", str(r["municipality"]), r) for r in sub.to_dict("records"))
    fig = new_figure(8.5, 1.1 + 0.42 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    ticks, tick_labels = [], []
    for yy, (kind, label, r) in zip(y, rows):
        if kind == "header":
            group_heading(ax, yy - 0.1, label)
            continue
        ticks.append(yy)
        tick_labels.append(label)
        target = r.get("target_value")
        scale = max(v for v in (r["value_before"], r["value_after"], target if not pd.isna(target) else 0.0, 1e-9))
        xb, xa = r["value_before"] / scale, r["value_after"] / scale
        ax.plot([0, 1], [yy, yy], color="#eeeeee", linewidth=6, solid_capstyle="butt", zorder=0)
        if not pd.isna(target):
            ax.plot([target / scale] * 2, [yy - 0.3, yy + 0.3], color=TARGET_COLOR, linewidth=2.5, zorder=1)
            deadline = r.get("target_fiscal_year")
            deadline = f"（{int(deadline)}年度）" if not pd.isna(deadline) else ""
            ax.text(target / scale, yy + 0.32, f"目標 {value_text(target, r['unit'])}{deadline}", color=TARGET_COLOR,
                    fontsize=9, ha="center", va="bottom")
        if xa != xb:
            ax.annotate("", (xa, yy), (xb, yy), arrowprops={"arrowstyle": "->", "color": "#4a86c5", "lw": 1.6},
                        zorder=2)
        ax.plot(xb, yy, "o", color="#9a9a9a", markersize=7, zorder=3)
        ax.plot(xa, yy, "o", color="#2f6fa8", markersize=7, zorder=4)
        diff = r["value_after"] - r["value_before"]
        sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
        ax.text(1.04, yy, f"{r['value_text_before']} → {r['value_text_after']}（{sign}{value_text(abs(diff), r['unit'])}）",
                va="center", fontsize=9, transform=ax.get_yaxis_transform())
    plain_axes(ax, hide=("top", "right", "bottom"))
    ax.set_yticks(ticks, tick_labels, fontsize=9)
    ax.set_ylim(-0.7, len(rows) - 0.2)
    ax.set_xlim(-0.03, 1.03)
    ax.set_xticks([])
    ax.set_title(title, loc="left")
    handles = [Line2D([], [], marker="o", color="#9a9a9a", linestyle="none", label="前年度"),
               Line2D([], [], marker="o", color="#2f6fa8", linestyle="none", label="今年度"),
               Patch(color=TARGET_COLOR, label="目標")]
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, frameon=False, fontsize=9)
    footnote(fig, "位置は指標ごとの最大値（目標を含む）に対する比。数値は記載どおり。")
    return render(fig)
