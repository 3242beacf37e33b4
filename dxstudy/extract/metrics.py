# Quantities stated in the statements (81台, 5.0%, 延べ72人, 7課20業務, 2~3回) as a tidy metrics
# table, assigned to stable metric ids by the rules in dxstudy/rules/metrics.csv.
"""Metrics extraction and the numbers-coverage check.

Every number of a statement is classified (:func:`number_coverage`): part of a date (``date``,
``invalid_date``), a non-quantity such as an ordinal or a name (``non_quantity``, rules in
``dxstudy/rules/non_quantities.csv``), a quantity assigned to a metric (``metric``) or
``unassigned``. :func:`extract_metrics` returns the ``metric`` ones as rows; the unassigned ones
are what an analyst has to look at (:func:`unassigned_numbers`).

A metric rule (one row of ``metrics.csv``) matches a number followed by its counter (``unit``)
when the rule's ``topic`` occurs in the sentence (or, for ``scope = paragraph``, in one of the
previous sentences of the same paragraph), ``requires`` occurs there too, ``clause`` occurs in the
clause of the number (the text between the surrounding 、/。) and ``exclude_clause`` does not.
Among matching rules the one whose topic word is nearest to the number wins (ties: file order).
A rule with a fixed ``value`` matches the phrase in ``clause`` instead of a number
(``採用者はいなかった`` → 0).
"""
from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import pandas as pd

from dxstudy.extract.metric_rules import MetricRule, load_metric_rules, load_non_quantity_rules
from dxstudy.text.dates import DateRef, InvalidDate, find_dates_in_paragraphs, fiscal_year_of
from dxstudy.text.date_scan import scan_dates

__all__ = ["METRIC_COLUMNS", "COVERAGE_COLUMNS", "extract_metrics", "number_coverage", "unassigned_numbers"]

METRIC_COLUMNS = [
    "statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section",
    "metric", "label_ja", "value", "value_max", "unit", "qualifier", "period", "period_role",
    "target_fiscal_year", "value_text", "evidence",
]
COVERAGE_COLUMNS = [
    "statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section",
    "number", "start", "end", "unit", "status", "reason", "context",
]

_NUMBER = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_NUMBER_RE = re.compile(rf"(?<![0-9.,]){_NUMBER}")
_PREFIXES = ("延べ", "約", "およそ", "最大", "最小", "合計", "計")
_SUFFIXES = ("以上", "以下", "未満", "程度", "前後", "余り", "ほど", "超", "強", "弱")
_CLAUSE_BOUNDARY_RE = re.compile(r"[、。]|,(?![0-9])")
_PARAGRAPH_LOOKBACK = 3  # previous sentences of a paragraph searched for a topic
_NEAREST_IN_PARAGRAPH = 1_000_000
_NO_TOPIC = 1_000_000_000


@lru_cache(maxsize=None)
def _token_re() -> re.Pattern:
    units = sorted({r.unit for r in load_metric_rules() if r.value is None}, key=len, reverse=True)
    alt = lambda words: "|".join(re.escape(w) for w in words)  # noqa: E731
    return re.compile(
        rf"(?P<pre>{alt(_PREFIXES)})?(?<![0-9.,])(?P<num>{_NUMBER})"
        rf"(?: ?[~〜\-–] ?(?P<max>{_NUMBER}))? ?(?P<unit>{alt(units)})(?P<post>{alt(_SUFFIXES)})?")


# ---------------------------------------------------------------------------------------------
# One sentence


@dataclass
class _Hit:
    """A number of a sentence and what it was classified as."""

    number: str
    start: int
    end: int
    unit: str = ""
    status: str = "unassigned"
    reason: str = ""
    row: dict | None = None


