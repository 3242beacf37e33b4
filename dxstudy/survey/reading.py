# Reads one returned survey workbook cell by cell (formulas visible, data_only=False) into answers,
# collecting every problem (file, sheet, cell, expected, found) instead of stopping at the first.
from __future__ import annotations

import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from dxstudy import reference
from dxstudy.survey import layout as lo
from dxstudy.survey.problems import CellProblem, shorten
from dxstudy.tables.store import sha256_of
from dxstudy.text.dates import InvalidDateError, fiscal_year_of, parse_date

#: Size limits of a returned workbook (a filled one is about 30 KB, 110 KB unpacked): larger files
#: are refused (rule ``too_large``) before openpyxl opens them, so that a padded or zip-bomb file
#: cannot exhaust memory. Documented in docs/reliability.md.
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
#: Only this block of each sheet is read (the layout uses rows 1–60 and columns A–G; the sheets are
#: protected, so nothing is typed beyond): a sheet padded with a million rows costs no more to read.
MAX_READ_ROW = 200
MAX_READ_COLUMN = 26
#: Package parts that make a workbook reach outside itself or carry active content.
DATA_SOURCE_PARTS = ("xl/connections.xml", "xl/queryTables/")
ACTIVE_PARTS = ("xl/embeddings/", "xl/activeX/")

#: Earliest year a survey date may have (平成元年); the latest is the fiscal year + LATEST_YEARS.
EARLIEST_YEAR = 1989
LATEST_YEARS = 20
DATE_EXAMPLES = "a date such as 2022-04-01, 2022-04, 令和4年4月 or 令和4年度"
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$")
_FY = re.compile(r"^(?:FY|fy)\s?(\d{4})(?:年度)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")


class Cell:
    """A cell as read: ``value`` and openpyxl's ``data_type`` (``f`` for a formula)."""

    __slots__ = ("value", "data_type")

    def __init__(self, value=None, data_type: str = "n"):
        self.value = value
        self.data_type = data_type


class Worksheet:
    """The cells of one sheet, read once in read-only mode (fast: no styles, no merged-cell
    bookkeeping); ``ws["B4"]`` gives a :class:`Cell` (empty when the cell does not exist)."""

    def __init__(self, title: str, rows):
        self.title = title
        self._cells: dict[str, Cell] = {}
        for row in rows:
            for c in row:
                coordinate = getattr(c, "coordinate", None)
                if coordinate is not None and c.value is not None:
                    self._cells[coordinate] = Cell(c.value, c.data_type)

    def __getitem__(self, coordinate: str) -> Cell:
        return self._cells.get(coordinate, Cell())


@dataclass
class When:
    """A date read from a cell: ``iso`` (YYYY-MM-DD | YYYY-MM | YYYY | FY2022), ``precision``
    (day | month | year | fiscal_year), ``text`` as typed and the ``fiscal_year`` it falls in."""

    iso: str
    precision: str
    text: str
    fiscal_year: int | None


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


@dataclass
class WorkbookAnswers:
    """One returned workbook: where it is, its _meta values, the respondent fields of the
    instructions sheet, the answers per theme and every problem found in it."""

    path: Path
    sha256: str = ""
    code: str = ""
    name: str = ""
    fiscal_year: int | None = None
    layout_version: str = ""
    test_data: str = ""
    publisher: str = ""
    meta_cells: dict[str, str] = field(default_factory=dict)
    instructions: dict[str, str] = field(default_factory=dict)
    sheets: dict[str, SheetAnswers] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.path.name

    @property
    def sound(self) -> bool:
        return not self.problems


