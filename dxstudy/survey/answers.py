# The answers of one answer sheet of a survey workbook: its single cells (stage, 現状, 課題…) and its
# answer tables (metrics, events, technologies), read through a CellReader that records problems.
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from dxstudy.survey import layout as lo
from dxstudy.survey.cells import CellReader, When, Worksheet
from dxstudy.survey.problems import shorten


@dataclass
class MetricAnswer:
    row: int
    metric: str
    label: str
    value: float
    unit: str
    is_target: bool
    as_of: When | None
    note: str
    cell: str


@dataclass
class EventAnswer:
    row: int
    when: When
    event: str
    cell: str


@dataclass
class TechnologyAnswer:
    row: int
    technology: str
    label: str
    status: str
    description: str
    cell: str
    description_cell: str


@dataclass
class SheetAnswers:
    """The answers of one answer sheet; ``text`` maps a field key (status, challenge, summary) to
    (text, cell)."""

    sheet: str
    theme: str
    chapter: int
    stage: tuple[int, str] | None = None
    text: dict[str, tuple[str, str]] = field(default_factory=dict)
    metrics: list[MetricAnswer] = field(default_factory=list)
    events: list[EventAnswer] = field(default_factory=list)
    technologies: list[TechnologyAnswer] = field(default_factory=list)


def _filled_rows(r: CellReader, ws: Worksheet, block: lo.TableBlock):
    """``(row, cell)`` for each row of ``block`` with anything in it; ``cell(key)`` is the
    coordinate of the column ``key`` in that row."""
    columns = {c.key: c.column for c in block.columns}
    for row in block.rows():
        if any(r.filled(ws, f"{column}{row}") for column in columns.values()):
            yield row, lambda key, row=row: f"{columns[key]}{row}"


def _required(r: CellReader, ws: Worksheet, cell: str, label: str, present: bool) -> None:
    if not present:
        r.missing(ws, cell, f"{label} (required in a row that is filled in)", label)


def _metrics(r: CellReader, ws: Worksheet, block: lo.TableBlock) -> list[MetricAnswer]:
    out = []
    for row, cell in _filled_rows(r, ws, block):
        label = r.text(ws, cell("metric"), "指標")
        value = r.number(ws, cell("value"), "値")
        unit = r.text(ws, cell("unit"), "単位")
        as_of = r.when(ws, cell("as_of"), "時点")
        note = r.text(ws, cell("note"), "備考")
        _required(r, ws, cell("metric"), "指標", bool(label))
        _required(r, ws, cell("value"), "値", r.filled(ws, cell("value")))
        if not label or value is None:
            continue
        metric, metric_label, default_unit, is_target = lo.metric_of(label)
        out.append(MetricAnswer(row, metric, metric_label, value, unicodedata.normalize("NFKC", unit) or default_unit,
                                is_target, as_of, note, cell("metric")))
    return out


def _events(r: CellReader, ws: Worksheet, block: lo.TableBlock) -> list[EventAnswer]:
    out = []
    for row, cell in _filled_rows(r, ws, block):
        when = r.when(ws, cell("date"), "日付")
        event = r.text(ws, cell("event"), "内容")
        _required(r, ws, cell("date"), "日付", r.filled(ws, cell("date")))
        _required(r, ws, cell("event"), "内容", bool(event))
        if when is not None and event:
            out.append(EventAnswer(row, when, event, cell("date")))
    return out


def _technologies(r: CellReader, ws: Worksheet, block: lo.TableBlock) -> list[TechnologyAnswer]:
    out = []
    for row, cell in _filled_rows(r, ws, block):
        label = r.text(ws, cell("technology"), "技術・システム")
        status_text = r.text(ws, cell("status"), "状況")
        description = r.text(ws, cell("description"), "内容")
        _required(r, ws, cell("technology"), "技術・システム", bool(label))
        _required(r, ws, cell("status"), "状況", bool(status_text))
        status = lo.status_of(status_text) if status_text else None
        if status_text and status is None:
            r.problem(ws.title, cell("status"), "one of " + " / ".join(lo.STATUS_CHOICES), shorten(status_text),
                      "choice", "状況")
        if label and status:
            technology, tech_label = lo.technology_of(label)
            out.append(TechnologyAnswer(row, technology, tech_label, status, description, cell("technology"),
                                        cell("description")))
    return out


#: Answer table key (also the SheetAnswers attribute it fills) → its reader.
_TABLE_READERS = {"metrics": _metrics, "events": _events, "technologies": _technologies}


def read_answer_sheet(r: CellReader, ws: Worksheet, sheet: lo.SheetLayout) -> SheetAnswers:
    """The answers of one answer sheet (its single cells, then its answer tables)."""
    out = SheetAnswers(ws.title, sheet.theme, sheet.chapter)
    for f in sheet.fields:
        if f.kind == "stage":
            raw = r.value(ws, f.cell, f.label)
            if raw is None:
                r.missing(ws, f.cell, f"an answer ({f.label} is required)", f.label)
                continue
            stage = lo.parse_stage(raw)
            if stage is None:
                r.problem(ws.title, f.cell, "one of " + " / ".join(lo.stage_choices()), shorten(raw), "stage", f.label)
            else:
                out.stage = (stage, f.cell)
        else:
            out.text[f.key] = (r.text(ws, f.cell, f.label, required=f.required), f.cell)
    for block in sheet.tables:
        setattr(out, block.key, _TABLE_READERS[block.key](r, ws, block))
    return out