class _Sentence:
    """One NFKC sentence with what rules ask of it computed once (keeps long sentences linear)."""

    def __init__(self, text: str, theme: str, history: list[str], dates: list[DateRef]):
        self.text, self.theme, self.history = text, theme, history
        self.boundaries = [m.start() for m in _CLAUSE_BOUNDARY_RE.finditer(text)]
        self.dates = [d for d in dates if d.resolved]
        self.date_starts = [d.start for d in self.dates]
        self._topics: dict[int, tuple[list[int], list[int]]] = {}
        self._requires: dict[int, bool] = {}
        self._history_topic: dict[int, int | None] = {}
        self._clauses: dict[tuple[int, int], bool] = {}

    def clause_bounds(self, start: int, end: int) -> tuple[int, int]:
        """The clause holding ``start:end``: between the 、/。 before it and the one after it."""
        i = bisect_left(self.boundaries, start)
        left = self.boundaries[i - 1] + 1 if i > 0 else 0
        j = bisect_left(self.boundaries, end)
        return left, (self.boundaries[j] if j < len(self.boundaries) else len(self.text))

    def topic_distance(self, rule: MetricRule, start: int, end: int) -> int | None:
        """Characters between the number and the nearest topic word of the sentence."""
        if rule.order not in self._topics:
            spans = [(m.start(), m.end()) for m in rule.topic.finditer(self.text)]
            self._topics[rule.order] = ([s for s, _ in spans], [e for _, e in spans])
        starts, ends = self._topics[rule.order]
        best = None
        i = bisect_right(ends, start)          # matches [0, i) end at or before the number
        if i > 0:
            best = start - ends[i - 1]
        j = bisect_left(starts, end)           # matches [j, …) start at or after its end
        if j < len(starts):
            d = starts[j] - end
            best = d if best is None or d < best else best
        if i < j:                              # a match overlapping the number
            best = 0
        return best

    def requires(self, rule: MetricRule) -> bool:
        if rule.order not in self._requires:
            wider = self.history if rule.scope == "paragraph" else []
            self._requires[rule.order] = bool(rule.requires.search(self.text)) or any(
                rule.requires.search(h) for h in wider)
        return self._requires[rule.order]

    def history_topic(self, rule: MetricRule) -> int | None:
        """How many sentences back the topic occurs in the paragraph (None: not there)."""
        if rule.order not in self._history_topic:
            found = None
            if rule.scope == "paragraph":
                for back, previous in enumerate(reversed(self.history)):
                    if rule.topic.search(previous):
                        found = back
                        break
            self._history_topic[rule.order] = found
        return self._history_topic[rule.order]

    def clause_ok(self, rule: MetricRule, left: int, right: int) -> bool:
        key = (rule.order, left)
        if key not in self._clauses:
            clause = self.text[left:right]
            self._clauses[key] = ((rule.clause is None or bool(rule.clause.search(clause)))
                                  and (rule.exclude_clause is None
                                       or not rule.exclude_clause.search(clause)))
        return self._clauses[key]

    def rule_distance(self, rule: MetricRule, start: int, end: int, left: int, right: int
                      ) -> int | None:
        """How near the rule's topic is to the number (None: the rule does not apply)."""
        if rule.themes and self.theme not in rule.themes:
            return None
        if not self.clause_ok(rule, left, right):
            return None
        if rule.requires is not None and not self.requires(rule):
            return None
        if rule.topic is None:
            return _NO_TOPIC
        d = self.topic_distance(rule, start, end)
        if d is not None:
            return d
        back = self.history_topic(rule)
        return None if back is None else _NEAREST_IN_PARAGRAPH + back

    def period(self, left: int, right: int, pos: int) -> DateRef | None:
        """The date of the clause ``left:right`` nearest before ``pos`` (else the first after it)."""
        i = bisect_right(self.date_starts, pos) - 1
        while i >= 0 and self.dates[i].end > pos:  # a date overlapping pos is not "before"
            i -= 1
        if i >= 0 and self.dates[i].start >= left:
            return self.dates[i]
        j = bisect_left(self.date_starts, pos)
        if j < len(self.dates) and self.dates[j].end <= right:
            return self.dates[j]
        return None


def _metric_row(rule: MetricRule, value: float, value_max: float, qualifier: list[str],
                value_text: str, period: DateRef | None) -> dict:
    if rule.qualifier:
        qualifier = qualifier + [rule.qualifier]
    target_fy = None
    if period is not None and "target" in qualifier:
        target_fy = fiscal_year_of(period)
    return {
        "metric": rule.metric, "label_ja": rule.label_ja, "value": value, "value_max": value_max,
        "unit": rule.unit, "qualifier": ";".join(qualifier),
        "period": period.iso if period else "", "period_role": period.role if period else "",
        "target_fiscal_year": target_fy, "value_text": value_text,
    }


def _to_float(number: str) -> float:
    return float(number.replace(",", ""))


