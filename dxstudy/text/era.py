# Japanese eras (令和/平成/昭和/大正/明治) and Western years, in both directions:
# 令和3年 → 2021 (era_to_year) and 2021 → 令和3年度 (fiscal_year_label_ja).
"""Era conversion.

令和N年 = 2018+N (令和元年 = 2019), 平成N年 = 1988+N (平成元年 = 1989), 昭和N年 = 1925+N,
大正N年 = 1911+N, 明治N年 = 1867+N. The reverse conversion names a year by the era that began in
or before it (2019 → 令和元年, although 1 January–30 April 2019 was still 平成31年), as Japanese
fiscal years are named: 令和元年度 is April 2019 – March 2020.
"""
from __future__ import annotations

from datetime import date

__all__ = ["ERA_OFFSETS", "ERA_START", "ERA_END", "era_to_year", "era_year_label",
           "fiscal_year_label_ja"]

#: Western year = era year + offset.
ERA_OFFSETS: dict[str, int] = {"令和": 2018, "平成": 1988, "昭和": 1925, "大正": 1911, "明治": 1867}
#: First day of each era (a date before it is impossible).
ERA_START: dict[str, date] = {
    "令和": date(2019, 5, 1), "平成": date(1989, 1, 8), "昭和": date(1926, 12, 25),
    "大正": date(1912, 7, 30), "明治": date(1868, 1, 25),
}
#: Last day of each ended era (a year after it is accepted and converted arithmetically, e.g.
#: 平成32年度 in documents written before 2019).
ERA_END: dict[str, date] = {
    "平成": date(2019, 4, 30), "昭和": date(1989, 1, 7), "大正": date(1926, 12, 24),
    "明治": date(1912, 7, 29),
}


def era_to_year(era: str, era_year: int) -> int:
    """Western year of ``era`` year ``era_year`` (``era_to_year("令和", 3) == 2021``)."""
    return ERA_OFFSETS[era] + era_year


def era_year_label(year: int) -> str:
    """``2021`` → ``"令和3年"``, ``2019`` → ``"令和元年"``, ``2018`` → ``"平成30年"``.

    The era is the latest one that began in or before ``year``; before 明治 (1868) the Western
    year is returned as ``"1867年"``.
    """
    year = int(year)
    for era, offset in ERA_OFFSETS.items():  # newest era first
        if year > offset:
            n = year - offset
            return f"{era}{'元' if n == 1 else n}年"
    return f"{year}年"


def fiscal_year_label_ja(fiscal_year: int) -> str:
    """``2021`` → ``"令和3年度"`` (``2019`` → ``"令和元年度"``, ``2018`` → ``"平成30年度"``)."""
    return f"{era_year_label(fiscal_year)}度"
