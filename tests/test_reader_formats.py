# Which report files a fiscal year may hold and which formats read_report accepts:
# one report file per year, and a clear Japanese error naming the file for a format not read.
from pathlib import Path

import pytest

from dxstudy.errors import FileContentError
from dxstudy.tables.build import raw_inputs, read_report


def test_two_report_files_for_one_year_is_an_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw" / "FY2021"
    raw.mkdir(parents=True)
    (raw / "report.md").write_text("# x\n", encoding="utf-8")
    (raw / "report.pdf").write_bytes(b"%PDF-1.4\n")
    with pytest.raises(FileContentError) as caught:
        raw_inputs(2021, tmp_path)
    assert "report.md" in str(caught.value) and "report.pdf" in str(caught.value)
    assert "複数" in str(caught.value)


def test_word_97_file_is_a_clear_error_naming_it(tmp_path: Path) -> None:
    doc = tmp_path / "report.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FileContentError) as caught:
        read_report(doc, 2021)
    assert str(doc) in str(caught.value) and ".doc" in str(caught.value)
