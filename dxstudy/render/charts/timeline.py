# The events timeline: dated events, fiscal years and targets of each member placed in time (matplotlib),
# numbered like the events table; a long empty stretch between events is cut out.
from __future__ import annotations

import re

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from dxstudy.reference import labels as lb
from dxstudy.render.charts.figure import empty_figure, new_figure, render
from dxstudy.render.charts.matrices import members

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
    rows = members(municipalities, events)
    present = set(df["municipality_code"])
    codes = [c for c in rows["code"] if c in present]
    names = rows.set_index("code")["name_ja"].to_dict()
    labels_y = [names[c] for c in codes]
    if "" in present:
        codes.append("")
        labels_y.append(lb.REGION_LABEL)
    ypos = {c: len(codes) - 1 - i for i, c in enumerate(codes)}
    segments = _time_segments(df)
    pad = pd.Timedelta(days=75)
    spans = [max((b - a).days, 200) + 2 * pad.days for a, b in segments]
    width, height = 10.5, 1.9 + 0.62 * len(codes)
    fig = new_figure(width, height, constrained=False)  # fixed margins: much faster than constrained layout
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
                days = (row["end"] - row["start"]).days + 1
                face, edge = ("#f6c9c4", "#c0392b") if row["is_target"] else ("#f3e2c7", "#b07a2a")
                ax.barh(y, days, left=row["start"], height=0.36, color=face, edgecolor=edge,
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
                        ha="center", va="bottom", fontsize=9)
        ax.set_xlim(a - pad, b + pad)
        years = list(range(a.year, (b + pad).year + 1))
        step = 1 if len(years) <= 9 else 2
        ticks = [pd.Timestamp(y, 1, 1) for y in years if pd.Timestamp(y, 1, 1) >= a - pad][::step]
        ax.set_xticks(ticks, [f"{t.year}年" for t in ticks], fontsize=9)
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
        Line2D([], [], marker="s", color="#2f6fa8", linestyle="none", label="年月の記載"),
        Line2D([], [], marker="o", color="#2f6fa8", linestyle="none", label="年月日の記載"),
        Patch(facecolor="#f3e2c7", edgecolor="#b07a2a", label="年度（4月〜翌3月）の記載"),
        Patch(facecolor="#f6c9c4", edgecolor="#c0392b", hatch="///", label="目標・期限"),
    ]
    fig.legend(handles=handles, loc="lower center", ncols=4, frameon=False, fontsize=9,
               bbox_to_anchor=(0.5, 0.02 / height * 10))
    return render(fig)
