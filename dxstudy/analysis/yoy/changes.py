# Year-over-year change tables (前年度比較) of two fiscal years' tables of one kind: stage transitions,
# metric changes against targets, challenges appeared/persisted/resolved, technologies new/advanced.
"""Each function takes the previous year's table and the current year's table of one kind (as in
``load_tables(year).tables`` or one year of ``load_all_years``) and returns one tidy row per
municipality × subject, with ``*_before`` / ``*_after`` columns, the statement ids and the quoted
evidence of both years, and a ``change`` id with its Japanese label in ``change_ja``.
``compare_tables`` runs all four on two years' tables."""
from __future__ import annotations

import pandas as pd

from dxstudy import reference
from dxstudy.analysis.frames import table_of
from dxstudy.analysis.members import in_reference_order, names_in

CHANGE_JA = {
    "up": "上昇", "down": "低下", "same": "変化なし", "new": "今年度のみ", "gone": "前年度のみ",
    "appeared": "新たに挙がった", "persisted": "継続", "resolved": "挙がらなくなった",
    "advanced": "前進", "regressed": "後退", "dropped": "記載なし（今年度）",
    "increased": "増加", "decreased": "減少", "unchanged": "変化なし",
}
#: Technology statuses from furthest to least far.
TECH_RANK = {"in_use": 3, "pilot": 2, "considering": 1}


def _empty(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    return frame if frame is not None and len(frame.columns) else pd.DataFrame(columns=columns)



def value_text(value: float, unit: str) -> str:
    """A quantity for prose: "1,234" or "12.5", then the unit ("12.5%")."""
    text = f"{value:,.1f}" if not float(value).is_integer() else f"{int(value):,}"
    return f"{text}{unit}"


def is_blank(value) -> bool:
    """Whether a cell holds nothing (None, NA, NaN or "")."""
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
    names = names_in(b, a)
    merged = pd.merge(b.drop(columns="municipality", errors="ignore"), a.drop(columns="municipality", errors="ignore"),
                      on=["municipality_code", "theme"], how="outer", suffixes=("_before", "_after"), indicator=True)
    rows = []
    for r in merged.to_dict("records"):
        sb = None if is_blank(r.get("stage_before")) else int(r["stage_before"])
        sa = None if is_blank(r.get("stage_after")) else int(r["stage_after"])
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
    return in_reference_order(out)


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
    if not is_blank(text) and any(ch.isdigit() for ch in str(text)):
        return str(text)
    return value_text(value, "" if is_blank(unit) else unit)


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
    names = names_in(_empty(before, cols), _empty(after, cols))
    targets = _target_of(set(merged["metric"]))
    latest = {}
    for frame in (b, a):  # the current year overwrites the previous one
        for r in frame.to_dict("records"):
            latest[(r["municipality_code"], r["metric"])] = r
    rows = []
    for r in merged.to_dict("records"):
        vb, va = r.get("value_before"), r.get("value_after")
        vb = None if is_blank(vb) else float(vb)
        va = None if is_blank(va) else float(va)
        if r["_merge"] == "right_only":
            change = "new"
        elif r["_merge"] == "left_only":
            change = "gone"
        else:
            change = "increased" if va > vb else "decreased" if va < vb else "unchanged"
        target = latest.get((r["municipality_code"], targets.get(r["metric"], "")))
        target_value = None if target is None or is_blank(target.get("value")) else float(target["value"])
        target_fy = None if target is None or is_blank(target.get("target_fiscal_year")) else int(float(target["target_fiscal_year"]))
        side = "after" if r["_merge"] != "left_only" else "before"
        rows.append({
            "municipality_code": r["municipality_code"], "municipality": names.get(r["municipality_code"], ""),
            "theme": r.get(f"theme_{side}") or "", "metric": r["metric"], "label_ja": r.get(f"label_ja_{side}") or "",
            "unit": r.get(f"unit_{side}") or "", "value_before": vb, "value_after": va,
            "value_text_before": _written(r.get("value_text_before"), vb, r.get("unit_before")),
            "value_text_after": _written(r.get("value_text_after"), va, r.get("unit_after")),
            "difference": (va - vb) if va is not None and vb is not None else None,
            "change": change, "change_ja": CHANGE_JA[change],
            "period_before": "" if is_blank(r.get("period_before")) else str(r["period_before"]),
            "period_after": "" if is_blank(r.get("period_after")) else str(r["period_after"]),
            "n_values_before": 0 if is_blank(r.get("n_values_before")) else int(r["n_values_before"]),
            "n_values_after": 0 if is_blank(r.get("n_values_after")) else int(r["n_values_after"]),
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
    return in_reference_order(out)


# ---------------------------------------------------------------------------------------------
# challenges


def _grouped_evidence(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
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
    b = _grouped_evidence(_empty(before, cols), keys) if before is not None and len(before) else pd.DataFrame(columns=keys + ["statement_ids", "evidence", "label"])
    a = _grouped_evidence(_empty(after, cols), keys) if after is not None and len(after) else pd.DataFrame(columns=keys + ["statement_ids", "evidence", "label"])
    merged = pd.merge(b, a, on=keys, how="outer", suffixes=("_before", "_after"), indicator=True)
    names = names_in(_empty(before, cols), _empty(after, cols))
    change = merged["_merge"].map({"both": "persisted", "left_only": "resolved", "right_only": "appeared"}).astype(str)
    out = pd.DataFrame({
        "municipality_code": merged["municipality_code"], "municipality": merged["municipality_code"].map(names).fillna(""),
        "theme": merged["theme"], "code": merged["code"],
        "code_label": merged["label_after"].fillna(merged["label_before"]).fillna(""),
        "change": change, "change_ja": change.map(CHANGE_JA),
        "statement_ids_before": merged["statement_ids_before"].fillna(""), "evidence_before": merged["evidence_before"].fillna(""),
        "statement_ids_after": merged["statement_ids_after"].fillna(""), "evidence_after": merged["evidence_after"].fillna("")})
    return in_reference_order(out)


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
    names = names_in(_empty(before, cols), _empty(after, cols))
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
    return in_reference_order(out)



def compare_tables(before, after) -> dict[str, pd.DataFrame]:
    """The four comparisons (and ``stalled``) of two years' tables (Report, dict or namespace)."""
    stages = stage_transitions(table_of(before, "stages"), table_of(after, "stages"))
    return {
        "stages": stages,
        "stalled": stalled(stages),
        "metrics": metric_changes(table_of(before, "metrics"), table_of(after, "metrics")),
        "challenges": challenge_changes(table_of(before, "challenges"), table_of(after, "challenges")),
        "technologies": technology_changes(table_of(before, "technologies"), table_of(after, "technologies")),
    }
