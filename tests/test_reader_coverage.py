"""Nothing lost: every content line of the FY2021 report is placed, and the statements of a paragraph
put together give back exactly the text of its lines."""
import re

from dxstudy.text.normalize import compact, strip_inline_markup
from reader_fixtures import fy2021, report_lines

CONTENT_KINDS = {"statement", "meeting", "meeting_header", "document"}
NON_CONTENT = {"blank", "heading", "toc", "rule", "figure"}


def test_every_line_is_accounted_for():
    lines = fy2021().lines
    assert list(lines["line"]) == list(range(1, 528))
    assert set(lines["kind"]) <= CONTENT_KINDS | NON_CONTENT
    assert "unplaced" not in set(lines["kind"])


def test_every_non_blank_line_that_is_not_structure_is_content():
    raw = report_lines()
    for row in fy2021().lines.itertuples():
        text = raw[row.line - 1]
        if row.kind in ("blank",):
            assert not compact(strip_inline_markup(text)), row.line
        elif row.kind == "statement":
            assert compact(text), row.line


def test_each_content_line_belongs_to_one_paragraph():
    st = fy2021().statements
    owner: dict[int, int] = {}
    lines = fy2021().lines.set_index("line")["kind"]
    for row in st.itertuples():
        for line in range(row.line_start, row.line_end + 1):
            if lines[line] == "blank":
                continue
            assert owner.setdefault(line, row.paragraph_id) == row.paragraph_id, line


def test_statements_of_a_paragraph_reassemble_its_lines():
    raw = report_lines()
    st = fy2021().statements
    for paragraph_id, rows in st.groupby("paragraph_id"):
        start, end = rows["line_start"].min(), rows["line_end"].max()
        source = "".join(strip_inline_markup(re.sub(r"^#+\s*|^\s*- ", "", raw[i - 1])) for i in range(start, end + 1))
        assert compact("".join(rows["text_raw"])) == compact(source).lstrip("・"), paragraph_id


def test_meetings_and_document_own_their_lines():
    kinds = fy2021().lines.set_index("line")["kind"]
    assert [kinds[i] for i in (57, 58, 61)] == ["meeting_header", "meeting", "meeting"]
    assert {kinds[i] for i in (3, 11, 37, 519, 527)} == {"document"}
    assert {kinds[i] for i in range(13, 36)} == {"toc"}
