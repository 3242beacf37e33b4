"""Small statements tables built by hand from FY2021 sentences, for the coding tests."""
from __future__ import annotations

import unicodedata

import pandas as pd

NAMES = {"112216": "草加市", "112224": "越谷市", "112348": "八潮市", "112372": "三郷市",
         "112437": "吉川市", "114651": "松伏町"}
CHAPTER = {"awareness": "1", "talent": "2", "telework": "3", "planning": "4", "own_initiatives": "5"}
ORDER = list(NAMES)


def make_statements(rows: list[tuple], fiscal_year: int = 2021) -> pd.DataFrame:
    """rows: (municipality_code, theme, aspect, text[, paragraph]) in report order.

    Sections follow the report's numbering (3.1.6 = telework status of the 6th member), one
    paragraph per row unless a paragraph number is given."""
    out, counters = [], {}
    for n, row in enumerate(rows, start=1):
        code, theme, aspect, text = row[:4]
        paragraph = row[4] if len(row) > 4 else n
        chapter = CHAPTER[theme]
        if theme == "own_initiatives":
            section = f"5.{ORDER.index(code) + 1}" if code else "5"
        else:
            part = "1" if aspect == "status" else "2"
            section = f"{chapter}.{part}" + (f".{ORDER.index(code) + 1}" if code else "")
        counters[section] = counters.get(section, 0) + 1
        norm = unicodedata.normalize("NFKC", text)
        out.append({
            "statement_id": f"FY{fiscal_year}-{section}-{counters[section]:03d}",
            "fiscal_year": fiscal_year, "section": section, "theme": theme, "aspect": aspect,
            "municipality_code": code, "municipality": NAMES.get(code, ""), "kind": "sentence",
            "text": norm, "text_raw": text, "line_start": n * 2, "line_end": n * 2,
            "paragraph_id": paragraph})
    return pd.DataFrame(out)
