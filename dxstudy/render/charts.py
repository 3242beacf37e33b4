# Charts for the notebooks: matplotlib figures with Japanese text (matplotlib-fontja).
# Every chart function calls setup() and draws its figure once, so a missing glyph raises here.
from __future__ import annotations

import functools
import io
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Sequence

import matplotlib
import matplotlib.text
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from dxstudy.reference import labels as lb

FONT_FAMILY = "IPAexGothic"
"""The Japanese font registered by matplotlib-fontja."""

GLYPH_WARNING = r"Glyph \d+.*missing from"
"""Start of matplotlib's UserWarning for a character the font cannot draw."""

STAGE_COLORS = ["#e7e7e7", "#cfe3f2", "#7fb3d9", "#2f6fa8"]
TECH_STATUS_ORDER = ["in_use", "pilot", "considering"]
TECH_STATUS_COLORS = {"in_use": "#2f6fa8", "pilot": "#7fb3d9", "considering": "#e3eef7"}
TECH_STATUS_MARKS = {"in_use": "●", "pilot": "◐", "considering": "○"}
ROW_HEIGHT = 0.38  # inches per matrix row: the figure grows with the number of members
SORT_MEMBERS = 12  # more members than this: the stage heatmap's rows are sorted by total stage
EMPTY_MESSAGE = "該当するデータはありません"


class MissingGlyphError(RuntimeError):
    """A chart contains a character the font cannot draw (it would be shown as a box)."""


_fontja_loaded = False


def setup() -> None:
    """Register the Japanese font and make a missing glyph an error.

    Safe to call many times; every chart function calls it. Sets ``font.family`` to IPAexGothic
    (also first in ``font.sans-serif``, so code asking for "sans-serif" still gets it), turns off
    mathtext (``text.parse_math``: labels come from respondents' text, and ``$x^2$`` must be drawn
    as typed, never typeset, and an unbalanced ``$$`` must not stop the chart), and installs a
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
    matplotlib.rcParams["text.parse_math"] = False
    install_glyph_check()


def install_glyph_check() -> None:
    """Turn matplotlib's missing-glyph UserWarning into an exception (idempotent)."""
    warnings.filterwarnings("error", message=GLYPH_WARNING, category=UserWarning)


PNG_DPI = 150
"""Resolution of the PNG shown in the notebooks and the HTML (sharp enough for A4 print)."""

#: What a character from respondents' data that the font cannot draw (an emoji, a private-use
#: character) is shown as: 〓 (geta), the Japanese typesetter's mark for a missing character.
GETA = "〓"


@functools.lru_cache(maxsize=4)
def _font_charmap(family: str) -> frozenset[int]:
    from matplotlib import ft2font
    from matplotlib.font_manager import FontProperties, findfont

    return frozenset(ft2font.FT2Font(findfont(FontProperties(family=family))).get_charmap())


def _replaceable(ch: str) -> bool:
    """Symbols and pictographs that only data can bring (emoji, private use, unassigned)."""
    return unicodedata.category(ch) in ("So", "Sk", "Co", "Cn", "Cs")


def replace_undrawable(fig: Figure) -> list[str]:
    """Replace, in every text of the figure, symbols the font cannot draw (emoji typed by a respondent)
    by 〓, and return them. Any other missing character (a kanji, or a font without Japanese) is left
    for the glyph check to fail on."""
    charmap = _font_charmap(FONT_FAMILY)
    replaced: list[str] = []
    for text in fig.findobj(matplotlib.text.Text):
        value = text.get_text()
        if not value or value.isascii():
            continue
        bad = {ch for ch in value if ord(ch) not in charmap and _replaceable(ch)}
        if bad:
            text.set_text("".join(GETA if ch in bad else ch for ch in value))
            replaced.extend(sorted(bad))
    return replaced