class _Reader:
    """Reads cells of one workbook and records problems against it."""

    def __init__(self, answers: WorkbookAnswers, fiscal_year: int):
        self.a = answers
        self.fiscal_year = fiscal_year

    def problem(self, sheet: str, cell: str, expected: str, found: str, rule: str, label: str = "") -> None:
        self.a.problems.append(CellProblem(self.a.file, sheet, cell, expected, found, rule, label))

    def value(self, ws: Worksheet, cell: str, label: str):
        """The typed value of a cell; a formula is a problem (and reads as None)."""
        c = ws[cell]
        v = c.value
        if c.data_type == "f" or isinstance(v, (ArrayFormula, DataTableFormula)):
            text = v.text if isinstance(v, ArrayFormula) else str(v)
            self.problem(ws.title, cell, "a typed value (no formula)", f"the formula {shorten(text)}", "formula", label)
            return None
        if isinstance(v, str):
            v = v.replace("\r\n", "\n").replace("\r", "\n").strip()
            return v or None
        return v

    def text(self, ws: Worksheet, cell: str, label: str, required: bool = False) -> str:
        v = self.value(ws, cell, label)
        if v is None:
            if required and ws[cell].data_type != "f":
                self.problem(ws.title, cell, f"an answer ({label} is required)", "an empty cell",
                             "missing_required", label)
            return ""
        if isinstance(v, (datetime, date)):
            return v.date().isoformat() if isinstance(v, datetime) else v.isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def number(self, ws: Worksheet, cell: str, label: str) -> float | None:
        v = self.value(ws, cell, label)
        if v is None:
            return None
        if isinstance(v, bool) or isinstance(v, (datetime, date)):
            self.problem(ws.title, cell, "a number (digits only; the unit goes in the 単位 column)",
                         shorten(str(v)), "not_numeric", label)
            return None
        if isinstance(v, (int, float)):
            if isinstance(v, float) and not math.isfinite(v):
                self.problem(ws.title, cell, "a finite number", str(v), "not_numeric", label)
                return None
            return float(v)
        text = unicodedata.normalize("NFKC", str(v)).replace(",", "").replace(" ", "")
        if _NUMBER.match(text):
            return float(text)
        self.problem(ws.title, cell, "a number (digits only; the unit goes in the 単位 column)", shorten(v),
                     "not_numeric", label)
        return None

    def when(self, ws: Worksheet, cell: str, label: str) -> When | None:
        v = self.value(ws, cell, label)
        if v is None:
            return None
        try:
            return parse_when(v, self.fiscal_year)
        except ValueError as exc:
            self.problem(ws.title, cell, DATE_EXAMPLES, f"{shorten(v if isinstance(v, str) else str(v))} ({exc})",
                         "impossible_date", label)
            return None


