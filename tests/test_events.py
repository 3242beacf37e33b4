"""Events: dated happenings of FY2021 sentences with ISO dates, precision, role and event type."""
from pathlib import Path

import pandas as pd
import pytest
from handbuilt_tables import paragraph_statements

from dxstudy.extract.events import EVENT_COLUMNS, event_type_of, extract_events

REPORT = Path(__file__).resolve().parents[1] / "data" / "raw" / "FY2021" / "report.md"
def statements(*sentences, municipality="越谷市", theme="planning", section="4.1.2", paragraph_id=1):
    """A statements table of consecutive sentences of one paragraph."""
    return paragraph_statements(*sentences, municipality=municipality, theme=theme, section=section,
                                paragraph_id=paragraph_id)


def single(table):
    assert len(table) == 1, table[["date", "era_text"]]
    return table.iloc[0]


def test_plan_adopted_in_koshigaya():
    row = single(extract_events(statements("令和3年4月に「越谷市情報化推進計画(2021)」を策定した。")))
    assert (row["date"], row["date_precision"], row["event_type"], row["municipality_code"]) == (
        "2021-04", "month", "plan_adopted", "112224")


def test_heisei_guideline_in_soka():
    row = single(extract_events(statements(
        "また、平成24年12月に策定された「草加市情報化指針」について、経時変化に伴う内容更新を行う必要がある。",
        municipality="草加市", section="4.1.1")))
    assert (row["date"], row["era_text"]) == ("2012-12", "平成24年12月")


def test_telework_pcs_since_january():
    row = single(extract_events(statements(
        "令和3年1月から庁内LANに接続できるパソコン81台を整備し、部ごとに所属人数に応じて配分することで、"
        "在宅勤務によるテレワークを行っている。", theme="telework", section="3.1.2")))
    assert (row["date"], row["role"]) == ("2021-01", "start")


def test_target_fiscal_year_is_kept_as_a_fiscal_year():
    row = single(extract_events(statements(
        "現在のテレワーク用パソコンの稼働率は5.0%であるが、令和5年度までに30%以上を目指している。",
        theme="telework", section="3.1.2")))
    assert (row["date"], row["date_precision"], row["role"], row["event_fiscal_year"]) == (
        "FY2023", "fiscal_year", "deadline", 2023)


def test_body_established_in_yoshikawa():
    row = single(extract_events(statements("計画策定にあたり、令和3年5月に「吉川市DX推進本部」を設置した。",
                                           municipality="吉川市", section="4.1.5")))
    assert (row["date"], row["event_type"], row["event"]) == (
        "2021-05", "body_established", "令和3年5月に「吉川市DX推進本部」を設置した")


SENTENCE_SOKA_NOVEMBER = ("具体的には、令和3年9月に市長・副市長へ自治体DXに関する国の動きを報告するとともに、11月には、"
                          "「草加市CFT推進委員会(副部長級会議)」内で、情報推進課から「自治体DX推進手順書」の内容を説明し、"
                          "情報共有を行った。")


def test_month_without_year_is_resolved_from_the_sentence():
    e = extract_events(statements(SENTENCE_SOKA_NOVEMBER, municipality="草加市", theme="awareness",
                                  section="1.1.1"))
    assert list(zip(e["date"], e["note"])) == [("2021-09", ""), ("2021-11", "year_from_context")]


def test_event_text_of_a_month_stops_before_the_next_date():
    e = extract_events(statements(SENTENCE_SOKA_NOVEMBER, municipality="草加市", theme="awareness",
                                  section="1.1.1"))
    assert e["event"].iloc[0] == "令和3年9月に市長・副市長へ自治体DXに関する国の動きを報告するとともに"


def test_month_without_year_is_resolved_from_the_previous_sentence():
    e = extract_events(statements("令和3年9月に市長へ報告した。", "11月には、委員会で説明した。",
                                  municipality="草加市"))
    assert list(e["date"]) == ["2021-09", "2021-11"]


def test_range_gives_two_rows_with_the_same_event():
    e = extract_events(statements("令和2年4月から令和3年3月にかけて、コンサルタントへの委託により策定作業を行った。",
                                  section="4.2.2"))
    assert list(zip(e["date"], e["role"], e["event_type"])) == [
        ("2020-04", "start", "plan_drafting"), ("2021-03", "end", "plan_drafting")]


