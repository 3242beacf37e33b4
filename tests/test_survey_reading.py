# Reading single answer cells: dates and 時点 in the forms respondents type, stages by label or number.
from __future__ import annotations

from datetime import datetime

import pytest

from dxstudy.survey.layout import parse_stage, status_of, technology_of
from dxstudy.survey.cells import parse_when


@pytest.mark.parametrize("typed, iso, precision, fy", [
    ("2022-04-01", "2022-04-01", "day", 2022),
    ("2022/4/1", "2022-04-01", "day", 2022),
    ("2022-03", "2022-03", "month", 2021),
    ("令和4年11月末", "2022-11-30", "day", 2022),
    ("令和4年度", "FY2022", "fiscal_year", 2022),
    ("FY2023", "FY2023", "fiscal_year", 2023),
    ("２０２２年４月", "2022-04", "month", 2022),
    (datetime(2022, 10, 3), "2022-10-03", "day", 2022),
])
def test_dates_in_the_forms_respondents_type(typed, iso, precision, fy):
    when = parse_when(typed, 2022)
    assert (when.iso, when.precision, when.fiscal_year) == (iso, precision, fy)


@pytest.mark.parametrize("typed, reason", [
    ("令和4年2月30日", "day 30"), ("2022-13", "month 13"), ("未定", "no date"), ("1900-01-01", "year 1900"),
    (44652, "a number"),
])
def test_impossible_or_missing_dates_say_why(typed, reason):
    with pytest.raises(ValueError, match=reason):
        parse_when(typed, 2022)


@pytest.mark.parametrize("typed, stage", [("2 試行・一部実施", 2), (3, 3), ("1", 1), ("検討中", 1), ("０ 未着手", 0),
                                          ("4 完了", None), ("済", None), (True, None)])
def test_stage_by_label_number_or_name(typed, stage):
    assert parse_stage(typed) == stage


def test_status_and_technology_choices():
    assert (status_of("利用中"), status_of("試行中"), status_of("検討・調査中"), status_of("使っている")) == \
        ("in_use", "pilot", "considering", None)
    assert technology_of("ＡＩ－ＯＣＲ") == ("ai_ocr", "AI-OCR")
    assert technology_of("ドローン") == ("other", "ドローン")
