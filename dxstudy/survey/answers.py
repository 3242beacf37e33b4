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
    """A filled row of a metrics table (``cell``: its 指標 cell)."""

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
    """A filled row of an events table (``cell``: its 日付 cell)."""

    row: int
    when: When
    event: str
    cell: str


@dataclass
class TechnologyAnswer:
    """A filled row of the technologies table (``cell``: its 技術 cell)."""

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


#: How a column of each kind is read (a choice is read as text and checked by its table's reader).
_READ_AS = {"text": CellReader.text, "choice": CellReader.text, "number": CellReader.number,
            "date": CellReader.when, "as_of": CellReader.when}


def _filled_rows(r: CellReader, ws: Worksheet, block: lo.TableBlock):
    """``(row, values, cells)`` for each row of ``block`` with anything in it: ``values[key]`` is the
    typed value of the column ``key`` (text, number or When; None or "" when empty or wrong) and
    ``cells[key]`` its coordinate. An empty required cell of such a row is a problem."""
    names = {c.key: c.label.split("（")[0] for c in block.columns}  # 値（数字のみ） → 値
    for row in block.rows():
        cells = {c.key: f"{c.column}{row}" for c in block.columns}
        if not any(r.filled(ws, cell) for cell in cells.values()):
            continue
        values = {c.key: _READ_AS[c.kind](r, ws, cells[c.key], names[c.key]) for c in block.columns}
        for c in block.columns:
            if c.required and not r.filled(ws, cells[c.key]):
                r.missing(ws, cells[c.key], f"{names[c.key]} (required in a row that is filled in)", names[c.key])
        yield row, values, cells


def _metrics(r: CellReader, ws: Worksheet, block: lo.TableBlock) -> list[MetricAnswer]:
    out = []
    for row, v, cells in _filled_rows(r, ws, block):
        if v["metric"] and v["value"] is not None:
            metric, label, default_unit, is_target = lo.metric_of(v["metric"])
            unit = unicodedata.normalize("NFKC", v["unit"]) or default_unit
            out.append(MetricAnswer(row, metric, label, v["value"], unit, is_target, v["as_of"], v["note"],
                                    cells["metric"]))
    return out


def _events(r: CellReader, ws: Worksheet, block: lo.TableBlock) -> list[EventAnswer]:
    return [EventAnswer(row, v["date"], v["event"], cells["date"])
            for row, v, cells in _filled_rows(r, ws, block) if v["date"] is not None and v["event"]]


def _technologies(r: CellReader, ws: Worksheet, block: lo.TableBlock) -> list[TechnologyAnswer]:
    out = []
    for row, v, cells in _filled_rows(r, ws, block):
        status = lo.status_of(v["status"]) if v["status"] else None
        if v["status"] and status is None:
            r.problem(ws.title, cells["status"], "one of " + " / ".join(lo.STATUS_CHOICES), shorten(v["status"]),
                      "choice", "状況")
        if v["technology"] and status:
            technology, label = lo.technology_of(v["technology"])
            out.append(TechnologyAnswer(row, technology, label, status, v["description"], cells["technology"],
                                        cells["description"]))
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
