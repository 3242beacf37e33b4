"""The reference tables shipped with dxstudy: member municipalities, themes and aspects.

They are CSV files under ``dxstudy/reference/`` so that an analyst can read and extend them.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd


def _read(name: str, dtype: dict | None = None) -> pd.DataFrame:
    with resources.files("dxstudy").joinpath(f"reference/{name}").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=dtype, keep_default_na=False)


@lru_cache(maxsize=None)
def _municipalities() -> pd.DataFrame:
    return _read("municipalities.csv", {"code": str}).sort_values("order", kind="stable").reset_index(drop=True)


def municipalities() -> pd.DataFrame:
    """The six members: ``code`` (全国地方公共団体コード, 6 digits as text), ``name_ja``, ``name_en``,
    ``kind`` (city | town), ``order`` (the order of the report's sections)."""
    return _municipalities().copy()


def themes() -> pd.DataFrame:
    """Themes of Part 1: ``theme`` id, ``label_ja``, ``label_en``, ``chapter`` (int), ``has_aspects``
    (whether the chapter has 現状/課題 parts)."""
    frame = _read("themes.csv")
    frame["has_aspects"] = frame["has_aspects"].astype(str).str.lower().eq("true")
    return frame.astype({"chapter": "int64"})


def aspects() -> pd.DataFrame:
    """Parts of a theme chapter, in order: ``aspect`` (status | challenge), ``label_ja``, ``label_en``."""
    return _read("aspects.csv")


def check_digit(first_five: str) -> int:
    """Check digit of a 全国地方公共団体コード: weights 6..2 over the first five digits, 11 minus the
    remainder mod 11, last digit of that (so 10 → 0 and 11 → 1)."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2)))
    return (11 - total % 11) % 10


def is_valid_code(code: str) -> bool:
    """Whether ``code`` is a six-digit local-government code with a correct check digit."""
    return len(code) == 6 and code.isdigit() and check_digit(code[:5]) == int(code[5])
