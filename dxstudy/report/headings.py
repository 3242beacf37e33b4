"""Recognising the lines of a report: headings (by section number or name, with or without ``#``),
table-of-contents lines, tables, list items, figure placeholders and prose. Patterns for named headings
live in ``reference/headings.csv``.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from dxstudy.text.normalize import (compact, is_rule_line, normalize, strip_bullet, strip_heading_mark,
                              strip_inline_markup)

_PART = re.compile(r"^第\s*(\d{1,2})\s*部\s*(.*)$")
_CHAPTER = re.compile(r"^第\s*(\d{1,2})\s*章\s*(.*)$")
_NUMBERED = re.compile(r"^(\d{1,4}(?:\.\d{1,4}){1,2})\s+(\S.{0,40})$")
_SINGLE_NUMBER = re.compile(r"^(\d{1,2})\s+(\S.{0,30})$")
# Dot leaders followed by a page number at the end of the line (checked from the end, see is_toc_line).
_TOC_LEADERS = ("...", "……", "・・・", "‥‥")
_FIGURE = re.compile(r"^【[^】]{1,20}】$")
_TAB_CELLS = re.compile(r"\t")


@dataclass(frozen=True)
class Line:
    """One raw line, classified.

    kind: blank | rule | toc | heading | table | list_item | figure | text
    For headings: level is part | chapter | section | overview-number | named; number and title are set;
    role is the named role (overview, conclusion, proposals, proposal_item, subheading) or "".
    """

    number: int
    raw: str
    kind: str
    text: str = ""          # the line without markup (not NFKC-normalized)
    level: str = ""
    number_label: str = ""
    title: str = ""
    role: str = ""
    had_hash: bool = False


@lru_cache(maxsize=1)
def named_heading_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(role, compiled pattern) pairs from reference/headings.csv, in file order."""
    with resources.files("dxstudy").joinpath("reference/headings.csv").open(encoding="utf-8") as f:
        return tuple((row["role"], re.compile(row["pattern"])) for row in csv.DictReader(f))


def named_role(title: str) -> str:
    """The role of a heading recognised by its name (e.g. 結論 → conclusion), or ""."""
    key = compact(title)
    for role, pattern in named_heading_patterns():
        if pattern.search(key):
            return role
    return ""


def is_toc_line(text: str) -> bool:
    """A table-of-contents line: a title followed by dot leaders and a page number.

    Same lines as the pattern ``(?:\\.{3,}|…{2,}|・{3,}|‥{2,})\\s*\\d{1,4}\\s*$``, but read from the
    end of the line: searching that pattern from every position backtracks quadratically on a long
    run of leaders without a page number (40,000 dots took a minute).
    """
    t = text.rstrip()
    end = len(t)
    while end and t[end - 1].isdecimal() and len(t) - end < 5:
        end -= 1
    digits = len(t) - end
    return 1 <= digits <= 4 and t[:end].rstrip().endswith(_TOC_LEADERS)


def classify(number: int, raw: str, *, in_overview: bool = False) -> Line:
    """Classify one raw line. ``in_overview`` allows single-number headings (``1 背景と目的``)."""
    if not raw.strip() or not normalize(strip_inline_markup(raw)):
        return Line(number, raw, "blank")
    if is_rule_line(raw):
        return Line(number, raw, "rule")
    body, had_hash = strip_heading_mark(raw)
    text = strip_inline_markup(body).strip()
    if not text:
        return Line(number, raw, "rule")
    if is_toc_line(text):
        return Line(number, raw, "toc", text)
    norm = normalize(text)
    if "\t" in text.strip() and len(_TAB_CELLS.findall(text.strip())) >= 1 and not had_hash:
        return Line(number, raw, "table", text)
    for level, pattern in (("part", _PART), ("chapter", _CHAPTER)):
        m = pattern.match(norm)
        if m and not norm.endswith("。"):
            return Line(number, raw, "heading", text, level, m.group(1), m.group(2).strip(),
                        named_role(m.group(2)), had_hash)
    m = _NUMBERED.match(norm)
    if m and not norm.endswith(("。", "、")):
        return Line(number, raw, "heading", text, "section", m.group(1), m.group(2).strip(),
                    "", had_hash)
    role = named_role(norm)
    if role:
        return Line(number, raw, "heading", text, "named", "", norm, role, had_hash)
    if in_overview:
        m = _SINGLE_NUMBER.match(norm)
        if m and not re.search(r"[。、]", norm):
            return Line(number, raw, "heading", text, "overview-number", m.group(1),
                        m.group(2).strip(), "", had_hash)
    if had_hash:
        return Line(number, raw, "heading", text, "named", "", norm, "subheading", True)
    if _FIGURE.match(norm):
        return Line(number, raw, "figure", text)
    item, is_item = strip_bullet(text)
    if is_item and not normalize(item):
        return Line(number, raw, "rule")          # a bullet with nothing after it (``- ・``): markup only
    if is_item:
        return Line(number, raw, "list_item", item.strip())
    return Line(number, raw, "text", text)