def render(fig: Figure, dpi: int = PNG_DPI) -> Figure:
    """Draw the figure once, as the PNG the notebook will show, raising MissingGlyphError if any text
    lacks a glyph. The PNG is kept on the figure, so displaying it does not draw it again."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    replace_undrawable(fig)
    with warnings.catch_warnings():
        install_glyph_check()
        try:
            fig._dxstudy_png = (dpi, _print_png(fig, dpi))
            fig.stale = False  # any later change to the figure marks it stale again: to_png redraws
        except UserWarning as exc:
            if re.match(GLYPH_WARNING, str(exc)):
                raise MissingGlyphError(f"chart text cannot be drawn with the font: {exc}") from exc
            raise
    return fig


def _print_png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context({"text.parse_math": False}):  # tick labels made while drawing: no mathtext
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def to_png(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """PNG bytes of a figure, without software/date metadata (same input, same bytes). Reuses the
    PNG drawn by render() when the figure has not been drawn at another resolution since."""
    cached = getattr(fig, "_dxstudy_png", None)
    if cached and cached[0] == dpi and not fig.stale:
        return cached[1]
    replace_undrawable(fig)
    with warnings.catch_warnings():
        install_glyph_check()
        return _print_png(fig, dpi)


def _figure(width: float, height: float, constrained: bool = True) -> Figure:
    setup()
    fig = Figure(figsize=(width, height), layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)  # a real canvas: drawing lays out every glyph (a bare Figure's draw is a no-op)
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


def _heatmap(ax, values: np.ndarray, annot: np.ndarray, cmap, norm, row_labels: list[str],
             col_labels: list[str], dark: Callable[[float], bool], fontsize: float = 9) -> None:
    """A cell matrix (rows top to bottom) with a text in every cell; NaN cells stay background.

    ``dark(value)`` says whether a cell needs white text."""
    masked = np.ma.masked_invalid(values.astype(float))
    ax.pcolormesh(masked, cmap=cmap, norm=norm, edgecolors="white", linewidth=1.0)
    nrows, ncols = values.shape
    for i in range(nrows):
        for j in range(ncols):
            text = annot[i, j]
            if text:
                value = values[i, j]
                color = "white" if not pd.isna(value) and dark(float(value)) else "black"
                ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=fontsize, color=color)
    ax.set_xlim(0, ncols)
    ax.set_ylim(nrows, 0)
    ax.set_xticks(np.arange(ncols) + 0.5, col_labels)
    ax.set_yticks(np.arange(nrows) + 0.5, row_labels)
    ax.set_facecolor("#f7f7f7")
    ax.tick_params(axis="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


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
    if len(wide) > SORT_MEMBERS:  # many members: most advanced first, so groups of rows read as a pattern
        rank = np.argsort(-np.nan_to_num(wide.to_numpy(dtype=float), nan=-1.0).sum(axis=1), kind="stable")
        wide, annot = wide.iloc[rank], annot[rank]
        title = f"{title}（段階の合計が高い順）"
    width, height = _matrix_size(len(wide), wide.shape[1], col_width=1.5)
    fig = _figure(width, height + 0.3)
    ax = fig.add_subplot()
    cmap = ListedColormap(STAGE_COLORS)
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], cmap.N)
    _heatmap(ax, wide.to_numpy(dtype=float), annot, cmap, norm, list(wide.index),
             [_wrap(c, 8) for c in wide.columns], dark=lambda v: v >= 2.5)
    ax.xaxis.tick_top()
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
    codes = wide.replace({s: i for i, s in enumerate(TECH_STATUS_ORDER)}).replace("", np.nan)
    codes = codes.apply(pd.to_numeric, errors="coerce")
    annot = wide.replace({s: f"{TECH_STATUS_MARKS[s]}\n{lb.label('tech_status', s)}" for s in TECH_STATUS_ORDER})
    width, height = _matrix_size(len(wide), wide.shape[1], col_width=1.0)
    fig = _figure(width, height + 0.6)
    ax = fig.add_subplot()
    cmap = ListedColormap([TECH_STATUS_COLORS[s] for s in TECH_STATUS_ORDER])
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5], cmap.N)
    _heatmap(ax, codes.to_numpy(dtype=float), annot.to_numpy(), cmap, norm, list(wide.index),
             [_wrap(c, 6) for c in wide.columns], dark=lambda v: v == 0, fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", labelsize=8)
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
    values = wide.to_numpy(dtype=float, copy=True)
    values[values == 0] = np.nan
    top = np.nanmax(values) if np.isfinite(values).any() else 1.0
    annot = np.where(np.isnan(values), "", wide.astype(str).to_numpy())
    _heatmap(ax, values, annot, matplotlib.colormaps["Oranges"], Normalize(0, max(top, 2) * 1.25), list(wide.index),
             [f"{_wrap(c, 6)}\n（{shared[c]}）" for c in wide.columns], dark=lambda v: v > max(top, 2) * 0.75, fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title(title, loc="left")
    fig.supxlabel("数字は該当する文の数。列名の（ ）内は該当する市町の数。", fontsize=8, color="#555555", x=0.01, ha="left")
    return render(fig)


# --- metrics ------------------------------------------------------------------------------------


def _as_written(row: dict) -> str:
    """The quantity as the report writes it (``value_text``, e.g. 延べ72人, 5.0%) when it holds a
    number, else the value with its unit."""
    text = str(row.get("value_text", "") or "")
    if any(ch.isdigit() for ch in text):
        return text
    return _value_text(float(row["value"]), str(row.get("unit", "")))


def _value_text(value: float, unit: str) -> str:
    text = f"{value:,.1f}" if not float(value).is_integer() else f"{int(value):,}"
    return f"{text}{unit}"


def _metric_label(metric: str, df: pd.DataFrame) -> str:
    for col in ("label_ja", "metric_label"):
        if col in df.columns:
            hit = df.loc[(df["metric"] == metric) & (df[col].astype(str) != ""), col]
            if len(hit):
                return str(hit.iloc[0])
    return metric


def _is_target(metric: str) -> bool:
    return "_target" in metric


def key_metric_ids() -> list[str]:
    """The metrics shown in the overview (rules/labels_ja.csv, kind ``key_metric``, in file order)."""
    return list(lb.labels("key_metric"))


def metric_bars(
    metrics: pd.DataFrame,
    metric_ids: Sequence[str] | None = None,
    municipalities: pd.DataFrame | None = None,
    theme: str | None = None,
    title: str = "主な数値",
) -> Figure:
    """One horizontal bar panel per metric: value per municipality, labelled with value and unit.

    ``metrics`` columns used: municipality_code, municipality, theme, metric, label_ja, value, unit.
    Target metrics (ids with ``_target``) are left to target_chart. Only members with a value are
    shown, so a metric stated by one member is one bar, not five empty rows; several values of a
    member (e.g. two sentences) show the largest.
    """
    df = metrics if theme is None else metrics[metrics["theme"] == theme]
    df = df[(df["municipality_code"] != "") & ~df["metric"].map(_is_target)]
    if metric_ids is not None:
        df = df[df["metric"].isin(metric_ids)]
    if df.empty:
        return empty_figure(title)
    present = set(df["metric"])
    ids = [m for m in (metric_ids if metric_ids is not None else dict.fromkeys(df["metric"])) if m in present]
    members = _members(municipalities, metrics)
    order = {c: i for i, c in enumerate(members["code"])}
    rows: list[tuple[str, str, float, str]] = []  # (kind, label, length 0-1, value text)
    for metric in ids:
        sub = df[df["metric"] == metric].copy()
        sub["value"] = pd.to_numeric(sub["value"], errors="coerce")
        sub = sub.sort_values("value", ascending=False, kind="stable").drop_duplicates("municipality_code")
        sub = sub.assign(_o=sub["municipality_code"].map(order).fillna(len(order))).sort_values("_o", kind="stable")
        top = sub["value"].max() or 1.0
        rows.append(("header", _metric_label(metric, df), 0.0, ""))
        rows.extend(("bar", r["municipality"], float(r["value"]) / top, _as_written(r)) for r in sub.to_dict("records"))
    fig = _figure(7.5, 0.9 + 0.3 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    bars = [(yy, r) for yy, r in zip(y, rows) if r[0] == "bar"]
    ax.barh([yy for yy, _ in bars], [r[2] for _, r in bars], height=0.62, color="#4a86c5")
    for yy, (kind, label, length, text) in zip(y, rows):
        if kind == "header":
            ax.text(-0.01, yy - 0.1, label, ha="right", va="center", fontsize=10, color="#1f4e79",
                    transform=ax.get_yaxis_transform())
        else:
            ax.text(length, yy, " " + text, va="center", fontsize=9)
    ax.set_yticks([yy for yy, _ in bars], [r[1] for _, r in bars], fontsize=9)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(title, loc="left")
    fig.supxlabel("棒の長さは指標ごとの最大値に対する比。数値は報告書の表記どおり。", fontsize=8, color="#555555",
                  x=0.01, ha="left")
    return render(fig)


def target_pairs(metrics: pd.DataFrame) -> list[tuple[str, str]]:
    """(actual, target) metric ids present in the table: ``x_target_y`` pairs with ``x_y``."""
    present = set(metrics["metric"])
    pairs = []
    for metric in sorted(present):
        if _is_target(metric):
            actual = metric.replace("_target", "", 1)
            if actual in present:
                pairs.append((actual, metric))
    return pairs


def target_chart(
    metrics: pd.DataFrame,
    actual: str,
    target: str,
    title: str | None = None,
) -> Figure:
    """Actual value against its target per municipality (e.g. telework PC utilization vs. target).

    ``actual`` and ``target`` are metric ids in ``metrics``; members with either are shown. The
    target's deadline (``target_fiscal_year``) is written next to it when known.
    """
    name = _metric_label(actual, metrics)
    title = title or f"{name}：現状と目標"
    df = metrics[metrics["metric"].isin([actual, target]) & (metrics["municipality_code"] != "")].copy()
    if df.empty:
        return empty_figure(title)
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    wide = df.pivot_table(index="municipality", columns="metric", values="value", aggfunc="max")
    wide = wide.reindex(columns=[actual, target])
    written = {(r["municipality"], r["metric"]): _as_written(r)
               for r in df.sort_values("value", kind="stable").to_dict("records")}
    deadline = {}
    if "target_fiscal_year" in df.columns:
        for m, y in zip(df.loc[df["metric"] == target, "municipality"], df.loc[df["metric"] == target, "target_fiscal_year"]):
            if str(y) not in ("", "nan", "<NA>", "None"):
                deadline[m] = f"（{int(float(y))}年度まで）"
    unit = df["unit"].iloc[0]
    fig = _figure(7.0, 1.6 + 0.7 * len(wide))
    ax = fig.add_subplot()
    y = np.arange(len(wide))
    ax.barh(y, wide[actual].fillna(0), height=0.45, color="#4a86c5")
    for i, (who, a, t) in enumerate(zip(wide.index, wide[actual], wide[target])):
        if not pd.isna(t):
            ax.plot([t, t], [i - 0.38, i + 0.38], color="#c0392b", linewidth=2.5)
            ax.text(t, i + 0.4, f"目標 {written[(who, target)]}{deadline.get(who, '')}", color="#c0392b",
                    fontsize=9, ha="center", va="bottom")
        if not pd.isna(a):
            ax.text(a, i, f" 現状 {written[(who, actual)]}", va="center", fontsize=9)
    ax.set_yticks(y, wide.index)
    ax.set_ylim(-0.6, len(wide) - 0.1 + 0.5)
    top = np.nanmax(wide.to_numpy(dtype=float))
    ax.set_xlim(0, top * 1.3 if top > 0 else 1)
    ax.set_xlabel(unit)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left")
    ax.legend(handles=[Patch(color="#4a86c5", label="現状"), Patch(color="#c0392b", label="目標")],
              loc="lower right", frameon=False, fontsize=9)
    return render(fig)


def theme_targets(metrics: pd.DataFrame, theme: str | None = None) -> Figure:
    """The first actual/target pair of a theme as a target_chart (e.g. telework PC utilization)."""
    df = metrics if theme is None else metrics[metrics["theme"] == theme]
    pairs = target_pairs(df)
    if not pairs:
        return empty_figure("目標値", "このテーマには目標値の記載はありません")
    actual, target = pairs[0]
    return target_chart(df, actual, target)


# --- events -------------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_FY = re.compile(r"^FY(\d{4})$")
TARGET_ROLES = {"target", "deadline"}
SKIPPED_ROLES = {"as_of", "recurring"}


def event_dates(events: pd.DataFrame) -> pd.DataFrame:
    """Events placed in time, numbered in date order (the number links the chart and the table).

    Reads ``date`` as written by dxstudy.extract.events: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``FY2023``
    (a fiscal year: 1 April to 31 March). Rows without a date, recurring dates and the report's own
    as-of date (role ``as_of``) are left out. Adds columns: no (1..n), start, end (Timestamps),
    precision (day | month | year | fiscal_year), is_target (role target/deadline).
    """
    out = []
    for row in events.to_dict("records"):
        if str(row.get("role", "")) in SKIPPED_ROLES:
            continue
        date = str(row.get("date", "") or "")
        if match := _ISO.match(date):
            y, m, d = int(match[1]), match[2], match[3]
            if d:
                start = end = pd.Timestamp(y, int(m), int(d))
                precision = "day"
            elif m:
                start = pd.Timestamp(y, int(m), 1)
                end, precision = start + pd.offsets.MonthEnd(0), "month"
            else:
                start, end, precision = pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 31), "year"
        elif match := _FY.match(date):
            fy = int(match[1])
            start, end, precision = pd.Timestamp(fy, 4, 1), pd.Timestamp(fy + 1, 3, 31), "fiscal_year"
        else:
            continue
        is_target = str(row.get("role", "")) in TARGET_ROLES
        out.append({**row, "start": start, "end": end, "precision": precision, "is_target": is_target})
    cols = [*events.columns, "start", "end", "precision", "is_target"]
    df = pd.DataFrame(out, columns=cols)
    if df.empty:
        return df.assign(no=pd.Series(dtype=int))[["no", *cols]]
    sort_cols = ["start", "end"] + (["statement_id"] if "statement_id" in df else [])
    df = df.sort_values(sort_cols, kind="stable").reset_index(drop=True)
    df.insert(0, "no", range(1, len(df) + 1))
    return df


def _time_segments(df: pd.DataFrame, gap_years: float = 3.0) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Split the time axis at the largest gap between events if it exceeds ``gap_years``
    (e.g. 2012's guideline versus 2020-2025), so the recent years are not squeezed."""
    starts = sorted(df["start"])
    ends = df["end"]
    lo, hi = starts[0], max(ends)
    gaps = [(starts[i + 1] - starts[i], i) for i in range(len(starts) - 1)]
    if gaps:
        widest, i = max(gaps)
        if widest.days > 365 * gap_years:
            left_end = max(e for s, e in zip(df["start"], df["end"]) if s <= starts[i])
            return [(lo, left_end), (starts[i + 1], hi)]
    return [(lo, hi)]


