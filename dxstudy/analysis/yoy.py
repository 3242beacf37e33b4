# Year over year (前年度比較): stage transitions, metric changes, challenges that appeared, persisted or
# were resolved, technologies new or advanced — every row quoting its evidence from both years.
"""Comparisons of two fiscal years' tables (any raw form: report or survey).

Each function takes the previous year's table and the current year's table of one kind (as in
``load_tables(year).tables`` or one year of ``load_all_years``) and returns one tidy row per
municipality × subject, with ``*_before`` / ``*_after`` columns, the statement ids and the quoted
evidence of both years, and a ``change`` id with its Japanese label in ``change_ja``.
``year_over_year(fiscal_year, data_dir)`` loads both years and runs all four.

For the 前年度比較 notebook and the conclusions: ``load_comparison`` (a ``Comparison`` holding both
years' tables and the comparisons), ``year_sources`` (report text or survey workbooks),
``persistent_challenges`` (codes raised in both years, per member), ``disagreements`` (a respondent's
stage the rules read differently from the same answer's text), ``summary_points`` (Japanese
sentences derived from all of these), and ``previous_tables`` for
finding the year before (``dxstudy.tables.build.ensure_processed`` builds it).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dxstudy import reference
from dxstudy.errors import DxstudyError
from dxstudy.paths import processed_dir
from dxstudy.tables.build import has_processed
from dxstudy.tables.store import load_tables

CHANGE_JA = {
    "up": "上昇", "down": "低下", "same": "変化なし", "new": "今年度のみ", "gone": "前年度のみ",
    "appeared": "新たに挙がった", "persisted": "継続", "resolved": "挙がらなくなった",
    "advanced": "前進", "regressed": "後退", "dropped": "記載なし（今年度）",
    "increased": "増加", "decreased": "減少", "unchanged": "変化なし",
}
#: Technology statuses from furthest to least far.
TECH_RANK = {"in_use": 3, "pilot": 2, "considering": 1}
KEYS = ["municipality_code", "municipality"]


def _empty(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    return frame if frame is not None and len(frame.columns) else pd.DataFrame(columns=columns)


def _member_order(frame: pd.DataFrame) -> pd.DataFrame:
    order = {c: i for i, c in enumerate(reference.municipalities()["code"])}
    return (frame.assign(_m=frame["municipality_code"].map(order).fillna(-1))
            .sort_values("_m", kind="stable").drop(columns="_m").reset_index(drop=True))


def _names(*frames: pd.DataFrame) -> dict[str, str]:
    names: dict[str, str] = {}
    for f in frames:
        if "municipality" in f.columns:
            names.update({c: n for c, n in zip(f["municipality_code"], f["municipality"]) if n})
    return names


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) or value == ""


# ---------------------------------------------------------------------------------------------
# stages


def stage_transitions(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality × theme present in either year: ``stage_before`` / ``stage_after``
    (Int64, <NA> when undecided or absent) with labels, ``delta``, ``change`` (up | down | same |
    new | gone; "" when a stage is missing on a side that has a row), ``source_*``, ``statement_id_*``
    and ``evidence_*`` of each year. A member ``same`` at 1 (検討中) has stayed 検討中 for two years."""
    cols = ["municipality_code", "municipality", "theme", "stage", "stage_label", "source", "statement_id", "evidence"]
    b = _empty(before, cols)[[c for c in cols if c in _empty(before, cols).columns]]
    a = _empty(after, cols)[[c for c in cols if c in _empty(after, cols).columns]]
    names = _names(b, a)
    merged = pd.merge(b.drop(columns="municipality", errors="ignore"), a.drop(columns="municipality", errors="ignore"),
                      on=["municipality_code", "theme"], how="outer", suffixes=("_before", "_after"), indicator=True)
    rows = []
    for r in merged.to_dict("records"):
        sb = None if _blank(r.get("stage_before")) else int(r["stage_before"])
        sa = None if _blank(r.get("stage_after")) else int(r["stage_after"])
        if r["_merge"] == "right_only":
            change = "new"
        elif r["_merge"] == "left_only":
            change = "gone"
        elif sb is None or sa is None:
            change = ""
        else:
            change = "up" if sa > sb else "down" if sa < sb else "same"
        rows.append({
            "municipality_code": r["municipality_code"], "municipality": names.get(r["municipality_code"], ""),
            "theme": r["theme"], "stage_before": sb, "stage_label_before": r.get("stage_label_before") or "",
            "stage_after": sa, "stage_label_after": r.get("stage_label_after") or "",
            "delta": (sa - sb) if sb is not None and sa is not None else None,
            "change": change, "change_ja": CHANGE_JA.get(change, ""),
            "source_before": r.get("source_before") or "", "source_after": r.get("source_after") or "",
            "statement_id_before": r.get("statement_id_before") or "", "evidence_before": r.get("evidence_before") or "",
            "statement_id_after": r.get("statement_id_after") or "", "evidence_after": r.get("evidence_after") or ""})
    out = pd.DataFrame(rows, columns=[
        "municipality_code", "municipality", "theme", "stage_before", "stage_label_before", "stage_after",
        "stage_label_after", "delta", "change", "change_ja", "source_before", "source_after",
        "statement_id_before", "evidence_before", "statement_id_after", "evidence_after"])
    for c in ("stage_before", "stage_after", "delta"):
        out[c] = out[c].astype("Int64")
    for c in out.columns:
        if c not in ("stage_before", "stage_after", "delta"):
            out[c] = out[c].fillna("").astype(str)
    theme_order = {t: i for i, t in enumerate(reference.themes()["theme"])}
    out = out.assign(_t=out["theme"].map(theme_order)).sort_values("_t", kind="stable").drop(columns="_t")
    return _member_order(out)


