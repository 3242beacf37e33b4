# The previous fiscal year's answers of each member, taken from its processed tables, in the shape
# the survey template pre-fills (現状/課題 text, stage, metrics, technologies, the secretariat contact).
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dxstudy import reference
from dxstudy.errors import DxstudyError
from dxstudy.survey import layout as lo
from dxstudy.tables.store import load_tables
from dxstudy.text.normalize import join_spaced_letters

PROSE_KINDS = ("sentence", "list_item", "caption")
STAGE_SOURCE_NOTES = {"rules": "前年度の報告書の記述から自動判定", "respondent": "前年度の回答",
                      "override": "前年度の分析者による判定"}


@dataclass
class ThemePrefill:
    """One theme of one member: ``stage`` (a drop-down label or ""), ``stage_note`` (where it came
    from), ``status`` and ``challenge`` text, ``metrics`` rows (label, value, unit, as_of, note)."""

    stage: str = ""
    stage_note: str = ""
    status: str = ""
    challenge: str = ""
    metrics: list[dict] = field(default_factory=list)


@dataclass
class MemberPrefill:
    """What a member's workbook is pre-filled with: per theme, plus the own-initiatives summary and
    technologies (label, status, description)."""

    code: str
    name: str
    themes: dict[str, ThemePrefill] = field(default_factory=dict)
    summary: str = ""
    technologies: list[dict] = field(default_factory=list)


@dataclass
class Prefill:
    """The previous fiscal year's answers of every member; ``available`` is False when that year
    has no processed tables (the template is then written empty)."""

    previous_fiscal_year: int
    available: bool
    members: dict[str, MemberPrefill]
    contact: str = ""
    publisher: str = ""
    reason: str = ""


def _raw_text(row) -> str:
    text = row.get("text_raw", "") or row.get("text", "")
    return join_spaced_letters(str(text))


def join_statements(statements: pd.DataFrame) -> str:
    """Statements back into the text a respondent edits: sentences of a paragraph joined, one line
    per paragraph, list items as ``・item`` lines."""
    lines: list[str] = []
    last_paragraph = None
    for _, row in statements.iterrows():
        text = _raw_text(row)
        if row["kind"] == "list_item":
            lines.append(f"・{text}")
            last_paragraph = None
        elif lines and row["paragraph_id"] == last_paragraph:
            lines[-1] += text
        else:
            lines.append(text)
            last_paragraph = row["paragraph_id"]
    return "\n".join(lines)


def _number(value) -> float | int | str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    return int(v) if v.is_integer() else v