def _cover(hits: list[_Hit], layers: list[tuple[list[tuple[int, int, str]], str]]) -> list[_Hit]:
    """Mark hits inside a date / non-quantity span; return the others. Each layer's spans are
    sorted and do not overlap, so one bisection per hit and layer finds the candidate span."""
    free = []
    for hit in hits:
        for spans, status in layers:
            i = bisect_right(spans, (hit.start, math.inf, "")) - 1
            if i >= 0 and spans[i][1] >= hit.end:
                hit.status, hit.reason = status, spans[i][2]
                break
        else:
            free.append(hit)
    return free


def _classify(text: str, theme: str, history: list[str], dates: list[DateRef],
              invalid: list[InvalidDate]) -> tuple[list[_Hit], list[dict]]:
    """Classify every number of one NFKC sentence; also return fixed-value metric rows."""
    hits = [_Hit(m.group(0), m.start(), m.end()) for m in _NUMBER_RE.finditer(text)]
    rules = load_metric_rules()
    sentence = _Sentence(text, theme, history, dates)
    if not hits:
        return hits, _fixed_rows(sentence, rules)
    layers = [([(d.start, d.end, d.era_text) for d in dates], "date"),
              ([(d.start, d.end, d.reason) for d in invalid], "invalid_date")]
    layers += [([(m.start(), m.end(), reason) for m in pattern.finditer(text)], "non_quantity")
               for pattern, reason in load_non_quantity_rules()]
    by_start = {h.start: h for h in _cover(hits, layers)}
    for m in _token_re().finditer(text):
        first = by_start.get(m.start("num"))
        if first is None:
            continue
        parts = [first] + ([by_start[m.start("max")]] if m.group("max") and m.start("max") in by_start
                           else [])
        unit = m.group("unit")
        for h in parts:
            h.unit = unit
        left, right = sentence.clause_bounds(m.start(), m.end())
        best: tuple[int, int, MetricRule] | None = None
        for rule in rules:
            if rule.value is not None or rule.unit != unit:
                continue
            d = sentence.rule_distance(rule, m.start(), m.end(), left, right)
            if d is not None and (best is None or (d, rule.order) < best[:2]):
                best = (d, rule.order, rule)
        if best is None:
            continue
        rule = best[2]
        qualifier = [q for q in (m.group("pre"), m.group("post")) if q]
        value_max = _to_float(m.group("max")) if m.group("max") else math.nan
        first.row = _metric_row(rule, _to_float(m.group("num")), value_max, qualifier, m.group(0),
                                sentence.period(left, right, m.start()))
        for h in parts:
            h.status, h.reason = "metric", rule.metric
    return hits, _fixed_rows(sentence, rules)


def _fixed_rows(sentence: _Sentence, rules: tuple[MetricRule, ...]) -> list[dict]:
    """Rows of the rules with a fixed value (a phrase such as 採用者はいなかった → 0)."""
    rows = []
    for rule in rules:
        if rule.value is None or rule.clause is None or (rule.themes and sentence.theme not in rule.themes):
            continue
        if rule.topic is not None and not rule.topic.search(sentence.text):
            continue
        for m in rule.clause.finditer(sentence.text):
            left, right = sentence.clause_bounds(m.start(), m.end())
            rows.append(_metric_row(rule, rule.value, math.nan, [], m.group(0),
                                    sentence.period(left, right, m.start())))
    return rows


# ---------------------------------------------------------------------------------------------
# Tables

_KEYS = ["statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section"]


def _walk(statements: pd.DataFrame) -> Iterator[tuple[dict, str, list[_Hit], list[dict]]]:
    """Each statement (document order) with its NFKC text, classified numbers and fixed rows."""
    texts = [unicodedata.normalize("NFKC", t) for t in statements["text"].fillna("").astype(str)]
    keys = _paragraph_keys(statements)
    years = [int(y) if pd.notna(y) else None for y in statements["fiscal_year"]]
    all_dates = find_dates_in_paragraphs(texts, keys, years)
    records = statements[_KEYS].to_dict("records")
    history: list[str] = []
    previous_key = object()
    for record, text, key, dates in zip(records, texts, keys, all_dates):
        if key != previous_key:
            history, previous_key = [], key
        invalid = [i for i in scan_dates(text, None, None) if isinstance(i, InvalidDate)] if any(
            ch.isdigit() for ch in text) else []
        hits, fixed = _classify(text, str(record["theme"] or ""), history[-_PARAGRAPH_LOOKBACK:],
                                dates, invalid)
        yield record, text, hits, fixed
        history.append(text)