def stalled(transitions: pd.DataFrame, stage: int = 1) -> pd.DataFrame:
    """Members and themes that stayed at ``stage`` (default 1 検討中) in both years."""
    t = transitions
    return t[(t["change"] == "same") & (t["stage_after"] == stage)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# metrics


def _representative(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality × metric: the respondent's row when there is one, else the first
    row in statement order; ``n_values`` counts the rows it stands for."""
    m = metrics.copy()
    if "source" not in m.columns:
        m["source"] = ""
    m["_rank"] = (m["source"] != "respondent").astype(int)
    m["_pos"] = range(len(m))
    m = m.sort_values(["_rank", "_pos"], kind="stable")
    counts = m.groupby(["municipality_code", "metric"]).size().rename("n_values")
    first = m.drop_duplicates(["municipality_code", "metric"]).set_index(["municipality_code", "metric"])
    return first.join(counts).reset_index().sort_values("_pos").drop(columns=["_rank", "_pos"])


def _target_of(metric_ids) -> dict[str, str]:
    """Metric → its target metric, by name: ``X_target_Y`` is the target of ``X_Y``."""
    return {t.replace("_target", "", 1): t for t in metric_ids if "_target" in t}


def _written(text, value, unit) -> str:
    """The quantity as written (``value_text`` such as 5.0%) when it holds a digit, else the value with
    its unit; "" without a value."""
    if value is None:
        return ""
    if not _blank(text) and any(ch.isdigit() for ch in str(text)):
        return str(text)
    number = f"{value:,.1f}" if not float(value).is_integer() else f"{int(value):,}"
    return f"{number}{'' if _blank(unit) else unit}"


def metric_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality × metric in either year: ``value_before`` / ``value_after`` (the
    respondent's value when both a respondent row and rule findings exist) and ``value_text_*`` (as
    written: 5.0%, 30%以上), ``difference``,
    ``change`` (increased | decreased | unchanged | new | gone), periods, ``n_values_*``, statement
    ids and evidence of both years, and for a metric with a target metric (テレワーク用端末の稼働率
    → …の目標) the latest ``target_value``, ``target_fiscal_year`` and ``gap_to_target``
    (target − value_after)."""
    cols = ["municipality_code", "municipality", "theme", "metric", "label_ja", "value", "unit", "period",
            "target_fiscal_year", "statement_id", "evidence"]
    b = _representative(_empty(before, cols)) if before is not None and len(before) else pd.DataFrame(columns=cols + ["n_values"])
    a = _representative(_empty(after, cols)) if after is not None and len(after) else pd.DataFrame(columns=cols + ["n_values"])
    b = b[b["municipality_code"] != ""] if len(b) else b
    a = a[a["municipality_code"] != ""] if len(a) else a
    keep = ["municipality_code", "metric", "theme", "label_ja", "value", "value_text", "unit", "period",
            "target_fiscal_year", "n_values", "statement_id", "evidence"]
    merged = pd.merge(b.reindex(columns=keep), a.reindex(columns=keep), on=["municipality_code", "metric"],
                      how="outer", suffixes=("_before", "_after"), indicator=True)
    names = _names(_empty(before, cols), _empty(after, cols))
    targets = _target_of(set(merged["metric"]))
    latest = {}
    for frame in (b, a):  # the current year overwrites the previous one
        for r in frame.to_dict("records"):
            latest[(r["municipality_code"], r["metric"])] = r
    rows = []
    for r in merged.to_dict("records"):
        vb, va = r.get("value_before"), r.get("value_after")
        vb = None if _blank(vb) else float(vb)
        va = None if _blank(va) else float(va)
        if r["_merge"] == "right_only":
            change = "new"
        elif r["_merge"] == "left_only":
            change = "gone"
        else:
            change = "increased" if va > vb else "decreased" if va < vb else "unchanged"
        target = latest.get((r["municipality_code"], targets.get(r["metric"], "")))
        target_value = None if target is None or _blank(target.get("value")) else float(target["value"])
        target_fy = None if target is None or _blank(target.get("target_fiscal_year")) else int(float(target["target_fiscal_year"]))
        side = "after" if r["_merge"] != "left_only" else "before"
        rows.append({
            "municipality_code": r["municipality_code"], "municipality": names.get(r["municipality_code"], ""),
            "theme": r.get(f"theme_{side}") or "", "metric": r["metric"], "label_ja": r.get(f"label_ja_{side}") or "",
            "unit": r.get(f"unit_{side}") or "", "value_before": vb, "value_after": va,
            "value_text_before": _written(r.get("value_text_before"), vb, r.get("unit_before")),
            "value_text_after": _written(r.get("value_text_after"), va, r.get("unit_after")),
            "difference": (va - vb) if va is not None and vb is not None else None,
            "change": change, "change_ja": CHANGE_JA[change],
            "period_before": "" if _blank(r.get("period_before")) else str(r["period_before"]),
            "period_after": "" if _blank(r.get("period_after")) else str(r["period_after"]),
            "n_values_before": 0 if _blank(r.get("n_values_before")) else int(r["n_values_before"]),
            "n_values_after": 0 if _blank(r.get("n_values_after")) else int(r["n_values_after"]),
            "target_value": target_value, "target_fiscal_year": target_fy,
            "gap_to_target": (target_value - va) if target_value is not None and va is not None else None,
            "statement_id_before": r.get("statement_id_before") or "", "evidence_before": r.get("evidence_before") or "",
            "statement_id_after": r.get("statement_id_after") or "", "evidence_after": r.get("evidence_after") or ""})
    out = pd.DataFrame(rows, columns=[
        "municipality_code", "municipality", "theme", "metric", "label_ja", "unit", "value_before", "value_after",
        "value_text_before", "value_text_after", "difference", "change", "change_ja", "period_before", "period_after", "n_values_before", "n_values_after",
        "target_value", "target_fiscal_year", "gap_to_target", "statement_id_before", "evidence_before",
        "statement_id_after", "evidence_after"])
    out["target_fiscal_year"] = out["target_fiscal_year"].astype("Int64")
    for c in ("value_before", "value_after", "difference", "target_value", "gap_to_target"):
        out[c] = out[c].astype("float64")
    for c in ("statement_id_before", "evidence_before", "statement_id_after", "evidence_after", "theme", "label_ja", "unit",
              "value_text_before", "value_text_after"):
        out[c] = out[c].fillna("").astype(str)
    return _member_order(out)


# ---------------------------------------------------------------------------------------------
# challenges


def _evidence(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return (frame.groupby(keys, sort=False)
            .agg(statement_ids=("statement_id", lambda s: "; ".join(dict.fromkeys(s))),
                 evidence=("evidence", lambda s: " / ".join(dict.fromkeys(s))),
                 label=("code_label", "first"))
            .reset_index())


def challenge_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality (or "" for region-wide text) × theme × challenge code:
    ``change`` appeared (only this year), persisted (both years) or resolved (only last year — the
    code is no longer *mentioned*, which is not proof that the problem went away), with the
    statement ids and sentences of each year (``; `` / `` / `` joined)."""
    cols = ["municipality_code", "municipality", "theme", "code", "code_label", "statement_id", "evidence"]
    keys = ["municipality_code", "theme", "code"]
    b = _evidence(_empty(before, cols), keys) if before is not None and len(before) else pd.DataFrame(columns=keys + ["statement_ids", "evidence", "label"])
    a = _evidence(_empty(after, cols), keys) if after is not None and len(after) else pd.DataFrame(columns=keys + ["statement_ids", "evidence", "label"])
    merged = pd.merge(b, a, on=keys, how="outer", suffixes=("_before", "_after"), indicator=True)
    names = _names(_empty(before, cols), _empty(after, cols))
    change = merged["_merge"].map({"both": "persisted", "left_only": "resolved", "right_only": "appeared"}).astype(str)
    out = pd.DataFrame({
        "municipality_code": merged["municipality_code"], "municipality": merged["municipality_code"].map(names).fillna(""),
        "theme": merged["theme"], "code": merged["code"],
        "code_label": merged["label_after"].fillna(merged["label_before"]).fillna(""),
        "change": change, "change_ja": change.map(CHANGE_JA),
        "statement_ids_before": merged["statement_ids_before"].fillna(""), "evidence_before": merged["evidence_before"].fillna(""),
        "statement_ids_after": merged["statement_ids_after"].fillna(""), "evidence_after": merged["evidence_after"].fillna("")})
    return _member_order(out)


# ---------------------------------------------------------------------------------------------
# technologies


def _furthest(technologies: pd.DataFrame) -> pd.DataFrame:
    t = technologies.copy()
    t = t[t["status"].isin(list(TECH_RANK))]
    t["_key"] = [tech if tech != "other" else f"other:{label}" for tech, label in zip(t["technology"], t["technology_label"])]
    t["_rank"] = -t["status"].map(TECH_RANK)
    if "source" in t.columns:
        t["_rank"] = t["_rank"] + 10 * (t["source"] != "respondent").astype(int)  # respondent first
    t["_pos"] = range(len(t))
    return t.sort_values(["_rank", "_pos"], kind="stable").drop_duplicates(["municipality_code", "_key"])


def technology_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality × technology in either year, with the furthest status of each year
    (利用中 > 試行 > 検討; the respondent's status first when the year was a survey): ``change``
    new | dropped (not mentioned this year) | advanced | regressed | same, statement ids and
    evidence of both years."""
    cols = ["municipality_code", "municipality", "technology", "technology_label", "status", "status_label",
            "statement_id", "evidence"]
    b = _furthest(_empty(before, cols)) if before is not None and len(before) else pd.DataFrame(columns=cols + ["_key"])
    a = _furthest(_empty(after, cols)) if after is not None and len(after) else pd.DataFrame(columns=cols + ["_key"])
    keep = ["municipality_code", "_key", "technology", "technology_label", "status", "status_label", "statement_id", "evidence"]
    merged = pd.merge(b.reindex(columns=keep), a.reindex(columns=keep), on=["municipality_code", "_key"],
                      how="outer", suffixes=("_before", "_after"), indicator=True)
    names = _names(_empty(before, cols), _empty(after, cols))
    rows = []
    for r in merged.to_dict("records"):
        if r["_merge"] == "right_only":
            change = "new"
        elif r["_merge"] == "left_only":
            change = "dropped"
        else:
            rb, ra = TECH_RANK[r["status_before"]], TECH_RANK[r["status_after"]]
            change = "advanced" if ra > rb else "regressed" if ra < rb else "same"
        side = "after" if r["_merge"] != "left_only" else "before"
        rows.append({
            "municipality_code": r["municipality_code"], "municipality": names.get(r["municipality_code"], ""),
            "technology": r[f"technology_{side}"], "technology_label": r[f"technology_label_{side}"],
            "status_before": r.get("status_before") or "", "status_label_before": r.get("status_label_before") or "",
            "status_after": r.get("status_after") or "", "status_label_after": r.get("status_label_after") or "",
            "change": change, "change_ja": CHANGE_JA[change],
            "statement_id_before": r.get("statement_id_before") or "", "evidence_before": r.get("evidence_before") or "",
            "statement_id_after": r.get("statement_id_after") or "", "evidence_after": r.get("evidence_after") or ""})
    out = pd.DataFrame(rows, columns=[
        "municipality_code", "municipality", "technology", "technology_label", "status_before", "status_label_before",
        "status_after", "status_label_after", "change", "change_ja", "statement_id_before", "evidence_before",
        "statement_id_after", "evidence_after"])
    out = out.fillna("")
    return _member_order(out)


# ---------------------------------------------------------------------------------------------
# both years


def has_previous_year(fiscal_year: int, data_dir: str | Path = "data") -> bool:
    """Whether the processed tables of ``fiscal_year - 1`` exist (the batch runs 前年度比較 then)."""
    return has_processed(fiscal_year - 1, data_dir)


def year_over_year(fiscal_year: int, data_dir: str | Path = "data") -> dict[str, pd.DataFrame]:
    """All comparisons of ``fiscal_year`` with the year before: ``stages``, ``stalled`` (検討中 in
    both years), ``metrics``, ``challenges``, ``technologies``. DxstudyError when either year has
    no processed tables."""
    if not has_previous_year(fiscal_year, data_dir):
        raise DxstudyError(f"{processed_dir(fiscal_year - 1, data_dir)}: expected the processed tables "
                           f"of FY{fiscal_year - 1} for the year-over-year comparison, found none")
    before, after = load_tables(fiscal_year - 1, data_dir).tables, load_tables(fiscal_year, data_dir).tables
    return compare_tables(before, after)


# ---------------------------------------------------------------------------------------------
# the comparison as the 前年度比較 notebook and the conclusions use it

#: Statement kinds that are prose (a survey year also has ``table_row`` statements for its answers).
PROSE_KINDS = ("sentence", "list_item")


def _table(tables, name: str) -> pd.DataFrame:
    """A table of a Report, a dict of tables or a namespace; an empty frame when it is absent."""
    if isinstance(tables, dict):
        frame = tables.get(name)
    else:
        frame = getattr(tables, "tables", {}).get(name) if hasattr(tables, "tables") else getattr(tables, name, None)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def compare_tables(before, after) -> dict[str, pd.DataFrame]:
    """The four comparisons (and ``stalled``) of two years' tables (Report, dict or namespace)."""
    stages = stage_transitions(_table(before, "stages"), _table(after, "stages"))
    return {
        "stages": stages,
        "stalled": stalled(stages),
        "metrics": metric_changes(_table(before, "metrics"), _table(after, "metrics")),
        "challenges": challenge_changes(_table(before, "challenges"), _table(after, "challenges")),
        "technologies": technology_changes(_table(before, "technologies"), _table(after, "technologies")),
    }


@dataclass
class Comparison:
    """Two fiscal years side by side: their tables (``before``, ``after``: {name: DataFrame}) and the
    comparisons of ``compare_tables`` as attributes (``stages``, ``stalled``, ``metrics``,
    ``challenges``, ``technologies``)."""

    fiscal_year: int
    previous_year: int
    before: dict[str, pd.DataFrame]
    after: dict[str, pd.DataFrame]
    stages: pd.DataFrame
    stalled: pd.DataFrame
    metrics: pd.DataFrame
    challenges: pd.DataFrame
    technologies: pd.DataFrame

    @property
    def municipalities(self) -> pd.DataFrame:
        """The members (this year's table, else last year's, else the package reference)."""
        for tables in (self.after, self.before):
            if len(_table(tables, "municipalities")):
                return _table(tables, "municipalities")
        return reference.municipalities()

    @property
    def themes(self) -> pd.DataFrame:
        for tables in (self.after, self.before):
            if len(_table(tables, "themes")):
                return _table(tables, "themes")
        return reference.themes()

    @property
    def statements(self) -> pd.DataFrame:
        """The statements of both years (ids carry the year, so they never collide)."""
        frames = [f for f in (_table(self.before, "statements"), _table(self.after, "statements")) if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["statement_id", "section", "municipality_code", "municipality", "theme", "aspect", "kind", "text"])


def comparison_of(before, after, fiscal_year: int) -> Comparison:
    """A Comparison of two years' tables already in memory (``before`` is ``fiscal_year - 1``)."""
    before = {name: _table(before, name) for name in _names_of(before)}
    after = {name: _table(after, name) for name in _names_of(after)}
    return Comparison(fiscal_year=int(fiscal_year), previous_year=int(fiscal_year) - 1, before=before, after=after,
                      **compare_tables(before, after))


def _names_of(tables) -> list[str]:
    if isinstance(tables, dict):
        return list(tables)
    if hasattr(tables, "tables"):
        return list(tables.tables)
    return [k for k, v in vars(tables).items() if isinstance(v, pd.DataFrame)]


def load_comparison(fiscal_year: int, data_dir: str | Path = "data") -> Comparison:
    """Load ``fiscal_year`` and the year before from ``<data_dir>/processed/`` and compare them.

    Raises ValueError (Japanese and English) naming the missing directory when the previous year
    has no processed tables — the notebook shows that message instead of a traceback deep inside."""
    year = int(fiscal_year)
    if not has_previous_year(year, data_dir):
        missing = processed_dir(year - 1, data_dir)
        raise ValueError(f"前年度（{year - 1}年度）の処理済みテーブルがないため比較できません / no processed "
                         f"tables of the previous fiscal year to compare with: expected {missing}/statements.csv")
    before, after = load_tables(year - 1, data_dir), load_tables(year, data_dir)
    return comparison_of(before.tables, after.tables, year)


def previous_tables(tables):
    """The processed tables of the year before ``tables`` (a Report from ``load_tables``, which knows
    its directory), or None: for hand-built tables, or when that year was never processed."""
    path, year = getattr(tables, "path", None), getattr(tables, "fiscal_year", None)
    if path is None or year is None:
        return None
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    data_dir = Path(path).parent.parent
    if Path(path).name != f"FY{year}" or not has_previous_year(year, data_dir):
        return None
    return load_tables(year - 1, data_dir)


# ---------------------------------------------------------------------------------------------
# the sources of each year


def _is_survey(tables) -> bool:
    files = _table(tables, "document").get("source_file", pd.Series(dtype=str))
    return any(".xlsx" in str(f) for f in files) or len(_table(tables, "responses")) > 0


def year_sources(comparison: Comparison) -> pd.DataFrame:
    """One row per compared year: ``fiscal_year``, ``role`` (前年度 | 今年度), ``form`` (報告書 |
    調査票), ``form_detail`` (the file, or the number of workbooks), ``title``, ``as_of``,
    ``n_statements``, ``n_members`` (members with a stage), ``stage_source`` (how the stages were
    decided), ``test_data`` (the workbooks' test-data label, "" for real data)."""
    rows = []
    for role, year, tables in (("前年度", comparison.previous_year, comparison.before),
                               ("今年度", comparison.fiscal_year, comparison.after)):
        doc = _table(tables, "document")
        first = doc.iloc[0].to_dict() if len(doc) else {}
        survey = _is_survey(tables)
        responses = _table(tables, "responses")
        files = [f.strip() for f in str(first.get("source_file", "")).split(";") if f.strip()]
        if survey:
            n = len(responses) if len(responses) else len(files)
            detail = f"Excelの調査票 {n}件"
        else:
            detail = "、".join(files) or "—"
        stages = _table(tables, "stages")
        sources = stages.get("source", pd.Series(dtype=str)).value_counts()
        how = "・".join(f"{STAGE_SOURCE_JA.get(s, s)} {n}件" for s, n in sources.items() if s)
        labels = responses.get("test_data", pd.Series(dtype=str)).astype(str)
        rows.append({
            "fiscal_year": year, "role": role, "form": "調査票" if survey else "報告書", "form_detail": detail,
            "title": str(first.get("title", "")), "as_of": str(first.get("as_of", "") or ""),
            "n_statements": len(_table(tables, "statements")),
            "n_members": stages["municipality_code"].nunique() if "municipality_code" in stages else 0,
            "stage_source": how, "test_data": "・".join(sorted({t for t in labels if t})),
        })
    return pd.DataFrame(rows)


#: How a stage was decided (``stages.source``), in Japanese.
STAGE_SOURCE_JA = {"rules": "記述から自動判定", "respondent": "回答者の選択", "override": "分析者の判断"}


# ---------------------------------------------------------------------------------------------
# evidence of a stage in prose, and challenges that persisted for many members


def first_status_sentences(statements: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(municipality_code, theme) → statement_id of the first 現状 sentence in prose (kinds
    sentence / list_item): what a member says it does, also when its stage is a survey answer."""
    if statements is None or statements.empty:
        return {}
    s = statements
    if "kind" in s.columns:
        s = s[s["kind"].isin(PROSE_KINDS)]
    s = s[(s["aspect"] == "status") & (s["municipality_code"] != "")]
    first = s.drop_duplicates(["municipality_code", "theme"])
    return {(c, t): i for c, t, i in zip(first["municipality_code"], first["theme"], first["statement_id"])}


def with_status_sentences(transitions: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """``transitions`` plus ``status_id_before`` / ``status_id_after``: the first 現状 sentence of
    the member and theme in each year, when it is not already the stage's evidence (a survey year's
    stage is the respondent's choice; its 現状 answer says what lies behind it)."""
    by_year: dict[str, dict] = {}
    if statements is not None and len(statements):
        years = statements["statement_id"].str.extract(r"^FY(\d{4})-")[0]
        for year, sub in statements.groupby(years):
            by_year[year] = first_status_sentences(sub)
    out = transitions.copy()
    for side in ("before", "after"):
        ids = []
        for code, theme, sid in zip(out["municipality_code"], out["theme"], out[f"statement_id_{side}"]):
            year = sid[2:6] if sid.startswith("FY") else ""
            first = by_year.get(year, {}).get((code, theme), "")
            ids.append(first if first != sid else "")
        out[f"status_id_{side}"] = ids
    return out


_RULES_NOTE = re.compile(r"(?:^|;\s*)rules:\s*(\d)")


def rules_verdicts(stages: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(municipality_code, theme) → the stage the rules give the member's own text, for stages a
    respondent chose (the survey intake keeps that verdict in ``note`` as ``rules: 1 検討中 (…)``)."""
    if stages is None or stages.empty or "note" not in stages.columns:
        return {}
    out = {}
    for code, theme, note in zip(stages["municipality_code"], stages["theme"], stages["note"].astype(str)):
        if match := _RULES_NOTE.search(note):
            out[(code, theme)] = int(match[1])
    return out


def disagreements(comparison: "Comparison") -> pd.DataFrame:
    """This year's stages that a respondent chose and that differ from the rules' verdict on the
    member's own 現状 text: municipality_code, municipality, theme, stage, rules_stage, statement_id.
    Worth checking before the stage is relied on (the answer or the text may be out of date)."""
    cols = ["municipality_code", "municipality", "theme", "stage", "rules_stage", "statement_id"]
    stages = _table(comparison.after, "stages")
    verdicts = rules_verdicts(stages)
    rows = []
    for r in stages.to_dict("records") if len(stages) else []:
        verdict = verdicts.get((r["municipality_code"], r["theme"]))
        if r.get("source") == "respondent" and verdict is not None and not _blank(r["stage"]) and int(r["stage"]) != verdict:
            rows.append({"municipality_code": r["municipality_code"], "municipality": r["municipality"],
                         "theme": r["theme"], "stage": int(r["stage"]), "rules_stage": verdict,
                         "statement_id": r["statement_id"]})
    return pd.DataFrame(rows, columns=cols)


def persistent_challenges(before: pd.DataFrame, after: pd.DataFrame, municipalities: pd.DataFrame | None = None,
                          min_share: float = 0.5) -> pd.DataFrame:
    """Challenge codes that members raised in both years (in any theme), most members first.

    Columns: code, code_label, n_members (members with the code in both years), n_total, shared
    (n_members >= ceil(min_share × n_total)), members (names ・), member_codes (;),
    statement_ids_before / statement_ids_after (;: each member's first coded sentence of that year).
    Region-wide text (no municipality) is left out."""
    cols = ["code", "code_label", "n_members", "n_total", "shared", "members", "member_codes",
            "statement_ids_before", "statement_ids_after"]
    members = reference.municipalities() if municipalities is None or municipalities.empty else municipalities
    order = {str(c): i for i, c in enumerate(members["code"])}
    names = {str(c): n for c, n in zip(members["code"], members["name_ja"])}
    n_total = len(members)
    need = math.ceil(min_share * n_total)

    def first_ids(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
        if frame is None or frame.empty:
            return {}
        f = frame[frame["municipality_code"] != ""]
        f = f.drop_duplicates(["municipality_code", "code"])
        return {(m, c): i for m, c, i in zip(f["municipality_code"], f["code"], f["statement_id"])}

    b, a = first_ids(before), first_ids(after)
    labels = {}
    for frame in (before, after):
        if frame is not None and len(frame) and "code_label" in frame.columns:
            labels.update({c: l for c, l in zip(frame["code"], frame["code_label"]) if l})
    both = sorted(set(b) & set(a), key=lambda k: (order.get(k[0], len(order)), k[0]))
    rows = []
    for code in dict.fromkeys(c for _, c in both):
        who = [m for m, c in both if c == code]
        rows.append({
            "code": code, "code_label": labels.get(code, code), "n_members": len(who), "n_total": n_total,
            "shared": len(who) >= need, "members": "・".join(names.get(m, m) for m in who),
            "member_codes": ";".join(who),
            "statement_ids_before": ";".join(b[(m, code)] for m in who),
            "statement_ids_after": ";".join(a[(m, code)] for m in who),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_members", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)


def member_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of a member (region-wide rows, municipality_code "", left out: a survey year has no
    region-wide text, so comparing them would report every region-wide code as 挙がらなくなった)."""
    return frame[frame["municipality_code"] != ""].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# the summary at the top of the notebook (Japanese sentences derived from the comparison)


def _value_text(value: float, unit: str) -> str:
    text = f"{value:,.1f}" if not float(value).is_integer() else f"{int(value):,}"
    return f"{text}{unit}"


def _listing(items: list[str], limit: int = 4) -> str:
    """"A、B、C" — beyond ``limit`` items "A、B、Cなど7件"."""
    if len(items) <= limit:
        return "、".join(items)
    return f"{'、'.join(items[:limit - 1])}など{len(items)}件"


def summary_points(comparison: Comparison) -> list[str]:
    """A few plain Japanese sentences on what changed, each computed from the comparison tables:
    the years and sources, stage moves (up / down / unchanged, two years at 検討中), metrics with a
    target, challenges appeared / resolved / persisted for half or more of the members, and
    technologies new or advanced."""
    from dxstudy.reference import labels as lb

    c = comparison
    themes = c.themes
    sources = year_sources(c).set_index("role")
    before, after = sources.loc["前年度"], sources.loc["今年度"]
    out = [f"{c.previous_year}年度（{before['form']}）と{c.fiscal_year}年度（{after['form']}）を比較した。"]
    st = c.stages
    both = st[st["change"].isin(["up", "down", "same"])]
    if len(both):
        counts = both["change"].value_counts()
        ups = [f"{r.municipality}の{lb.theme_label(r.theme, themes)}（{r.stage_before}→{r.stage_after}）"
               for r in both[both["change"] == "up"].itertuples()]
        text = (f"両年度に段階がある{len(both)}件（市町×テーマ）のうち、段階が上がったのは{counts.get('up', 0)}件、"
                f"下がったのは{counts.get('down', 0)}件、変わらなかったのは{counts.get('same', 0)}件である。")
        if ups:
            text += f"上がったのは{_listing(ups)}。"
        out.append(text)
    missing = st[st["change"] == "gone"]["municipality"].drop_duplicates().tolist()
    if missing:
        out.append(f"{c.fiscal_year}年度の段階がない市町：{'・'.join(missing)}（回答がない、または記述がない）。")
    if len(c.stalled):
        items = [f"{r.municipality}（{lb.theme_label(r.theme, themes)}）" for r in c.stalled.itertuples()]
        out.append(f"2年続けて検討中（段階1）なのは{len(c.stalled)}件：{_listing(items, 6)}。")
    differ = disagreements(c)
    if len(differ):
        items = [f"{r.municipality}（{lb.theme_label(r.theme, themes)}：回答{r.stage}・記述{r.rules_stage}）"
                 for r in differ.itertuples()]
        out.append(f"{c.fiscal_year}年度の回答の段階が、同じ回答の現状の記述からの自動判定と異なるものが{len(differ)}件"
                   f"ある：{_listing(items)}。確認が必要である。")
    m = c.metrics
    targeted = m[m["target_value"].notna() & m["value_after"].notna()]
    for r in targeted.itertuples():
        before_text = r.value_text_before or "記載なし"
        deadline = f"{int(r.target_fiscal_year)}年度までの" if pd.notna(r.target_fiscal_year) else ""
        gap = r.gap_to_target
        where = f"目標{_value_text(r.target_value, r.unit)}まであと{_value_text(gap, r.unit)}" if gap > 0 else \
            f"目標{_value_text(r.target_value, r.unit)}に達している"
        moved_text = (f"前年度と同じ{r.value_text_after}" if r.change == "unchanged"
                      else f"{before_text}から{r.value_text_after}になった")
        out.append(f"{r.municipality}の{r.label_ja}は{moved_text}（{deadline}{where}）。")
    moved = m[m["change"].isin(["increased", "decreased"])]
    if len(m):
        n_both = int((m["value_before"].notna() & m["value_after"].notna()).sum())
        out.append(f"両年度に値がある指標{n_both}件（市町×指標）のうち、値が変わったのは{len(moved)}件である。")
    ch = member_rows(c.challenges)
    if len(ch):
        counts = ch["change"].value_counts()
        out.append(f"各市町の課題の記述では、新たに挙がった課題が{counts.get('appeared', 0)}件、継続が"
                   f"{counts.get('persisted', 0)}件、挙がらなくなった課題が{counts.get('resolved', 0)}件"
                   "（市町×テーマ×課題コード）。")
    persistent = persistent_challenges(_table(c.before, "challenges"), _table(c.after, "challenges"), c.municipalities)
    top = persistent[persistent["shared"]]
    if len(top):
        items = [f"「{r.code_label}」（{r.n_members}市町）" for r in top.itertuples()]
        out.append(f"2年続けて半数以上の市町が挙げた課題は{_listing(items, 5)}である。")
    tech = c.technologies
    new = [f"{r.municipality}：{r.technology_label}" for r in tech[tech["change"] == "new"].itertuples()]
    adv = [f"{r.municipality}：{r.technology_label}（{r.status_label_before}→{r.status_label_after}）"
           for r in tech[tech["change"] == "advanced"].itertuples()]
    if new:
        out.append(f"新たに記載された技術は{len(new)}件（{_listing(new)}）。")
    if adv:
        out.append(f"状況が進んだ技術は{len(adv)}件（{_listing(adv)}）。")
    return out
