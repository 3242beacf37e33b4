# Challenge codes (課題コード): the KH Coder rules of challenge_codes.txt applied to the 課題
# sentences; one row per sentence × code, quoting the sentence.
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dxstudy.coding.matcher import TextIndex
from dxstudy.coding.rulesets import RuleSet, load_rules

CHALLENGES_COLUMNS = ["fiscal_year", "municipality_code", "municipality", "theme", "aspect",
                      "code", "code_label", "statement_id", "evidence"]


def challenge_mask(statements: pd.DataFrame, index: TextIndex, text_ids: np.ndarray,
                   rules: RuleSet) -> np.ndarray:
    """Which statements are coded for challenges (scope.challenges of coding.yaml): the 課題
    sentences, plus chapter-5 sentences that state a 課題."""
    scope = rules.scope.get("challenges") or {}
    kinds_ok = ~statements["kind"].isin(scope.get("exclude_kinds") or []).to_numpy()
    mask = statements["aspect"].isin(scope.get("aspects") or ["challenge"]).to_numpy()
    also = scope.get("also") or {}
    if rules.challenges_also is not None:
        in_themes = statements["theme"].isin(also.get("themes") or []).to_numpy()
        mask = mask | (in_themes & index.evaluate(rules.challenges_also)[text_ids])
    return mask & kinds_ok


def code_challenges(statements: pd.DataFrame, index: TextIndex, text_ids: np.ndarray,
                    rules: RuleSet, fiscal_year: int) -> pd.DataFrame:
    """Table ``challenges``: one row per coded sentence × challenge code it meets.

    Columns: ``fiscal_year``, ``municipality_code`` and ``municipality`` ("" for a region-wide
    summary sentence), ``theme``, ``aspect``, ``code`` (stable id, e.g. ``training``),
    ``code_label`` (Japanese label), ``statement_id`` and ``evidence`` (the sentence).
    Rows are in report order, codes in rule-file order within a sentence.
    """
    selected = challenge_mask(statements, index, text_ids, rules)
    code_masks: dict[str, np.ndarray] = {}
    hits = []
    for order, code in enumerate(rules.codes):
        by_text = index.evaluate(code.condition, code_masks)
        code_masks[code.code_id] = by_text
        rows = np.flatnonzero(by_text[text_ids] & selected)
        hits.extend((row, order) for row in rows)
    hits.sort()
    if not hits:
        return pd.DataFrame(columns=CHALLENGES_COLUMNS).astype({"fiscal_year": "int64"})
    rows = np.array([h[0] for h in hits], dtype=int)
    codes = [rules.codes[h[1]] for h in hits]
    sub = statements.iloc[rows]
    out = pd.DataFrame({
        "fiscal_year": fiscal_year,
        "municipality_code": sub["municipality_code"].to_numpy(),
        "municipality": sub["municipality"].to_numpy(),
        "theme": sub["theme"].to_numpy(),
        "aspect": sub["aspect"].to_numpy(),
        "code": [c.code_id for c in codes],
        "code_label": [c.label for c in codes],
        "statement_id": sub["statement_id"].to_numpy(),
        "evidence": sub["text"].to_numpy(),
    }, columns=CHALLENGES_COLUMNS)
    out["fiscal_year"] = out["fiscal_year"].astype("int64")
    return out


def challenge_crosstab(challenges: pd.DataFrame, *, by: str = "municipality",
                       include_region: bool = False,
                       rules_dir: str | Path | None = None) -> pd.DataFrame:
    """Municipality × code table of the number of sentences coded (for display), municipalities
    in report order and codes in the order of the rule file (``rules_dir``, default the package's).

    Region-wide summary sentences (municipality "") are left out unless ``include_region``."""
    data = challenges if include_region else challenges[challenges["municipality_code"] != ""]
    order = [c.code_id for c in load_rules(rules_dir).codes]
    order += [c for c in dict.fromkeys(challenges["code"]) if c not in order]
    table = pd.crosstab(data[by], data["code"])
    rows = list(dict.fromkeys(data[by]))
    return table.reindex(index=rows, columns=[c for c in order if c in table.columns], fill_value=0)