def _paragraph_keys(statements: pd.DataFrame) -> list:
    """Statements of one paragraph share a key (fiscal year, section, paragraph_id)."""
    if "paragraph_id" not in statements.columns:
        return list(zip(statements["fiscal_year"], statements["section"],
                        statements["statement_id"]))
    return list(zip(statements["fiscal_year"], statements["section"], statements["paragraph_id"]))


def _clean_record(record: dict) -> dict:
    out = dict(record)
    for k in ("statement_id", "municipality_code", "municipality", "theme", "section"):
        v = out.get(k)
        out[k] = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
    return out


def extract_metrics(statements: pd.DataFrame) -> pd.DataFrame:
    """Every quantity of ``statements`` that a metric rule assigns, one row per quantity.

    Columns: ``statement_id``, ``fiscal_year``, ``municipality_code``, ``municipality`` (empty
    for region-wide text), ``theme``, ``section``; ``metric`` (snake_case id of
    ``dxstudy/rules/metrics.csv``), ``label_ja``; ``value`` (float; the lower bound of a range),
    ``value_max`` (float, upper bound of a range such as ``2~3回``, else NaN); ``unit`` (the
    counter as written after NFKC: 台, 人, %, 課, 業務, 回, つ, …); ``qualifier`` (``;``-joined:
    prefix/suffix words such as 延べ, 以上, 程度, and ``target`` for target rules); ``period``
    (ISO date or ``FY2021`` of the date in the same clause, e.g. the intake year of hires, ""
    when none) and ``period_role`` (start/deadline/point/… of that date); ``target_fiscal_year``
    (Int64, the fiscal year a target is to be reached by); ``value_text`` (the quantity as
    written, e.g. ``延べ72人``); ``evidence`` (the sentence, NFKC).
    Needs the statements columns ``statement_id, fiscal_year, municipality_code, municipality,
    theme, section, text`` (and ``paragraph_id`` for paragraph context), in document order.
    """
    rows = []
    for record, text, hits, fixed in _walk(statements):
        base = _clean_record(record)
        for hit in hits:
            if hit.row is not None:
                rows.append({**base, **hit.row, "evidence": text})
        rows.extend({**base, **row, "evidence": text} for row in fixed)
    table = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    table["value"] = table["value"].astype("float64")
    table["value_max"] = table["value_max"].astype("float64")
    table["target_fiscal_year"] = table["target_fiscal_year"].astype("Int64")
    table["fiscal_year"] = table["fiscal_year"].astype("int64") if len(table) else table[
        "fiscal_year"].astype("int64")
    return table.reset_index(drop=True)


def number_coverage(statements: pd.DataFrame) -> pd.DataFrame:
    """Every number (digit sequence) of ``statements`` and what it was classified as.

    Columns: the statement keys, ``number`` (as written), ``start``/``end`` (offsets in the NFKC
    text), ``unit`` (counter right after it, if a known one), ``status`` (``metric`` | ``date`` |
    ``invalid_date`` | ``non_quantity`` | ``unassigned``), ``reason`` (metric id, date text or
    non-quantity rule) and ``context`` (up to 12 characters either side).
    """
    rows = []
    for record, text, hits, _ in _walk(statements):
        base = _clean_record(record)
        for h in hits:
            rows.append({**base, "number": h.number, "start": h.start, "end": h.end, "unit": h.unit,
                         "status": h.status, "reason": h.reason,
                         "context": text[max(0, h.start - 12):h.end + 12]})
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def unassigned_numbers(statements: pd.DataFrame, municipality_only: bool = True) -> pd.DataFrame:
    """Numbers that are neither dates, nor non-quantities, nor assigned to a metric.

    With ``municipality_only`` (default) only statements about one municipality are checked:
    every number with a counter stated about a municipality must land in ``metrics``.
    """
    coverage = number_coverage(statements)
    mask = coverage["status"] == "unassigned"
    if municipality_only:
        mask &= coverage["municipality_code"] != ""
    return coverage[mask].reset_index(drop=True)