def _blank(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _prose(statements: pd.DataFrame, code: str, theme: str, aspect: str | None) -> pd.DataFrame:
    sel = statements[(statements["municipality_code"] == code) & (statements["theme"] == theme)
                     & statements["kind"].isin(PROSE_KINDS)]
    if aspect is not None:
        sel = sel[sel["aspect"] == aspect]
    return sel


def _metrics_rows(metrics: pd.DataFrame, code: str, theme: str) -> list[dict]:
    sel = metrics[(metrics["municipality_code"] == code) & (metrics["theme"] == theme)]
    if "source" in sel.columns and (sel["source"] == "respondent").any():
        sel = sel[sel["source"] == "respondent"]
    rows: dict[tuple, dict] = {}
    for _, m in sel.iterrows():
        # the same quantity stated twice (once with its date) is one row, with the date
        key = (m["metric"], str(m["value"]), str(m.get("value_max", "")), m["unit"])
        as_of = "" if _blank(m.get("period")) else str(m.get("period"))
        if key in rows:
            if as_of and not rows[key]["as_of"]:
                rows[key]["as_of"] = as_of
            continue
        ranged = not _blank(m.get("value_max")) or str(m.get("qualifier", "")).strip() not in ("", "target")
        rows[key] = {"metric": str(m["label_ja"]), "value": _number(m["value"]), "unit": str(m["unit"]),
                     "as_of": as_of, "note": str(m.get("value_text", "")) if ranged else ""}
    return list(rows.values())


def _stage(stages: pd.DataFrame, code: str, theme: str) -> tuple[str, str]:
    sel = stages[(stages["municipality_code"] == code) & (stages["theme"] == theme)]
    if sel.empty or _blank(sel.iloc[0]["stage"]):
        return "", ""
    row = sel.iloc[0]
    stage = int(float(row["stage"]))
    label = f"{stage} {lo.stage_scale().get(stage, row.get('stage_label', ''))}"
    return label, STAGE_SOURCE_NOTES.get(str(row.get("source", "")), "前年度")


def _description(statements: pd.DataFrame, statement_id: str, evidence: str) -> str:
    hit = statements[statements["statement_id"] == statement_id]
    if hit.empty:
        return evidence
    row = hit.iloc[0]
    if "cell" in statements.columns and row.get("cell", ""):
        same = statements[(statements["source_file"] == row["source_file"])
                          & (statements["sheet"] == row["sheet"]) & (statements["cell"] == row["cell"])
                          & statements["kind"].isin(PROSE_KINDS)]
        if not same.empty:
            return join_statements(same)
    return _raw_text(row)


def _technologies(technologies: pd.DataFrame, statements: pd.DataFrame, code: str) -> list[dict]:
    sel = technologies[technologies["municipality_code"] == code]
    if "source" in sel.columns and (sel["source"] == "respondent").any():
        sel = sel[sel["source"] == "respondent"]
    rows, seen = [], set()
    for _, t in sel.iterrows():
        key = (t["technology"], t["status"])
        if key in seen or not lo.status_choice(t["status"]):
            continue
        seen.add(key)
        label = t["technology_label"] if t["technology"] == "other" else lo.technology_of(t["technology"])[1]
        rows.append({"technology": label, "status": lo.status_choice(t["status"]),
                     "description": _description(statements, t["statement_id"], str(t["evidence"]))})
    return rows


def _contact(document: pd.DataFrame) -> tuple[str, str]:
    if document is None or document.empty:
        return "", ""
    d = document.iloc[0]
    secretariat, phone = str(d.get("secretariat", "") or ""), str(d.get("phone", "") or "")
    if secretariat:
        contact = secretariat + (f"　電話 {phone}" if phone else "")
    else:
        contact = str(d.get("contact", "") or "")
    return contact, str(d.get("publisher", "") or "")


def prefill_from_tables(tables: dict[str, pd.DataFrame], previous_fiscal_year: int,
                        members: pd.DataFrame | None = None) -> Prefill:
    """The answers of ``previous_fiscal_year`` per member from its tables (``statements`` needed;
    ``stages``, ``metrics``, ``technologies``, ``document`` used when present)."""
    members = reference.municipalities() if members is None else members
    statements = tables["statements"]
    empty = pd.DataFrame(columns=["municipality_code", "theme"])
    stages = tables.get("stages", empty)
    metrics = tables.get("metrics", empty)
    technologies = tables.get("technologies", empty)
    own_summary_cell = lo.sheet_for(lo.OWN_THEME).field("summary").cell
    contact, publisher = _contact(tables.get("document"))
    out: dict[str, MemberPrefill] = {}
    for code, name in zip(members["code"], members["name_ja"]):
        member = MemberPrefill(code, name)
        for sheet in lo.answer_sheets():
            if sheet.theme == lo.OWN_THEME:
                prose = _prose(statements, code, sheet.theme, None)
                if "cell" in prose.columns:
                    prose = prose[prose["cell"].isin(["", own_summary_cell])]
                member.summary = join_statements(prose)
                member.technologies = _technologies(technologies, statements, code) if len(technologies) else []
                own = ThemePrefill(metrics=_metrics_rows(metrics, code, sheet.theme) if len(metrics) else [])
                member.themes[sheet.theme] = own
                continue
            stage, note = _stage(stages, code, sheet.theme) if len(stages) else ("", "")
            member.themes[sheet.theme] = ThemePrefill(
                stage=stage, stage_note=note,
                status=join_statements(_prose(statements, code, sheet.theme, "status")),
                challenge=join_statements(_prose(statements, code, sheet.theme, "challenge")),
                metrics=_metrics_rows(metrics, code, sheet.theme) if len(metrics) else [])
        out[code] = member
    return Prefill(previous_fiscal_year, True, out, contact, publisher)


def load_prefill(fiscal_year: int, data_dir: str | Path = "data") -> Prefill:
    """The pre-fill for the survey of ``fiscal_year``: the processed tables of the year before, or
    an empty pre-fill (``available=False`` with the ``reason``) when there are none."""
    previous = fiscal_year - 1
    members = reference.municipalities()
    try:
        tables = load_tables(previous, data_dir).tables
    except DxstudyError as exc:
        return Prefill(previous, False, {c: MemberPrefill(c, n) for c, n in zip(members["code"], members["name_ja"])},
                       reason=str(exc))
    if "statements" not in tables:
        return Prefill(previous, False, {c: MemberPrefill(c, n) for c, n in zip(members["code"], members["name_ja"])},
                       reason=f"no statements table for FY{previous}")
    return prefill_from_tables(tables, previous, members)