def test_hires_fiscal_year_in_misato():
    row = single(extract_events(statements("情報処理技師の採用を行っており、令和2年度には2人を採用した。",
                                           municipality="三郷市", theme="talent", section="2.1.4")))
    assert (row["date"], row["event_type"]) == ("FY2020", "hiring")


def test_nendonai_takes_the_fiscal_year_of_the_paragraph():
    e = extract_events(statements(
        "計画策定にあたり、令和3年5月に「吉川市DX推進本部」を設置した。",
        "構成は、DX推進本部、DX推進会議、DXワーキングチームの3層構造としており、年度内に2~3回程度会議を開催し、"
        "DX推進計画の策定を目指すしている。", municipality="吉川市", section="4.1.5"))
    assert (e["date"].iloc[1], e["event_type"].iloc[1], e["role"].iloc[1]) == ("FY2021", "meeting_held", "within")


def test_region_wide_statement_gives_an_event_with_empty_municipality():
    row = single(extract_events(statements(
        "令和2年12月、総務省が策定した「自治体デジタル・トランスフォーメーション(DX)推進計画」において、"
        "自治体はデジタル技術やデータを活用して住民の利便性を向上させる。", municipality="", theme="overview",
        section="O.1")))
    assert (row["date"], row["municipality"], row["municipality_code"]) == ("2020-12", "", "")


def test_recurring_date_is_kept_with_an_empty_date():
    row = single(extract_events(statements("育成に関する取組みとして、例年4月に新規採用職員を対象とした情報セキュリティ研修を"
                                           "行っている。", municipality="三郷市", theme="talent")))
    assert (row["date"], row["date_precision"], row["event_type"]) == ("", "recurring", "training")


def test_long_event_text_is_clipped():
    e = extract_events(statements("令和3年4月に" + "あ" * 200 + "を策定した。"))
    assert len(e["event"].iloc[0]) == 80 and e["event"].iloc[0].endswith("…")


def test_sentence_without_dates_gives_no_events_but_the_columns():
    e = extract_events(statements("現在のところ、計画の策定は行っていない。"))
    assert e.empty and list(e.columns) == EVENT_COLUMNS


def test_unknown_keyword_is_other():
    assert event_type_of("令和3年4月に晴れた") == "other"


def test_first_keyword_of_the_rules_file_wins():
    assert event_type_of("令和3年度に実証実験を行い、導入した") == "pilot"


# --- the FY2021 report ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def fy2021_events():
    from dxstudy import read_report
    return extract_events(read_report(REPORT).statements)


EXPECTED_FY2021 = [
    # (municipality_code, section, date, precision, role)
    ("112216", "4.1.1", "2012-12", "month", "point"),
    ("112224", "4.1.2", "2021-04", "month", "point"),
    ("112224", "3.1.2", "2021-01", "month", "start"),
    ("112224", "3.1.2", "FY2023", "fiscal_year", "deadline"),
    ("112437", "4.1.5", "2021-05", "month", "point"),
    ("112216", "1.1.1", "2021-09", "month", "point"),
    ("112216", "1.1.1", "2021-11", "month", "point"),
    ("112372", "2.1.4", "FY2020", "fiscal_year", "point"),
    ("112224", "4.2.2", "2020-04", "month", "start"),
    ("112224", "4.2.2", "2021-03", "month", "end"),
    ("", "O.1", "2020-12", "month", "point"),
]


@pytest.mark.parametrize("expected", EXPECTED_FY2021, ids=lambda e: f"{e[1]}-{e[2]}")
def test_fy2021_event_is_present(fy2021_events, expected):
    found = set(zip(fy2021_events["municipality_code"], fy2021_events["section"], fy2021_events["date"],
                    fy2021_events["date_precision"], fy2021_events["role"]))
    assert expected in found


def test_fy2021_event_count(fy2021_events):
    assert len(fy2021_events) == 39


def test_fy2021_every_event_has_a_date_except_the_recurring_one(fy2021_events):
    undated = fy2021_events[fy2021_events["date"] == ""]
    assert list(undated["era_text"]) == ["例年4月"]


def test_fy2021_no_fiscal_year_is_turned_into_a_month(fy2021_events):
    fy = fy2021_events[fy2021_events["era_text"].str.contains("年度")]
    assert set(fy["date_precision"]) == {"fiscal_year"} and fy["date"].str.startswith("FY").all()


def test_fy2021_meeting_dates_are_not_events(fy2021_events):
    assert not fy2021_events["date"].isin(["2021-07-30", "2021-08-27", "2021-10-07", "2021-11-11"]).any()
