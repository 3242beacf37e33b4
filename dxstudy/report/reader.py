# The report reader: a DX working-group report (Markdown converted from PDF) → its parsed tables
# (statements, municipalities, themes, meetings, document, lines), evidence-linked by line.
"""Reading a report file.

:func:`parse_report` is the entry point; structure checking lives in :mod:`~dxstudy.report.structure`,
sentences in :mod:`~dxstudy.report.statements`, the title page, colophon and meetings in
:mod:`~dxstudy.report.frontmatter`. The derived tables (metrics, events, coding) are added by
:func:`dxstudy.tables.build.read_report` (``dxstudy.read_report``).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from dxstudy import reference
from dxstudy.paths import data_dir_of
from dxstudy.errors import Problem, ReportFormatError
from dxstudy.report.frontmatter import (DOCUMENT_COLUMNS, MEETING_COLUMNS, is_meetings_table, parse_document,
                                        parse_meetings)
from dxstudy.inputs import check_fiscal_year
from dxstudy.report.rawtext import read_raw_text
from dxstudy.report.structure import walk
from dxstudy.report.statements import build_statements
from dxstudy.tables.store import Report

LINE_COLUMNS = ["line", "kind", "ref"]


class ReportWarning(UserWarning):
    """A problem found in lenient mode; the report was read as far as possible."""


def parse_report(path: str | Path, fiscal_year: int | None = None, *, lenient: bool = False,
                 municipalities: pd.DataFrame | None = None) -> Report:
    """Read a report file into its parsed tables: statements, municipalities, themes, meetings,
    document and lines (what every line of the file became).

    ``fiscal_year`` defaults to the one in the title (令和3年度 → 2021). ``municipalities`` defaults to
    the six members (reference table). With ``lenient=True`` structural problems are collected in
    ``report.problems`` (and issued as ``ReportWarning``) instead of raising ``ReportFormatError``.
    """
    path = Path(path)
    raw = read_raw_text(path)
    members = reference.municipalities() if municipalities is None else municipalities
    skeleton = walk(str(path), raw.lines, members, reference.themes(), reference.aspects(),
                    lenient=lenient)
    problems: list[Problem] = list(skeleton.problems)

    document, doc_fields = parse_document(skeleton.front, skeleton.colophon, source_file=path.name,
                                          sha256=raw.sha256, encoding=raw.encoding, newline=raw.newline)
    if fiscal_year is None:
        fiscal_year = document["fiscal_year"]
    if fiscal_year is None:
        first = skeleton.front[0].number if skeleton.front else 1
        problem = Problem(str(path), first, "a title with the fiscal year (e.g. 令和3年度) or an explicit fiscal_year",
                          "no fiscal year in the title")
        raise ReportFormatError.from_problem(problem)
    fiscal_year = check_fiscal_year(fiscal_year)
    document["fiscal_year"] = fiscal_year

    meetings_frames, blocks, meeting_headers = [], [], set()
    for block in skeleton.blocks:
        if block.kind == "table" and is_meetings_table(block.lines[0].text):
            frame, table_problems = parse_meetings(block.lines, str(path))
            meetings_frames.append(frame)
            meeting_headers.add(block.lines[0].number)
            problems.extend(table_problems)
            if table_problems and not lenient:
                raise ReportFormatError(path, table_problems[0].line, table_problems[0].expected,
                                        table_problems[0].found, problems)
        else:
            blocks.append(block)
    meetings = (pd.concat(meetings_frames, ignore_index=True) if meetings_frames
                else _no_meetings())
    statements = build_statements(blocks, int(fiscal_year))
    lines = _line_map(len(raw.lines), skeleton.line_kinds, statements, meetings, meeting_headers, doc_fields)

    for problem in problems:
        warnings.warn(str(problem), ReportWarning, stacklevel=2)
    tables = {
        "statements": statements,
        "municipalities": members[["code", "name_ja", "name_en", "kind"]].reset_index(drop=True),
        "themes": reference.themes()[["theme", "label_ja", "label_en", "chapter"]],
        "meetings": meetings,
        "document": pd.DataFrame([document], columns=DOCUMENT_COLUMNS).astype({"fiscal_year": "int64"}),
        "lines": lines,
    }
    return Report(path=path, fiscal_year=int(fiscal_year), tables=tables, problems=problems)


def parse_report_dir(directory: str | Path, fiscal_year: int | None = None) -> Report:
    """Parse ``report.md`` of a raw fiscal-year directory (the raw reader of report text), with the
    members of ``<data_dir>/reference/municipalities.csv`` when the data directory has one."""
    directory = Path(directory)
    return parse_report(directory / "report.md", fiscal_year,
                        municipalities=reference.municipalities(data_dir_of(directory)))


def _no_meetings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("number", "line") else "str")
                         for c in MEETING_COLUMNS})


def _line_map(n: int, kinds: dict[int, str], statements: pd.DataFrame, meetings: pd.DataFrame,
              meeting_headers: set[int], doc_fields: dict[int, str]) -> pd.DataFrame:
    """What every line of the raw file became: ``kind`` (statement, meeting, meeting_header, document,
    heading, toc, blank, rule, figure) and ``ref`` (statement ids, meeting number or document field)."""
    refs: dict[int, list[str]] = {}
    for sid, start, end in statements[["statement_id", "line_start", "line_end"]].itertuples(index=False):
        for line in range(start, end + 1):
            refs.setdefault(line, []).append(sid)
    meeting_lines = dict(zip(meetings["line"], meetings["number"]))
    rows = []
    for line in range(1, n + 1):
        if kinds.get(line) == "blank":
            rows.append((line, "blank", ""))
        elif line in refs:
            rows.append((line, "statement", " ".join(refs[line])))
        elif line in meeting_lines:
            rows.append((line, "meeting", str(meeting_lines[line])))
        elif line in doc_fields:
            rows.append((line, "document", doc_fields[line]))
        elif line in meeting_headers:
            rows.append((line, "meeting_header", ""))
        else:
            rows.append((line, kinds.get(line, "unplaced"), ""))
    return pd.DataFrame(rows, columns=LINE_COLUMNS).astype({"line": "int64"})
