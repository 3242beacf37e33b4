"""Hostile and broken survey workbooks: a filled FY2022 workbook with answer cells, sheets, _meta and
bytes changed either reads into tables where every filled answer has a statement, or raises
SurveyValidationError whose problems name the file (and sheet and cell); never another exception.

Bounded for the test suite (each example saves a workbook: about a second); ``DXSTUDY_FUZZ=long``
runs many more (see docs/reliability.md).
"""
from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from dxstudy.survey import layout as lo
from dxstudy.survey.workbooks import read_survey_dir
from dxstudy.survey.problems import RULES, SurveyValidationError
from dxstudy.text.normalize import normalize
from survey_fixtures import answered
from test_fuzz_reader import NASTY_TEXT, fuzz_settings

CODE = "112224"
CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")


def answer_cells() -> list[tuple[str, str]]:
    """(sheet, cell) of every answer cell of the layout: single fields and every cell of the tables."""
    cells = [(lo.INSTRUCTIONS_SHEET, f.cell) for f in lo.INSTRUCTION_FIELDS]
    for sheet in lo.answer_sheets():
        cells += [(sheet.name, f.cell) for f in sheet.fields]
        cells += [(sheet.name, f"{c.column}{row}") for block in sheet.tables for row in block.rows()
                  for c in block.columns]
    return cells


ANSWER_CELLS = answer_cells()
CHOICES = (lo.stage_choices() + list(lo.STATUS_CHOICES) + list(lo.technology_choices().iloc[:, 0].astype(str))[:5]
           + ["令和4年4月", "2022-04", "FY2022", "令和4年2月30日", "2022-13", "R4.4.1", "0", "-1", "1e308", "１２３"])
VALUE = st.one_of(
    NASTY_TEXT.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),   # openpyxl cannot write the rest
    st.sampled_from(CHOICES),
    st.integers(-10**15, 10**15),
    st.floats(),                                                   # nan and inf included
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)),
    st.booleans(),
    st.sampled_from(["=1+1", "=A1", '=HYPERLINK("http://example.invalid","x")', "=", "'=1+1", "@SUM(A1)"]),
    st.sampled_from(["あ" * 40_000, "A " * 20_000, "。\n" * 5_000, "_x0000_", "_x001B_[31m"]),
    st.none(),
)
META_KEYS = list(lo.META_KEYS)
MUTATION = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(ANSWER_CELLS), VALUE),
    st.tuples(st.just("delete_sheet"), st.sampled_from(lo.sheet_names())),
    st.tuples(st.just("rename_sheet"), st.sampled_from(lo.sheet_names()), st.sampled_from(["x", "Sheet1", "_meta2"])),
    st.tuples(st.just("meta"), st.sampled_from(META_KEYS), VALUE),
)
BYTE_DAMAGE = st.one_of(
    st.none(),
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.binary(min_size=1, max_size=8)),
    st.just(("empty",)),
)


def mutate(path: Path, mutations) -> None:
    wb = load_workbook(path)
    for op, *args in mutations:
        if op == "set" and args[0][0] in wb.sheetnames:
            wb[args[0][0]][args[0][1]] = args[1]
        elif op == "delete_sheet" and args[0] in wb.sheetnames and len(wb.sheetnames) > 1:
            del wb[args[0]]
        elif op == "rename_sheet" and args[0] in wb.sheetnames and args[1] not in wb.sheetnames:
            wb[args[0]].title = args[1]
        elif op == "meta" and lo.META_SHEET in wb.sheetnames:
            ws = wb[lo.META_SHEET]
            for row in range(1, 60):
                if ws[f"A{row}"].value == args[0]:
                    ws[f"B{row}"] = args[1]
    wb.save(path)
    wb.close()


def damage(path: Path, how) -> None:
    if how is None:
        return
    data = path.read_bytes()
    if how[0] == "empty":
        data = b""
    elif how[0] == "truncate":
        data = data[:how[1] % (len(data) + 1)]
    else:
        at = how[1] % (len(data) + 1)
        data = data[:at] + how[2] + data[at:]
    path.write_bytes(data)


def filled(value) -> bool:
    return value is not None and (not isinstance(value, str) or bool(normalize(value)))


def check_read(directory: Path, workbook: Path) -> None:
    """Every filled answer has a statement, or every problem names the file and a sheet and cell."""
    try:
        report = read_survey_dir(directory, 2022)
    except SurveyValidationError as err:
        assert err.problems
        for p in err.problems:
            assert p.file == workbook.name and p.expected and p.found and p.rule in RULES, p
            assert not p.cell or (p.sheet and CELL.match(p.cell)), p
        return
    st_ = report.statements
    assert st_["statement_id"].is_unique
    placed = {(s, c) for s, c in zip(st_["sheet"], st_["cell"])}
    rows = {(s, int(re.sub(r"\D", "", c))) for s, c in placed}
    wb = load_workbook(workbook, read_only=True)
    try:
        for sheet in lo.answer_sheets():
            ws = wb[sheet.name]
            for f in sheet.fields:
                if filled(ws[f.cell].value):
                    assert (sheet.name, f.cell) in placed, (sheet.name, f.cell, ws[f.cell].value)
            for block in sheet.tables:
                for row in block.rows():
                    if any(filled(ws[f"{c.column}{row}"].value) for c in block.columns):
                        assert (sheet.name, row) in rows, (sheet.name, block.key, row)
    finally:
        wb.close()


@pytest.fixture(scope="module")
def filled_workbook(tmp_path_factory) -> Path:
    return answered(tmp_path_factory, CODE)


def test_the_filled_workbook_reads_with_every_answer_placed(filled_workbook):
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / filled_workbook.name
        shutil.copyfile(filled_workbook, target)
        check_read(Path(tmp), target)


@fuzz_settings(6, 400)
@given(mutations=st.lists(MUTATION, min_size=1, max_size=6), how=BYTE_DAMAGE)
def test_mutated_workbook_reads_or_names_file_sheet_and_cell(filled_workbook, mutations, how):
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / filled_workbook.name
        shutil.copyfile(filled_workbook, target)
        mutate(target, mutations)
        damage(target, how)
        check_read(Path(tmp), target)


def test_a_byte_inserted_into_the_zip_is_an_unreadable_workbook(filled_workbook):
    """Found by the long fuzz run: a byte inserted inside the zip's central directory. zipfile.is_zipfile
    still finds the end record, zipfile.ZipFile raises BadZipFile out of read_survey_dir."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / filled_workbook.name
        data = filled_workbook.read_bytes()
        at = data.index(b"PK\x01\x02") + 1                 # inside the first central directory entry
        target.write_bytes(data[:at] + b"\x00" + data[at:])
        with pytest.raises(SurveyValidationError) as info:
            read_survey_dir(Path(tmp), 2022)
        assert [p.rule for p in info.value.problems] == ["unreadable"]
