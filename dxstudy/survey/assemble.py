# Turns the answers of sound workbooks into the tidy tables of the report path: statements numbered
# like the report (chapter.aspect.member), respondent stages/metrics/events/technologies, coded text.
"""Answers → tables.

Section numbers follow the report so that analyses line up across years: 現状 of chapter 3 for
越谷市 (2nd member) is ``3.1.2``, its 課題 ``3.2.2``, its own initiatives ``5.2``. Statement ids
are ``FY2022-3.1.2-001``.

What ``line_start`` / ``line_end`` hold here: the 1-based line (Alt+Enter) within the answer cell
where the sentence starts and ends (1 for a one-line answer and for table rows); the cell itself is
in ``source_file``, ``sheet``, ``cell``.

Structured answers (the stage, each metric row, each event row; a technology row without a
description) are statements of kind ``table_row`` with a readable text (``取組みの段階: 2 試行・一部
実施``), so that every respondent row points to a statement; the rule-based derivers (metrics,
events, coding) read only the prose (kinds ``sentence`` and ``list_item``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dxstudy import reference
from dxstudy.extract.events import EVENT_COLUMNS, event_type_of
from dxstudy.report.frontmatter import DOCUMENT_COLUMNS, MEETING_COLUMNS
from dxstudy.extract.metrics import METRIC_COLUMNS
from dxstudy.report.statements import STATEMENT_COLUMNS
from dxstudy.survey import layout as lo
from dxstudy.survey.reading import WorkbookAnswers
from dxstudy.text.normalize import normalize, split_sentences, strip_bullet, is_terminated
from dxstudy.text.dates import parse_as_of
from dxstudy.text.era import fiscal_year_label_ja

SURVEY_STATEMENT_COLUMNS = [*STATEMENT_COLUMNS, "source_file", "sheet", "cell"]
PROSE_KINDS = ("sentence", "list_item")
#: Tables a survey reader fills from the answers and the build completes with rule-derived rows.
RESPONDENT_TABLES = ("stages", "metrics", "events", "technologies")
TABLE_ROW = "table_row"
STAGE_COLUMNS = ["fiscal_year", "municipality_code", "municipality", "theme", "stage", "stage_label",
                 "discontinued", "source", "rule", "dimension", "statement_id", "evidence", "note"]
TECHNOLOGY_COLUMNS = ["fiscal_year", "municipality_code", "municipality", "technology", "technology_label",
                      "status", "status_label", "rule", "statement_id", "evidence", "source"]
RESPONSE_COLUMNS = ["municipality_code", "municipality", "fiscal_year", "source_file", "sha256",
                    "layout_version", "department", "deadline", "as_of", "contact", "test_data", "statements"]
ASPECT_NUMBER = {"status": 1, "challenge": 2}


# ---------------------------------------------------------------------------------------------
# prose → sentences


def prose_items(text: str) -> list[tuple[str, str, int, int, int]]:
    """Sentences of an answer cell: ``(kind, raw text, line_start, line_end, paragraph number)``.

    A paragraph is a run of lines; a line after a line ending with 。 (or after a blank line) starts
    a new one, so a sentence broken with Alt+Enter in the middle is joined again. A line starting
    with a bullet (・, -, ●…) is one ``list_item``.
    """
    paragraphs: list[tuple[str, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            current = None
            continue
        rest, bullet = strip_bullet(line)
        if bullet:
            paragraphs.append(("list_item", [(number, rest.strip())]))
            current = None
        elif current is not None and not is_terminated(current[-1][1]):
            current.append((number, line.strip()))
        else:
            current = [(number, line.strip())]
            paragraphs.append(("paragraph", current))
    items = []
    for p, (kind, lines) in enumerate(paragraphs, start=1):
        if kind == "list_item":
            items.append(("list_item", lines[0][1], lines[0][0], lines[0][0], p))
            continue
        joined, owners = "", []
        for number, line in lines:
            if joined and joined[-1].isascii() and joined[-1].isalnum() and line[0].isascii() and line[0].isalnum():
                joined += " "
                owners.append(number)
            joined += line
            owners.extend([number] * len(line))
        for start, end in split_sentences(joined) or [(0, len(joined))]:
            raw = joined[start:end]
            lead = len(raw) - len(raw.lstrip())
            raw = raw.strip()
            if raw:
                items.append(("sentence", raw, owners[start + lead], owners[start + lead + len(raw) - 1], p))
    return items


# ---------------------------------------------------------------------------------------------
# building statements


@dataclass
class _Builder:
    fiscal_year: int
    items: list[dict] = field(default_factory=list)
    refs: list[tuple[str, int, dict]] = field(default_factory=list)  # (table, item index, row)

    def add(self, w: WorkbookAnswers, order: int, chapter: int, aspect_no: int, section: str, theme: str,
            aspect: str, kind: str, raw: str, sheet: str, cell: str, *, line_start: int = 1, line_end: int = 1,
            paragraph: tuple = (), subheading: str = "") -> int:
        self.items.append({
            "_sort": (chapter, aspect_no, order, len(self.items)), "_para": paragraph or (w.file, sheet, cell, len(self.items)),
            "fiscal_year": self.fiscal_year, "section": section, "theme": theme, "aspect": aspect,
            "municipality_code": w.code, "municipality": w.name, "kind": kind, "text": normalize(raw),
            "text_raw": raw, "line_start": line_start, "line_end": line_end, "section_title": w.name,
            "subheading": subheading, "source_file": w.file, "sheet": sheet, "cell": cell})
        return len(self.items) - 1

    def add_prose(self, w, order, chapter, aspect_no, section, theme, aspect, text, sheet, cell,
                  subheading: str = "") -> list[int]:
        out = []
        for kind, raw, start, end, p in prose_items(text):
            out.append(self.add(w, order, chapter, aspect_no, section, theme, aspect, kind, raw, sheet, cell,
                                line_start=start, line_end=end, paragraph=(w.file, sheet, cell, p),
                                subheading=subheading))
        return out

    def ref(self, table: str, index: int, row: dict) -> None:
        self.refs.append((table, index, row))


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _theme_answers(b: _Builder, w: WorkbookAnswers, order: int, sa, scale: dict[int, str]) -> None:
    ch = sa.chapter
    is_own = sa.theme == lo.OWN_THEME
    status_section = f"{ch}.{order}" if is_own else f"{ch}.1.{order}"
    aspect = "" if is_own else "status"
    aspect_no = 0 if is_own else 1
    base = (w, order, ch, aspect_no, status_section, sa.theme, aspect)
    if sa.stage is not None:
        stage, cell = sa.stage
        i = b.add(*base, TABLE_ROW, f"取組みの段階: {stage} {scale[stage]}", sa.sheet, cell, subheading="取組みの段階")
        b.ref("stages", i, {"theme": sa.theme, "stage": stage, "stage_label": scale[stage]})
    for key in ("status", "summary"):
        if key in sa.text and sa.text[key][0]:
            b.add_prose(*base, sa.text[key][0], sa.sheet, sa.text[key][1])
    for t in sa.technologies:
        ids = b.add_prose(*base, t.description, sa.sheet, t.description_cell, subheading=t.label) if t.description else []
        if not ids:
            ids = [b.add(*base, TABLE_ROW, f"{t.label}: {lo.status_choice(t.status)}", sa.sheet, t.cell,
                         subheading=t.label)]
        b.ref("technologies", ids[0], {"technology": t.technology, "technology_label": t.label,
                                       "status": t.status, "status_label": lo.status_label(t.status),
                                       "rule": "respondent"})
    for m in sa.metrics:
        value_text = _number_text(m.value) + m.unit
        text = f"{m.label}: {value_text}" + (f"（時点 {m.as_of.text}）" if m.as_of else "") + (f"（{m.note}）" if m.note else "")
        i = b.add(*base, TABLE_ROW, text, sa.sheet, m.cell, subheading="数値指標")
        target_fy = m.as_of.fiscal_year if (m.is_target and m.as_of) else None
        b.ref("metrics", i, {"theme": sa.theme, "section": status_section, "metric": m.metric, "label_ja": m.label,
                             "value": m.value, "value_max": float("nan"), "unit": m.unit,
                             "qualifier": "target" if m.is_target else "",
                             "period": m.as_of.iso if m.as_of else "",
                             "period_role": ("deadline" if m.is_target else "point") if m.as_of else "",
                             "target_fiscal_year": target_fy, "value_text": value_text})
    for e in sa.events:
        i = b.add(*base, TABLE_ROW, f"{e.when.text} {e.event}", sa.sheet, e.cell, subheading="主な出来事")
        b.ref("events", i, {"theme": sa.theme, "section": status_section, "date": e.when.iso,
                            "date_precision": e.when.precision, "event_fiscal_year": e.when.fiscal_year,
                            "era_text": e.when.text, "role": "point", "note": "",
                            "event_type": event_type_of(normalize(e.event)), "event": normalize(e.event)})
    if "challenge" in sa.text and sa.text["challenge"][0]:
        b.add_prose(w, order, ch, 2, f"{ch}.2.{order}", sa.theme, "challenge", sa.text["challenge"][0],
                    sa.sheet, sa.text["challenge"][1])


def build_statements(workbooks: list[WorkbookAnswers], fiscal_year: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Statements of every sound workbook in report order, and the respondent tables (stages,
    metrics, events, technologies; each row with the ``statement_id`` of its answer)."""
    members = reference.municipalities()
    order_of = {c: i for i, c in enumerate(members["code"], start=1)}
    scale = lo.stage_scale()
    b = _Builder(fiscal_year)
    for w in sorted(workbooks, key=lambda w: order_of[w.code]):
        for sheet in lo.answer_sheets():
            if sheet.theme in w.sheets:
                _theme_answers(b, w, order_of[w.code], w.sheets[sheet.theme], scale)
    order = sorted(range(len(b.items)), key=lambda i: b.items[i]["_sort"])
    counters: dict[str, int] = {}
    paragraphs: dict[tuple, int] = {}
    ids: dict[int, str] = {}
    rows = []
    for i in order:
        item = b.items[i]
        counters[item["section"]] = counters.get(item["section"], 0) + 1
        ids[i] = f"FY{fiscal_year}-{item['section']}-{counters[item['section']]:03d}"
        para = paragraphs.setdefault(item["_para"], len(paragraphs) + 1)
        rows.append({**{k: v for k, v in item.items() if not k.startswith("_")}, "statement_id": ids[i],
                     "paragraph_id": para})
    statements = pd.DataFrame(rows, columns=SURVEY_STATEMENT_COLUMNS).astype(
        {"fiscal_year": "int64", "line_start": "int64", "line_end": "int64", "paragraph_id": "int64"})
    respondent: dict[str, list[dict]] = {"stages": [], "metrics": [], "events": [], "technologies": []}
    for table, i, row in b.refs:
        item = b.items[i]
        respondent[table].append({"fiscal_year": fiscal_year, "municipality_code": item["municipality_code"],
                                  "municipality": item["municipality"], **row, "statement_id": ids[i],
                                  "evidence": item["text"], "source": "respondent"})
    frames = {
        "stages": pd.DataFrame([{**r, "discontinued": False, "rule": "", "dimension": "", "note": ""}
                                for r in respondent["stages"]], columns=STAGE_COLUMNS),
        "metrics": pd.DataFrame(respondent["metrics"], columns=[*METRIC_COLUMNS, "source"]),
        "events": pd.DataFrame(respondent["events"], columns=[*EVENT_COLUMNS, "source"]),
        "technologies": pd.DataFrame(respondent["technologies"], columns=TECHNOLOGY_COLUMNS),
    }
    return statements, frames


