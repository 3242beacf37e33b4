# Intake of returned survey workbooks: validate them all (every problem at once), copy the sound
# ones unchanged into data/raw/FY{year}/ and write data/processed/FY{year}/ (through
# dxstudy.tables.build, the one writer) — or write nothing.
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dxstudy import reference
from dxstudy.inputs import check_fiscal_year
from dxstudy.paths import processed_dir, raw_dir
from dxstudy.survey.problems import CellProblem, SurveyValidationError
from dxstudy.survey.workbooks import (check_workbooks, no_workbooks, other_files, problems_of,
                                      survey_report, workbook_files)
from dxstudy.tables.build import SURVEY_WORKBOOKS, write_processed
from dxstudy.tables.store import sha256_of

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
    conflicts: list[CellProblem] = other_files(src_dir)
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
        raise no_workbooks(src_dir)
    answers = check_workbooks(paths, fiscal_year)
    problems = conflicts + problems_of(answers)
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
        raise SurveyValidationError(problems) if problems else no_workbooks(src_dir, "a sound survey workbook")
    report = SURVEY_WORKBOOKS.complete(survey_report(sound, fiscal_year, raw), data_dir)
    raw.mkdir(parents=True, exist_ok=True)
    for a in sound:
        if a.path in to_copy:
            target = raw / a.path.name
            _copy(a.path, target)
            result.copied.append(target)
    write_processed(report, data_dir)
    result.tables = {k: len(v) for k, v in report.tables.items()}
    return result