def parse_when(value, fiscal_year: int) -> When:
    """A date cell (a typed text or an Excel date) as a :class:`When`; ValueError says why it is
    not a real date (impossible day or month, no date at all, a year out of range)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        when = When(value.isoformat(), "day", value.isoformat(), None)
        year = value.year
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("a number, not a date")
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if m := _FY.match(text):
            year = int(m.group(1))
            when = When(f"FY{year}", "fiscal_year", str(value), year)
        elif m := _YEAR_MONTH.match(text):
            year, month = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"month {month} is not 1-12")
            when = When(f"{year:04d}-{month:02d}", "month", str(value), None)
        else:
            try:
                ref = parse_date(text, report_fiscal_year=fiscal_year, strict=True)
            except InvalidDateError as exc:
                raise ValueError(exc.invalid.reason) from None
            if ref is None or not ref.resolved:
                raise ValueError("no date in it")
            year = ref.year if ref.year is not None else ref.fiscal_year
            when = When(ref.iso, ref.precision, str(value), ref.fiscal_year)
    if year is None or not EARLIEST_YEAR <= year <= fiscal_year + LATEST_YEARS:
        raise ValueError(f"year {year} outside {EARLIEST_YEAR}–{fiscal_year + LATEST_YEARS}")
    if when.fiscal_year is None and when.precision in ("day", "month"):
        y, mth = int(when.iso[:4]), int(when.iso[5:7])
        when.fiscal_year = y if mth >= 4 else y - 1
    return when


# ---------------------------------------------------------------------------------------------
# file-level checks


def check_package(path: Path) -> list[CellProblem]:
    """Problems of the file as a whole: macro workbooks, old .xls, not a zip package, too large
    (MAX_WORKBOOK_BYTES, or MAX_UNPACKED_BYTES once unpacked), links to other workbooks or data
    sources, embedded objects. Cheap (reads the zip directory only)."""
    name = path.name
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [CellProblem(name, "", "", "a readable file", f"{type(exc).__name__}: {exc}", "unreadable")]
    if size > MAX_WORKBOOK_BYTES:
        return [CellProblem(name, "", "", f"a workbook of at most {MAX_WORKBOOK_BYTES // 2**20} MiB "
                            "(a filled survey workbook is about 30 KB)", f"{size:,} bytes", "too_large")]
    if suffix in (".xlsm", ".xltm", ".xlsb"):
        return [CellProblem(name, "", "", "a macro-free .xlsx workbook (save as Excel ブック *.xlsx)",
                            f"a {suffix} file", "file_type")]
    if suffix == ".xls":
        return [CellProblem(name, "", "", "an .xlsx workbook (Excel 2007 or later; save as Excel ブック *.xlsx)",
                            "an .xls file (Excel 97-2003)", "file_type")]
    if not zipfile.is_zipfile(path):
        return [CellProblem(name, "", "", "an Excel .xlsx workbook", "a file that is not an .xlsx package",
                            "unreadable")]
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        return [CellProblem(name, "", "", "an Excel .xlsx workbook",
                            f"a damaged .xlsx package ({exc})", "unreadable")]
    names = [i.filename for i in infos]
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        return [CellProblem(name, "", "", f"a workbook of at most {MAX_UNPACKED_BYTES // 2**20} MiB unpacked",
                            f"{unpacked:,} bytes unpacked from {size:,}", "too_large")]
    problems = []
    lower = [n.lower() for n in names]
    if any(n.endswith("vbaproject.bin") for n in lower):
        problems.append(CellProblem(name, "", "", "a macro-free .xlsx workbook",
                                    "a workbook with macros (vbaProject.bin)", "file_type"))
    active = sorted({p for n in lower for p in ACTIVE_PARTS if n.startswith(p.lower())})
    if active:
        problems.append(CellProblem(name, "", "", "a workbook without embedded objects or controls",
                                    "embedded content (" + ", ".join(active) + ")", "file_type"))
    links = [n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml")]
    sources = [n for n in names if n.startswith(DATA_SOURCE_PARTS)]
    if links or sources:
        found = [f"{len(links)} external link(s)"] if links else []
        found += [f"external data connections ({', '.join(sources)})"] if sources else []
        problems.append(CellProblem(name, "", "", "no links to other workbooks or data sources "
                                    "(データ → リンクの編集 → リンクの解除)", "; ".join(found), "external_links"))
    return problems


# ---------------------------------------------------------------------------------------------
# one workbook


def _meta(r: _Reader, ws: Worksheet) -> dict[str, object]:
    values = {}
    for row in range(1, 60):
        key = ws[f"A{row}"].value
        if isinstance(key, str) and key.strip() in lo.META_KEYS:
            values[key.strip()] = ws[f"B{row}"].value
            r.a.meta_cells[key.strip()] = f"B{row}"
    return values


def _check_meta(r: _Reader, meta: dict[str, object], members) -> bool:
    """Checks _meta; False when the workbook cannot be read further (another format, version or
    year, or an unknown municipality)."""
    a, sheet = r.a, lo.META_SHEET
    if str(meta.get("format", "")).strip() != lo.FORMAT:
        r.problem(sheet, a.meta_cells.get("format", "B2"), f"a dxstudy survey workbook (format {lo.FORMAT})",
                  shorten(meta.get("format")), "not_survey")
        return False
    ok = True
    a.layout_version = str(meta.get("layout_version", "") or "").strip()
    if a.layout_version != lo.LAYOUT_VERSION:
        r.problem(sheet, a.meta_cells.get("layout_version", ""),
                  f"layout version {lo.LAYOUT_VERSION} (a workbook made by `dxstudy survey template` this year)",
                  f"version {a.layout_version or '(none)'}", "layout_version")
        ok = False
    try:
        a.fiscal_year = int(str(meta.get("fiscal_year", "")).strip())
    except ValueError:
        a.fiscal_year = None
    if a.fiscal_year != r.fiscal_year:
        r.problem(sheet, a.meta_cells.get("fiscal_year", ""), f"a workbook for FY{r.fiscal_year}",
                  f"FY{a.fiscal_year}" if a.fiscal_year else shorten(meta.get("fiscal_year")), "fiscal_year")
        ok = False
    raw_code = meta.get("municipality_code")
    code = str(int(raw_code)) if isinstance(raw_code, (int, float)) and not isinstance(raw_code, bool) \
        else str(raw_code or "").strip()
    known = dict(zip(members["code"], members["name_ja"]))
    if code not in known or not reference.is_valid_code(code):
        r.problem(sheet, a.meta_cells.get("municipality_code", ""),
                  "the code of a member (" + ", ".join(f"{c} {n}" for c, n in known.items()) + ")",
                  shorten(code) if code else "an empty cell", "unknown_municipality")
        ok = False
    else:
        a.code, a.name = code, known[code]
    a.test_data = str(meta.get("test_data", "") or "")
    a.publisher = str(meta.get("publisher", "") or "")
    return ok


def _instructions(r: _Reader, ws: Worksheet) -> None:
    for f in lo.INSTRUCTION_FIELDS:
        if f.key != "municipality":
            r.a.instructions[f.key] = r.text(ws, f.cell, f.label)


def _filled(ws: Worksheet, cell: str) -> bool:
    v = ws[cell].value
    return v is not None and not (isinstance(v, str) and not v.strip())


def _row_empty(ws: Worksheet, block: lo.TableBlock, row: int) -> bool:
    return not any(_filled(ws, f"{c.column}{row}") for c in block.columns)


def _required(r: _Reader, ws: Worksheet, cell: str, label: str, present: bool) -> None:
    if not present and ws[cell].data_type != "f":
        r.problem(ws.title, cell, f"{label} (required in a row that is filled in)", "an empty cell",
                  "missing_required", label)


def _metrics(r: _Reader, ws: Worksheet, block: lo.TableBlock) -> list[MetricAnswer]:
    out = []
    col = {c.key: c for c in block.columns}
    for row in block.rows():
        if _row_empty(ws, block, row):
            continue
        cell = lambda k: f"{col[k].column}{row}"  # noqa: E731
        label = r.text(ws, cell("metric"), "指標")
        value = r.number(ws, cell("value"), "値")
        unit = r.text(ws, cell("unit"), "単位")
        as_of = r.when(ws, cell("as_of"), "時点")
        note = r.text(ws, cell("note"), "備考")
        _required(r, ws, cell("metric"), "指標", bool(label))
        _required(r, ws, cell("value"), "値", _filled(ws, cell("value")))
        if not label or value is None:
            continue
        metric, metric_label, default_unit, is_target = lo.metric_of(label)
        out.append(MetricAnswer(row, metric, metric_label, value, unicodedata.normalize("NFKC", unit) or default_unit,
                                is_target, as_of, note, cell("metric")))
    return out


def _events(r: _Reader, ws: Worksheet, block: lo.TableBlock) -> list[EventAnswer]:
    out = []
    col = {c.key: c for c in block.columns}
    for row in block.rows():
        if _row_empty(ws, block, row):
            continue
        date_cell, event_cell = f"{col['date'].column}{row}", f"{col['event'].column}{row}"
        when = r.when(ws, date_cell, "日付")
        event = r.text(ws, event_cell, "内容")
        _required(r, ws, date_cell, "日付", _filled(ws, date_cell))
        _required(r, ws, event_cell, "内容", bool(event))
        if when is not None and event:
            out.append(EventAnswer(row, when, event, date_cell))
    return out


def _technologies(r: _Reader, ws: Worksheet, block: lo.TableBlock) -> list[TechnologyAnswer]:
    out = []
    col = {c.key: c for c in block.columns}
    for row in block.rows():
        if _row_empty(ws, block, row):
            continue
        tech_cell, status_cell = f"{col['technology'].column}{row}", f"{col['status'].column}{row}"
        desc_cell = f"{col['description'].column}{row}"
        label = r.text(ws, tech_cell, "技術・システム")
        status_text = r.text(ws, status_cell, "状況")
        description = r.text(ws, desc_cell, "内容")
        _required(r, ws, tech_cell, "技術・システム", bool(label))
        _required(r, ws, status_cell, "状況", bool(status_text))
        status = lo.status_of(status_text) if status_text else None
        if status_text and status is None:
            r.problem(ws.title, status_cell, "one of " + " / ".join(lo.STATUS_CHOICES), shorten(status_text),
                      "choice", "状況")
        if label and status:
            technology, tech_label = lo.technology_of(label)
            out.append(TechnologyAnswer(row, technology, tech_label, status, description, tech_cell, desc_cell))
    return out


def _answer_sheet(r: _Reader, ws: Worksheet, sheet: lo.SheetLayout) -> SheetAnswers:
    out = SheetAnswers(ws.title, sheet.theme, sheet.chapter)
    for f in sheet.fields:
        if f.kind == "stage":
            raw = r.value(ws, f.cell, f.label)
            if raw is None:
                if ws[f.cell].data_type != "f":
                    r.problem(ws.title, f.cell, f"an answer ({f.label} is required)", "an empty cell",
                              "missing_required", f.label)
                continue
            stage = lo.parse_stage(raw)
            if stage is None:
                r.problem(ws.title, f.cell, "one of " + " / ".join(lo.stage_choices()), shorten(raw), "stage", f.label)
            else:
                out.stage = (stage, f.cell)
        else:
            out.text[f.key] = (r.text(ws, f.cell, f.label, required=f.required), f.cell)
    for block in sheet.tables:
        if block.key == "metrics":
            out.metrics = _metrics(r, ws, block)
        elif block.key == "events":
            out.events = _events(r, ws, block)
        elif block.key == "technologies":
            out.technologies = _technologies(r, ws, block)
    return out


def read_workbook(path: str | Path, fiscal_year: int, members=None) -> WorkbookAnswers:
    """Read and check one returned workbook. Never raises for bad content: the problems are in
    ``answers.problems`` (an empty list means the workbook is sound)."""
    path = Path(path)
    members = reference.municipalities() if members is None else members
    answers = WorkbookAnswers(path)
    r = _Reader(answers, fiscal_year)
    answers.problems.extend(check_package(path))
    if answers.problems:
        return answers
    answers.sha256 = sha256_of(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=False, keep_links=True)
        try:
            sheets = {ws.title: Worksheet(ws.title, ws.iter_rows(max_row=MAX_READ_ROW, max_col=MAX_READ_COLUMN))
                      for ws in wb.worksheets}
        finally:
            wb.close()
    except Exception as exc:  # openpyxl raises many kinds for damaged packages
        r.problem("", "", "an Excel .xlsx workbook that openpyxl can open", f"{type(exc).__name__}: {exc}",
                  "unreadable")
        return answers
    if lo.META_SHEET not in sheets:
        r.problem("", "", f"a dxstudy survey workbook (a sheet named {lo.META_SHEET}, made by "
                          "`dxstudy survey template`)", "sheets " + ", ".join(sheets), "not_survey")
        return answers
    if not _check_meta(r, _meta(r, sheets[lo.META_SHEET]), members):
        return answers
    if lo.INSTRUCTIONS_SHEET in sheets:
        _instructions(r, sheets[lo.INSTRUCTIONS_SHEET])
    for sheet in lo.answer_sheets():
        if sheet.name not in sheets:
            r.problem(sheet.name, "", f"the sheet {sheet.name} of layout {lo.LAYOUT_VERSION}",
                      "no such sheet (sheets: " + ", ".join(sheets) + ")", "missing_sheet")
            continue
        answers.sheets[sheet.theme] = _answer_sheet(r, sheets[sheet.name], sheet)
    return answers