# ---------------------------------------------------------------------------------------------
# merging with the rule-based tables


def _order(frame: pd.DataFrame, position: dict[str, int]) -> pd.DataFrame:
    key = frame["statement_id"].map(position).fillna(len(position)).astype(int)
    return frame.assign(_pos=key).sort_values("_pos", kind="stable").drop(columns="_pos").reset_index(drop=True)


def merge_stages(rules: pd.DataFrame, respondent: pd.DataFrame) -> pd.DataFrame:
    """Respondent stages win over rule-decided ones (the rule's verdict stays in ``note``); an
    analyst override (``source == "override"``) wins over both (the respondent's stage in ``note``)."""
    rows = []
    answered = {(r.municipality_code, r.theme): r._asdict() for r in respondent.itertuples(index=False)}
    seen = set()
    for r in rules.to_dict("records"):
        key = (r["municipality_code"], r["theme"])
        resp = answered.get(key)
        if resp is None:
            rows.append(r)
            continue
        seen.add(key)
        if r.get("source") == "override":
            r["note"] = "; ".join(x for x in (r.get("note", ""), f"respondent: {resp['stage']} {resp['stage_label']}") if x)
            rows.append(r)
            continue
        verdict = (f"rules: {r['stage']} {r['stage_label']} ({r['rule']})" if not pd.isna(r["stage"])
                   else f"rules: no stage ({r['rule']})")
        rows.append({**resp, "note": verdict})
    rows.extend(v for k, v in answered.items() if k not in seen)
    frame = pd.DataFrame(rows, columns=list(rules.columns) if len(rules.columns) else STAGE_COLUMNS)
    frame["stage"] = frame["stage"].astype("Int64")
    frame["discontinued"] = frame["discontinued"].astype(bool)
    return frame


