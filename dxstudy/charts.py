# Charts for the notebooks: matplotlib/seaborn figures with Japanese text (matplotlib-fontja).
# Every chart function calls setup() and draws its figure once, so a missing glyph raises here.
from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Sequence

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from dxstudy import labels as lb

FONT_FAMILY = "IPAexGothic"
"""The Japanese font registered by matplotlib-fontja."""

GLYPH_WARNING = r"Glyph \d+.*missing from"
"""Start of matplotlib's UserWarning for a character the font cannot draw."""

STAGE_COLORS = ["#e7e7e7", "#cfe3f2", "#7fb3d9", "#2f6fa8"]
TECH_STATUS_ORDER = ["in_use", "pilot", "considering"]
TECH_STATUS_COLORS = {"in_use": "#2f6fa8", "pilot": "#7fb3d9", "considering": "#e3eef7"}
TECH_STATUS_MARKS = {"in_use": "●", "pilot": "◐", "considering": "○"}
ROW_HEIGHT = 0.38  # inches per matrix row: the figure grows with the number of members
EMPTY_MESSAGE = "該当するデータはありません"


class MissingGlyphError(RuntimeError):
    """A chart contains a character the font cannot draw (it would be shown as a box)."""


_fontja_loaded = False


def setup() -> None:
    """Register the Japanese font and make a missing glyph an error.

    Safe to call many times; every chart function calls it. Sets ``font.family`` to IPAexGothic
    (also first in ``font.sans-serif``, so code asking for "sans-serif" still gets it) and installs a
    warnings filter that turns matplotlib's "Glyph … missing from font(s)" warning into an error.
    """
    global _fontja_loaded
    if not _fontja_loaded:
        import matplotlib_fontja  # noqa: F401  (registers the bundled IPAexGothic on import)

        _fontja_loaded = True
    matplotlib.rcParams["font.family"] = [FONT_FAMILY]
    sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != FONT_FAMILY]
    matplotlib.rcParams["font.sans-serif"] = [FONT_FAMILY, *sans]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"
    install_glyph_check()


def install_glyph_check() -> None:
    """Turn matplotlib's missing-glyph UserWarning into an exception (idempotent)."""
    warnings.filterwarnings("error", message=GLYPH_WARNING, category=UserWarning)


def render(fig: Figure) -> Figure:
    """Draw the figure once, raising MissingGlyphError if any text lacks a glyph."""
    with warnings.catch_warnings():
        install_glyph_check()
        try:
            fig.canvas.draw()
        except UserWarning as exc:
            if re.match(GLYPH_WARNING, str(exc)):
                raise MissingGlyphError(f"chart text cannot be drawn with the font: {exc}") from exc
            raise
    return fig


def to_png(fig: Figure, dpi: int = 150) -> bytes:
    """PNG bytes of a figure, without the software/date metadata (same input, same bytes)."""
    with warnings.catch_warnings():
        install_glyph_check()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def _figure(width: float, height: float) -> Figure:
    setup()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def _matrix_size(nrows: int, ncols: int, col_width: float = 1.05, left: float = 1.6) -> tuple[float, float]:
    width = min(max(left + col_width * max(ncols, 1) + 1.2, 5.0), 16.0)
    height = max(1.4 + ROW_HEIGHT * max(nrows, 1), 2.4)
    return width, height


def empty_figure(title: str, message: str = EMPTY_MESSAGE) -> Figure:
    """A small figure saying there is nothing to show (instead of an empty or broken chart)."""
    fig = _figure(6.0, 1.6)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, loc="left")
    ax.text(0.5, 0.4, message, ha="center", va="center", fontsize=11, color="#555555")
    return render(fig)


def _members(municipalities: pd.DataFrame | None, data: pd.DataFrame) -> pd.DataFrame:
    """Members to show as rows: the reference table, plus any code found only in the data."""
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