def events_timeline(
    events: pd.DataFrame,
    municipalities: pd.DataFrame | None = None,
    theme: str | None = None,
    title: str = "主な出来事と目標の時期",
) -> Figure:
    """Timeline: one row per municipality (plus 地域全体); dated events as numbered points, things
    stated by fiscal year (令和2年度に…) as bars from April to March, and targets and deadlines
    (令和5年度までに…) as red hatched bars. A long empty stretch (2012 → 2020) is cut out.

    The numbers match ``event_dates(events)["no"]`` (and views.events_table).
    """
    df = event_dates(events if theme is None else events[events["theme"] == theme])
    if df.empty:
        return empty_figure(title)
    members = _members(municipalities, events)
    present = set(df["municipality_code"])
    codes = [c for c in members["code"] if c in present]
    names = members.set_index("code")["name_ja"].to_dict()
    labels_y = [names[c] for c in codes]
    if "" in present:
        codes.append("")
        labels_y.append(lb.REGION_LABEL)
    ypos = {c: len(codes) - 1 - i for i, c in enumerate(codes)}
    segments = _time_segments(df)
    pad = pd.Timedelta(days=75)
    spans = [max((b - a).days, 200) + 2 * pad.days for a, b in segments]
    width, height = 10.5, 1.9 + 0.62 * len(codes)
    fig = _figure(width, height, constrained=False)  # fixed margins: much faster than constrained layout
    left = (0.35 + 0.16 * max(len(n) for n in labels_y)) / width
    grid = fig.add_gridspec(1, len(segments), width_ratios=spans, wspace=0.02, left=left, right=0.98,
                            top=1 - 0.45 / height, bottom=0.95 / height)
    axes = [fig.add_subplot(grid[0, i]) for i in range(len(segments))]
    total_days = sum(spans)
    min_gap = pd.Timedelta(days=total_days * 0.016)
    for ax, (a, b) in zip(axes, segments):
        sub = df[(df["start"] >= a) & (df["start"] <= b)]
        keys = ["municipality_code", "start", "end", "precision", "is_target"]
        groups = sub.groupby(keys, sort=False)["no"].apply(lambda n: ",".join(map(str, n))).reset_index()
        groups = groups.sort_values(["municipality_code", "start"], kind="stable")
        placed: dict[int, list[tuple[pd.Timestamp, pd.Timestamp, int]]] = {}
        for row in groups.to_dict("records"):
            y = ypos[row["municipality_code"]]
            if row["precision"] in ("fiscal_year", "year"):
                width = (row["end"] - row["start"]).days + 1
                face, edge = ("#f6c9c4", "#c0392b") if row["is_target"] else ("#f3e2c7", "#b07a2a")
                ax.barh(y, width, left=row["start"], height=0.36, color=face, edgecolor=edge,
                        hatch="///" if row["is_target"] else None, linewidth=1.0)
                x = row["start"] + (row["end"] - row["start"]) / 2
            else:
                color = "#c0392b" if row["is_target"] else "#2f6fa8"
                ax.plot(row["start"], y, marker="o" if row["precision"] == "day" else "s", color=color,
                        markersize=6, linestyle="none")
                x = row["start"]
            half = min_gap * (0.5 + 0.35 * len(row["no"]) / 2)
            lo_x, hi_x = x - half, x + half
            level = 0
            while any(lvl == level and lo_x < p_hi and p_lo < hi_x for p_lo, p_hi, lvl in placed.get(y, [])):
                level += 1
            placed.setdefault(y, []).append((lo_x, hi_x, level))
            base = 10 if row["precision"] in ("fiscal_year", "year") else 6
            ax.annotate(row["no"], (x, y), xytext=(0, base + 8.5 * level), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7.5)
        ax.set_xlim(a - pad, b + pad)
        years = list(range(a.year, (b + pad).year + 1))
        step = 1 if len(years) <= 9 else 2
        ticks = [pd.Timestamp(y, 1, 1) for y in years if pd.Timestamp(y, 1, 1) >= a - pad][::step]
        ax.set_xticks(ticks, [f"{t.year}年" for t in ticks], fontsize=8)
        ax.grid(axis="x", color="#e2e2e2")
        ax.set_ylim(-0.6, len(codes) - 0.1)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.set_yticks(list(ypos.values()), labels_y if ax is axes[0] else [])
    for ax in axes[1:]:
        ax.spines["left"].set_linestyle((0, (2, 2)))
    if len(axes) > 1:
        axes[0].text(1.0, -0.08, "≈", transform=axes[0].transAxes, ha="center", va="top", fontsize=12)
    axes[0].set_title(title, loc="left")
    handles = [
        matplotlib.lines.Line2D([], [], marker="s", color="#2f6fa8", linestyle="none", label="年月の記載"),
        matplotlib.lines.Line2D([], [], marker="o", color="#2f6fa8", linestyle="none", label="年月日の記載"),
        Patch(facecolor="#f3e2c7", edgecolor="#b07a2a", label="年度（4月〜翌3月）の記載"),
        Patch(facecolor="#f6c9c4", edgecolor="#c0392b", hatch="///", label="目標・期限"),
    ]
    fig.legend(handles=handles, loc="lower center", ncols=4, frameon=False, fontsize=8,
               bbox_to_anchor=(0.5, 0.02 / height * 10))
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


