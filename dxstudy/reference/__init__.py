"""The reference tables shipped with dxstudy: member municipalities, themes and aspects.

They are CSV files under ``dxstudy/reference/`` so that an analyst can read and extend them.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from dxstudy.errors import FileContentError


def _read(name: str, dtype: dict | None = None) -> pd.DataFrame:
    with resources.files("dxstudy").joinpath(f"reference/{name}").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=dtype, keep_default_na=False)


@lru_cache(maxsize=None)
def _municipalities() -> pd.DataFrame:
    return _read("municipalities.csv", {"code": str}).sort_values("order", kind="stable").reset_index(drop=True)


def municipalities(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The members: ``code`` (全国地方公共団体コード, 6 digits as text), ``name_ja``, ``name_en``,
    ``kind`` (city | town), ``order`` (the order of the report's sections).

    By default the six members of the 5市1町 working group shipped with dxstudy. A data directory
    with its own ``reference/municipalities.csv`` (same columns) describes another working group,
    e.g. a prefecture-wide one; its codes are checked (six digits, valid check digit, unique).
    """
    if data_dir is not None:
        path = Path(data_dir) / "reference" / "municipalities.csv"
        if path.is_file():
            return read_municipalities_file(path)
    return _municipalities().copy()


def read_municipalities_file(path: str | Path) -> pd.DataFrame:
    """Read and check a members file; a bad row is a FileContentError naming the file and line."""
    frame = pd.read_csv(path, dtype={"code": str}, keep_default_na=False, encoding="utf-8-sig")
    missing = {"code", "name_ja", "name_en", "kind", "order"} - set(frame.columns)
    if missing:
        raise FileContentError(path, 1, "the columns code,name_ja,name_en,kind,order",
                               f"{','.join(frame.columns)} (missing {', '.join(sorted(missing))})")
    seen: set[str] = set()
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if not is_valid_code(str(row.code)):
            raise FileContentError(path, i, "a 6-digit local-government code with a valid check digit",
                                   repr(row.code))
        if row.code in seen:
            raise FileContentError(path, i, "each code once", f"{row.code} again")
        if row.kind not in ("city", "town", "village", "ward"):
            raise FileContentError(path, i, "kind city, town, village or ward", repr(row.kind))
        if not str(row.order).strip().lstrip("-").isdigit():
            raise FileContentError(path, i, "an integer order", repr(row.order))
        seen.add(row.code)
    frame["order"] = pd.to_numeric(frame["order"], errors="raise").astype("int64")
    return frame.sort_values("order", kind="stable").reset_index(drop=True)


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
