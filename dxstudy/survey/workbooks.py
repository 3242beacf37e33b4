# A directory of survey workbooks read as one fiscal year: the files, each read and checked, the
# problems between workbooks, and the year's parsed tables (the raw reader of a survey year).
"""Survey workbooks → a parsed Report (the respondents' answers; no rule-derived rows).

:func:`read_survey_dir` is the survey's raw reader (``dxstudy.tables.build.RAW_READERS``); the
rule-derived rows (metrics, events, coding) are added by :mod:`dxstudy.tables.build`.
"""
from __future__ import annotations

from pathlib import Path

from dxstudy import reference
from dxstudy.survey import layout as lo
from dxstudy.survey.assemble import survey_tables
from dxstudy.survey.problems import CellProblem, SurveyValidationError
from dxstudy.survey.reading import WorkbookAnswers, read_workbook
from dxstudy.tables.store import Report

#: Files of a directory that are looked at: workbooks, and the kinds that are refused with a reason.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltm", ".xlsb", ".xls")


def workbook_files(directory: str | Path) -> list[Path]:
    """Workbook-like files of a directory (Excel lock files ``~$…`` and hidden files left out)."""
    directory = Path(directory)
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith((".", "~$")))


def other_files(directory: str | Path) -> list[CellProblem]:
    """A problem for each file of a returned folder that is not workbook-like (a CSV, .ods, PDF…):
    no file is passed over in silence. Lock files ``~$…``, hidden files and report.md are left out."""
    from dxstudy.reference.messages import message
    return [CellProblem(p.name, "", "", "an Excel .xlsx workbook",
                        message("survey.unreadable_format", file=p.name, suffix=p.suffix or "拡張子なし"), "file_type")
            for p in sorted(Path(directory).iterdir())
            if p.is_file() and p.suffix.lower() not in WORKBOOK_SUFFIXES
            and not p.name.startswith((".", "~$")) and p.name != "report.md"]


def check_workbooks(paths: list[Path], fiscal_year: int) -> list[WorkbookAnswers]:
    """Read every workbook and add the problems between workbooks (two for one municipality)."""
    members = reference.municipalities()
    answers = [read_workbook(p, fiscal_year, members) for p in paths]
    by_code: dict[str, list[WorkbookAnswers]] = {}
    for a in answers:
        if a.code:
            by_code.setdefault(a.code, []).append(a)
    for code, group in by_code.items():
        if len(group) > 1:
            for a in group:
                others = ", ".join(o.file for o in group if o is not a)
                a.problems.append(CellProblem(
                    a.file, lo.META_SHEET, a.meta_cells.get("municipality_code", ""),
                    f"one workbook per municipality ({a.name} {code})", f"also in {others}",
                    "duplicate_municipality"))
    return answers


def problems_of(answers: list[WorkbookAnswers]) -> list[CellProblem]:
    """Every problem of the workbooks read, in file order."""
    return [p for a in answers for p in a.problems]


def no_workbooks(directory: str | Path, expected: str = "survey workbooks (*.xlsx)") -> SurveyValidationError:
    """The error for a directory without a (sound) survey workbook."""
    return SurveyValidationError([CellProblem(str(directory), "", "", expected, "none", "not_survey")])


def survey_report(answers: list[WorkbookAnswers], fiscal_year: int, path: str | Path) -> Report:
    """The parsed tables of sound workbooks (see :func:`dxstudy.survey.assemble.survey_tables`)."""
    return Report(path=Path(path), fiscal_year=fiscal_year, tables=survey_tables(answers, fiscal_year))


def read_survey_dir(raw_directory: str | Path, fiscal_year: int) -> Report:
    """The raw reader of a fiscal year of survey workbooks: every workbook of ``raw_directory`` read
    into the parsed tables. Raises SurveyValidationError listing every problem when any workbook is
    not sound."""
    raw_directory = Path(raw_directory)
    answers = check_workbooks(workbook_files(raw_directory), fiscal_year)
    problems = problems_of(answers)
    if problems:
        raise SurveyValidationError(problems)
    if not answers:
        raise no_workbooks(raw_directory)
    return survey_report(answers, fiscal_year, raw_directory)
