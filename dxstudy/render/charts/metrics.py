# Charts of the numbers in the report: metric bars per member, actual against target, and the region
# against national figures (seaborn.barplot); the value texts they share.
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from dxstudy.reference import labels as lb
from dxstudy.render.charts.figure import empty_figure, footnote, new_figure, plain_axes, render, wrap
from dxstudy.render.charts.matrices import members

BAR_COLOR = "#4a86c5"
TARGET_COLOR = "#c0392b"
HEADING_COLOR = "#1f4e79"


def as_written(row: dict) -> str:
    """The quantity as the report writes it (``value_text``, e.g. 延べ72人, 5.0%) when it holds a
    number, else the value with its unit."""
    text = str(row.get("value_text", "") or "")
    if any(ch.isdigit() for ch in text):
        return text
    return value_text(float(row["value"]), str(row.get("unit", "")))


def value_text(value: float, unit: str) -> str:
    """A number with its unit: 1,234台, 5.5%."""
    text = f"{value:,.1f}" if not float(value).is_integer() else f"{int(value):,}"
    return f"{text}{unit}"


def group_heading(ax: Axes, y: float, label: str) -> None:
    """A metric's name left of the axis at row ``y``, heading the member rows below it."""
    ax.text(-0.01, y, label, ha="right", va="center", fontsize=10, color=HEADING_COLOR,
            transform=ax.get_yaxis_transform())


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
    """One group of horizontal bars per metric, under its name: value per municipality, labelled as
    the report writes it; bar lengths relative to the metric's largest value.

    ``metrics`` columns used: municipality_code, municipality, theme, metric, label_ja, value, unit.
    Target metrics (ids with ``_target``) are left to target_chart. Only members with a value are
    shown, so a metric stated by one member is one bar, not five empty rows; several values of a
    member (e.g. two sentences) show the largest.
    """
    import seaborn as sns

    df = metrics if theme is None else metrics[metrics["theme"] == theme]
    df = df[(df["municipality_code"] != "") & ~df["metric"].map(_is_target)]
    if metric_ids is not None:
        df = df[df["metric"].isin(metric_ids)]
    if df.empty:
        return empty_figure(title)
    present = set(df["metric"])
    ids = [m for m in (metric_ids if metric_ids is not None else dict.fromkeys(df["metric"])) if m in present]
    order = {c: i for i, c in enumerate(members(municipalities, metrics)["code"])}
    headings: list[tuple[int, str]] = []
    bars: list[dict] = []  # row (top to bottom), member, length 0-1, value as written
    for metric in ids:
        sub = df[df["metric"] == metric].copy()
        sub["value"] = pd.to_numeric(sub["value"], errors="coerce")
        sub = sub.sort_values("value", ascending=False, kind="stable").drop_duplicates("municipality_code")
        sub = sub.assign(_o=sub["municipality_code"].map(order).fillna(len(order))).sort_values("_o", kind="stable")
        top = sub["value"].max() or 1.0
        headings.append((len(headings) + len(bars), _metric_label(metric, df)))
        first = len(headings) + len(bars)
        bars += [{"row": first + k, "member": r["municipality"], "length": float(r["value"]) / top,
                  "text": as_written(r)} for k, r in enumerate(sub.to_dict("records"))]
    nrows = len(headings) + len(bars)
    fig = new_figure(7.5, 0.9 + 0.3 * nrows)
    ax = fig.add_subplot()
    table = pd.DataFrame(bars)
    sns.barplot(data=table, x="length", y="row", order=range(nrows), orient="y", color=BAR_COLOR, width=0.62,
                errorbar=None, saturation=1, ax=ax)
    for row, label in headings:
        group_heading(ax, row + 0.1, label)
    for bar in bars:
        ax.text(bar["length"], bar["row"], " " + bar["text"], va="center", fontsize=9)
    plain_axes(ax, hide=("top", "right", "bottom"))
    ax.set_yticks(table["row"].tolist(), table["member"].tolist(), fontsize=9)
    ax.set_ylim(nrows - 0.4, -0.6)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([])
    ax.set_title(title, loc="left")
    footnote(fig, "棒の長さは指標ごとの最大値に対する比。数値は報告書の表記どおり。")
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

    ``actual`` and ``target`` are metric ids in ``metrics``; members with either are shown, a bar
    each for the actual value and a red mark for the target. The target's deadline
    (``target_fiscal_year``) is written next to it when known.
    """
    import seaborn as sns

    name = _metric_label(actual, metrics)
    title = title or f"{name}：現状と目標"
    df = metrics[metrics["metric"].isin([actual, target]) & (metrics["municipality_code"] != "")].copy()
    if df.empty:
        return empty_figure(title)
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    wide = df.pivot_table(index="municipality", columns="metric", values="value", aggfunc="max")
    wide = wide.reindex(columns=[actual, target])
    written = {(r["municipality"], r["metric"]): as_written(r)
               for r in df.sort_values("value", kind="stable").to_dict("records")}
    deadline = {}
    if "target_fiscal_year" in df.columns:
        for m, y in zip(df.loc[df["metric"] == target, "municipality"], df.loc[df["metric"] == target, "target_fiscal_year"]):
            if str(y) not in ("", "nan", "<NA>", "None"):
                deadline[m] = f"（{int(float(y))}年度まで）"
    fig = new_figure(7.0, 1.6 + 0.7 * len(wide))
    ax = fig.add_subplot()
    sns.barplot(x=wide[actual].fillna(0).to_numpy(), y=list(wide.index), orient="y", color=BAR_COLOR, width=0.45,
                errorbar=None, saturation=1, ax=ax)
    for i, (who, a, t) in enumerate(zip(wide.index, wide[actual], wide[target])):
        if not pd.isna(t):
            ax.plot([t, t], [i - 0.38, i + 0.38], color=TARGET_COLOR, linewidth=2.5)
            ax.text(t, i - 0.4, f"目標 {written[(who, target)]}{deadline.get(who, '')}", color=TARGET_COLOR,
                    fontsize=9, ha="center", va="bottom")
        if not pd.isna(a):
            ax.text(a, i, f" 現状 {written[(who, actual)]}", va="center", fontsize=9)
    plain_axes(ax)
    ax.tick_params(axis="y", length=3.5)
    ax.set_ylim(len(wide) - 0.4, -0.9)
    top = np.nanmax(wide.to_numpy(dtype=float))
    ax.set_xlim(0, top * 1.3 if top > 0 else 1)
    ax.set_xlabel(df["unit"].iloc[0])
    ax.set_title(title, loc="left")
    ax.legend(handles=[Patch(color=BAR_COLOR, label="現状"), Patch(color=TARGET_COLOR, label="目標")],
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


def national_comparison_chart(comparison: pd.DataFrame, municipalities: pd.DataFrame | None = None,
                              title: str = "全国との比較（参考）") -> Figure:
    """Paired bars per benchmark: the region's share (with numerator/denominator) above the national one.

    ``comparison`` is proposals.national_comparison(...): label_ja, national_pct, region_pct,
    region_numerator, region_denominator.
    """
    import seaborn as sns

    if comparison.empty:
        return empty_figure(title)
    region = lb.region_label(municipalities)
    labels = [wrap(t, 14) for t in comparison["label_ja"]]
    long = pd.DataFrame({"label": labels * 2, "who": [region] * len(labels) + ["全国"] * len(labels),
                         "pct": [*comparison["region_pct"], *comparison["national_pct"]]})
    fig = new_figure(8.0, 1.5 + 0.9 * len(comparison))
    ax = fig.add_subplot()
    sns.barplot(data=long, x="pct", y="label", hue="who", hue_order=[region, "全国"], orient="y", width=0.68,
                palette={region: "#2f6fa8", "全国": "#bbbbbb"}, errorbar=None, saturation=1, ax=ax)
    region_bars, national_bars = ax.containers
    ax.bar_label(region_bars, fontsize=9, labels=[
        f" {r['region_pct']:.1f}%（{int(r['region_numerator'])}/{int(r['region_denominator'])}）"
        for r in comparison.to_dict("records")])
    ax.bar_label(national_bars, fontsize=9, labels=[f" {p:.1f}%" for p in comparison["national_pct"]])
    plain_axes(ax)
    ax.set_xlim(0, 115)
    ax.set_xlabel("%")
    sns.move_legend(ax, "lower right", frameon=False, fontsize=9, title=None)
    ax.set_title(title, loc="left")
    footnote(fig, "定義・時点・母数が異なるため、厳密な比較ではありません。")
    return render(fig)
