"""Malformed reports are read as far as they are sound, then stop with a ReportFormatError naming the
file, the line, what was expected and what was found; lenient mode collects the problems instead."""
import subprocess
import sys
import warnings

import pytest

from dxstudy import ReportFormatError
from dxstudy.report.reader import parse_report
from dxstudy.report.reader import ReportWarning
from reader_fixtures import line_index, report_lines, write_variant


def error_for(tmp_path, lines) -> ReportFormatError:
    path = write_variant(tmp_path, lines)
    with pytest.raises(ReportFormatError) as info:
        parse_report(path)
    err = info.value
    assert err.path == str(path) and str(path) in str(err)
    return err


def test_missing_municipality_section(tmp_path):
    lines = report_lines()
    start = line_index(lines, "3.1.4 三郷市")
    end = line_index(lines, "3.1.5 吉川市")
    del lines[start:end]
    err = error_for(tmp_path, lines)
    assert err.line == start + 1
    assert "section 3.1.4" in err.expected and "'3.1.5 吉川市'" in err.found


def test_missing_last_municipality_of_a_part(tmp_path):
    lines = report_lines()
    start = line_index(lines, "3.1.6 松伏町")
    end = line_index(lines, "3.2 課題")
    del lines[start:end]
    err = error_for(tmp_path, lines)
    assert err.line == start + 1
    assert "3.1.6 for 松伏町" in err.expected and "3.2 課題" in err.found


def test_duplicated_municipality_section(tmp_path):
    lines = report_lines()
    i = line_index(lines, "2.1.4 三郷市")
    lines[i] = "#### 2.1.4 八潮市"
    err = error_for(tmp_path, lines)
    assert err.line == i + 1
    assert "八潮市 already has a section in 2.1" in err.expected


def test_out_of_order_municipality_sections(tmp_path):
    lines = report_lines()
    a, b = line_index(lines, "1.2.2 越谷市"), line_index(lines, "1.2.3 八潮市")
    c = line_index(lines, "1.2.4 三郷市")
    lines[a:c] = lines[b:c] + lines[a:b]
    err = error_for(tmp_path, lines)
    assert err.line == a + 1
    assert "section 1.2.2" in err.expected and "1.2.3 八潮市" in err.found


def test_unknown_municipality_name(tmp_path):
    lines = report_lines()
    i = line_index(lines, "2.2.5 吉川市")
    lines[i] = "### 2.2.5 川口市"
    err = error_for(tmp_path, lines)
    assert err.line == i + 1
    assert "member municipality" in err.expected and "川口市" in err.found


def test_truncated_file(tmp_path):
    lines = report_lines()[:298]          # ends inside 3.1.1 草加市
    err = error_for(tmp_path, lines)
    assert err.line == 298
    assert err.found == "the end of the file"
    assert "section 3.1.2 for 越谷市" in err.expected


def test_wrong_chapter_title(tmp_path):
    lines = report_lines()
    i = line_index(lines, "第3章 テレワークの推進")
    lines[i] = "## 第3章 在宅勤務"
    err = error_for(tmp_path, lines)
    assert err.line == i + 1 and "第3章 テレワークの推進" in err.expected


def test_empty_file(tmp_path):
    err = error_for(tmp_path, [""])
    assert err.found == "an empty file"


def test_invalid_bytes_name_the_line(tmp_path):
    data = "\n".join(report_lines()).encode("utf-8")
    cut = data.index("八潮市".encode()) + 1           # inside a multibyte character
    path = tmp_path / "report.md"
    path.write_bytes(data[:cut] + b"\xff\xfe\xfd" + data[cut:])
    with pytest.raises(ReportFormatError) as info:
        parse_report(path)
    assert info.value.line == data[:cut].count(b"\n") + 1
    assert "UTF-8" in info.value.expected and "CP932" in info.value.expected


def test_lenient_mode_collects_problems_and_goes_on(tmp_path):
    lines = report_lines()
    i = line_index(lines, "2.2.5 吉川市")
    lines[i] = "### 2.2.5 川口市"
    path = write_variant(tmp_path, lines)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = parse_report(path, lenient=True)
    first, second = report.problems
    assert first.line == i + 1 and "川口市" in first.found
    assert second.line == line_index(lines, "第3章 テレワークの推進") + 1
    assert second.expected == "a section for 吉川市 in 2.2"
    assert any(issubclass(w.category, ReportWarning) for w in caught)
    assert (report.statements["section"] == "3.2.6").any()


def test_cli_reports_bad_input_on_stderr_without_traceback(tmp_path):
    path = write_variant(tmp_path, report_lines()[:200])
    proc = subprocess.run([sys.executable, "-m", "dxstudy.cli", "parse", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 2          # stopped: an input dxstudy refuses (dxstudy.cli docstring)
    assert proc.stderr.startswith("dxstudy: error: ") and f"{path}:200:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
