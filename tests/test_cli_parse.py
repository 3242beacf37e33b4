"""`dxstudy parse` writes one CSV per table (UTF-8 with BOM) and tables.xlsx, and prints a summary."""
import subprocess
import sys

import openpyxl
import pandas as pd

from dxstudy.cli import main
from dxstudy.tables.store import read_tables
from reader_fixtures import FY2021


def test_parse_writes_csv_with_bom_and_xlsx(tmp_path, capsys):
    out = tmp_path / "FY2021"
    assert main(["parse", str(FY2021), "--out", str(out)]) == 0
    for name in ("statements", "municipalities", "themes", "meetings", "document", "lines"):
        assert (out / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name
    book = openpyxl.load_workbook(out / "tables.xlsx", read_only=True)
    assert {"statements", "municipalities", "themes", "meetings", "document"} <= set(book.sheetnames)
    sheet = book["statements"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:3] == ["statement_id", "fiscal_year", "section"]
    assert sheet.max_row == len(pd.read_csv(out / "statements.csv", encoding="utf-8-sig")) + 1
    summary = capsys.readouterr().out
    assert "statements: 201" in summary and "coverage: " in summary and "越谷市" in summary


def test_tables_read_back_keep_codes_as_text(tmp_path):
    out = tmp_path / "FY2021"
    main(["parse", str(FY2021), "--out", str(out)])
    tables = read_tables(out)
    assert tables["municipalities"]["code"].tolist()[0] == "112216"
    st = tables["statements"]
    assert st.loc[st["municipality"] == "越谷市", "municipality_code"].iloc[0] == "112224"
    assert st["line_start"].dtype.kind == "i"


def test_rewriting_replaces_the_directory_whole(tmp_path):
    out = tmp_path / "FY2021"
    main(["parse", str(FY2021), "--out", str(out)])
    (out / "stale.csv").write_text("old", encoding="utf-8")
    main(["parse", str(FY2021), "--out", str(out)])
    assert not (out / "stale.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_help_lists_the_commands():
    proc = subprocess.run([sys.executable, "-m", "dxstudy.cli", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "parse" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "dxstudy.cli", "parse", "--help"], capture_output=True, text=True)
    assert "--fiscal-year" in proc.stdout and "CP932" in proc.stdout


def test_build_processed_reads_the_raw_directory_of_a_fiscal_year(tmp_path):
    from dxstudy.tables.build import build_processed
    from dxstudy.tables.store import load_tables

    (tmp_path / "raw" / "FY2021").mkdir(parents=True)
    (tmp_path / "raw" / "FY2021" / "report.md").write_bytes(FY2021.read_bytes())
    result = build_processed(2021, tmp_path)
    assert result["inputs"][0]["sha256"] == load_tables(2021, tmp_path).document["sha256"].iloc[0]
    assert {"statements", "metrics", "events"} <= set(load_tables(2021, tmp_path).tables)


def test_build_processed_names_a_missing_raw_directory(tmp_path):
    import pytest
    from dxstudy.errors import DxstudyError
    from dxstudy.tables.build import build_processed

    with pytest.raises(DxstudyError, match=r"raw/FY2022: expected the raw data of FY2022"):
        build_processed(2022, tmp_path)


def test_overrides_under_the_data_directory_are_applied(tmp_path):
    from dxstudy.tables.build import build_processed
    from dxstudy.tables.store import load_tables

    (tmp_path / "raw" / "FY2021").mkdir(parents=True)
    (tmp_path / "raw" / "FY2021" / "report.md").write_bytes(FY2021.read_bytes())
    (tmp_path / "overrides" / "FY2021").mkdir(parents=True)
    (tmp_path / "overrides" / "FY2021" / "stages.csv").write_text(
        "municipality_code,theme,stage,reason\n112348,planning,2,テスト用の上書き\n", encoding="utf-8")
    build_processed(2021, tmp_path)
    stages = load_tables(2021, tmp_path).stages.set_index(["municipality_code", "theme"])
    assert stages.loc[("112348", "planning"), "stage"] == 2
    assert stages.loc[("112348", "planning"), "source"] == "override"
    assert stages.loc[("112224", "planning"), "source"] == "rules"
