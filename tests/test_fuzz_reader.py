"""Hostile and broken reports: every input either reads into tables where no line is lost, or raises
ReportFormatError naming the file and a line within it; never another exception, never a hang.

Bounded for the test suite; ``DXSTUDY_FUZZ=long`` runs many more examples (see docs/reliability.md).
"""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxstudy import ReportFormatError, read_report, statements
from dxstudy.headings import classify, is_toc_line
from dxstudy.statements import Paragraph
from dxstudy.textnorm import is_terminated
from reader_fixtures import line_index, report_lines, write_variant

# -- regressions: the table-of-contents pattern -----------------------------------------------------

#: The pattern is_toc_line replaced: searched from every position it backtracked quadratically.
OLD_TOC = re.compile(r"(?:\.{3,}|…{2,}|・{3,}|‥{2,})\s*\d{1,4}\s*$")
TOC_ALPHABET = st.sampled_from(list(".…・‥ \t\u3000\x0b\x1c\x85\u2028\u00a00123456789٣１x章"))


@settings(max_examples=300, deadline=None)
@given(st.lists(TOC_ALPHABET, max_size=16).map("".join))
def test_toc_line_recognises_the_same_lines_as_the_old_pattern(text):
    assert is_toc_line(text) == bool(OLD_TOC.search(text))


def test_toc_lines_of_the_fy2021_report_are_recognised():
    assert is_toc_line("3.1 現状.....\t11") and is_toc_line("第5章 各市町独自の取組み.....\t17")
    assert not is_toc_line("1.1.1 草加市") and not is_toc_line("現在、7課20業務で使用されており.....12345")


def test_a_million_dots_without_a_page_number_is_text():
    """Searching the old pattern over 40,000 dots took a minute; a million would not have finished."""
    line = "." * 1_000_000 + "x"
    assert not is_toc_line(line)
    assert classify(1, line).kind == "text"


# -- regressions: joining paragraphs across page breaks ---------------------------------------------

PIECE_ALPHABET = st.sampled_from(list("あ、。」）) \u3000\tA1!?"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(PIECE_ALPHABET, max_size=5).map("".join), min_size=1, max_size=6),
       st.integers(1, 5))
def test_paragraph_keeps_length_comma_and_sentence_end_of_its_joined_text(texts, split):
    para = Paragraph(None, "paragraph", list(enumerate(texts[:split])))
    if texts[split:]:
        para.extend(list(enumerate(texts[split:])))
    text = para.text
    assert (para.length, para.has_comma, para.terminated) == (len(text), "、" in text, is_terminated(text))
    assert len(para.line_of()) == len(text)


def joined_characters(tmp_path, monkeypatch, n: int) -> int:
    """Characters passed through statements._join reading a report with a chain of ``n`` paragraphs
    that each continue the one before (hiragana after a blank line)."""
    count = [0]
    real_join = statements._join

    def counting_join(texts):
        count[0] += sum(map(len, texts))
        return real_join(texts)

    monkeypatch.setattr(statements, "_join", counting_join)
    lines = report_lines()
    i = line_index(lines, "1.1.3 八潮市") + 2
    path = write_variant(tmp_path, lines[:i] + ["標準化システムに向けた取組みの中で"] + ["の醸成を行っている\n"] * n
                         + lines[i:], f"chain{n}.md")
    report = read_report(path, coded=False)
    assert "unplaced" not in set(report.lines["kind"])
    return count[0]


def test_a_chain_of_continued_paragraphs_is_joined_in_linear_time(tmp_path, monkeypatch):
    """Each continuation rebuilt the joined text of the whole chain: 4,000 lines took 5 s, 64,000 hours."""
    small, large = (joined_characters(tmp_path, monkeypatch, n) for n in (2_000, 8_000))
    assert large < 5 * small


# -- regressions: the line of an undecodable byte ----------------------------------------------------

def decoding_error(tmp_path, data: bytes) -> ReportFormatError:
    path = tmp_path / "report.md"
    path.write_bytes(data)
    with pytest.raises(ReportFormatError) as info:
        read_report(path, coded=False)
    return info.value


def test_utf16_error_names_the_line_not_a_count_of_0x0a_bytes(tmp_path):
    """In UTF-16, 0x0a is half of many characters (上 is 0x4e0a): counting those bytes gave line 5 of 2."""
    text = "上上上\n" + "\ud800"                  # a lone surrogate on line 2
    err = decoding_error(tmp_path, text.encode("utf-16", "surrogatepass"))
    assert err.line == 2 and "UTF-16" in err.expected


def test_invalid_byte_in_a_file_with_cr_newlines_names_its_line(tmp_path):
    data = "令和3年度\r報告書\r本文\r".encode("utf-8") + b"\xff\xfe\xfd"
    err = decoding_error(tmp_path, data)
    assert err.line == 4
