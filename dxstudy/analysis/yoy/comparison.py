# Two fiscal years side by side (the Comparison record of the 前年度比較 notebook): the years' sources,
# the first 現状 sentence behind a stage, respondent/rules disagreements, challenges that persisted.
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from dxstudy import reference
from dxstudy.analysis.frames import both_years_statements, table_names, table_of
from dxstudy.analysis.yoy.changes import is_blank, compare_tables

#: Statement kinds that are prose (a survey year also has ``table_row`` statements for its answers).
PROSE_KINDS = ("sentence", "list_item")

#: How a stage was decided (``stages.source``), in Japanese.
STAGE_SOURCE_JA = {"rules": "記述から自動判定", "respondent": "回答者の選択", "override": "分析者の判断"}


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

    def _latest(self, name: str) -> pd.DataFrame | None:
        """This year's ``name`` table, else last year's, else None."""
        for tables in (self.after, self.before):
            if len(table_of(tables, name)):
                return table_of(tables, name)
        return None

    @property
    def municipalities(self) -> pd.DataFrame:
        """The members (this year's table, else last year's, else the package reference)."""
        found = self._latest("municipalities")
        return reference.municipalities() if found is None else found

    @property
    def themes(self) -> pd.DataFrame:
        """The themes (this year's table, else last year's, else the package reference)."""
        found = self._latest("themes")
        return reference.themes() if found is None else found

    @property
    def statements(self) -> pd.DataFrame:
        """The statements of both years (ids carry the year, so they never collide)."""
        return both_years_statements(self.before, self.after)


def comparison_of(before, after, fiscal_year: int) -> Comparison:
    """A Comparison of two years' tables already in memory (``before`` is ``fiscal_year - 1``)."""
    before = {name: table_of(before, name) for name in table_names(before)}
    after = {name: table_of(after, name) for name in table_names(after)}
    return Comparison(fiscal_year=int(fiscal_year), previous_year=int(fiscal_year) - 1, before=before, after=after,
                      **compare_tables(before, after))


# ---------------------------------------------------------------------------------------------
# the sources of each year


def _is_survey(tables) -> bool:
    files = table_of(tables, "document").get("source_file", pd.Series(dtype=str))
    return any(".xlsx" in str(f) for f in files) or len(table_of(tables, "responses")) > 0


def year_sources(comparison: Comparison) -> pd.DataFrame:
    """One row per compared year: ``fiscal_year``, ``role`` (前年度 | 今年度), ``form`` (報告書 |
    調査票), ``form_detail`` (the file, or the number of workbooks), ``title``, ``as_of``,
    ``n_statements``, ``n_members`` (members with a stage), ``stage_source`` (how the stages were
    decided), ``test_data`` (the workbooks' test-data label, "" for real data)."""
    rows = []
    for role, year, tables in (("前年度", comparison.previous_year, comparison.before),
                               ("今年度", comparison.fiscal_year, comparison.after)):
        doc = table_of(tables, "document")
        first = doc.iloc[0].to_dict() if len(doc) else {}
        survey = _is_survey(tables)
        responses = table_of(tables, "responses")
        files = [f.strip() for f in str(first.get("source_file", "")).split(";") if f.strip()]
        if survey:
            n = len(responses) if len(responses) else len(files)
            detail = f"Excelの調査票 {n}件"
        else:
            detail = "、".join(files) or "—"
        stages = table_of(tables, "stages")
        sources = stages.get("source", pd.Series(dtype=str)).value_counts()
        how = "・".join(f"{STAGE_SOURCE_JA.get(s, s)} {n}件" for s, n in sources.items() if s)
        labels = responses.get("test_data", pd.Series(dtype=str)).astype(str)
        rows.append({
            "fiscal_year": year, "role": role, "form": "調査票" if survey else "報告書", "form_detail": detail,
            "title": str(first.get("title", "")), "as_of": str(first.get("as_of", "") or ""),
            "n_statements": len(table_of(tables, "statements")),
            "n_members": stages["municipality_code"].nunique() if "municipality_code" in stages else 0,
            "stage_source": how, "test_data": "・".join(sorted({t for t in labels if t})),
        })
    return pd.DataFrame(rows)




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
    stages = table_of(comparison.after, "stages")
    verdicts = rules_verdicts(stages)
    rows = []
    for r in stages.to_dict("records") if len(stages) else []:
        verdict = verdicts.get((r["municipality_code"], r["theme"]))
        if r.get("source") == "respondent" and verdict is not None and not is_blank(r["stage"]) and int(r["stage"]) != verdict:
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

