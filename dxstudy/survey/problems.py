# What can be wrong with a returned survey workbook: one CellProblem per finding (file, sheet, cell,
# expected, found), gathered into a SurveyValidationError so that every problem is reported at once.
from __future__ import annotations

from dataclasses import dataclass

from dxstudy.errors import DxstudyError

#: Rules a problem can break (``CellProblem.rule``), documented in docs/survey.md.
RULES = {
    "file_type": "not a macro-free .xlsx workbook (.xlsm, .xls, renamed file, embedded objects)",
    "unreadable": "not a readable Excel workbook",
    "external_links": "links to other workbooks or external data sources",
    "too_large": "a file over the size limits (reading.MAX_WORKBOOK_BYTES, MAX_UNPACKED_BYTES)",
    "not_survey": "not a dxstudy survey workbook (no _meta sheet)",
    "layout_version": "workbook of another layout version",
    "fiscal_year": "workbook of another fiscal year",
    "unknown_municipality": "municipality code not one of the members",
    "duplicate_municipality": "two workbooks for the same municipality",
    "missing_sheet": "a sheet of the layout is missing",
    "stage": "a stage that is not one of the four",
    "not_numeric": "a value that is not a number",
    "impossible_date": "a date that does not exist or cannot be read",
    "missing_required": "a required answer left empty",
    "formula": "a formula where a typed value is expected",
    "choice": "a value that is not one of the drop-down choices",
    "raw_conflict": "a different file of the same name is already in data/raw",
}


def shorten(value, limit: int = 40) -> str:
    """A cell value as it appears in a message: quoted, one line, at most ``limit`` characters."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "an empty cell"
    text = str(value).replace("\r", " ").replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"「{text}」" if isinstance(value, str) else text


@dataclass(frozen=True)
class CellProblem:
    """One problem of a workbook: ``file`` (name), ``sheet`` and ``cell`` ("" when the whole file
    is at fault), ``field`` (the Japanese name of the answer), ``expected``, ``found`` and the
    ``rule`` it breaks (a key of ``RULES``)."""

    file: str
    sheet: str
    cell: str
    expected: str
    found: str
    rule: str
    field: str = ""

    @property
    def place(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.cell:
            where += f" {self.cell}"
        if self.field:
            where += f" ({self.field})"
        return where

    def __str__(self) -> str:
        return f"{self.place}: expected {self.expected}, found {self.found}"


class SurveyValidationError(DxstudyError, ValueError):
    """Returned workbooks that cannot be read as they are. ``problems`` lists every problem found
    (all files, all cells), each naming file, sheet and cell."""

    def __init__(self, problems: list[CellProblem]):
        self.problems = list(problems)
        files = sorted({p.file for p in self.problems})
        head = (f"{len(self.problems)} problem(s) in {len(files)} survey workbook(s); nothing was "
                f"written (fix them, or use --lenient to write the sound workbooks):")
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))
