# Scanning NFKC text for date-shaped expressions (era, Western, numeric, 同年, 例年, bare months,
# relative fiscal years): one regular expression and the conversion of each match to a DateRef.
"""The date scanner under :mod:`dxstudy.text.dates` (which adds roles and the public functions).

Every regular expression here is a bounded alternation without nested quantifiers, so scanning is
linear in the length of the text.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from dxstudy.text.era import ERA_END, ERA_START, era_to_year

__all__ = ["DateRef", "InvalidDate", "fiscal_year_of", "scan_dates"]

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
_SAME = rf"(?P<same>同年)(?:(?P<sfy>度)(?P<sfys>{_FYS})?|{_month_day('s')})?"
_RECURRING = rf"(?P<rec>例年|毎年度?){_SP}(?P<rm>[0-9]{{1,2}}){_SP}月"
_MONTH_ONLY = (rf"(?<![0-9年度/.\-])(?P<om>[0-9]{{1,2}}){_SP}月"
               rf"(?:{_SP}(?P<od>[0-9]{{1,2}}){_SP}日|(?P<omod>{_MOD}))?(?!曜|間)")
_RELATIVE = rf"(?P<rel>今|本|当|次|来|翌|前|昨)年度(?P<rels>{_FYS})?|年度(?P<bare>内|末)"

_DATE_RE = re.compile("|".join(f"(?:{p})" for p in
                               (_ERA, _NUMERIC, _WESTERN, _SAME, _RECURRING, _MONTH_ONLY, _RELATIVE)))

_REL_OFFSET = {"今": 0, "本": 0, "当": 0, "次": 1, "来": 1, "翌": 1, "前": -1, "昨": -1}
_MOD_NOTE = {"上旬": "early_month", "初旬": "early_month", "中旬": "mid_month",
             "下旬": "late_month", "頃": "approximate"}


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


# One converter per form of date expression: ``(groups, pos, context, report_fiscal_year)`` → the
# DateRef (None for a non-date; raises _Invalid for an impossible date). ``pos`` holds the
# expression's ``text``, ``start`` and ``end``.


def _era(g: dict, pos: dict, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """令和3年, 令和3年度, 令和3年11月末 …"""
    era = g["era"]
    era_year = _to_int(g["ey"])
    if not era_year:
        raise _Invalid(f"{era}{g['ey']}年 does not exist")
    year = era_to_year(era, era_year)
    beyond = "beyond_era_end" if era in ERA_END and year > ERA_END[era].year else ""
    if g["efy"]:
        if year < ERA_START[era].year:
            raise _Invalid(f"{era} began in {ERA_START[era].year}")
        return _fiscal_ref(year, g["efys"], form="era", notes=(beyond,), **pos)
    month, day = _to_int(g["em"]), _to_int(g["ed"])
    if g["em"] and month is None or g["ed"] and day is None:
        raise _Invalid("unreadable kanji numeral")
    ref = _calendar_ref(year, month, day, g["emod"], form="era", notes=(beyond,), **pos)
    first = ERA_START[era]
    last_day = date(year, ref.month or 12, calendar.monthrange(year, ref.month or 12)[1])
    if last_day < first:
        raise _Invalid(f"{era} began on {first.isoformat()}")
    return ref


def _numeric(g: dict, pos: dict, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """2021/11/30, 2021-11-30."""
    year = int(g["ny"])
    if year not in _WESTERN_YEARS:
        return None
    return _calendar_ref(year, int(g["nm"]), int(g["nd"]), None, form="numeric", **pos)


def _western(g: dict, pos: dict, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """2021年, 2021年度, 2021年11月 …"""
    year = int(g["wy"])
    if year not in _WESTERN_YEARS:
        return None
    if g["wfy"]:
        return _fiscal_ref(year, g["wfys"], form="western", **pos)
    return _calendar_ref(year, _to_int(g["wm"]), _to_int(g["wd"]), g["wmod"], form="western", **pos)


def _same_year(g: dict, pos: dict, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """同年, 同年度, 同年11月: the year (or fiscal year) of the context date."""
    if g["sfy"]:
        fy = _context_fiscal_year(context)
        if fy is None:
            return DateRef("", "fiscal_year", role="within" if g["sfys"] in ("中", "内") else "point",
                           form="same_year", note="relative;unresolved_year", **_pos(pos))
        return _fiscal_ref(fy, g["sfys"], form="same_year", notes=("relative", "fiscal_year_from_context"), **pos)
    month = _to_int(g["sm"])
    year = None if context is None or not context.resolved else context.year
    if year is None and month is not None:
        year = _context_year(context, month)
    if year is None:
        return DateRef("", "month" if month else "year", month=month, form="same_year",
                       note="relative;unresolved_year", **_pos(pos))
    return _calendar_ref(year, month, _to_int(g["sd"]), g["smod"], form="same_year",
                         notes=("year_from_context",), **pos)


def _recurring(g: dict, pos: dict, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """例年4月, 毎年度4月: a month every year (no ISO date)."""
    month = int(g["rm"])
    if not 1 <= month <= 12:
        raise _Invalid(f"month {month} is not 1-12")
    return DateRef("", "recurring", month=month, role="recurring", form="recurring", note="recurring",
                   **_pos(pos))


def _month_only(g: dict, pos: dict, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """11月, 11月末, 11月30日: the year from the context date, else unresolved."""
    month, day = int(g["om"]), _to_int(g["od"])
    if not 1 <= month <= 12:
        raise _Invalid(f"month {month} is not 1-12")
    year = _context_year(context, month)
    if year is None:
        if day is not None and not 1 <= day <= calendar.monthrange(2020, month)[1]:
            raise _Invalid(f"day {day} does not exist in month {month}")
        return DateRef("", "day" if day or g["omod"] == "末" else "month", month=month, day=day,
                       form="month_only", note="unresolved_year", **_pos(pos))
    return _calendar_ref(year, month, day, g["omod"], form="month_only", notes=("year_from_context",), **pos)


def _relative(g: dict, pos: dict, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """今年度/次年度/前年度 are deictic (the report's fiscal year); 年度内/年度末 are anaphoric (the
    fiscal year of the previous date, else the report's)."""
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


#: (the group that only its form sets, converter), in the order of the alternatives of _DATE_RE;
#: a match setting none of them is a relative fiscal year.
_CONVERTERS = (("era", _era), ("ny", _numeric), ("wy", _western), ("same", _same_year),
               ("rec", _recurring), ("om", _month_only))


def _convert(m: re.Match, context: DateRef | None, report_fiscal_year: int | None) -> DateRef | None:
    """The DateRef of one regex match (None for a non-date, _Invalid for an impossible date)."""
    g = m.groupdict()
    pos = {"text": m.group(0), "start": m.start(), "end": m.end()}
    convert = next((c for group, c in _CONVERTERS if g[group]), _relative)
    return convert(g, pos, context, report_fiscal_year)


def _pos(pos: dict) -> dict:
    return {"era_text": pos["text"], "start": pos["start"], "end": pos["end"]}


def scan_dates(text: str, context: DateRef | None, report_fiscal_year: int | None
               ) -> list[DateRef | InvalidDate]:
    """Every date-shaped expression of NFKC ``text`` in order: a DateRef (role not yet assigned)
    or an InvalidDate; each resolved date is the context of the next."""
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

