"""Formula injection: text cells that a spreadsheet would run are neutralized in CSV and XLSX, the
tables in memory keep the original, and reading back restores it."""
import csv

import openpyxl
import pandas as pd
import pytest

from dxstudy.tables.cellsafe import neutralize, restore
from dxstudy.tables.store import read_tables, write_tables

PAYLOADS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "'=already"]


@pytest.mark.parametrize("text", PAYLOADS)
def test_neutralize_is_reversed_by_restore(text):
    assert neutralize(text).startswith("'")
    assert restore(neutralize(text)) == text


def test_plain_text_and_numbers_are_untouched():
    assert neutralize("048-963-9112") == "048-963-9112"
    assert neutralize("越谷市") == "越谷市" and neutralize(-3) == -3


def test_written_files_hold_neutralized_text_and_memory_keeps_the_original(tmp_path):
    frame = pd.DataFrame({"text": PAYLOADS, "n": range(len(PAYLOADS))})
    write_tables({"statements": frame}, tmp_path / "out")
    assert list(frame["text"]) == PAYLOADS
    with open(tmp_path / "out" / "statements.csv", encoding="utf-8-sig", newline="") as f:
        cells = [row[0] for row in csv.reader(f)][1:]
    assert cells == ["'" + text for text in PAYLOADS]
    sheet = openpyxl.load_workbook(tmp_path / "out" / "tables.xlsx")["statements"]
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(PAYLOADS))]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)
    assert list(read_tables(tmp_path / "out")["statements"]["text"]) == PAYLOADS
