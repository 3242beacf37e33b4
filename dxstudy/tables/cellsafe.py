"""Spreadsheet formula injection: text that Excel or LibreOffice would run as a formula is neutralized
in every CSV and XLSX cell we write (OWASP: prefix a single quote), and restored when we read it back.
"""
from __future__ import annotations

import re

import pandas as pd

#: A cell starting with one of these (after any quotes we added) would be taken as a formula.
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


def neutralize(value):
    """``=1+2`` → ``'=1+2`` for text; other values unchanged. Reversible with ``restore``."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def restore(value):
    """Undo ``neutralize``: drop the one quote it added."""
    if isinstance(value, str) and _QUOTED.match(value):
        return value[1:]
    return value


def _map_text(frame: pd.DataFrame, fn) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(fn)
    return out


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are safe to open in a spreadsheet."""
    return _map_text(frame, neutralize)


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo ``neutralize_frame`` on a table read back from CSV or XLSX."""
    return _map_text(frame, restore)
