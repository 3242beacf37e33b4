"""Hostile and broken reports: every input either reads into tables where no line is lost, or raises
ReportFormatError naming the file and a line within it; never another exception, never a hang.

Bounded for the test suite; ``DXSTUDY_FUZZ=long`` runs many more examples (see docs/reliability.md).
"""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dxstudy.headings import classify, is_toc_line

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