def merge_tables(tables: dict[str, pd.DataFrame], coded: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The parsed ``tables`` of :func:`survey_tables` with the rule-derived ``coded`` tables (metrics,
    events, coding of the prose; see :data:`PROSE_KINDS`) merged in, each row marked with ``source``
    (respondent | rules | override): respondent rows first, in statement order."""
    statements = tables["statements"]
    respondent = {name: tables[name] for name in RESPONDENT_TABLES}
    position = {sid: i for i, sid in enumerate(statements["statement_id"])}
    out = {name: frame for name, frame in tables.items() if name not in RESPONDENT_TABLES}
    out.update(coded)
    for name in ("metrics", "events"):
        rules = coded.get(name, pd.DataFrame(columns=respondent[name].columns)).copy()
        rules["source"] = "rules"
        merged = pd.concat([respondent[name], rules], ignore_index=True) if len(rules) else respondent[name]
        out[name] = _order(merged, position)
    out["metrics"]["target_fiscal_year"] = pd.to_numeric(out["metrics"]["target_fiscal_year"]).astype("Int64")
    out["events"]["event_fiscal_year"] = pd.to_numeric(out["events"]["event_fiscal_year"]).astype("Int64")
    if "stages" in coded:
        out["stages"] = merge_stages(coded["stages"], respondent["stages"])
    techs = coded.get("technologies", pd.DataFrame(columns=TECHNOLOGY_COLUMNS)).copy()
    techs["source"] = "rules"
    declared = set(zip(respondent["technologies"]["municipality_code"], respondent["technologies"]["technology"]))
    techs = techs[[(c, t) not in declared for c, t in zip(techs["municipality_code"], techs["technology"])]]
    order_of = {c: i for i, c in enumerate(reference.municipalities()["code"])}
    merged = pd.concat([respondent["technologies"], techs], ignore_index=True) if len(techs) else respondent["technologies"]
    merged = merged.assign(_m=merged["municipality_code"].map(order_of)).sort_values("_m", kind="stable")
    out["technologies"] = merged.drop(columns="_m").reset_index(drop=True)
    return out


def prose(statements: pd.DataFrame) -> pd.DataFrame:
    """The statements the rule-based derivers read: sentences and list items (not table rows)."""
    return statements[statements["kind"].isin(PROSE_KINDS)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# the whole year


def _common(values: list[str]) -> str:
    values = [v for v in values if v]
    return max(set(values), key=values.count) if values else ""


def survey_tables(workbooks: list[WorkbookAnswers], fiscal_year: int) -> dict[str, pd.DataFrame]:
    """The parsed tables of a survey year from its sound workbooks: statements, municipalities,
    themes, meetings (empty), document, responses (one row per workbook), and the respondents' own
    stages, metrics, events and technologies (``source == "respondent"``), to which
    :func:`merge_tables` adds the rule-derived rows."""
    statements, respondent = build_statements(workbooks, fiscal_year)
    members = reference.municipalities()
    as_of_text = _common([w.instructions.get("as_of", "") for w in workbooks])
    document = {c: "" for c in DOCUMENT_COLUMNS}
    document.update({
        "title": f"{fiscal_year_label_ja(fiscal_year)} DX（デジタルトランスフォーメーション）に関する調査 回答",
        "fiscal_year": fiscal_year, "as_of": (parse_as_of(as_of_text) or "") if as_of_text else "",
        "as_of_era_text": as_of_text, "publisher": _common([w.publisher for w in workbooks]),
        "contact": _common([w.instructions.get("contact", "") for w in workbooks]),
        "notes": "調査票（Excel）の回答から作成", "source_file": "; ".join(sorted(w.file for w in workbooks))})
    counts = statements.groupby("source_file").size().to_dict()
    responses = pd.DataFrame([{
        "municipality_code": w.code, "municipality": w.name, "fiscal_year": fiscal_year, "source_file": w.file,
        "sha256": w.sha256, "layout_version": w.layout_version,
        "department": w.instructions.get("department", ""), "deadline": w.instructions.get("deadline", ""),
        "as_of": w.instructions.get("as_of", ""), "contact": w.instructions.get("contact", ""),
        "test_data": w.test_data, "statements": int(counts.get(w.file, 0))}
        for w in sorted(workbooks, key=lambda w: list(members["code"]).index(w.code))], columns=RESPONSE_COLUMNS)
    tables = {
        "statements": statements,
        "municipalities": members[["code", "name_ja", "name_en", "kind"]].reset_index(drop=True),
        "themes": reference.themes()[["theme", "label_ja", "label_en", "chapter"]],
        "meetings": pd.DataFrame({c: pd.Series(dtype="int64" if c in ("number", "line") else "str")
                                  for c in MEETING_COLUMNS}),
        "document": pd.DataFrame([document], columns=DOCUMENT_COLUMNS).astype({"fiscal_year": "int64"}),
        "responses": responses,
    }
    tables.update(respondent)
    return tables
