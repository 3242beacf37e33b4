# Japanese date expressions (令和/平成/昭和…, Western forms, fiscal years, months resolved from
# context) found in NFKC text and converted to ISO dates with a precision, a role and notes.
"""Pure functions from Japanese text to dates.

Conventions (see docs/metrics-and-events.md):

* Era years convert as in :mod:`dxstudy.text.era` (令和N年 = 2018+N, 令和元年 = 2019).
* ``precision`` is what the text states: ``day`` (``YYYY-MM-DD``), ``month`` (``YYYY-MM``),
  ``year`` (``YYYY``), ``fiscal_year`` (``FY2021`` = April 2021 – March 2022; never turned into an
  invented month) or ``recurring`` (``例年4月``; no ISO date).
* ``令和3年11月末`` is the last day of that month (precision ``day``, note ``end_of_month``).
* A month without a year (``11月には``) takes its year from the previous date of the same sentence,
  or from the ``context`` date the caller passes (the previous date of the paragraph); otherwise it
  is left unresolved (``iso == ""``, note ``unresolved_year``).
* Impossible dates (``令和3年2月30日``, month 13, 令和0年, a date before its era began) are not
  dates: :func:`find_dates` skips them, :func:`find_invalid_dates` reports them and
  :func:`parse_date` raises :class:`InvalidDateError` when ``strict=True``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Hashable, Sequence

from dxstudy.errors import DxstudyError
from dxstudy.text.date_scan import DateRef, InvalidDate, fiscal_year_of, scan_dates

__all__ = [
    "DateRef", "InvalidDate", "InvalidDateError", "fiscal_year_of", "parse_date", "find_dates",
    "find_invalid_dates", "parse_publication_month", "parse_as_of", "fiscal_year_from_text",
    "find_dates_in_paragraphs",
]

#: Words right after a date that give it a role (checked in this order, after one closing bracket).
_ROLE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("にかけて", "end"), ("まで", "deadline"), ("から", "start"), ("より", "start"),
    ("以降", "start"), ("以来", "start"), ("~", "start"), ("〜", "start"), ("時点", "as_of"),
)
_RANGE_CONNECTORS = frozenset({"から", "より", "~", "〜", "-", "–"})
_CLOSERS = ")」』]】"
_TARGET_RE = re.compile("目指|目標")
_CLAUSE_END_RE = re.compile("[、。,]")


class InvalidDateError(DxstudyError, ValueError):
    """Raised by :func:`parse_date` with ``strict=True`` for an impossible date.

    ``invalid`` is the :class:`InvalidDate` (the expression as written, its offsets, the reason).
    """

    def __init__(self, invalid: InvalidDate):
        self.invalid = invalid
        super().__init__(f"expected a real date, found {invalid.era_text!r} ({invalid.reason})")


def _suffix_role(text: str, end: int) -> str | None:
    rest = text[end:end + 6]
    if rest[:1] and rest[0] in _CLOSERS:
        rest = rest[1:]
    for suffix, role in _ROLE_SUFFIXES:
        if rest.startswith(suffix):
            return role
    return None


def _assign_roles(text: str, refs: list[DateRef]) -> list[DateRef]:
    """Roles from the words after each date, ranges (A から B) and targets (…を目指す)."""
    out: list[DateRef] = []
    for i, ref in enumerate(refs):
        role = ref.role
        suffix_role = _suffix_role(text, ref.end)
        if ref.role != "recurring" and suffix_role is not None:
            role = suffix_role
        prev = out[-1] if out else None
        if (prev is not None and prev.role == "start"
                and text[prev.end:ref.start].strip() in _RANGE_CONNECTORS | {""}
                and role in ("point", "deadline", "end", "within")):
            role = "end"
        if role in ("point", "within"):
            nxt = refs[i + 1].start if i + 1 < len(refs) else len(text)
            clause_end = _CLAUSE_END_RE.search(text, ref.end, nxt)  # bounded: linear overall
            stop = clause_end.start() if clause_end else nxt
            if _TARGET_RE.search(text, ref.end, stop):
                role = "target"
        out.append(replace(ref, role=role) if role != ref.role else ref)
    return out


def _drop_glossed(text: str, refs: list[DateRef]) -> list[DateRef]:
    """``次年度(令和4年度)``: a relative expression glossed by an explicit date is dropped."""
    out = []
    for i, ref in enumerate(refs):
        nxt = refs[i + 1] if i + 1 < len(refs) else None
        if (ref.form == "relative" and nxt is not None and nxt.form != "relative"
                and text[ref.end:nxt.start] == "("):
            continue
        out.append(ref)
    return out


def find_dates(text: str, context: DateRef | None = None,
               report_fiscal_year: int | None = None) -> list[DateRef]:
    """Every date expression in ``text`` (NFKC-normalized first), in order of appearance.

    ``context`` is the previous resolved date of the paragraph (it gives ``11月`` its year and
    ``年度内`` its fiscal year); within the text each resolved date becomes the context of the next.
    ``report_fiscal_year`` anchors deictic words (``今年度``, ``次年度``) and is the fall-back for
    ``年度内``. Impossible dates are skipped (see :func:`find_invalid_dates`). Recurring
    (``例年4月``) and unresolved expressions are returned with ``iso == ""``. Offsets refer to the
    NFKC-normalized text (identical to the input when it is already NFKC, as ``statements.text`` is).
    """
    text = unicodedata.normalize("NFKC", text)
    refs = [r for r in scan_dates(text, context, report_fiscal_year) if isinstance(r, DateRef)]
    return _assign_roles(text, _drop_glossed(text, refs))


def find_dates_in_paragraphs(texts: Sequence[str], paragraph_keys: Sequence[Hashable],
                             report_fiscal_years: Sequence[int | None]) -> list[list[DateRef]]:
    """:func:`find_dates` for consecutive sentences, carrying the context through a paragraph.

    ``texts[i]`` belongs to paragraph ``paragraph_keys[i]``; the last resolved date of the previous
    sentences of the same paragraph is the context of the next sentence (so ``11月には`` after
    ``令和3年9月に…`` in an earlier sentence is 2021-11). The context is reset when the key
    changes. Linear in the total length of the texts.
    """
    out: list[list[DateRef]] = []
    context: DateRef | None = None
    previous_key: object = object()
    for text, key, fiscal_year in zip(texts, paragraph_keys, report_fiscal_years, strict=True):
        if key != previous_key:
            context, previous_key = None, key
        refs = find_dates(text, context, fiscal_year)
        out.append(refs)
        for ref in reversed(refs):
            if ref.resolved:
                context = ref
                break
    return out


def find_invalid_dates(text: str) -> list[InvalidDate]:
    """Date-shaped expressions in ``text`` that name no real date, with the reason."""
    text = unicodedata.normalize("NFKC", text)
    return [r for r in scan_dates(text, None, None) if isinstance(r, InvalidDate)]


def parse_date(text: str, context: DateRef | None = None, report_fiscal_year: int | None = None,
               *, strict: bool = False) -> DateRef | None:
    """The first date expression of ``text`` (e.g. ``"令和3年11月末"``), or None when there is none.

    With ``strict=True`` an impossible date met before any real one raises :class:`InvalidDateError`;
    otherwise it is simply not a date.
    """
    norm = unicodedata.normalize("NFKC", text)
    for item in scan_dates(norm, context, report_fiscal_year):
        if isinstance(item, InvalidDate):
            if strict:
                raise InvalidDateError(item)
            continue
        return _assign_roles(norm, [item])[0]
    return None


def parse_publication_month(text: str) -> str | None:
    """``"令和4年2月"`` → ``"2022-02"``: the first dated month (or day) of ``text``, as ``YYYY-MM``."""
    for ref in find_dates(text):
        if ref.resolved and ref.precision in ("month", "day"):
            return ref.iso[:7]
    return None


def parse_as_of(text: str) -> str | None:
    """``"令和3年11月末"`` (or ``"※本報告書の内容は、令和3年11月末時点のものである。"``) →
    ``"2021-11-30"``: the ISO form of the first day- or month-precision date of ``text``."""
    for ref in find_dates(text):
        if ref.resolved and ref.precision in ("day", "month"):
            return ref.iso
    return None


def fiscal_year_from_text(text: str) -> int | None:
    """``"令和3年度 DX…に関する調査研究"`` → 2021: the first explicit fiscal year in ``text``."""
    for ref in find_dates(text):
        if ref.precision == "fiscal_year" and ref.resolved and ref.form != "relative":
            return ref.fiscal_year
    return None
