# The evidence trail of the proposals: quoting statements as 「sentence」（section・municipality・id）,
# the columns of the proposals table, and numbering its points.
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

PROPOSAL_COLUMNS = [
    "proposal_id",
    "kind",
    "theme",
    "title_ja",
    "body_ja",
    "rationale_ja",
    "statement_ids",
    "evidence",
]
"""Columns of the proposals table.

proposal_id   "P01", … in display order
kind          leader | horizontal | joint_action | national
theme         theme id, or "" for cross-theme points
title_ja      one-line title
body_ja       the point itself (may contain line breaks)
rationale_ja  why the data supports it (the rule that produced it, the counts)
statement_ids the quoted statements, separated by ";"
evidence      one quote per line: 「sentence」（section・municipality・statement id）
"""

KIND_LABELS = {
    "leader": "テーマ別の先行事例",
    "horizontal": "横展開の提案",
    "joint_action": "共同の取組み",
    "national": "全国との比較",
}


def section_of(statement_id: str) -> str:
    """The report section a statement id names ("FY2021-4.1.2-001" → "4.1.2"; "" when it names none)."""
    match = re.match(r"^FY\d{4}-(.+)-\d+$", statement_id)
    return match[1] if match else ""


def quote(statement_id: str, statements: pd.DataFrame) -> str:
    """One evidence line: 「sentence」（section・municipality・statement id）."""
    return quotes([statement_id], statements)[0]


def quotes(ids: list[str], statements: pd.DataFrame) -> list[str]:
    """An evidence line per id (see quote); "（id）" for an id not among the statements."""
    rows = statements[statements["statement_id"].isin(ids)].drop_duplicates("statement_id")
    by_id = {r["statement_id"]: r for r in rows[["statement_id", "section", "municipality", "text"]].to_dict("records")}
    out = []
    for sid in ids:
        row = by_id.get(sid)
        if row is None:
            out.append(f"（{sid}）")
            continue
        cite = "・".join(p for p in (row["section"], row["municipality"], sid) if p)
        out.append(f"「{row['text']}」（{cite}）")
    return out


def cited(ids: Iterable[str], statements: pd.DataFrame) -> dict[str, str]:
    """The ``statement_ids`` (";", each once, in order) and ``evidence`` (a quote per line) columns of
    a point resting on ``ids``."""
    unique = list(dict.fromkeys(i for i in ids if i))
    return {"statement_ids": ";".join(unique), "evidence": "\n".join(quotes(unique, statements))}


def split_evidence(evidence: str) -> list[tuple[str, str]]:
    """Split the evidence column into (sentence, citation) pairs (the inverse of quote())."""
    pairs = []
    for line in filter(None, evidence.split("\n")):
        cut = line.rfind("」（")
        if line.startswith("「") and cut > 0 and line.endswith("）"):
            pairs.append((line[1:cut], line[cut + 2 : -1]))
        else:
            pairs.append(("", line.strip("（）")))
    return pairs


def no_points() -> pd.DataFrame:
    """An empty table of points (the proposals columns without proposal_id)."""
    return pd.DataFrame(columns=PROPOSAL_COLUMNS[1:])


def numbered(parts: Iterable[pd.DataFrame], prefix: str) -> pd.DataFrame:
    """The points of ``parts`` one after another, numbered ``<prefix>01``, … (PROPOSAL_COLUMNS)."""
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else no_points()
    out.insert(0, "proposal_id", [f"{prefix}{i:02d}" for i in range(1, len(out) + 1)])
    return out[PROPOSAL_COLUMNS].reset_index(drop=True)
