# Dated happenings of the statements (令和3年4月に計画を策定…) as a tidy events table with ISO dates,
# precision, role and an event type from the keyword rules in dxstudy/rules/event_types.csv.
"""Events extraction.

One row per date expression of a statement (see :mod:`dxstudy.text.dates` for the date rules): a
month without a year is resolved from the previous date of the same paragraph, ``年度内`` from the
fiscal year in context, ``次年度`` from the report's fiscal year. Recurring dates (``例年4月``) and
dates whose year cannot be resolved are kept with an empty ``date`` so that nothing is lost; a
caller plotting a timeline filters on ``date != ""``.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from importlib import resources

import pandas as pd

from dxstudy.text.dates import DateRef, find_dates_in_paragraphs

__all__ = ["EVENT_COLUMNS", "extract_events", "load_event_type_rules", "event_type_of"]

EVENT_COLUMNS = [
    "statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section",
    "date", "date_precision", "event_fiscal_year", "era_text", "role", "note", "event_type",
    "event", "evidence",
]
#: Longest event description; longer clauses are clipped with "…".
EVENT_MAX_CHARS = 80
_CLAUSE_BOUNDARY_RE = re.compile("[、。]")
_KEYS = ["statement_id", "fiscal_year", "municipality_code", "municipality", "theme", "section"]


@lru_cache(maxsize=None)
def load_event_type_rules() -> tuple[tuple[str, str, str], ...]:
    """``(keyword, event_type, label_ja)`` rows of ``dxstudy/rules/event_types.csv``, in file order
    (the first keyword found in the event text decides its type)."""
    text = resources.files("dxstudy").joinpath("rules", "event_types.csv").read_text(encoding="utf-8-sig")
    return tuple((unicodedata.normalize("NFKC", r["keyword"].strip()), r["event_type"].strip(),
                  r["label_ja"].strip()) for r in csv.DictReader(text.splitlines()))


def event_type_of(event_text: str) -> str:
    """The event type of the first rule whose keyword occurs in ``event_text``; ``other`` if none."""
    for keyword, event_type, _ in load_event_type_rules():
        if keyword in event_text:
            return event_type
    return "other"


def _event_text(text: str, boundaries: list[int], refs: list[DateRef], i: int) -> str:
    """The clause around date ``i``: from the clause start before it (or before the start of its
    range) up to the next date that is not part of the same range (its last 、/。 before that
    date), or the end of the sentence. ``boundaries`` are the offsets of 、 and 。 in ``text``."""
    ref = refs[i]
    first = i
    if ref.role == "end" and i > 0 and refs[i - 1].role == "start":
        first = i - 1
    last = i
    if ref.role == "start" and i + 1 < len(refs) and refs[i + 1].role == "end":
        last = i + 1
    k = bisect_left(boundaries, refs[first].start)
    begin = boundaries[k - 1] + 1 if k > 0 else 0
    stop = len(text)
    if last + 1 < len(refs):
        stop = refs[last + 1].start
        k = bisect_left(boundaries, stop)
        if k > 0 and boundaries[k - 1] >= refs[last].end:
            stop = boundaries[k - 1]
    clause = text[begin:stop].strip().rstrip("、。").strip()
    if len(clause) > EVENT_MAX_CHARS:
        clause = clause[:EVENT_MAX_CHARS - 1] + "…"
    return clause


def _clean(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def extract_events(statements: pd.DataFrame) -> pd.DataFrame:
    """Every date expression of ``statements`` as an event row.

    Columns: ``statement_id``, ``fiscal_year`` (of the report), ``municipality_code``,
    ``municipality`` (empty for region-wide text), ``theme``, ``section``; ``date`` (ISO
    ``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY``, ``FY2023`` for a fiscal year, "" when unresolved or
    recurring); ``date_precision`` (``day`` | ``month`` | ``year`` | ``fiscal_year`` |
    ``recurring``); ``event_fiscal_year`` (Int64: the fiscal year the date falls in);
    ``era_text`` (the date as written, NFKC); ``role`` (``point`` | ``start`` | ``end`` |
    ``deadline`` | ``within`` | ``target`` | ``as_of`` | ``recurring``); ``note`` (flags such as
    ``end_of_month``, ``year_from_context``, ``relative``); ``event_type`` (from
    ``dxstudy/rules/event_types.csv``, ``other`` if no keyword matches); ``event`` (the clause
    around the date, at most 80 characters); ``evidence`` (the sentence, NFKC).
    Needs the statements columns ``statement_id, fiscal_year, municipality_code, municipality,
    theme, section, text`` (and ``paragraph_id`` for the paragraph context), in document order.
    """
    texts = [unicodedata.normalize("NFKC", t) for t in statements["text"].fillna("").astype(str)]
    if "paragraph_id" in statements.columns:
        keys = list(zip(statements["fiscal_year"], statements["section"], statements["paragraph_id"]))
    else:
        keys = list(statements["statement_id"])
    years = [int(y) if pd.notna(y) else None for y in statements["fiscal_year"]]
    rows = []
    for record, text, refs in zip(statements[_KEYS].to_dict("records"), texts,
                                  find_dates_in_paragraphs(texts, keys, years)):
        base = {k: _clean(record[k]) for k in _KEYS if k != "fiscal_year"}
        boundaries = [m.start() for m in _CLAUSE_BOUNDARY_RE.finditer(text)] if refs else []
        for i, ref in enumerate(refs):
            event = _event_text(text, boundaries, refs, i)
            rows.append({
                **base, "fiscal_year": record["fiscal_year"], "date": ref.iso,
                "date_precision": ref.precision, "event_fiscal_year": ref.event_fiscal_year,
                "era_text": ref.era_text, "role": ref.role, "note": ref.note,
                "event_type": event_type_of(event), "event": event, "evidence": text,
            })
    table = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    table["fiscal_year"] = table["fiscal_year"].astype("int64")
    table["event_fiscal_year"] = table["event_fiscal_year"].astype("Int64")
    return table