def _wrap(text: str, width: int) -> str:
    """Break a label into lines of about ``width`` characters, preferring a break after ・ or の."""
    lines = []
    while len(text) > width:
        cut = max(text.rfind("・", 0, width + 1), text.rfind("の", 0, width + 1))
        cut = cut + 1 if cut >= width // 2 else width
        lines.append(text[:cut])
        text = text[cut:]
    return "\n".join([*lines, text])


# --- stages -------------------------------------------------------------------------------------


def stage_matrix(
    stages: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    themes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Wide table municipality (name_ja, rows in member order) x theme (label_ja) of stages 0-3.

    Missing cells are NaN. Only the staged themes (chapters 1-4) are columns.
    """
    members = _members(municipalities, stages)
    theme_ids = lb.staged_themes(themes)
    wide = (
        stages.assign(stage=pd.to_numeric(stages["stage"], errors="coerce"))
        .pivot_table(index="municipality_code", columns="theme", values="stage", aggfunc="max")
        .reindex(index=members["code"], columns=theme_ids)
    )
    wide.index = members["name_ja"].tolist()
    wide.columns = [lb.theme_label(t, themes) for t in theme_ids]
    return wide


def stage_heatmap(
    stages: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    themes: pd.DataFrame | None = None,
    title: str = "テーマ別の取組み段階",
) -> Figure:
    """Heatmap municipality x theme of the maturity stage, each cell labelled "3 実施中" etc.

    ``stages`` columns used: municipality_code, municipality, theme, stage (0-3), and ``source``
    when present (cells set by an analyst override are marked with ＊).
    """
    if stages.empty:
        return empty_figure(title)
    wide = stage_matrix(stages, municipalities, themes)
    overrides = set()
    if "source" in stages.columns:
        ov = stages[stages["source"] == "override"]
        overrides = set(zip(ov["municipality_code"], ov["theme"]))
    members = _members(municipalities, stages)
    theme_ids = lb.staged_themes(themes)
    annot = np.full(wide.shape, "—", dtype=object)
    for i, code in enumerate(members["code"]):
        for j, theme in enumerate(theme_ids):
            value = wide.iat[i, j]
            if not pd.isna(value):
                mark = "＊" if (code, theme) in overrides else ""
                annot[i, j] = lb.stage_label(int(value)).replace(" ", "\n") + mark
    width, height = _matrix_size(len(wide), wide.shape[1], col_width=1.5)
    fig = _figure(width, height + 0.3)
    ax = fig.add_subplot()
    cmap = ListedColormap(STAGE_COLORS)
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], cmap.N)
    sns.heatmap(
        wide.astype(float),
        ax=ax,
        cmap=cmap,
        norm=norm,
        annot=annot,
        fmt="",
        cbar=False,
        linewidths=1.0,
        linecolor="white",
        annot_kws={"fontsize": 9},
    )
    for text in ax.texts:  # dark cells get white text
        x, y = text.get_position()
        value = wide.iat[int(y), int(x)]
        text.set_color("white" if not pd.isna(value) and value >= 2.5 else "black")
    ax.set_facecolor("#f7f7f7")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", rotation=0, length=0)
    ax.tick_params(axis="y", rotation=0, length=0)
    ax.set_xticklabels([_wrap(c, 7) for c in wide.columns])
    ax.set_title(title, loc="left", pad=12)
    handles = [Patch(color=STAGE_COLORS[s], label=lb.stage_label(s)) for s in range(4)]
    note = "＊ 分析者による判定（override）" if overrides else None
    fig.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False, fontsize=9, title=note,
               title_fontsize=8)
    return render(fig)


# --- technologies -------------------------------------------------------------------------------


def technology_matrix(
    technologies: pd.DataFrame, municipalities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Wide table municipality (name_ja) x technology (label_ja) with the most advanced status.

    Status order: in_use > pilot > considering; "" where nothing is recorded. Columns are the
    technologies present in the data, most widely used first.
    """
    members = _members(municipalities, technologies)
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
        index=members["code"], columns=order["technology"].tolist()
    )
    wide = wide.fillna("")
    wide.index = members["name_ja"].tolist()
    wide.columns = [lb.label("technology", t) for t in wide.columns]
    return wide


