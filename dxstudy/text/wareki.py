# Japanese date expressions (令和/平成/昭和…, Western forms, fiscal years, months resolved from
# context) found in NFKC text and converted to ISO dates with a precision, a role and notes.
"""Pure functions from Japanese text to dates.

Conventions (see docs/metrics-and-events.md):

* 令和N年 = 2018+N (令和元年 = 2019), 平成N年 = 1988+N (平成元年 = 1989), 昭和N年 = 1925+N,
  大正N年 = 1911+N, 明治N年 = 1867+N.
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

Every regular expression here is a bounded alternation without nested quantifiers, so scanning is
linear in the length of the text.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import Hashable, Sequence

__all__ = [
    "DateRef", "InvalidDate", "InvalidDateError", "ERA_OFFSETS",
    "era_to_year", "fiscal_year_of", "parse_date", "find_dates", "find_invalid_dates",
    "parse_publication_month", "parse_as_of", "fiscal_year_from_text", "find_dates_in_paragraphs",
]

#: Western year = era year + offset.
ERA_OFFSETS: dict[str, int] = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911, "明治": 1867}
#: First day of each era (a date before it is impossible; a year after its end is accepted and
#: converted arithmetically, e.g. 平成32年度 in documents written before 2019, note beyond_era_end).
_ERA_START: dict[str, date] = {
    "令和": date(2019, 5, 1), "平成": date(1989, 1, 8), "昭和": date(1926, 12, 25),
    "大正": date(1912, 7, 30), "明治": date(1868, 1, 25),
}
_ERA_END: dict[str, date] = {
    "平成": date(2019, 4, 30), "昭和": date(1989, 1, 7), "大正": date(1926, 12, 24),
    "明治": date(1912, 7, 29),
}
#: Western four-digit years accepted as dates (outside this range "1000年" is not a date).
_WESTERN_YEARS = range(1868, 2200)

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_K = "〇一二三四五六七八九十"
_SP = " ?"  # after NFKC an ideographic space is " "; at most one between tokens (keeps it linear)
_MOD = "(?:末|上旬|中旬|下旬|初旬|頃)"
_FYS = "(?:末|中|内)"


def _num(name: str, digits: int, kanji: int) -> str:
    return rf"(?P<{name}>[0-9]{{1,{digits}}}|[{_K}]{{1,{kanji}}})"


_MONTH_DAY = (rf"(?:{_SP}{_num('{p}m', 2, 3)}{_SP}月"
              rf"(?:{_SP}{_num('{p}d', 2, 3)}{_SP}日|(?P<{{p}}mod>{_MOD}))?)")


def _month_day(prefix: str) -> str:
    return _MONTH_DAY.replace("{p}", prefix)


_ERA = (rf"(?P<era>令和|平成|昭和|大正|明治){_SP}(?P<ey>[0-9]{{1,2}}|[{_K}]{{1,3}}|元){_SP}年"
        rf"(?:{_SP}(?P<efy>度)(?P<efys>{_FYS})?|{_month_day('e')})?")
_NUMERIC = (r"(?<![0-9./\-])(?P<ny>[0-9]{4})(?P<nsep>[/\-])(?P<nm>[0-9]{1,2})(?P=nsep)"
            r"(?P<nd>[0-9]{1,2})(?![0-9])")
_WESTERN = (rf"(?<![0-9])(?P<wy>[0-9]{{4}}){_SP}年"
            rf"(?:{_SP}(?P<wfy>度)(?P<wfys>{_FYS})?|{_month_day('w')})?")
_SAME = rf"同年(?:(?P<sfy>度)(?P<sfys>{_FYS})?|{_month_day('s')})?"
_RECURRING = rf"(?P<rec>例年|毎年度?){_SP}(?P<rm>[0-9]{{1,2}}){_SP}月"
_MONTH_ONLY = (rf"(?<![0-9年度/.\-])(?P<om>[0-9]{{1,2}}){_SP}月"
               rf"(?:{_SP}(?P<od>[0-9]{{1,2}}){_SP}日|(?P<omod>{_MOD}))?(?!曜|間)")
_RELATIVE = rf"(?P<rel>今|本|当|次|来|翌|前|昨)年度(?P<rels>{_FYS})?|年度(?P<bare>内|末)"

_DATE_RE = re.compile("|".join(f"(?:{p})" for p in
                               (_ERA, _NUMERIC, _WESTERN, _SAME, _RECURRING, _MONTH_ONLY, _RELATIVE)))

_REL_OFFSET = {"今": 0, "本": 0, "当": 0, "次": 1, "来": 1, "翌": 1, "前": -1, "昨": -1}
_MOD_NOTE = {"上旬": "early_month", "初旬": "early_month", "中旬": "mid_month",
             "下旬": "late_month", "頃": "approximate"}
#: Words right after a date that give it a role (checked in this order, after one closing bracket).
_ROLE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("にかけて", "end"), ("まで", "deadline"), ("から", "start"), ("より", "start"),
    ("以降", "start"), ("以来", "start"), ("~", "start"), ("〜", "start"), ("時点", "as_of"),
)
_RANGE_CONNECTORS = frozenset({"から", "より", "~", "〜", "-", "–"})
_CLOSERS = ")」』]】"
_TARGET_RE = re.compile("目指|目標")
_CLAUSE_END_RE = re.compile("[、。,]")


@dataclass(frozen=True)
class DateRef:
    """One date expression found in a text.

    ``iso``: ``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` / ``FY2021``, or ``""`` when it could not be
    resolved (a month whose year is unknown) or is recurring. ``precision``: ``day`` | ``month`` |
    ``year`` | ``fiscal_year`` | ``recurring``. ``era_text``: the expression as written (a slice of
    the NFKC text; ``start``/``end`` are its offsets). ``role``: ``point`` | ``start`` | ``end`` |
    ``deadline`` | ``within`` | ``target`` | ``as_of`` | ``recurring``. ``note``: ``;``-joined
    flags (``end_of_month``, ``end_of_fiscal_year``, ``year_from_context``, ``unresolved_year``,
    ``relative``, ``fiscal_year_from_context``, ``fiscal_year_from_report``, ``early_month``…).
    ``form``: ``era`` | ``western`` | ``numeric`` | ``same_year`` | ``month_only`` | ``relative`` |
    ``recurring``.
    """

    iso: str
    precision: str
    era_text: str
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    fiscal_year: int | None = None
    role: str = "point"
    note: str = ""
    form: str = "era"

    @property
    def resolved(self) -> bool:
        """True when ``iso`` holds a date (or fiscal year)."""
        return bool(self.iso)

    @property
    def event_fiscal_year(self) -> int | None:
        """The fiscal year the date falls in (None for a bare year or an unresolved date)."""
        return fiscal_year_of(self)


@dataclass(frozen=True)
class InvalidDate:
    """A date-shaped expression that names no real date: ``era_text`` at ``start:end``, ``reason``."""

    era_text: str
    start: int
    end: int
    reason: str


class InvalidDateError(ValueError):
    """Raised by :func:`parse_date` with ``strict=True`` for an impossible date."""

    def __init__(self, invalid: InvalidDate):
        self.invalid = invalid
        super().__init__(f"expected a real date, found {invalid.era_text!r} ({invalid.reason})")


def era_to_year(era: str, era_year: int) -> int:
    """Western year of ``era`` year ``era_year`` (``era_to_year("令和", 3) == 2021``)."""
    return ERA_OFFSETS[era] + era_year


def fiscal_year_of(ref: DateRef) -> int | None:
    """The Japanese fiscal year (April–March) a resolved date falls in; None when unknown."""
    if not ref.resolved:
        return None
    if ref.precision == "fiscal_year":
        return ref.fiscal_year
    if ref.month is None or ref.year is None:
        return None
    return ref.year if ref.month >= 4 else ref.year - 1


def _to_int(token: str | None) -> int | None:
    """Arabic or kanji numeral (``二十四``, ``二〇二一``, ``元`` = 1) to int."""
    if not token:
        return None
    if token == "元":
        return 1
    if token.isdigit():
        return int(token)
    if "十" not in token:
        value = 0
        for ch in token:
            value = value * 10 + _KANJI_DIGITS[ch]
        return value
    tens, _, ones = token.partition("十")
    if "十" in ones or (tens and tens not in _KANJI_DIGITS) or (ones and ones not in _KANJI_DIGITS):
        return None
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


def _notes(*flags: str) -> str:
    return ";".join(f for f in flags if f)


class _Invalid(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _calendar_ref(year: int, month: int | None, day: int | None, mod: str | None, *,
                  text: str, start: int, end: int, form: str, notes: tuple[str, ...] = ()) -> DateRef:
    """A day/month/year reference after checking that it exists."""
    if month is None:
        return DateRef(str(year), "year", text, start, end, year=year, form=form, note=_notes(*notes))
    if not 1 <= month <= 12:
        raise _Invalid(f"month {month} is not 1-12")
    last = calendar.monthrange(year, month)[1]
    if day is not None:
        if not 1 <= day <= last:
            raise _Invalid(f"day {day} does not exist in {year}-{month:02d}")
        return DateRef(f"{year:04d}-{month:02d}-{day:02d}", "day", text, start, end, year=year,
                       month=month, day=day, form=form, note=_notes(*notes))
    if mod == "末":
        return DateRef(f"{year:04d}-{month:02d}-{last:02d}", "day", text, start, end, year=year,
                       month=month, day=last, form=form, note=_notes("end_of_month", *notes))
    return DateRef(f"{year:04d}-{month:02d}", "month", text, start, end, year=year, month=month,
                   form=form, note=_notes(_MOD_NOTE.get(mod or "", ""), *notes))


def _fiscal_ref(fy: int, suffix: str | None, *, text: str, start: int, end: int, form: str,
                notes: tuple[str, ...] = ()) -> DateRef:
    role = "within" if suffix in ("中", "内") else "point"
    note = "end_of_fiscal_year" if suffix == "末" else ""
    return DateRef(f"FY{fy}", "fiscal_year", text, start, end, fiscal_year=fy, role=role,
                   form=form, note=_notes(note, *notes))


def _context_year(context: DateRef | None, month: int) -> int | None:
    """Year of ``month`` (1-12) read against a context date (a fiscal year spans two years)."""
    if context is None or not context.resolved:
        return None
    if context.precision == "fiscal_year" and context.fiscal_year is not None:
        return context.fiscal_year if month >= 4 else context.fiscal_year + 1
    return context.year


def _context_fiscal_year(context: DateRef | None) -> int | None:
    return None if context is None else fiscal_year_of(context)


def _convert(m: re.Match, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """The DateRef of one regex match (None for a non-date, _Invalid for an impossible date)."""
    g = m.groupdict()
    text, start, end = m.group(0), m.start(), m.end()
    pos = {"text": text, "start": start, "end": end}
    if g["era"]:
        era = g["era"]
        era_year = _to_int(g["ey"])
        if not era_year:
            raise _Invalid(f"{era}{g['ey']}年 does not exist")
        year = era_to_year(era, era_year)
        beyond = "beyond_era_end" if era in _ERA_END and year > _ERA_END[era].year else ""
        if g["efy"]:
            if year < _ERA_START[era].year:
                raise _Invalid(f"{era} began in {_ERA_START[era].year}")
            return _fiscal_ref(year, g["efys"], form="era", notes=(beyond,), **pos)
        month, day = _to_int(g["em"]), _to_int(g["ed"])
        if g["em"] and month is None or g["ed"] and day is None:
            raise _Invalid("unreadable kanji numeral")
        ref = _calendar_ref(year, month, day, g["emod"], form="era", notes=(beyond,), **pos)
        first = _ERA_START[era]
        last_day = date(year, ref.month or 12, calendar.monthrange(year, ref.month or 12)[1])
        if last_day < first:
            raise _Invalid(f"{era} began on {first.isoformat()}")
        return ref
    if g["ny"]:
        year = int(g["ny"])
        if year not in _WESTERN_YEARS:
            return None
        return _calendar_ref(year, int(g["nm"]), int(g["nd"]), None, form="numeric", **pos)
    if g["wy"]:
        year = int(g["wy"])
        if year not in _WESTERN_YEARS:
            return None
        if g["wfy"]:
            return _fiscal_ref(year, g["wfys"], form="western", **pos)
        return _calendar_ref(year, _to_int(g["wm"]), _to_int(g["wd"]), g["wmod"], form="western",
                             **pos)
    if m.group(0).startswith("同年"):
        if g["sfy"]:
            fy = _context_fiscal_year(context)
            if fy is None:
                return DateRef("", "fiscal_year", role="within" if g["sfys"] in ("中", "内") else "point",
                               form="same_year", note="relative;unresolved_year", **_pos(pos))
            return _fiscal_ref(fy, g["sfys"], form="same_year",
                               notes=("relative", "fiscal_year_from_context"), **pos)
        month = _to_int(g["sm"])
        year = None if context is None or not context.resolved else context.year
        if year is None and month is not None:
            year = _context_year(context, month)
        if year is None:
            return DateRef("", "month" if month else "year", month=month, form="same_year",
                           note="relative;unresolved_year", **_pos(pos))
        return _calendar_ref(year, month, _to_int(g["sd"]), g["smod"], form="same_year",
                             notes=("year_from_context",), **pos)
    if g["rec"]:
        month = int(g["rm"])
        if not 1 <= month <= 12:
            raise _Invalid(f"month {month} is not 1-12")
        return DateRef("", "recurring", month=month, role="recurring", form="recurring",
                       note="recurring", **_pos(pos))
    if g["om"]:
        month, day = int(g["om"]), _to_int(g["od"])
        if not 1 <= month <= 12:
            raise _Invalid(f"month {month} is not 1-12")
        year = _context_year(context, month)
        if year is None:
            if day is not None and not 1 <= day <= calendar.monthrange(2020, month)[1]:
                raise _Invalid(f"day {day} does not exist in month {month}")
            return DateRef("", "day" if day or g["omod"] == "末" else "month", month=month, day=day,
                           form="month_only", note="unresolved_year", **_pos(pos))
        return _calendar_ref(year, month, day, g["omod"], form="month_only",
                             notes=("year_from_context",), **pos)
    # relative fiscal years: 今年度/次年度/前年度 are deictic (the report's fiscal year);
    # 年度内/年度末 are anaphoric (the fiscal year of the previous date, else the report's).
    if g["rel"]:
        base, source = report_fiscal_year, "fiscal_year_from_report"
        fy = None if base is None else base + _REL_OFFSET[g["rel"]]
        suffix = g["rels"]
    else:
        fy, source = _context_fiscal_year(context), "fiscal_year_from_context"
        if fy is None:
            fy, source = report_fiscal_year, "fiscal_year_from_report"
        suffix = g["bare"]
    if fy is None:
        return DateRef("", "fiscal_year", role="within" if suffix in ("中", "内") else "point",
                       form="relative", note="relative;unresolved_year", **_pos(pos))
    return _fiscal_ref(fy, suffix, form="relative", notes=("relative", source), **pos)


def _pos(pos: dict) -> dict:
    return {"era_text": pos["text"], "start": pos["start"], "end": pos["end"]}


def _scan(text: str, context: DateRef | None, report_fiscal_year: int | None
          ) -> list[DateRef | InvalidDate]:
    found: list[DateRef | InvalidDate] = []
    for m in _DATE_RE.finditer(text):
        try:
            ref = _convert(m, context, report_fiscal_year)
        except _Invalid as exc:
            found.append(InvalidDate(m.group(0), m.start(), m.end(), exc.reason))
            continue
        if ref is None:
            continue
        found.append(ref)
        if ref.resolved:
            context = ref
    return found


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
    refs = [r for r in _scan(text, context, report_fiscal_year) if isinstance(r, DateRef)]
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
    return [r for r in _scan(text, None, None) if isinstance(r, InvalidDate)]


def parse_date(text: str, context: DateRef | None = None, report_fiscal_year: int | None = None,
               *, strict: bool = False) -> DateRef | None:
    """The first date expression of ``text`` (e.g. ``"令和3年11月末"``), or None when there is none.

    With ``strict=True`` an impossible date met before any real one raises :class:`InvalidDateError`;
    otherwise it is simply not a date.
    """
    norm = unicodedata.normalize("NFKC", text)
    for item in _scan(norm, context, report_fiscal_year):
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
