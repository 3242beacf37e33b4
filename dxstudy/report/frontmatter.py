"""The parts of a report that are not statements: the title page and notes (→ ``document``), the
colophon with the secretariat's contact lines (→ ``document``) and the meetings table (→ ``meetings``).
"""
from __future__ import annotations

import csv
import re
from datetime import date
from functools import lru_cache
from importlib import resources

import pandas as pd

from dxstudy.text import dates
from dxstudy.errors import Problem
from dxstudy.report.headings import Line
from dxstudy.text.normalize import compact, normalize

DOCUMENT_COLUMNS = [
    "title", "title_raw", "fiscal_year", "published", "published_era_text", "as_of", "as_of_era_text",
    "publisher", "secretariat", "address", "phone", "fax", "email", "contact", "notes",
    "source_file", "sha256", "encoding", "newline",
]
MEETING_COLUMNS = ["number", "date", "weekday_ja", "date_era_text", "agenda", "line"]

_DATE_ONLY = re.compile(r"^(?:(?:令和|平成|昭和)(?:\d{1,2}|元)|\d{4})年\d{1,2}月(?:\d{1,2}日)?$")
_WEEKDAY = re.compile(r"[(（]([月火水木金土日])[)）]")
_WEEKDAYS_JA = "月火水木金土日"


@lru_cache(maxsize=1)
def colophon_fields() -> tuple[tuple[str, str], ...]:
    """(prefix, field) pairs from reference/colophon_fields.csv."""
    with resources.files("dxstudy").joinpath("reference/colophon_fields.csv").open(encoding="utf-8") as f:
        return tuple((row["prefix"], row["field"]) for row in csv.DictReader(f))


def _title_text(lines: list[str]) -> str:
    parts: list[str] = []
    for t in lines:
        t = normalize(t)
        if parts and re.fullmatch(r".*年度", parts[-1]):
            parts.append(" ")
        parts.append(t)
    return "".join(parts)


def parse_document(front: list[Line], colophon: list[Line], *, source_file: str, sha256: str,
                   encoding: str, newline: str) -> tuple[dict, dict[int, str]]:
    """One ``document`` row from the title page, front notes and colophon, and the field of each line."""
    row = {c: "" for c in DOCUMENT_COLUMNS}
    row.update(source_file=source_file, sha256=sha256, encoding=encoding, newline=newline, fiscal_year=None)
    fields: dict[int, str] = {}
    texts = [(ln.number, ln.text.strip()) for ln in front if ln.text.strip()]
    title_lines: list[tuple[int, str]] = []
    rest: list[tuple[int, str]] = []
    for number, text in texts:
        if not rest and (not title_lines or not compact(title_lines[-1][1]).endswith("報告書")) \
                and not _DATE_ONLY.match(compact(text)) and not text.startswith("※"):
            title_lines.append((number, text))
        else:
            rest.append((number, text))
    row["title_raw"] = "\n".join(t for _, t in title_lines)
    row["title"] = _title_text([t for _, t in title_lines])
    row["fiscal_year"] = dates.fiscal_year_from_text(row["title"])
    for number, _ in title_lines:
        fields[number] = "title"
    notes: list[str] = []
    publisher: list[str] = []
    for number, text in rest:
        key = compact(text)
        if _DATE_ONLY.match(key) and not row["published"]:
            row["published"] = dates.parse_publication_month(key) or ""
            row["published_era_text"] = normalize(text)
            fields[number] = "published"
        elif "時点" in key and not row["as_of"]:
            row["as_of"] = dates.parse_as_of(key) or ""
            row["as_of_era_text"] = _as_of_phrase(normalize(text))
            notes.append(normalize(text))
            fields[number] = "as_of"
        elif text.startswith("※"):
            notes.append(normalize(text))
            fields[number] = "notes"
        else:
            publisher.append(normalize(text))
            fields[number] = "publisher"
    row["publisher"] = " ".join(publisher)
    row["notes"] = "\n".join(notes)
    contact: list[str] = []
    for ln in colophon:
        text = normalize(ln.text)
        for prefix, field in colophon_fields():
            if text.startswith(prefix):
                row[field] = re.sub(r"^[\s:：]+", "", text[len(prefix):]).strip()
                contact.append(text)
                fields[ln.number] = field
                break
        else:
            fields[ln.number] = "colophon"
    row["contact"] = "\n".join(contact)
    return row, fields


def _as_of_phrase(text: str) -> str:
    m = re.search(r"((?:令和|平成|昭和)(?:\d{1,2}|元)年\d{1,2}月(?:\d{1,2}日|末|初旬|中旬|下旬)?)", text)
    return m.group(1) if m else text


def is_meetings_table(header: str) -> bool:
    """A tab-separated table whose header names a meeting date column (開催日)."""
    return "開催日" in compact(header)


def parse_meetings(rows: list[Line], path: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The meetings table: header row, then ``第1回<TAB>令和3年7月30日（金）<TAB>・ 議題 ・ 議題``."""
    header = [compact(c) for c in rows[0].text.split("\t")]
    col = {name: i for i, name in enumerate(header)}
    i_num = next((i for n, i in col.items() if n in ("回", "開催回", "No", "No.")), 0)
    i_date = next((i for n, i in col.items() if "開催日" in n), 1)
    i_agenda = next((i for n, i in col.items() if n in ("内容", "議題", "協議事項")), 2)
    records, problems = [], []
    for ln in rows[1:]:
        cells = [c.strip() for c in ln.text.split("\t")]
        cells += [""] * (3 - len(cells))
        num = re.search(r"\d+", normalize(cells[i_num]))
        date_text = normalize(cells[i_date])
        ref = dates.parse_date(_WEEKDAY.sub("", date_text).strip())
        iso = ref.iso if ref is not None and ref.precision == "day" else ""
        if not num or not iso:
            problems.append(Problem(path, ln.number, "a meeting row: 第N回, a date such as 令和3年7月30日, the agenda",
                                    f"'{normalize(ln.text)}'"))
            continue
        weekday = _WEEKDAY.search(date_text)
        actual = _WEEKDAYS_JA[date.fromisoformat(iso).weekday()]
        if weekday and actual != weekday.group(1):
            problems.append(Problem(path, ln.number, f"weekday ({actual}) for {iso}", f"({weekday.group(1)})"))
        items = [normalize(a) for a in re.split(r"[・･]", cells[i_agenda]) if normalize(a)]
        records.append({"number": int(num.group(0)), "date": iso,
                        "weekday_ja": weekday.group(1) if weekday else "",
                        "date_era_text": _WEEKDAY.sub("", date_text).strip(),
                        "agenda": "; ".join(items), "line": ln.number})
    frame = pd.DataFrame(records, columns=MEETING_COLUMNS)
    return frame.astype({"number": "int64", "line": "int64"}), problems