def technology_heatmap(
    technologies: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    title: str = "デジタル技術の導入状況",
) -> Figure:
    """Matrix municipality x technology; cells ● 実施中 / ◐ 試行・実証 / ○ 検討中.

    ``technologies`` columns used: municipality_code, municipality, technology, status.
    """
    if technologies.empty:
        return empty_figure(title)
    wide = technology_matrix(technologies, municipalities)
    codes = wide.replace({s: i for i, s in enumerate(TECH_STATUS_ORDER)}).replace("", np.nan)
    codes = codes.apply(pd.to_numeric, errors="coerce")
    annot = wide.replace({s: f"{TECH_STATUS_MARKS[s]}\n{lb.label('tech_status', s)}" for s in TECH_STATUS_ORDER})
    width, height = _matrix_size(len(wide), wide.shape[1], col_width=1.0)
    fig = _figure(width, height + 0.6)
    ax = fig.add_subplot()
    cmap = ListedColormap([TECH_STATUS_COLORS[s] for s in TECH_STATUS_ORDER])
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5], cmap.N)
    sns.heatmap(codes, ax=ax, cmap=cmap, norm=norm, annot=annot.to_numpy(), fmt="", cbar=False,
                linewidths=1.0, linecolor="white", annot_kws={"fontsize": 8})
    for text in ax.texts:
        x, y = text.get_position()
        text.set_color("white" if codes.iat[int(y), int(x)] == 0 else "black")
    ax.set_facecolor("#f7f7f7")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.xaxis.tick_top()
    ax.set_xticklabels([_wrap(c, 6) for c in wide.columns], rotation=0, fontsize=8)
    ax.tick_params(axis="y", rotation=0, length=0)
    ax.tick_params(axis="x", length=0)
    ax.set_title(title, loc="left", pad=12)
    handles = [Patch(color=TECH_STATUS_COLORS[s], label=f"{TECH_STATUS_MARKS[s]} {lb.label('tech_status', s)}")
               for s in TECH_STATUS_ORDER]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    return render(fig)


# --- challenges ---------------------------------------------------------------------------------


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
    members = _members(municipalities, challenges)
    if df.empty:
        return pd.DataFrame(index=members["name_ja"].tolist())
    label_of = df.drop_duplicates("code").set_index("code")["code_label"].to_dict() if "code_label" in df else {}
    counts = df.drop_duplicates(["municipality_code", "code", "statement_id"]).pivot_table(
        index="municipality_code", columns="code", values="statement_id", aggfunc="count", fill_value=0
    )
    shared = (counts > 0).sum().rename("members")
    total = counts.sum().rename("total")
    order = pd.concat([shared, total], axis=1).sort_values(["members", "total"], ascending=False, kind="stable")
    wide = counts.reindex(index=members["code"], columns=order.index, fill_value=0)
    wide.index = members["name_ja"].tolist()
    wide.columns = [label_of.get(c) or c for c in wide.columns]
    return wide.astype(int)


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
    width, height = _matrix_size(len(wide), wide.shape[1], col_width=0.85)
    fig = _figure(width, height + 0.8)
    ax = fig.add_subplot()
    sns.heatmap(wide, ax=ax, cmap="Oranges", annot=True, fmt="d", cbar=False, linewidths=0.8,
                linecolor="white", mask=wide == 0, annot_kws={"fontsize": 8}, vmin=0)
    ax.set_facecolor("#f7f7f7")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticklabels([f"{_wrap(c, 6)}\n（{shared[c]}）" for c in wide.columns], rotation=0, fontsize=8)
    ax.tick_params(axis="y", rotation=0, length=0)
    ax.tick_params(axis="x", length=0)
    ax.set_title(title, loc="left")
    fig.text(0.01, 0.0, "数字は該当する文の数。列名の（ ）内は該当する市町の数。", fontsize=8, color="#555555",
             ha="left", va="bottom")
    return render(fig)


