# Technologies each municipality uses, pilots or considers (RPA, AI-OCR, chatbots, …), from all
# its sentences: technologies.csv says what is mentioned, technology_status.yaml how far it got.
from __future__ import annotations

import numpy as np
import pandas as pd

from dxstudy.coding.matcher import TextIndex, first_match, records
from dxstudy.coding.rulesets import RuleSet

MENTIONS_COLUMNS = ["fiscal_year", "municipality_code", "municipality", "technology",
                    "technology_label", "status", "rule", "inherited", "statement_id", "evidence"]
TECHNOLOGIES_COLUMNS = ["fiscal_year", "municipality_code", "municipality", "technology",
                        "technology_label", "status", "status_label", "rule", "statement_id",
                        "evidence"]
STATUS_ORDER = ["in_use", "pilot", "considering"]
DEFAULT_RULE = "mentioned"


def select_municipal(statements: pd.DataFrame, rules: RuleSet) -> np.ndarray:
    """Which statements are read for technologies (scope.technologies of coding.yaml)."""
    scope = rules.scope.get("technologies") or {}
    mask = ~statements["kind"].isin(scope.get("exclude_kinds") or []).to_numpy()
    if scope.get("municipality_only", True):
        mask &= (statements["municipality_code"] != "").to_numpy()
    return mask


def code_technologies(statements: pd.DataFrame, index: TextIndex, text_ids: np.ndarray,
                      rules: RuleSet, fiscal_year: int) -> dict[str, pd.DataFrame]:
    """Tables ``technology_mentions`` (every sentence × technology, with the status rule that
    decided and whether the technology was ``inherited`` from an earlier sentence of the same
    paragraph whose subject the sentence leaves out) and ``technologies`` (one row per
    municipality × technology × status in_use | pilot | considering, quoting the first sentence
    that shows it; "absent" mentions are kept only in technology_mentions).

    A municipality can have several statuses for one technology (八潮市 音声テキスト化:
    pilot, then considering); ``technology_matrix`` reduces them to the furthest for display.
    """
    selected = select_municipal(statements, rules)
    techs = rules.technologies
    tech_by_text = np.vstack([index.evaluate(t.condition) for t in techs]) if techs else \
        np.zeros((0, index.n), dtype=bool)
    status_by_text = first_match([index.evaluate(r.condition) for r in rules.status_rules], index.n)
    generic_by_text = (index.evaluate(rules.generic_terms) if rules.generic_terms is not None
                       else np.zeros(index.n, dtype=bool))

    any_tech = tech_by_text.any(axis=0)
    may_inherit = (status_by_text >= 0) & ~generic_by_text if rules.inherit_within_paragraph \
        else np.zeros(index.n, dtype=bool)
    rows = np.flatnonzero(selected)
    report_order = {c: i for i, c in enumerate(dict.fromkeys(statements["municipality_code"].iloc[rows]))}
    rows = rows[(any_tech | may_inherit)[text_ids[rows]]]
    sub = statements.iloc[rows]
    ids = text_ids[rows]
    mentions = []
    last_in_paragraph: dict[tuple, list[int]] = {}
    columns = ["statement_id", "municipality_code", "municipality", "section", "paragraph_id", "text"]
    for row, tid in zip(records(sub, columns), ids.tolist()):
        found = list(np.flatnonzero(tech_by_text[:, tid]))
        k = int(status_by_text[tid])
        key = (row.municipality_code, row.section, row.paragraph_id)
        if found:
            last_in_paragraph[key] = found
            inherited = False
        elif (rules.inherit_within_paragraph and k >= 0 and not generic_by_text[tid]
              and key in last_in_paragraph):
            found = last_in_paragraph[key]
            inherited = True
        else:
            continue
        status, rule_id = ((rules.status_rules[k].status, rules.status_rules[k].rule_id) if k >= 0
                           else ("in_use", DEFAULT_RULE))
        for t in found:
            mentions.append({
                "fiscal_year": fiscal_year, "municipality_code": row.municipality_code,
                "municipality": row.municipality, "technology": techs[t].technology,
                "technology_label": techs[t].label_ja, "status": status, "rule": rule_id,
                "inherited": inherited, "statement_id": row.statement_id, "evidence": row.text})
    mention_frame = pd.DataFrame(mentions, columns=MENTIONS_COLUMNS)
    mention_frame["inherited"] = mention_frame["inherited"].astype(bool)
    mention_frame["fiscal_year"] = mention_frame["fiscal_year"].astype("int64")

    present = mention_frame[mention_frame["status"] != "absent"].copy()
    present["_muni"] = present["municipality_code"].map(report_order)
    present["_tech"] = present["technology"].map({t.technology: i for i, t in enumerate(techs)})
    present["_seen"] = range(len(present))
    summary = (present.drop_duplicates(["municipality_code", "technology", "status"])
               .sort_values(["_muni", "_tech", "_seen"], kind="stable"))
    summary["status_label"] = summary["status"].map(rules.status_labels).fillna("")
    summary = summary[TECHNOLOGIES_COLUMNS].reset_index(drop=True)
    return {"technologies": summary, "technology_mentions": mention_frame}


def technology_matrix(technologies: pd.DataFrame) -> pd.DataFrame:
    """Municipality × technology table of the furthest status reached (in_use > pilot >
    considering), "" where the technology is not mentioned; for display."""
    if technologies.empty:
        return pd.DataFrame()
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    best = (technologies.assign(_rank=technologies["status"].map(rank))
            .sort_values("_rank", kind="stable")
            .drop_duplicates(["municipality", "technology"]))
    table = best.pivot(index="municipality", columns="technology", values="status")
    rows = list(dict.fromkeys(technologies["municipality"]))
    cols = list(dict.fromkeys(technologies["technology"]))
    return table.reindex(index=rows, columns=cols).fillna("")