def _component_layout(graph: nx.Graph, seed: int, weight: str) -> dict:
    """Lay out each connected component on its own (spring layout, fixed seed) and place the
    components on a grid, largest first, so small clusters are not squeezed to the rim."""
    comps = sorted(nx.connected_components(graph), key=lambda c: (-len(c), sorted(map(str, c))))
    cols = math.ceil(math.sqrt(len(comps)))
    biggest = len(comps[0])
    pos = {}
    for idx, comp in enumerate(comps):
        sub = graph.subgraph(sorted(comp, key=str))
        if len(comp) == 1:
            local = {next(iter(comp)): np.zeros(2)}
        else:
            local = nx.spring_layout(sub, seed=seed, k=1.8 / math.sqrt(len(comp)), weight=weight, iterations=100)
        coords = np.array(list(local.values()))
        coords = coords - coords.mean(axis=0)
        span = np.abs(coords).max() or 1.0
        scale = 1.2 * math.sqrt(len(comp) / biggest)
        cx, cy = (idx % cols) * 3.0, -(idx // cols) * 3.0
        for node, xy in zip(local, coords):
            pos[node] = np.array([cx, cy]) + xy / span * scale
    return pos


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
    pos = _component_layout(ordered, seed, weight)
    communities = (
        nx.community.greedy_modularity_communities(ordered, weight=weight) if ordered.number_of_edges() else []
    )
    pastel = matplotlib.colormaps["Pastel1"].colors
    palette = [pastel[i % len(pastel)] for i in range(max(len(communities), 1))]
    color_of = {node: palette[i % len(palette)] for i, com in enumerate(communities) for node in com}
    nodes = list(ordered.nodes)
    counts = np.array([float(ordered.nodes[v].get(size, 1) or 1) for v in nodes])
    sizes = 250 + 750 * (counts - counts.min()) / (np.ptp(counts) or 1)
    widths = [0.5 + 4 * float(d.get(weight, 0.1)) for _, _, d in ordered.edges(data=True)]
    nx.draw_networkx_edges(ordered, pos, ax=ax, width=widths, edge_color="#9a9a9a", alpha=0.8)
    nx.draw_networkx_nodes(ordered, pos, ax=ax, node_size=sizes, node_color=[color_of.get(v, "#dddddd") for v in nodes],
                           edgecolors="#666666", linewidths=0.6)
    nx.draw_networkx_labels(ordered, pos, ax=ax, font_family=FONT_FAMILY, font_size=9)
    ax.set_title(title, loc="left")
    ax.margins(0.08)
    fig.supxlabel("円の大きさ：その語を含む文の数／線の太さ：Jaccard係数／色：コミュニティ", fontsize=8, color="#555555", x=0.01, ha="left")
    return render(fig)


# --- national comparison ------------------------------------------------------------------------


def national_comparison_chart(comparison: pd.DataFrame, municipalities: pd.DataFrame | None = None,
                              title: str = "全国との比較（参考）") -> Figure:
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
    ax.barh(y + 0.18, df["region_pct"], height=0.34, color="#2f6fa8", label=lb.region_label(municipalities))
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
    fig.supxlabel("定義・時点・母数が異なるため、厳密な比較ではありません。", fontsize=8, color="#555555", x=0.01, ha="left")
    return render(fig)


# --- challenge text analytics (dxstudy.coding) ---------------------------------------------------


def _analysis_statements(statements: pd.DataFrame, theme: str | None) -> tuple[pd.DataFrame, str]:
    """The 課題 sentences of a theme, or all its sentences when it has no 課題 part (第5章)."""
    df = statements if theme is None else statements[statements["theme"] == theme]
    challenge = df[df["aspect"] == "challenge"]
    if len(challenge):
        return challenge, "課題の記述"
    return df, "記述"


def challenge_terms_chart(statements: pd.DataFrame, theme: str | None = None, top: int = 20) -> Figure:
    """Frequent terms (SudachiPy, dxstudy.coding.term_frequencies) of the 課題 sentences of a theme
    (all themes when None; a theme without 課題 uses all its sentences)."""
    from dxstudy.coding import term_frequencies

    docs, what = _analysis_statements(statements, theme)
    title = f"{what}の頻出語" + (f"（{lb.theme_label(theme)}）" if theme else "")
    if docs.empty:
        return empty_figure(title)
    freq = term_frequencies(docs, by=("theme",))
    return term_bars(freq, top=top, title=title)


def challenge_network_chart(statements: pd.DataFrame, theme: str | None = None, min_df: int = 2,
                            top_edges: int = 40) -> Figure:
    """Co-occurrence network (Jaccard, dxstudy.coding.cooccurrence_network) of the terms of the
    課題 sentences of a theme (a theme without 課題 uses all its sentences)."""
    from dxstudy.coding import cooccurrence_network

    docs, what = _analysis_statements(statements, theme)
    title = f"{what}の共起ネットワーク" + (f"（{lb.theme_label(theme)}）" if theme else "")
    if docs.empty:
        return empty_figure(title)
    graph = cooccurrence_network(docs, aspect=None, min_df=min_df, top_edges=top_edges)
    if graph.number_of_nodes() == 0:
        return empty_figure(title, "2文以上に共通して現れる語の組合せがありません")
    return network_figure(graph, title=title, size="df")


# --- year over year (前年度比較; tables from dxstudy.analysis.yoy) ---------------------------------------

CHANGE_MARKS = {"up": "▲", "down": "▼", "same": "＝", "new": "新", "gone": "—", "": "？"}
CHANGE_COLORS = {"up": "#1e7b4a", "down": "#c0392b", "same": "#555555", "new": "#1f4e79", "gone": "#777777", "": "#777777"}
STALLED_COLOR = "#e67e22"
MISSING_COLOR = "#f7f7f7"


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
    members = _members(municipalities, transitions)
    theme_ids = [t for t in lb.staged_themes(themes) if t in set(transitions["theme"])]
    cells = {(r["municipality_code"], r["theme"]): r for r in transitions.to_dict("records")}
    codes = [c for c in members["code"] if any((c, t) in cells for t in theme_ids)]
    names = members.set_index("code")["name_ja"].to_dict()
    width, height = _matrix_size(len(codes), len(theme_ids), col_width=1.7)
    fig = _figure(width, height + 0.9)
    ax = fig.add_subplot()
    for i, code in enumerate(codes):
        for j, theme in enumerate(theme_ids):
            row = cells.get((code, theme))
            if row is None:
                ax.add_patch(matplotlib.patches.Rectangle((j + 0.04, i + 0.06), 0.92, 0.88, color=MISSING_COLOR))
                continue
            before, after = row["stage_before"], row["stage_after"]
            for k, value in enumerate((before, after)):
                color = MISSING_COLOR if pd.isna(value) else STAGE_COLORS[int(value)]
                ax.add_patch(matplotlib.patches.Rectangle((j + 0.04 + 0.46 * k, i + 0.06), 0.46, 0.88, color=color,
                                                          linewidth=0))
            change = str(row.get("change", "") or "")
            stalled = change == "same" and not pd.isna(after) and int(after) == 1
            if stalled:
                ax.add_patch(matplotlib.patches.Rectangle((j + 0.06, i + 0.08), 0.88, 0.84, fill=False,
                                                          edgecolor=STALLED_COLOR, linewidth=2.5))
            text = (f"{'－' if pd.isna(before) else int(before)}→{'－' if pd.isna(after) else int(after)}"
                    f" {CHANGE_MARKS.get(change, '？')}")
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=10,
                    color=STALLED_COLOR if stalled else CHANGE_COLORS.get(change, "#555555"),
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.92})
    ax.set_xlim(0, len(theme_ids))
    ax.set_ylim(len(codes), 0)
    ax.set_xticks(np.arange(len(theme_ids)) + 0.5, [_wrap(lb.theme_label(t, themes), 8) for t in theme_ids])
    ax.set_yticks(np.arange(len(codes)) + 0.5, [names.get(c, c) for c in codes])
    ax.xaxis.tick_top()
    ax.tick_params(axis="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, loc="left", pad=12)
    handles = [Patch(color=STAGE_COLORS[s], label=lb.stage_label(s)) for s in range(4)]
    handles.append(Patch(facecolor="white", edgecolor=STALLED_COLOR, linewidth=2.0, label="2年続けて検討中"))
    fig.legend(handles=handles, loc="outside lower center", ncols=5, frameon=False, fontsize=8.5,
               title="各セルの左半分：前年度の段階／右半分：今年度の段階　▲上昇 ▼低下 ＝変化なし",
               title_fontsize=8.5)
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
    fig = _figure(8.5, 1.1 + 0.42 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    ticks, tick_labels = [], []
    for yy, (kind, label, r) in zip(y, rows):
        if kind == "header":
            ax.text(-0.01, yy - 0.1, label, ha="right", va="center", fontsize=10, color="#1f4e79",
                    transform=ax.get_yaxis_transform())
            continue
        ticks.append(yy)
        tick_labels.append(label)
        target = r.get("target_value")
        scale = max(v for v in (r["value_before"], r["value_after"], target if not pd.isna(target) else 0.0, 1e-9))
        xb, xa = r["value_before"] / scale, r["value_after"] / scale
        ax.plot([0, 1], [yy, yy], color="#eeeeee", linewidth=6, solid_capstyle="butt", zorder=0)
        if not pd.isna(target):
            ax.plot([target / scale] * 2, [yy - 0.3, yy + 0.3], color="#c0392b", linewidth=2.5, zorder=1)
            deadline = r.get("target_fiscal_year")
            deadline = f"（{int(deadline)}年度）" if not pd.isna(deadline) else ""
            ax.text(target / scale, yy + 0.32, f"目標 {_value_text(target, r['unit'])}{deadline}", color="#c0392b",
                    fontsize=8, ha="center", va="bottom")
        if xa != xb:
            ax.annotate("", (xa, yy), (xb, yy), arrowprops={"arrowstyle": "->", "color": "#4a86c5", "lw": 1.6},
                        zorder=2)
        ax.plot(xb, yy, "o", color="#9a9a9a", markersize=7, zorder=3)
        ax.plot(xa, yy, "o", color="#2f6fa8", markersize=7, zorder=4)
        diff = r["value_after"] - r["value_before"]
        sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
        ax.text(1.04, yy, f"{r['value_text_before']} → {r['value_text_after']}（{sign}{_value_text(abs(diff), r['unit'])}）",
                va="center", fontsize=9, transform=ax.get_yaxis_transform())
    ax.set_yticks(ticks, tick_labels, fontsize=9)
    ax.set_ylim(-0.7, len(rows) - 0.2)
    ax.set_xlim(-0.03, 1.03)
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(title, loc="left")
    handles = [matplotlib.lines.Line2D([], [], marker="o", color="#9a9a9a", linestyle="none", label="前年度"),
               matplotlib.lines.Line2D([], [], marker="o", color="#2f6fa8", linestyle="none", label="今年度"),
               Patch(color="#c0392b", label="目標")]
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, frameon=False, fontsize=8.5)
    fig.supxlabel("位置は指標ごとの最大値（目標を含む）に対する比。数値は記載どおり。", fontsize=8, color="#555555",
                  x=0.01, ha="left")
    return render(fig)
