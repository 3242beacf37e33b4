# Reading the cells of a survey workbook: the grid of one sheet (formulas visible), and typed values
# (text, number, date) with a problem recorded for each cell that does not hold what it should.
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from dxstudy.survey.problems import CellProblem, shorten
from dxstudy.text.dates import InvalidDateError, parse_date

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


class CellReader:
    """Reads typed values from the cells of one workbook (``file``, a survey of ``fiscal_year``) and
    records what is wrong with them in ``problems`` instead of raising."""

    def __init__(self, file: str, fiscal_year: int, problems: list[CellProblem]):
        self.file = file
        self.fiscal_year = fiscal_year
        self.problems = problems

    def problem(self, sheet: str, cell: str, expected: str, found: str, rule: str, label: str = "") -> None:
        """Record one problem of this workbook."""
        self.problems.append(CellProblem(self.file, sheet, cell, expected, found, rule, label))

    def filled(self, ws: Worksheet, cell: str) -> bool:
        """Whether the cell holds anything but blanks."""
        v = ws[cell].value
        return v is not None and not (isinstance(v, str) and not v.strip())

    def missing(self, ws: Worksheet, cell: str, expected: str, label: str) -> None:
        """An empty required cell (a formula cell already has its own problem)."""
        if ws[cell].data_type != "f":
            self.problem(ws.title, cell, expected, "an empty cell", "missing_required", label)

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
            if required:
                self.missing(ws, cell, f"an answer ({label} is required)", label)
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
