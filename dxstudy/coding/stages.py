# Maturity stage (0 未着手 … 3 実施中) per municipality and theme, decided by the ordered rules of
# stage_rules.yaml on the 現状 sentences; every row quotes the sentence that decided it.
from __future__ import annotations

import numpy as np
import pandas as pd

from dxstudy.coding.matcher import TextIndex, first_match, records
from dxstudy.coding.rulesets import STAGE_THEMES, RuleSet

STAGES_COLUMNS = ["fiscal_year", "municipality_code", "municipality", "theme", "stage",
                  "stage_label", "discontinued", "source", "rule", "dimension", "statement_id",
                  "evidence", "note"]
STAGE_DETAILS_COLUMNS = ["fiscal_year", "municipality_code", "municipality", "theme", "dimension",
                         "dimension_label", "stage", "stage_label", "discontinued", "rule",
                         "statement_id", "evidence"]
STAGE_SENTENCES_COLUMNS = ["fiscal_year", "municipality_code", "municipality", "theme",
                           "statement_id", "dimensions", "stage", "rule", "decides", "evidence"]

NO_STATEMENTS = "no_status_statements"
NO_RULE = "no_rule_matched"


def select_status(statements: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """The statements the stages are judged from (scope.stages of coding.yaml), in report order."""
    scope = rules.scope.get("stages") or {}
    themes = scope.get("themes") or list(STAGE_THEMES)
    mask = (statements["theme"].isin(themes) & (statements["municipality_code"] != "")
            & statements["aspect"].isin(scope.get("aspects") or ["status"])
            & ~statements["kind"].isin(scope.get("exclude_kinds") or []))
    return statements[mask]


def _municipalities(statements: pd.DataFrame) -> list[tuple[str, str]]:
    rows = statements.loc[statements["municipality_code"] != "", ["municipality_code", "municipality"]]
    return list(rows.drop_duplicates("municipality_code").itertuples(index=False, name=None))


def code_stages(statements: pd.DataFrame, index: TextIndex, text_ids: np.ndarray,
                rules: RuleSet, fiscal_year: int) -> dict[str, pd.DataFrame]:
    """Stages by the rules.

    ``text_ids[i]`` is the row of ``index`` holding the text of ``statements.iloc[i]``.
    Returns ``stages`` (one row per municipality × theme: ``stage`` 0–3 or <NA> when no sentence
    decides, ``stage_label``, ``discontinued``, ``source``="rules", ``rule`` that fired,
    ``dimension`` that gave the highest stage, the deciding ``statement_id`` and its text as
    ``evidence``), ``stage_details`` (one row per municipality × theme × dimension) and
    ``stage_sentences`` (every status sentence with the rule it meets, for checking the rules).
    """
    sel_mask = statements.index.isin(select_status(statements, rules).index)
    sel = statements[sel_mask]
    sel_text = text_ids[sel_mask]
    rule_masks = [index.evaluate(r.condition) for r in rules.stage_rules]
    fired_by_text = first_match(rule_masks, index.n)
    fired = fired_by_text[sel_text] if len(sel) else np.zeros(0, dtype=int)

    dim_masks = {theme: [(d, index.evaluate(d.condition)[sel_text]) for d in dims]
                 for theme, dims in rules.dimensions.items()}

    sentence_rows = []
    decided: dict[tuple[str, str], dict[str, dict]] = {}
    columns = ["statement_id", "municipality_code", "municipality", "theme", "text", "line_start"]
    for i, row in enumerate(records(sel, columns)):
        theme = row.theme
        if theme in dim_masks:
            dims = [d.dimension for d, m in dim_masks[theme] if m[i]] or ["general"]
        else:
            dims = ["overall"]
        k = int(fired[i])
        rule = rules.stage_rules[k] if k >= 0 else None
        decides = []
        if rule is not None:
            per_dim = decided.setdefault((row.municipality_code, theme), {})
            for dim in dims:
                if dim not in per_dim:
                    per_dim[dim] = {"rule": rule, "row": row}
                    decides.append(dim)
        sentence_rows.append({
            "fiscal_year": fiscal_year, "municipality_code": row.municipality_code,
            "municipality": row.municipality, "theme": theme, "statement_id": row.statement_id,
            "dimensions": ";".join(dims), "stage": rule.stage if rule else pd.NA,
            "rule": rule.rule_id if rule else "", "decides": ";".join(decides),
            "evidence": row.text})

    labels = {d.dimension: d.label for dims in rules.dimensions.values() for d in dims}
    labels.update({"overall": "全体", "general": "その他"})
    detail_rows, stage_rows = [], []
    first_status = {(c, t): (sid, text) for c, t, sid, text in sel.drop_duplicates(
        ["municipality_code", "theme"])[["municipality_code", "theme", "statement_id", "text"]]
        .itertuples(index=False, name=None)}
    for code, name in _municipalities(statements):
        for theme in STAGE_THEMES:
            dims = list(decided.get((code, theme), {}).items())
            for dim, v in dims:
                r, row = v["rule"], v["row"]
                detail_rows.append({
                    "fiscal_year": fiscal_year, "municipality_code": code, "municipality": name,
                    "theme": theme, "dimension": dim, "dimension_label": labels.get(dim, dim),
                    "stage": r.stage, "stage_label": rules.scale[r.stage],
                    "discontinued": r.discontinued, "rule": r.rule_id,
                    "statement_id": row.statement_id, "evidence": row.text})
            base = {"fiscal_year": fiscal_year, "municipality_code": code, "municipality": name,
                    "theme": theme, "source": "rules", "note": ""}
            if dims:
                # highest stage; among equals the dimension decided earliest in the report
                dim, v = max(dims, key=lambda d: (d[1]["rule"].stage, -d[1]["row"].line_start))
                r, row = v["rule"], v["row"]
                stage_rows.append({**base, "stage": r.stage, "stage_label": rules.scale[r.stage],
                                   "discontinued": r.discontinued, "rule": r.rule_id,
                                   "dimension": dim, "statement_id": row.statement_id,
                                   "evidence": row.text})
            elif (code, theme) in first_status:
                sid, text = first_status[(code, theme)]
                stage_rows.append({**base, "stage": pd.NA, "stage_label": "", "discontinued": False,
                                   "rule": NO_RULE, "dimension": "", "statement_id": sid,
                                   "evidence": text})
            else:
                stage_rows.append({**base, "stage": pd.NA, "stage_label": "", "discontinued": False,
                                   "rule": NO_STATEMENTS, "dimension": "", "statement_id": "",
                                   "evidence": ""})
    return {
        "stages": _frame(stage_rows, STAGES_COLUMNS),
        "stage_details": _frame(detail_rows, STAGE_DETAILS_COLUMNS),
        "stage_sentences": _frame(sentence_rows, STAGE_SENTENCES_COLUMNS),
    }


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    if "stage" in frame:
        frame["stage"] = frame["stage"].astype("Int64")
    if "discontinued" in frame:
        frame["discontinued"] = frame["discontinued"].astype(bool)
    if "fiscal_year" in frame:
        frame["fiscal_year"] = frame["fiscal_year"].astype("int64")
    return frame
