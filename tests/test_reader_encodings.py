"""The same report saved as CP932, with a BOM, with CRLF, or with the Markdown markers stripped reads
into the same statements."""
import re

import pytest

from dxstudy.report.reader import parse_report
from reader_fixtures import FY2021, fy2021

KEY = ["section", "theme", "aspect", "municipality_code", "kind", "text", "line_start", "line_end"]


def same_statements(report) -> None:
    expected = fy2021().statements[KEY].reset_index(drop=True)
    got = report.statements[KEY].reset_index(drop=True)
    assert got.equals(expected)


@pytest.mark.parametrize("encoding,bom,newline", [
    ("cp932", b"", "\n"),
    ("utf-8", b"\xef\xbb\xbf", "\n"),
    ("utf-8", b"", "\r\n"),
    ("cp932", b"", "\r\n"),
    ("utf-8", b"\xef\xbb\xbf", "\r\n"),
])
def test_encodings_and_newlines_read_the_same(tmp_path, encoding, bom, newline):
    text = FY2021.read_text(encoding="utf-8").replace("\n", newline)
    path = tmp_path / "report.md"
    path.write_bytes(bom + text.encode(encoding))
    report = parse_report(path)
    same_statements(report)
    assert report.document["encoding"].iloc[0] == ("cp932" if encoding == "cp932" else
                                                   "utf-8-sig" if bom else "utf-8")
    assert report.document["newline"].iloc[0] == ("CRLF" if newline == "\r\n" else "LF")


def test_markdown_markers_stripped_reads_the_same(tmp_path):
    lines = []
    for line in FY2021.read_text(encoding="utf-8").split("\n"):
        line = re.sub(r"^#{1,6}\s*", "", line)
        line = re.sub(r"^- ", "", line)
        line = line.replace("**", "").replace("<b>", "").replace("</b>", "")
        lines.append("" if line.strip() == "---" else line)
    path = tmp_path / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    same_statements(parse_report(path))


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "report.md"
    path.write_bytes(FY2021.read_text(encoding="utf-8").encode("utf-16"))
    same_statements(parse_report(path))
