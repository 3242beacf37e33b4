# Intake of returned survey workbooks: validate them all (every problem at once), copy the sound
# ones unchanged into data/raw/FY{year}/ and write data/processed/FY{year}/ — or write nothing.
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dxstudy import reference
from dxstudy.inputs import check_fiscal_year
from dxstudy.survey import layout as lo
from dxstudy.survey.assemble import survey_tables
from dxstudy.survey.problems import CellProblem, SurveyValidationError
from dxstudy.survey.reading import WorkbookAnswers, read_workbook
from dxstudy.paths import data_dir_of, processed_dir, raw_dir
from dxstudy.tables.store import Report, sha256_of, write_tables

#: Files of a directory that are looked at: workbooks, and the kinds that are refused with a reason.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltm", ".xlsb", ".xls")


def workbook_files(directory: str | Path) -> list[Path]:
    """Workbook-like files of a directory (Excel lock files ``~$…`` and hidden files left out)."""
    directory = Path(directory)
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith((".", "~$")))


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


def _problems(answers: list[WorkbookAnswers]) -> list[CellProblem]:
    return [p for a in answers for p in a.problems]


def read_survey_dir(raw_directory: str | Path, fiscal_year: int) -> Report:
    """The raw reader of a fiscal year of survey workbooks (``dxstudy.tables.build.RAW_READERS``): every
    workbook of ``raw_directory`` read into tables (analyst overrides from ``<data>/overrides/`` when
    the directory is ``<data>/raw/FY{year}/``). Raises SurveyValidationError listing every
    problem when any workbook is not sound."""
    raw_directory = Path(raw_directory)
    answers = check_workbooks(workbook_files(raw_directory), fiscal_year)
    problems = _problems(answers)
    if problems:
        raise SurveyValidationError(problems)
    if not answers:
        raise SurveyValidationError([CellProblem(str(raw_directory), "", "", "survey workbooks (*.xlsx)",
                                                 "none", "not_survey")])
    data_dir = data_dir_of(raw_directory)
    return Report(path=raw_directory, fiscal_year=fiscal_year, tables=survey_tables(answers, fiscal_year, data_dir))


@dataclass
class IngestResult:
    """What ``ingest`` did: workbooks ``copied`` into raw, ``already_there`` (identical files),
    ``rejected`` problems (lenient runs only), ``missing`` members without a workbook, the
    processed ``out_dir`` and its ``tables`` (name → rows)."""

    fiscal_year: int
    raw_dir: Path
    out_dir: Path
    copied: list[Path] = field(default_factory=list)
    already_there: list[Path] = field(default_factory=list)
    workbooks: list[str] = field(default_factory=list)
    rejected: list[CellProblem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    test_data: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"FY{self.fiscal_year}: {len(self.workbooks)} workbook(s) read → {self.out_dir}",
                 f"  raw: {len(self.copied)} copied into {self.raw_dir}, {len(self.already_there)} already there"]
        lines.append("  tables: " + "  ".join(f"{k} {v}" for k, v in self.tables.items()))
        if self.missing:
            lines.append("  note: no workbook for " + ", ".join(self.missing))
        if self.test_data:
            lines.append("  note: marked as test data: " + ", ".join(self.test_data))
        if self.rejected:
            files = sorted({p.file for p in self.rejected})
            lines.append(f"  rejected (--lenient): {len(files)} workbook(s) not written, {len(self.rejected)} problem(s):")
            lines.extend(f"    {p}" for p in self.rejected)
        return "\n".join(lines)


def _copy(src: Path, target: Path) -> None:
    """Copy byte for byte through a temporary file, so raw never holds half a workbook."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ingest(src_dir: str | Path, fiscal_year: int, data_dir: str | Path = "data", *,
           lenient: bool = False, check_only: bool = False) -> IngestResult:
    """Validate the workbooks of ``src_dir`` together with those already in
    ``data_dir/raw/FY{year}/``, copy the new ones there unchanged and write the year's tables to
    ``data_dir/processed/FY{year}/``.

    Any problem → SurveyValidationError with every problem and nothing written. ``lenient`` writes
    the sound workbooks (copies and tables) and lists the problems of the others in
    ``result.rejected``. A raw file is never overwritten: a different file of the same name is a
    problem. ``check_only`` validates and writes nothing.
    """
    fiscal_year = check_fiscal_year(fiscal_year)
    src_dir, raw = Path(src_dir), raw_dir(fiscal_year, data_dir)
    if not src_dir.is_dir():
        raise SurveyValidationError([CellProblem(str(src_dir), "", "", "a directory of returned workbooks",
                                                 "no such directory", "not_survey")])
    result = IngestResult(fiscal_year, raw, processed_dir(fiscal_year, data_dir))
    incoming = workbook_files(src_dir)
    existing = workbook_files(raw) if raw.is_dir() else []
    conflicts: list[CellProblem] = []
    to_copy: list[Path] = []
    same_dir = raw.is_dir() and src_dir.resolve() == raw.resolve()
    for src in incoming if not same_dir else []:
        target = raw / src.name
        if target.exists():
            if sha256_of(target) == sha256_of(src):
                result.already_there.append(target)
            else:
                conflicts.append(CellProblem(src.name, "", "", f"a new file name, or the same content as {target} "
                                             "(raw data is never overwritten: move the old file out first)",
                                             "a different file of the same name in data/raw", "raw_conflict"))
        else:
            to_copy.append(src)
    if (raw / "report.md").exists():
        conflicts.append(CellProblem(str(raw / "report.md"), "", "", "only survey workbooks in " + str(raw),
                                     "a report text too (the year would be read from it)", "not_survey"))
    paths = [p for p in existing] + to_copy
    if not paths and not conflicts:
        raise SurveyValidationError([CellProblem(str(src_dir), "", "", "survey workbooks (*.xlsx)",
                                                 "none", "not_survey")])
    answers = check_workbooks(paths, fiscal_year)
    problems = conflicts + _problems(answers)
    if problems and not lenient:
        raise SurveyValidationError(problems)
    sound = [a for a in answers if a.sound]
    result.rejected = problems
    result.workbooks = [a.file for a in sound]
    result.test_data = [a.file for a in sound if a.test_data]
    present = {a.code for a in sound}
    members = reference.municipalities()
    result.missing = [f"{n} ({c})" for c, n in zip(members["code"], members["name_ja"]) if c not in present]
    if check_only:
        return result
    if not sound:
        raise SurveyValidationError(problems or [CellProblem(str(src_dir), "", "", "a sound survey workbook",
                                                             "none", "not_survey")])
    tables = survey_tables(sound, fiscal_year, data_dir)
    raw.mkdir(parents=True, exist_ok=True)
    for a in sound:
        if a.path in to_copy:
            target = raw / a.path.name
            _copy(a.path, target)
            result.copied.append(target)
    write_tables(tables, result.out_dir)
    result.tables = {k: len(v) for k, v in tables.items()}
    return result
