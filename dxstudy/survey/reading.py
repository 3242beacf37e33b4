# Reads one returned survey workbook (formulas visible, data_only=False) into answers, collecting
# every problem (file, sheet, cell, expected, found) instead of stopping at the first.
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from dxstudy import reference
from dxstudy.survey import layout as lo
from dxstudy.survey.answers import SheetAnswers, read_answer_sheet
from dxstudy.survey.cells import CellReader, Worksheet
from dxstudy.survey.problems import CellProblem, shorten
from dxstudy.tables.store import sha256_of

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


def _meta(a: WorkbookAnswers, ws: Worksheet) -> dict[str, object]:
    values = {}
    for row in range(1, 60):
        key = ws[f"A{row}"].value
        if isinstance(key, str) and key.strip() in lo.META_KEYS:
            values[key.strip()] = ws[f"B{row}"].value
            a.meta_cells[key.strip()] = f"B{row}"
    return values


def _check_meta(r: CellReader, a: WorkbookAnswers, meta: dict[str, object], members) -> bool:
    """Checks _meta; False when the workbook cannot be read further (another format, version or
    year, or an unknown municipality)."""
    sheet = lo.META_SHEET
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


def _instructions(r: CellReader, a: WorkbookAnswers, ws: Worksheet) -> None:
    for f in lo.INSTRUCTION_FIELDS:
        if f.key != "municipality":
            a.instructions[f.key] = r.text(ws, f.cell, f.label)


def read_workbook(path: str | Path, fiscal_year: int, members=None) -> WorkbookAnswers:
    """Read and check one returned workbook. Never raises for bad content: the problems are in
    ``answers.problems`` (an empty list means the workbook is sound)."""
    path = Path(path)
    members = reference.municipalities() if members is None else members
    answers = WorkbookAnswers(path)
    r = CellReader(answers.file, fiscal_year, answers.problems)
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
    if not _check_meta(r, answers, _meta(answers, sheets[lo.META_SHEET]), members):
        return answers
    if lo.INSTRUCTIONS_SHEET in sheets:
        _instructions(r, answers, sheets[lo.INSTRUCTIONS_SHEET])
    for sheet in lo.answer_sheets():
        if sheet.name not in sheets:
            r.problem(sheet.name, "", f"the sheet {sheet.name} of layout {lo.LAYOUT_VERSION}",
                      "no such sheet (sheets: " + ", ".join(sheets) + ")", "missing_sheet")
            continue
        answers.sheets[sheet.theme] = read_answer_sheet(r, sheets[sheet.name], sheet)
    return answers