# --- metrics ------------------------------------------------------------------------------------


def _value_text(value: float, unit: str) -> str:
    text = f"{value:,.1f}" if not float(value).is_integer() else f"{int(value):,}"
    return f"{text}{unit}"


def metric_bars(
    metrics: pd.DataFrame,
    metric_ids: Sequence[str] | None = None,
    metric_labels: dict[str, str] | None = None,
    municipalities: pd.DataFrame | None = None,
    title: str = "主な数値",
) -> Figure:
    """One horizontal bar panel per metric: value per municipality, labelled with value and unit.

    ``metrics`` columns used: municipality_code, municipality, metric, value, unit; ``metric_label``
    (Japanese) if present, else ``metric_labels`` or the id. Only members with a value are shown,
    so a metric stated by one member is one bar, not five empty rows.
    """
    df = metrics if metric_ids is None else metrics[metrics["metric"].isin(metric_ids)]
    df = df[df["municipality_code"] != ""]
    if df.empty:
        return empty_figure(title)
    ids = list(metric_ids) if metric_ids is not None else list(dict.fromkeys(df["metric"]))
    ids = [m for m in ids if m in set(df["metric"])]
    members = _members(municipalities, metrics)
    order = {c: i for i, c in enumerate(members["code"])}
    rows = [max(df[df["metric"] == m]["municipality_code"].nunique(), 1) for m in ids]
    ncols = 1 if len(ids) == 1 else 2
    nrows_grid = math.ceil(len(ids) / ncols)
    row_heights = [max(rows[i : i + ncols]) for i in range(0, len(ids), ncols)]
    fig = _figure(5.2 * ncols, sum(0.9 + ROW_HEIGHT * h for h in row_heights) + 0.6)
    grid = fig.add_gridspec(nrows_grid, ncols, height_ratios=[0.9 + ROW_HEIGHT * h for h in row_heights])
    for k, metric in enumerate(ids):
        ax = fig.add_subplot(grid[k // ncols, k % ncols])
        sub = df[df["metric"] == metric].copy()
        sub["value"] = pd.to_numeric(sub["value"], errors="coerce")
        sub = sub.groupby(["municipality_code", "municipality", "unit"], as_index=False)["value"].max()
        sub["_o"] = sub["municipality_code"].map(order).fillna(len(order))
        sub = sub.sort_values("_o", ascending=False, kind="stable")
        ax.barh(sub["municipality"], sub["value"], color="#4a86c5", height=0.6)
        for y, (value, unit) in enumerate(zip(sub["value"], sub["unit"])):
            ax.text(value, y, " " + _value_text(value, unit), va="center", fontsize=9)
        name = _metric_label(metric, df, metric_labels)
        unit = sub["unit"].iloc[0] if len(sub) else ""
        ax.set_title(f"{name}（{unit}）" if unit else name, loc="left", fontsize=10)
        ax.set_xlim(0, max(sub["value"].max() * 1.3, 1))
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
    fig.suptitle(title, x=0.01, ha="left")
    return render(fig)


def _metric_label(metric: str, df: pd.DataFrame, metric_labels: dict[str, str] | None) -> str:
    if metric_labels and metric in metric_labels:
        return metric_labels[metric]
    if "metric_label" in df.columns:
        hit = df.loc[(df["metric"] == metric) & (df["metric_label"] != ""), "metric_label"]
        if len(hit):
            return hit.iloc[0]
    return metric


def target_chart(
    metrics: pd.DataFrame,
    actual: str,
    target: str,
    metric_labels: dict[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Actual value against its target per municipality (e.g. telework PC utilization vs. target).

    ``actual`` and ``target`` are metric ids in ``metrics``; members with either are shown.
    """
    name = _metric_label(actual, metrics, metric_labels)
    title = title or f"{name}：現状と目標"
    df = metrics[metrics["metric"].isin([actual, target]) & (metrics["municipality_code"] != "")].copy()
    if df.empty:
        return empty_figure(title)
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    wide = df.pivot_table(index="municipality", columns="metric", values="value", aggfunc="max")
    wide = wide.reindex(columns=[actual, target])
    unit = df["unit"].iloc[0]
    fig = _figure(6.0, 1.4 + 0.6 * len(wide))
    ax = fig.add_subplot()
    y = np.arange(len(wide))
    ax.barh(y, wide[actual].fillna(0), height=0.5, color="#4a86c5", label="現状")
    for i, (a, t) in enumerate(zip(wide[actual], wide[target])):
        if not pd.isna(t):
            ax.plot([t, t], [i - 0.4, i + 0.4], color="#d9534f", linewidth=2.5)
            ax.text(t, i + 0.42, f"目標 {_value_text(t, unit)}", color="#d9534f", fontsize=9, ha="center", va="bottom")
        if not pd.isna(a):
            ax.text(a, i, f" 現状 {_value_text(a, unit)}", va="center", fontsize=9)
    ax.set_yticks(y, wide.index)
    ax.set_ylim(-0.6, len(wide) - 0.1 + 0.4)
    top = np.nanmax(wide.to_numpy(dtype=float))
    ax.set_xlim(0, top * 1.25 if top > 0 else 1)
    ax.set_xlabel(unit)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left")
    ax.legend(handles=[Patch(color="#4a86c5", label="現状"), Patch(color="#d9534f", label="目標")],
              loc="lower right", frameon=False, fontsize=9)
    return render(fig)


# --- events -------------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_FY = re.compile(r"^FY(\d{4})$")


def event_dates(events: pd.DataFrame) -> pd.DataFrame:
    """Events with their position in time, numbered in date order (the number links chart and table).

    Adds columns: no (1..n), start (Timestamp), end (Timestamp; for a fiscal year: 1 April to
    31 March), precision (day | month | fiscal_year). A fiscal year is read from ``date`` of the form
    ``FY2023`` or from a ``fiscal_year_ref``/``target_fiscal_year`` column; rows without a readable
    date are dropped.
    """
    out = []
    for row in events.to_dict("records"):
        start = end = None
        precision = ""
        date = str(row.get("date", "") or "")
        match = _ISO.match(date)
        fy_text = ""
        if match:
            y, m, d = int(match[1]), int(match[2]), match[3]
            start = pd.Timestamp(y, m, int(d) if d else 1)
            end = start if d else start + pd.offsets.MonthEnd(0)
            precision = "day" if d else "month"
        else:
            fy_match = _FY.match(date)
            for col in ("fiscal_year_ref", "target_fiscal_year", "date_fiscal_year"):
                if not fy_match and str(row.get(col, "") or "").strip().isdigit():
                    fy_text = str(int(float(row[col])))
            if fy_match or fy_text:
                fy = int(fy_match[1] if fy_match else fy_text)
                start, end = pd.Timestamp(fy, 4, 1), pd.Timestamp(fy + 1, 3, 31)
                precision = "fiscal_year"
        if start is not None:
            out.append({**row, "start": start, "end": end, "precision": precision})
    df = pd.DataFrame(out)
    if df.empty:
        return pd.DataFrame(columns=[*events.columns, "no", "start", "end", "precision"])
    sort_cols = ["start", "municipality_code"] + (["statement_id"] if "statement_id" in df else [])
    df = df.sort_values(sort_cols, kind="stable").reset_index(drop=True)
    df.insert(0, "no", range(1, len(df) + 1))
    return df


def events_timeline(
    events: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    title: str = "主な出来事と目標の時期",
) -> Figure:
    """Timeline: one row per municipality (plus 地域全体), dated events as numbered points,
    fiscal-year references (e.g. 令和5年度まで) as hatched bars spanning April-March.

    The numbers match ``event_dates(events)["no"]`` (and views.events_table).
    """
    df = event_dates(events)
    if df.empty:
        return empty_figure(title)
    members = _members(municipalities, events)
    codes = [c for c in members["code"] if c in set(df["municipality_code"])]
    names = [members.set_index("code").at[c, "name_ja"] for c in codes]
    if (df["municipality_code"] == "").any():
        codes.append("")
        names.append(lb.REGION_LABEL)
    ypos = {c: len(codes) - 1 - i for i, c in enumerate(codes)}
    fig = _figure(10.0, 1.6 + 0.55 * len(codes))
    ax = fig.add_subplot()
    placed: dict[tuple[int, int], int] = {}
    for row in df.to_dict("records"):
        y = ypos[row["municipality_code"]]
        if row["precision"] == "fiscal_year":
            width = (row["end"] - row["start"]).days + 1
            ax.barh(y, width, left=row["start"], height=0.42, color="#f3d7b5", edgecolor="#c77c1f",
                    hatch="///", linewidth=1.0)
            x = row["start"] + (row["end"] - row["start"]) / 2
            ax.text(x, y, str(row.get("era_text", "") or ""), ha="center", va="center", fontsize=7)
        else:
            marker = "o" if row["precision"] == "day" else "s"
            ax.plot(row["start"], y, marker=marker, color="#2f6fa8", markersize=7, linestyle="none")
            x = row["start"]
        key = (y, row["start"].year * 12 + row["start"].month)
        k = placed.get(key, 0)
        placed[key] = k + 1
        ax.annotate(str(row["no"]), (x, y), xytext=(0, 8 + 9 * k), textcoords="offset points", ha="center",
                    fontsize=8)
    ax.set_yticks(list(ypos.values()), names)
    ax.set_ylim(-0.7, len(codes) - 0.2)
    lo = min(df["start"].min(), pd.Timestamp(df["start"].min().year, 1, 1))
    hi = df["end"].max() + pd.Timedelta(days=120)
    ax.set_xlim(lo - pd.Timedelta(days=120), hi)
    years = range(lo.year, hi.year + 1)
    span = hi.year - lo.year
    step = 1 if span <= 8 else 2
    ax.set_xticks([pd.Timestamp(y, 1, 1) for y in years if (y - lo.year) % step == 0],
                  [f"{y}年" for y in years if (y - lo.year) % step == 0])
    ax.grid(axis="x", color="#dddddd")
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(title, loc="left")
    handles = [
        matplotlib.lines.Line2D([], [], marker="o", color="#2f6fa8", linestyle="none", label="日付の明記された出来事"),
        matplotlib.lines.Line2D([], [], marker="s", color="#2f6fa8", linestyle="none", label="月までの出来事"),
        Patch(facecolor="#f3d7b5", edgecolor="#c77c1f", hatch="///", label="年度での記載（目標など、4月〜翌3月）"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    return render(fig)


# --- text analytics -----------------------------------------------------------------------------


def term_bars(
    frequencies: pd.DataFrame,
    top: int = 20,
    term_column: str = "term",
    count_column: str = "count",
    title: str = "頻出語",
) -> Figure:
    """Horizontal bars of the most frequent terms (summed over any other grouping columns)."""
    if frequencies.empty:
        return empty_figure(title)
    totals = (
        frequencies.groupby(term_column, as_index=False)[count_column].sum()
        .sort_values([count_column, term_column], ascending=[False, True], kind="stable")
        .head(top)
        .iloc[::-1]
    )
    fig = _figure(6.0, 1.0 + 0.28 * len(totals))
    ax = fig.add_subplot()
    ax.barh(totals[term_column], totals[count_column], color="#5b9b6b", height=0.65)
    for y, value in enumerate(totals[count_column]):
        ax.text(value, y, f" {value}", va="center", fontsize=8)
    ax.set_xlabel("出現回数")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(title, loc="left")
    return render(fig)


def network_figure(
    graph: nx.Graph,
    title: str = "共起ネットワーク",
    weight: str = "weight",
    size: str = "count",
    seed: int = 0,
) -> Figure:
    """Draw a co-occurrence network: node size by ``size`` attribute (term frequency), edge width by
    ``weight`` (Jaccard), node colour by community (greedy modularity, as KH Coder colours them).

    The layout uses a fixed seed, so the same graph gives the same picture.
    """
    if graph.number_of_nodes() == 0:
        return empty_figure(title)
    n = graph.number_of_nodes()
    side = min(5.5 + 0.12 * n, 12.0)
    fig = _figure(side + 1.0, side * 0.8)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes(data=True), key=lambda x: str(x[0])))
    ordered.add_edges_from(sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))))
    pos = nx.spring_layout(ordered, seed=seed, k=1.6 / math.sqrt(max(n, 1)), weight=weight)
    communities = (
        nx.community.greedy_modularity_communities(ordered, weight=weight) if ordered.number_of_edges() else []
    )
    palette = sns.color_palette("pastel", max(len(communities), 1))
    color_of = {node: palette[i % len(palette)] for i, com in enumerate(communities) for node in com}
    nodes = list(ordered.nodes)
    counts = np.array([float(ordered.nodes[v].get(size, 1) or 1) for v in nodes])
    sizes = 300 + 1200 * (counts - counts.min()) / (np.ptp(counts) or 1)
    widths = [0.5 + 4 * float(d.get(weight, 0.1)) for _, _, d in ordered.edges(data=True)]
    nx.draw_networkx_edges(ordered, pos, ax=ax, width=widths, edge_color="#9a9a9a", alpha=0.8)
    nx.draw_networkx_nodes(ordered, pos, ax=ax, node_size=sizes, node_color=[color_of.get(v, "#dddddd") for v in nodes],
                           edgecolors="#666666", linewidths=0.6)
    nx.draw_networkx_labels(ordered, pos, ax=ax, font_family=FONT_FAMILY, font_size=9)
    ax.set_title(title, loc="left")
    ax.margins(0.08)
    fig.text(0.01, 0.0, "円の大きさ：出現回数／線の太さ：Jaccard係数／色：コミュニティ", fontsize=8, color="#555555",
             ha="left", va="bottom")
    return render(fig)


# --- national comparison ------------------------------------------------------------------------


def national_comparison_chart(comparison: pd.DataFrame, title: str = "全国との比較（参考）") -> Figure:
    """Paired bars: the region's share next to the national figure, per benchmark.

    ``comparison`` is proposals.national_comparison(...): label_ja, national_pct, region_pct,
    region_numerator, region_denominator.
    """
    if comparison.empty:
        return empty_figure(title)
    df = comparison.iloc[::-1].reset_index(drop=True)
    fig = _figure(8.0, 1.5 + 0.9 * len(df))
    ax = fig.add_subplot()
    y = np.arange(len(df))
    ax.barh(y + 0.18, df["region_pct"], height=0.34, color="#2f6fa8", label="5市1町")
    ax.barh(y - 0.18, df["national_pct"], height=0.34, color="#bbbbbb", label="全国")
    for i, row in df.iterrows():
        ax.text(row["region_pct"], i + 0.18,
                f" {row['region_pct']:.1f}%（{int(row['region_numerator'])}/{int(row['region_denominator'])}）",
                va="center", fontsize=9)
        ax.text(row["national_pct"], i - 0.18, f" {row['national_pct']:.1f}%", va="center", fontsize=9)
    ax.set_yticks(y, [_wrap(t, 14) for t in df["label_ja"]])
    ax.set_xlim(0, 115)
    ax.set_xlabel("%")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower right", frameon=False, fontsize=9)
    ax.set_title(title, loc="left")
    fig.text(0.01, 0.0, "定義・時点・母数が異なるため、厳密な比較ではありません。", fontsize=8, color="#555555",
             ha="left", va="bottom")
    return render(fig)
